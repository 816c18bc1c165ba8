/* test_dataset.c - every dataset reader against an independent reader.
 *
 * tests/ref_dataset.py reads the same file with numpy/h5py and prints, per
 * split, the count, shape, dtype and SHA-256 digests of all sample values, all
 * labels (int32) and all samples as float32; this test computes the same
 * through cs_dataset_read / cs_dataset_read_f32 in odd-sized chunks (so range
 * reads cross chunk and member boundaries) and compares the lines. */
#include "harness.h"

#include "../common/err.h"
#include "../common/sha256.h"
#include "../datasets/dataset.h"

#include <stdint.h>

#define CHUNK 37

static const char *py(void)
{
    const char *p = getenv("PY");
    return p && *p ? p : "/usr/bin/python3";
}

/* 1 if the reference Python has the module; else a SKIP. */
static int have_module(const char *mod)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s -c 'import %s' 2>/dev/null", py(), mod);
    if (system(cmd) != 0) {
        harness_skip("%s has no module %s", py(), mod);
        return 0;
    }
    return 1;
}

static void hex(cs_sha256 *s, char out[65])
{
    uint8_t d[32];
    cs_sha256_final(s, d);
    cs_sha256_hex(d, out);
}

/* Our digest lines, as ref_dataset.py prints them. */
static int c_digest(const char *path, const cs_dataset_opts *o, char *out, size_t cap)
{
    cs_dataset *ds = NULL;
    int rc = cs_dataset_open(&ds, path, o);
    if (rc)
        return rc;
    size_t used = 0;
    out[0] = 0;
    for (int i = 0; i < cs_dataset_num_splits(ds) && !rc; i++) {
        const cs_split_info *s = cs_dataset_split_at(ds, i);
        int64_t elems = cs_split_sample_elems(s);
        size_t esz = s->dtype == CS_U8 ? 1 : 4;
        void *x = malloc((size_t)(CHUNK * elems) * esz);
        float *xf = malloc((size_t)(CHUNK * elems) * sizeof *xf);
        int32_t y[CHUNK];
        cs_sha256 hx, hy, hf;
        cs_sha256_init(&hx), cs_sha256_init(&hy), cs_sha256_init(&hf);
        for (int64_t at = 0; at < s->n && !rc; at += CHUNK) {
            int64_t k = s->n - at < CHUNK ? s->n - at : CHUNK;
            rc = cs_dataset_read(ds, s->name, at, k, x, y);
            if (!rc)
                rc = cs_dataset_read_f32(ds, s->name, at, k, xf, NULL);
            cs_sha256_update(&hx, x, (size_t)(k * elems) * esz);
            cs_sha256_update(&hy, y, (size_t)k * sizeof *y);
            cs_sha256_update(&hf, xf, (size_t)(k * elems) * sizeof *xf);
        }
        char shape[128] = "", a[65], b[65], c[65];
        size_t sl = 0;
        for (int d = 0; d < s->rank; d++)
            sl += (size_t)snprintf(shape + sl, sizeof shape - sl, d ? "x%lld" : "%lld",
                                   (long long)s->shape[d]);
        hex(&hx, a), hex(&hy, b), hex(&hf, c);
        used += (size_t)snprintf(out + used, cap - used, "%s%s %lld %s %s %s %s %s", i ? "\n" : "",
                                 s->name, (long long)s->n, shape[0] ? shape : "scalar",
                                 s->dtype == CS_U8 ? "uint8" : "float32", a, b, c);
        free(x);
        free(xf);
    }
    cs_dataset_free(ds);
    return rc;
}

static int py_digest(const char *path, char *out, size_t cap)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s tests/ref_dataset.py digest '%s'", py(), path);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = 0;
    while (n && out[n - 1] == '\n')
        out[--n] = 0;
    return pclose(p) == 0 ? 0 : -1;
}

static char c_out[8192], py_out[8192];

/* Compare one file; returns our lines (for count checks) or NULL. */
static const char *compare(const char *path)
{
    CHECK_OK(c_digest(path, NULL, c_out, sizeof c_out));
    CHECK_MSG(py_digest(path, py_out, sizeof py_out) == 0, "reference reader failed on %s", path);
    CHECK_MSG(strcmp(c_out, py_out) == 0, "%s:\n  ours:\n%s\n  reference:\n%s", path, c_out, py_out);
    return c_out;
}

static void test_medmnist_npz(void)
{
    const char *pn = harness_data_path("medmnist/pneumoniamnist.npz");
    const char *br = pn ? harness_data_path("medmnist/breastmnist.npz") : NULL;
    if (!br || !have_module("numpy"))
        return;
    const char *o = compare(pn);
    CHECK(strstr(o, "train 3882 28x28 uint8") && strstr(o, "val 524 28x28 uint8") &&
          strstr(o, "test 624 28x28 uint8"));
    o = compare(br);
    CHECK(strstr(o, "train 546 28x28 uint8") && strstr(o, "val 78 ") && strstr(o, "test 156 "));
    cs_dataset *ds = NULL;
    CHECK_OK(cs_dataset_open(&ds, br, NULL));
    CHECK(ds && cs_dataset_num_classes(ds) == 2 && strcmp(cs_dataset_format(ds), "npz") == 0);
    cs_dataset_free(ds);
}

static void test_fashion_mnist(void)
{
    const char *dir = "/usr/share/datasets/fashion-mnist";
    if (access(dir, R_OK) != 0) {
        harness_skip("'%s' not found (apt-get install dataset-fashion-mnist)", dir);
        return;
    }
    if (!have_module("numpy"))
        return;
    const char *o = compare(dir);
    CHECK(strstr(o, "train 60000 28x28 uint8") && strstr(o, "test 10000 28x28 uint8"));
    cs_dataset *ds = NULL;
    CHECK_OK(cs_dataset_open(&ds, dir, NULL));
    CHECK(ds && cs_dataset_num_classes(ds) == 10 && cs_dataset_num_splits(ds) == 2);
    cs_dataset_free(ds);
}

static int make(const char *what)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s tests/ref_dataset.py %s '%s'", py(), what, harness_tmpdir());
    return system(cmd);
}

static const char *tmp(const char *name)
{
    static char buf[4][600];
    static int k;
    char *p = buf[k++ & 3];
    snprintf(p, sizeof buf[0], "%s/%s", harness_tmpdir(), name);
    return p;
}

static void test_hdf5(void)
{
    if (!have_module("h5py"))
        return;
    CHECK(make("make-h5") == 0);
    compare(tmp("u8.h5"));
    compare(tmp("f32.h5"));
    compare(tmp("f64.h5"));
    compare(tmp("i16.h5"));
    cs_dataset *ds = NULL;
    CHECK_OK(cs_dataset_open(&ds, tmp("u8.h5"), NULL));
    if (ds) {
        CHECK(cs_dataset_num_classes(ds) == 3 && cs_dataset_num_splits(ds) == 3);
        CHECK(cs_dataset_class_name(ds, 2) && strcmp(cs_dataset_class_name(ds, 2), "bird") == 0);
    }
    cs_dataset_free(ds);
    CHECK_OK(cs_dataset_open(&ds, tmp("f32.h5"), NULL));
    if (ds) {
        CHECK(cs_dataset_split(ds, "val") == NULL && cs_dataset_split(ds, "test")->n == 9);
        CHECK(cs_dataset_class_name(ds, 3) && strcmp(cs_dataset_class_name(ds, 3), "dddd") == 0);
    }
    cs_dataset_free(ds);
    /* The NaN is found at read time, naming its sample. */
    CHECK_OK(cs_dataset_open(&ds, tmp("nan.h5"), NULL));
    if (ds) {
        float x[20 * 16];
        CHECK_OK(cs_dataset_read(ds, "train", 0, 7, x, NULL));
        CHECK(cs_dataset_read(ds, "train", 0, 20, x, NULL) == CS_EFORMAT);
        CHECK(strstr(cs_errmsg(), "sample 7 holds NaN") && strstr(cs_errmsg(), "nan.h5"));
    }
    cs_dataset_free(ds);
}

static void test_npz_npy(void)
{
    if (!have_module("numpy"))
        return;
    CHECK(make("make-npz") == 0);
    const char *a = compare(tmp("stored.npz"));
    char first[8192];
    snprintf(first, sizeof first, "%s", a);
    CHECK(strcmp(first, compare(tmp("deflated.npz"))) == 0);
    compare(tmp("xy.npz"));
    compare(tmp("train_images.npy"));
}

static void test_num_classes(void)
{
    const char *br = harness_data_path("medmnist/breastmnist.npz");
    if (!br)
        return;
    cs_dataset *ds = NULL;
    cs_dataset_opts o = {.num_classes = 1};
    CHECK(cs_dataset_open(&ds, br, &o) == CS_EFORMAT);
    CHECK(strstr(cs_errmsg(), "breastmnist.npz") && strstr(cs_errmsg(), "out of range"));
    o.num_classes = 5;
    CHECK_OK(cs_dataset_open(&ds, br, &o));
    CHECK(ds && cs_dataset_num_classes(ds) == 5);
    if (ds) {
        int32_t y[4];
        CHECK(cs_dataset_read(ds, "test", 153, 4, NULL, y) == CS_EINVAL);
        CHECK(cs_dataset_read(ds, "nope", 0, 1, NULL, y) == CS_EINVAL);
        CHECK_OK(cs_dataset_read(ds, "test", 152, 4, NULL, y));
    }
    cs_dataset_free(ds);
}

int main(void)
{
    RUN(test_medmnist_npz);
    RUN(test_fashion_mnist);
    RUN(test_hdf5);
    RUN(test_npz_npy);
    RUN(test_num_classes);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", harness_tmpdir());
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", harness_tmpdir());
    return harness_done();
}
