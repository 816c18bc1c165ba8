/* test_zip_write.c - codecs/zip_write.c: what the streaming writer emits,
 * codecs/zip.c (the reader .npz datasets go through) reads back with
 * matching CRCs; announced sizes are enforced both ways. */
#include "harness.h"

#include "../common/err.h"
#include "../codecs/zip_write.h"
#include "../codecs/zip.h"

#include <stdio.h>
#include <string.h>

/* What cs_zipw writes, codecs/zip.c reads back with matching CRCs. */
static void test_zip_writer_roundtrip(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/t.zip", harness_tmpdir());
    FILE *fp = fopen(path, "wb");
    CHECK(fp != NULL);
    if (!fp)
        return;
    cs_zipw *z = NULL;
    static uint8_t big[100000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 31 + (i >> 7));
    CHECK_OK(cs_zipw_create(&z, fp, path));
    CHECK_OK(cs_zipw_begin(z, "a.npy", 5));
    CHECK_OK(cs_zipw_write(z, "hello", 5));
    CHECK_OK(cs_zipw_end(z));
    CHECK_OK(cs_zipw_begin(z, "b.bin", sizeof big));
    CHECK_OK(cs_zipw_write(z, big, 40000));
    CHECK_OK(cs_zipw_write(z, big + 40000, sizeof big - 40000));
    CHECK(cs_zipw_write(z, big, 1) != 0); /* more than announced */
    CHECK_OK(cs_zipw_end(z));
    CHECK_OK(cs_zipw_begin(z, "short", 10));
    CHECK_OK(cs_zipw_write(z, "abc", 3));
    CHECK(cs_zipw_end(z) != 0 && strstr(cs_errmsg(), "3 bytes written, 10 announced"));
    cs_zipw_free(z);
    fclose(fp);

    /* A clean archive of the first two members. */
    fp = fopen(path, "wb");
    CHECK_OK(cs_zipw_create(&z, fp, path));
    CHECK_OK(cs_zipw_begin(z, "a.npy", 5));
    CHECK_OK(cs_zipw_write(z, "hello", 5));
    CHECK_OK(cs_zipw_end(z));
    CHECK_OK(cs_zipw_begin(z, "b.bin", sizeof big));
    CHECK_OK(cs_zipw_write(z, big, sizeof big));
    CHECK_OK(cs_zipw_end(z));
    CHECK_OK(cs_zipw_finish(z));
    cs_zipw_free(z);
    fclose(fp);
    cs_zip *r = NULL;
    CHECK_OK(zip_open_file(&r, path));
    if (!r)
        return;
    CHECK(zip_count(r) == 2);
    int i = zip_find(r, "b.bin");
    CHECK(i == 1);
    uint8_t *buf = NULL;
    size_t len = 0;
    CHECK_OK(zip_extract(r, i, &buf, &len));
    CHECK(len == sizeof big && buf && memcmp(buf, big, len) == 0);
    free(buf);
    CHECK_OK(zip_extract(r, 0, &buf, &len));
    CHECK(len == 5 && buf && memcmp(buf, "hello", 5) == 0);
    free(buf);
    zip_free(r);
}

int main(void)
{
    RUN(test_zip_writer_roundtrip);
    return harness_done();
}
