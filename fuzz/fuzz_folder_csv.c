/* fuzz_folder_csv.c - libFuzzer target: an image folder's CSV of labels
 * (datasets/ds_folder.c: columns, paths, integer and name labels, splits)
 * on arbitrary bytes.  The input is written as labels.csv into a folder
 * that holds two real 2x2 PNG files, a.png and train/b.png, and opened as
 * dataset.kind folder; it must open or end in a message. */
#include "../common/err.h"
#include "../common/fsio.h"
#include "../datasets/dataset.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A 2x2 8-bit grey PNG (zlib-compressed IDAT), made once with PIL. */
static const uint8_t png2x2[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00, 0x00, 0x00, 0x00, 0x57, 0xdd, 0x52,
    0xf8, 0x00, 0x00, 0x00, 0x0e, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x60, 0x64, 0x64,
    0x62, 0x04, 0x00, 0x00, 0x12, 0x00, 0x06, 0x22, 0x61, 0x0b, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x49,
    0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82
};

static char root[64];

static void put(const char *rel, const void *buf, size_t n)
{
    char p[128];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "wb");
    if (!f)
        abort();
    fwrite(buf, 1, n, f);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!root[0]) {
        snprintf(root, sizeof root, "/tmp/fuzz-folder-%d", (int)getpid());
        char p[128];
        snprintf(p, sizeof p, "%s/train", root);
        if ((mkdir(root, 0777) && !cs_path_is_dir(root)) || (mkdir(p, 0777) && !cs_path_is_dir(p)))
            abort();
        put("a.png", png2x2, sizeof png2x2);
        put("train/b.png", png2x2, sizeof png2x2);
    }
    put("labels.csv", data, size);
    cs_dataset_opts o = {.kind = "folder", .csv = "labels.csv", .classes = size && data[0] & 1 ? "x,y" : NULL,
                         .size = size && data[0] & 2 ? 3 : 0};
    cs_dataset *ds = NULL;
    int rc = cs_dataset_open(&ds, root, &o);
    if (rc && !*cs_errmsg())
        abort();
    if (!rc && cs_dataset_num_splits(ds) < 1)
        abort();
    cs_dataset_free(ds);
    return 0;
}
