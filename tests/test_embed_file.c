/* test_embed_file.c - embeddings.h5: float16 conversion, round trips in both
 * dtypes, epochs kept and dropped on rewrite, byte-identical rewrites, and bad
 * files rejected naming the file. */
#include "../common/err.h"
#include "../common/fsio.h"
#include "../config/config.h"
#include "../formats/embed_file.h"
#include "../train/embed_capture.h"
#include "harness.h"

#include <dirent.h>
#include <stdint.h>
#include <string.h>

static char *path_in_tmp(const char *name)
{
    static char buf[8][600];
    static int k;
    char *p = buf[k++ & 7];
    snprintf(p, sizeof buf[0], "%s/%s", harness_tmpdir(), name);
    return p;
}

/* Deterministic test data, of mixed sign and magnitude. */
static void fill(float *v, size_t cnt, uint32_t seed)
{
    uint32_t s = seed * 2654435761u + 1;
    for (size_t i = 0; i < cnt; i++) {
        s = s * 1664525u + 1013904223u;
        v[i] = ((float)(s >> 8) / 16777216.0f - 0.3f) * (float)(1 + (i % 7) * 3);
    }
}

static int same_bytes(const char *a, const char *b)
{
    uint8_t *x, *y;
    size_t lx, ly;
    if (cs_read_file(a, &x, &lx))
        return 0;
    if (cs_read_file(b, &y, &ly)) {
        free(x);
        return 0;
    }
    int same = lx == ly && memcmp(x, y, lx) == 0;
    free(x);
    free(y);
    return same;
}

static int tmp_files_left(void)
{
    DIR *d = opendir(harness_tmpdir());
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strstr(e->d_name, ".tmp.") != NULL;
    if (d)
        closedir(d);
    return n;
}

/* Every half converts to float and back to itself (NaNs stay NaNs), and a
 * float goes to the nearest half, ties to the even one. */
static void test_f16_conversion(void)
{
    for (uint32_t h = 0; h < 65536; h++) {
        float f = cs_f16_to_f32((uint16_t)h);
        int nan = ((h >> 10) & 31) == 31 && (h & 0x3ff);
        if (nan)
            CHECK(f != f && (cs_f32_to_f16(f) & 0x7c00) == 0x7c00 && (cs_f32_to_f16(f) & 0x3ff));
        else
            CHECK_MSG(cs_f32_to_f16(f) == h, "half 0x%04x", h);
    }
    CHECK(cs_f16_to_f32(0x3c00) == 1.0f && cs_f16_to_f32(0xc000) == -2.0f && cs_f16_to_f32(0x7bff) == 65504.0f);
    CHECK(cs_f16_to_f32(0x0001) == ldexpf(1, -24));
    CHECK(cs_f32_to_f16(65520.0f) == 0x7c00 && cs_f32_to_f16(65519.0f) == 0x7bff);
    CHECK(cs_f32_to_f16(1.0f + ldexpf(1, -11)) == 0x3c00);                     /* tie to even: down */
    CHECK(cs_f32_to_f16(1.0f + 3 * ldexpf(1, -11)) == 0x3c02);                 /* tie to even: up */
    CHECK(cs_f32_to_f16(ldexpf(1, -25)) == 0 && cs_f32_to_f16(ldexpf(1.5f, -25)) == 1);
    /* Nearest: no neighbouring half is closer (finite range, sampled densely). */
    int bad = 0;
    for (uint32_t x = 0x33000000u; x < 0x477fe000u; x += 997) {
        float f;
        memcpy(&f, &x, sizeof f);
        uint16_t h = cs_f32_to_f16(f);
        double e = fabs((double)cs_f16_to_f32(h) - f);
        double lo = fabs((double)cs_f16_to_f32((uint16_t)(h - 1)) - f);
        double hi = h < 0x7bff ? fabs((double)cs_f16_to_f32((uint16_t)(h + 1)) - f) : 1e300;
        bad += (h > 0 && lo < e) || hi < e || ((lo == e || hi == e) && (h & 1));
    }
    CHECK_MSG(bad == 0, "%d floats not rounded to the nearest even half", bad);
}

static void test_round_trip_f32(void)
{
    const int64_t n = 37;
    const int d = 11;
    float a[37 * 11], b[37 * 11];
    fill(a, sizeof a / sizeof *a, 1);
    fill(b, sizeof b / sizeof *b, 2);
    const char *p = path_in_tmp("e32.h5");
    cs_kv attrs[] = {{"dataset", "breastmnist"}, {"seed", "7"}};
    CHECK_OK(cs_embed_write_epoch(p, 2, a, n, d, CS_EMBED_F32, 1, attrs, 2));
    CHECK_OK(cs_embed_write_epoch(p, 5, b, n, d, CS_EMBED_F32, 1, attrs, 2));
    cs_embed info;
    CHECK_OK(cs_embed_stat(p, &info));
    CHECK(info.n == n && info.d == d && info.num_epochs == 2);
    CHECK(info.num_epochs == 2 && info.epochs[0] == 2 && info.epochs[1] == 5);
    cs_embed_release(&info);
    CHECK(info.epochs == NULL);
    int dt = -1;
    CHECK_OK(cs_embed_dtype(p, &dt));
    CHECK(dt == CS_EMBED_F32);
    float *v = NULL;
    int64_t rn = 0;
    int rd = 0;
    CHECK_OK(cs_embed_read(p, 0, &v, &rn, &rd)); /* 0: the last epoch */
    CHECK(v && rn == n && rd == d && memcmp(v, b, sizeof b) == 0);
    free(v);
    CHECK_OK(cs_embed_read(p, 2, &v, &rn, &rd));
    CHECK(v && memcmp(v, a, sizeof a) == 0);
    free(v);
    CHECK(cs_embed_read(p, 3, &v, &rn, &rd) == CS_EINVAL && v == NULL);
    CHECK_MSG(strstr(cs_errmsg(), "e32.h5") && strstr(cs_errmsg(), "epoch 3") && strstr(cs_errmsg(), "2, 5"), "%s",
              cs_errmsg());
    CHECK(tmp_files_left() == 0);
}

/* A rewrite at epoch e keeps the stored epochs below e and drops the rest
 * (what a resumed run does); the result is byte-identical to a file written
 * straight through. */
static void test_rewrite_drops_later_epochs(void)
{
    const int64_t n = 20;
    const int d = 8;
    float e[4][20 * 8];
    for (int k = 0; k < 4; k++)
        fill(e[k], 160, 10 + (uint32_t)k);
    const char *straight = path_in_tmp("straight.h5"), *resumed = path_in_tmp("resumed.h5");
    cs_kv attrs[] = {{"epochs", "9"}};
    CHECK_OK(cs_embed_write_epoch(straight, 3, e[0], n, d, CS_EMBED_F16, 1, attrs, 1));
    CHECK_OK(cs_embed_write_epoch(straight, 6, e[1], n, d, CS_EMBED_F16, 1, attrs, 1));
    CHECK_OK(cs_embed_write_epoch(straight, 9, e[2], n, d, CS_EMBED_F16, 1, attrs, 1));
    /* the killed run stored epoch 6 with other values, then resumed at epoch 4 */
    CHECK_OK(cs_embed_write_epoch(resumed, 3, e[0], n, d, CS_EMBED_F16, 1, attrs, 1));
    CHECK_OK(cs_embed_write_epoch(resumed, 6, e[3], n, d, CS_EMBED_F16, 1, attrs, 1));
    CHECK_OK(cs_embed_write_epoch(resumed, 6, e[1], n, d, CS_EMBED_F16, 1, attrs, 1));
    CHECK_OK(cs_embed_write_epoch(resumed, 9, e[2], n, d, CS_EMBED_F16, 1, attrs, 1));
    CHECK(same_bytes(straight, resumed));
    /* a rewrite below the last stored epoch drops the later ones */
    CHECK_OK(cs_embed_write_epoch(resumed, 5, e[3], n, d, CS_EMBED_F16, 1, attrs, 1));
    cs_embed info;
    CHECK_OK(cs_embed_stat(resumed, &info));
    CHECK(info.num_epochs == 2 && info.epochs[0] == 3 && info.epochs[1] == 5);
    cs_embed_release(&info);
    float *v = NULL;
    int64_t rn;
    int rd;
    CHECK_OK(cs_embed_read(resumed, 3, &v, &rn, &rd));
    for (int i = 0; v && i < 160; i++)
        CHECK(v[i] == cs_f16_to_f32(cs_f32_to_f16(e[0][i])));
    free(v);
}

static void test_float16_close_to_float32(void)
{
    const int64_t n = 50;
    const int d = 16;
    float a[50 * 16];
    fill(a, 800, 3);
    const char *p = path_in_tmp("e16.h5");
    CHECK_OK(cs_embed_write_epoch(p, 1, a, n, d, CS_EMBED_F16, 1, NULL, 0));
    int dt = -1;
    CHECK_OK(cs_embed_dtype(p, &dt));
    CHECK(dt == CS_EMBED_F16);
    float *v = NULL;
    int64_t rn;
    int rd;
    CHECK_OK(cs_embed_read(p, 1, &v, &rn, &rd));
    for (int i = 0; v && i < 800; i++)
        CHECK_NEAR(v[i], a[i], fabs(a[i]) * ldexp(1, -11) + 1e-7);
    free(v);
}

static void test_bad_files(void)
{
    float *v = NULL;
    int64_t rn;
    int rd;
    cs_embed info;
    const char *missing = path_in_tmp("missing.h5");
    CHECK(cs_embed_read(missing, 0, &v, &rn, &rd) == CS_EIO);
    CHECK(strstr(cs_errmsg(), "missing.h5") != NULL);
    const char *text = path_in_tmp("text.h5");
    FILE *fp = fopen(text, "wb");
    if (fp) {
        fputs("not hdf5\n", fp);
        fclose(fp);
    }
    CHECK(cs_embed_stat(text, &info) == CS_EFORMAT);
    CHECK_MSG(strstr(cs_errmsg(), "text.h5") && strstr(cs_errmsg(), "not an HDF5"), "%s", cs_errmsg());
    /* a file with other shape or dtype is refused and stays as it was */
    float a[6] = {1, 2, 3, 4, 5, 6};
    const char *p = path_in_tmp("shape.h5"), *copy = path_in_tmp("shape-copy.h5");
    CHECK_OK(cs_embed_write_epoch(p, 1, a, 3, 2, CS_EMBED_F32, 1, NULL, 0));
    CHECK_OK(cs_embed_write_epoch(copy, 1, a, 3, 2, CS_EMBED_F32, 1, NULL, 0));
    CHECK(cs_embed_write_epoch(p, 2, a, 2, 3, CS_EMBED_F32, 1, NULL, 0) == CS_EFORMAT);
    CHECK_MSG(strstr(cs_errmsg(), "shape.h5") && strstr(cs_errmsg(), "3 x 2"), "%s", cs_errmsg());
    CHECK(cs_embed_write_epoch(p, 2, a, 3, 2, CS_EMBED_F16, 1, NULL, 0) == CS_EFORMAT);
    CHECK(strstr(cs_errmsg(), "float16") != NULL);
    CHECK(cs_embed_write_epoch(p, 0, a, 3, 2, CS_EMBED_F32, 1, NULL, 0) == CS_EINVAL);
    CHECK(same_bytes(p, copy));
    CHECK(tmp_files_left() == 0);
}

/* keep_earlier 0 (a new run): whatever file had the name is replaced, even one
 * of another shape. */
static void test_fresh_replaces(void)
{
    float a[6] = {1, 2, 3, 4, 5, 6}, b[4] = {7, 8, 9, 10};
    const char *p = path_in_tmp("fresh.h5");
    CHECK_OK(cs_embed_write_epoch(p, 4, a, 3, 2, CS_EMBED_F32, 1, NULL, 0));
    CHECK_OK(cs_embed_write_epoch(p, 2, b, 2, 2, CS_EMBED_F16, 0, NULL, 0));
    cs_embed info;
    CHECK_OK(cs_embed_stat(p, &info));
    CHECK(info.n == 2 && info.d == 2 && info.num_epochs == 1 && info.epochs[0] == 2);
    cs_embed_release(&info);
    float *v = NULL;
    int64_t n;
    int d;
    CHECK_OK(cs_embed_read(p, 0, &v, &n, &d));
    CHECK(v && v[0] == 7 && v[3] == 10);
    free(v);
}

/* record.embed_epochs: auto from EVA's windows, lists sorted and deduplicated,
 * epochs beyond the run refused, nothing when record.embed is off. */
static void test_embed_epochs(void)
{
    cs_config c;
    cs_config_init(&c);
    int ep[CS_EMBED_MAX_EPOCHS], n = -1;
    CHECK_OK(cs_config_set(&c, "train.epochs=20"));
    CHECK_OK(cs_config_set(&c, "score.eva_k=5"));
    CHECK_OK(cs_embed_epochs(&c, ep, &n)); /* windows 1-5 and 16-20 */
    CHECK(n == 2 && ep[0] == 5 && ep[1] == 20);
    CHECK_OK(cs_config_set(&c, "score.eva_late_start=8"));
    CHECK_OK(cs_embed_epochs(&c, ep, &n)); /* 1-5, 8-12, and the last */
    CHECK(n == 3 && ep[0] == 5 && ep[1] == 12 && ep[2] == 20);
    CHECK_OK(cs_config_set(&c, "train.epochs=3"));
    CHECK_OK(cs_embed_epochs(&c, ep, &n)); /* no window fits: the last epoch alone */
    CHECK(n == 1 && ep[0] == 3);
    CHECK_OK(cs_config_set(&c, "train.epochs=20"));
    CHECK_OK(cs_config_set(&c, "record.embed_epochs=12,3,12,7"));
    CHECK_OK(cs_embed_epochs(&c, ep, &n));
    CHECK(n == 3 && ep[0] == 3 && ep[1] == 7 && ep[2] == 12);
    CHECK_OK(cs_config_set(&c, "record.embed_epochs=21"));
    CHECK(cs_embed_epochs(&c, ep, &n) == CS_EINVAL && strstr(cs_errmsg(), "beyond train.epochs (20)"));
    CHECK(cs_config_set(&c, "record.embed_epochs=last") == CS_EINVAL);
    CHECK_OK(cs_config_set(&c, "record.embed=false"));
    CHECK_OK(cs_config_set(&c, "record.embed_epochs=5"));
    CHECK_OK(cs_embed_epochs(&c, ep, &n));
    CHECK(n == 0);
    cs_config_release(&c);
}

int main(void)
{
    RUN(test_f16_conversion);
    RUN(test_round_trip_f32);
    RUN(test_rewrite_drops_later_epochs);
    RUN(test_float16_close_to_float32);
    RUN(test_bad_files);
    RUN(test_fresh_replaces);
    RUN(test_embed_epochs);
    return harness_done();
}
