/* test_folder.c - the image-folder reader and its codecs.
 *
 * With no arguments: unit checks of the box resize, channel conversion and
 * the decoders' refusal of damaged files.  `test_folder dump DIR OUT
 * [key=value...]` opens DIR as dataset.kind folder (keys: csv, pcol, lcol,
 * classes, channels, size, skip, cache) and writes, per split, OUT/<split>.f32
 * (the samples as float32), OUT/<split>.i32 (labels), OUT/<split>.ids (the
 * sample ids, one a line) and OUT/meta.txt ("split n dtype shape..." lines,
 * then "classes ..." and "skipped N"), for tests/t_folder.sh to hold against
 * PIL; on an error it prints the message and exits 1. */
#include "harness.h"

#include "../codecs/image.h"
#include "../common/err.h"
#include "../datasets/dataset.h"

#include <stdint.h>

static void test_resize_integer_factor(void)
{
    /* 4x4 -> 2x2 is the mean of each 2x2 block, rounded half up. */
    uint16_t px[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 250};
    cs_image img = {4, 4, 1, 8, malloc(sizeof px)};
    memcpy(img.px, px, sizeof px);
    CHECK(cs_image_resize(&img, 2, 2) == 0);
    CHECK(img.w == 2 && img.h == 2);
    /* Rows first: (0+1)/2 -> 1 (half up), (4+5)/2 -> 5, then columns (1+5)/2 = 3. */
    CHECK(img.px[0] == 3);
    CHECK(img.px[3] == (uint16_t)((((10 + 11 + 1) / 2) + ((14 + 250 + 1) / 2) + 1) / 2));
    cs_image_release(&img);
}

static void test_resize_same_size_is_identity(void)
{
    uint16_t px[6] = {9, 8, 7, 6, 5, 4};
    cs_image img = {3, 2, 1, 8, malloc(sizeof px)};
    memcpy(img.px, px, sizeof px);
    CHECK(cs_image_resize(&img, 3, 2) == 0 && memcmp(img.px, px, sizeof px) == 0);
    cs_image_release(&img);
}

static void test_luma(void)
{
    uint16_t px[6] = {255, 0, 0, 10, 200, 30};
    cs_image img = {2, 1, 3, 8, malloc(sizeof px)};
    memcpy(img.px, px, sizeof px);
    CHECK(cs_image_to_channels(&img, 1) == 0 && img.c == 1);
    CHECK(img.px[0] == (19595u * 255 + 32768) >> 16);
    CHECK(img.px[1] == (19595u * 10 + 38470u * 200 + 7471u * 30 + 32768) >> 16);
    CHECK(cs_image_to_channels(&img, 3) == 0 && img.c == 3 && img.px[3] == img.px[4] && img.px[4] == img.px[5]);
    cs_image_release(&img);
}

static void test_damaged_files_refused(void)
{
    static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const uint8_t jpg[4] = {0xff, 0xd8, 0xff, 0xe0};
    static const uint8_t junk[4] = {1, 2, 3, 4};
    cs_image img;
    CHECK(cs_image_decode(&img, png_sig, sizeof png_sig, "'a.png'") == CS_EFORMAT);
    CHECK(strstr(cs_errmsg(), "'a.png'") && strstr(cs_errmsg(), "PNG"));
    CHECK(cs_image_decode(&img, jpg, sizeof jpg, "'b.jpg'") == CS_EFORMAT);
    CHECK(strstr(cs_errmsg(), "'b.jpg'") && strstr(cs_errmsg(), "JPEG"));
    CHECK(cs_image_decode(&img, junk, sizeof junk, "'c.png'") == CS_EFORMAT);
    CHECK(img.px == NULL);
}

static int dump(int argc, char **argv)
{
    cs_dataset_opts o = {.kind = "folder"};
    for (int i = 4; i < argc; i++) {
        char *v = strchr(argv[i], '=');
        if (!v)
            return fprintf(stderr, "bad option '%s'\n", argv[i]), 2;
        *v++ = 0;
        if (!strcmp(argv[i], "csv")) o.csv = v;
        else if (!strcmp(argv[i], "pcol")) o.csv_path_column = v;
        else if (!strcmp(argv[i], "lcol")) o.csv_label_column = v;
        else if (!strcmp(argv[i], "classes")) o.classes = v;
        else if (!strcmp(argv[i], "channels")) o.channels = atoi(v);
        else if (!strcmp(argv[i], "size")) o.size = atoi(v);
        else if (!strcmp(argv[i], "skip")) o.skip_bad = atoi(v);
        else if (!strcmp(argv[i], "cache")) o.cache = v;
        else return fprintf(stderr, "unknown key '%s'\n", argv[i]), 2;
    }
    cs_dataset *ds;
    if (cs_dataset_open(&ds, argv[2], &o)) {
        fprintf(stderr, "coreset: error: %s\n", cs_errmsg());
        return 1;
    }
    char p[4200];
    snprintf(p, sizeof p, "%s/meta.txt", argv[3]);
    FILE *meta = fopen(p, "w");
    int rc = 0;
    for (int s = 0; meta && s < cs_dataset_num_splits(ds); s++) {
        const cs_split_info *si = cs_dataset_split_at(ds, s);
        int64_t e = cs_split_sample_elems(si);
        fprintf(meta, "%s %lld %s", si->name, (long long)si->n, si->dtype == CS_U8 ? "uint8" : "float32");
        for (int d = 0; d < si->rank; d++)
            fprintf(meta, " %lld", (long long)si->shape[d]);
        fputc('\n', meta);
        float *x = malloc(sizeof *x * (size_t)(e * si->n + 1));
        int32_t *y = malloc(sizeof *y * (size_t)(si->n + 1));
        if (!x || !y || cs_dataset_read_f32(ds, si->name, 0, si->n, x, y)) {
            rc = 1;
        } else {
            FILE *f;
            snprintf(p, sizeof p, "%s/%s.f32", argv[3], si->name);
            if ((f = fopen(p, "wb"))) fwrite(x, sizeof *x, (size_t)(e * si->n), f), fclose(f);
            snprintf(p, sizeof p, "%s/%s.i32", argv[3], si->name);
            if ((f = fopen(p, "wb"))) fwrite(y, sizeof *y, (size_t)si->n, f), fclose(f);
            snprintf(p, sizeof p, "%s/%s.ids", argv[3], si->name);
            if ((f = fopen(p, "w"))) {
                char buf[4096];
                for (int64_t i = 0; i < si->n; i++)
                    fprintf(f, "%s\n", cs_dataset_sample_id(ds, si->name, i, buf, sizeof buf));
                fclose(f);
            }
        }
        free(x);
        free(y);
    }
    if (meta) {
        fprintf(meta, "classes");
        for (int c = 0; c < cs_dataset_num_classes(ds); c++)
            fprintf(meta, " %s", cs_dataset_class_name(ds, c) ? cs_dataset_class_name(ds, c) : "-");
        fprintf(meta, "\nskipped %lld\n", (long long)cs_dataset_skipped(ds));
        fclose(meta);
    }
    if (!rc && o.cache && cs_dataset_save_cache(ds, o.cache)) {
        fprintf(stderr, "coreset: error: %s\n", cs_errmsg());
        rc = 1;
    }
    cs_dataset_free(ds);
    return meta ? rc : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "dump"))
        return dump(argc, argv);
    RUN(test_resize_integer_factor);
    RUN(test_resize_same_size_is_identity);
    RUN(test_luma);
    RUN(test_damaged_files_refused);
    return harness_done();
}
