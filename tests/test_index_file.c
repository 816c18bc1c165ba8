/* test_index_file.c - the coreset index file: round trip, byte-identical
 * rewrite, the .npy companion, and bad files rejected with file:line. */
#include "../common/err.h"
#include "../common/fsio.h"
#include "../formats/index_file.h"
#include "harness.h"

#include <string.h>

static char *path_in_tmp(const char *name)
{
    static char buf[8][600];
    static int k;
    char *p = buf[k++ & 7];
    snprintf(p, sizeof buf[0], "%s/%s", harness_tmpdir(), name);
    return p;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    CHECK(fp != NULL);
    if (!fp)
        return;
    fputs(text, fp);
    fclose(fp);
}

static void test_round_trip(void)
{
    int64_t idx[5] = {0, 3, 4, 17, 99};
    cs_index_file f;
    cs_index_file_init(&f);
    CHECK_OK(cs_index_file_set_indices(&f, idx, 5, 100));
    CHECK_OK(cs_index_file_set(&f, "source", "data/derma.npz"));
    CHECK_OK(cs_index_file_set(&f, "score", "eva"));
    CHECK_OK(cs_index_file_set(&f, "score-direction", "high"));
    CHECK_OK(cs_index_file_set(&f, "seed", "7"));
    CHECK_OK(cs_index_file_set(&f, "score", "aum")); /* replaces, keeps its place */
    const char *p1 = path_in_tmp("a.idx"), *p2 = path_in_tmp("b.idx");
    CHECK_OK(cs_index_write(p1, &f));
    uint8_t *b1 = NULL;
    size_t l1 = 0;
    CHECK_OK(cs_read_file(p1, &b1, &l1));
    const char *want = "# coreset-index 1\n# n: 100\n# m: 5\n# source: data/derma.npz\n"
                       "# score: aum\n# score-direction: high\n# seed: 7\n0\n3\n4\n17\n99\n";
    CHECK(b1 && strcmp((char *)b1, want) == 0);

    cs_index_file g;
    CHECK_OK(cs_index_read(p1, &g));
    CHECK(g.n == 100 && g.m == 5 && memcmp(g.idx, idx, sizeof idx) == 0);
    CHECK(g.num_keys == 4);
    CHECK(cs_index_file_get(&g, "score") && strcmp(cs_index_file_get(&g, "score"), "aum") == 0);
    CHECK(cs_index_file_get(&g, "created") == NULL);
    CHECK_OK(cs_index_write(p2, &g));
    uint8_t *b2 = NULL;
    size_t l2 = 0;
    CHECK_OK(cs_read_file(p2, &b2, &l2));
    CHECK(l1 == l2 && b2 && memcmp(b1, b2, l1) == 0);
    free(b1);
    free(b2);
    cs_index_file_release(&f);
    cs_index_file_release(&g);
}

static void test_set_errors(void)
{
    cs_index_file f;
    cs_index_file_init(&f);
    CHECK(cs_index_file_set(&f, "Bad Key", "x") == CS_EINVAL);
    CHECK(strstr(cs_errmsg(), "'Bad Key'"));
    CHECK(cs_index_file_set(&f, "n", "5") == CS_EINVAL);
    CHECK(cs_index_file_set(&f, "note", "two\nlines") == CS_EINVAL);
    int64_t bad[3] = {1, 1, 2};
    CHECK(cs_index_file_set_indices(&f, bad, 3, 10) == CS_EINVAL);
    CHECK(strstr(cs_errmsg(), "ascending"));
    int64_t far[2] = {1, 10};
    CHECK(cs_index_file_set_indices(&f, far, 2, 10) == CS_EINVAL);
    CHECK(strstr(cs_errmsg(), "index 10"));
    cs_index_file_release(&f);
}

static void expect_bad(const char *name, const char *text, const char *frag)
{
    const char *p = path_in_tmp(name);
    write_text(p, text);
    cs_index_file f;
    int rc = cs_index_read(p, &f);
    CHECK_MSG(rc < 0, "%s: read succeeded", name);
    char want[700];
    snprintf(want, sizeof want, "'%s':%s", p, frag);
    CHECK_MSG(strstr(cs_errmsg(), want), "%s: message '%s' lacks '%s'", name, cs_errmsg(), want);
    CHECK(f.idx == NULL && f.num_keys == 0);
}

#define HDR "# coreset-index 1\n# n: 10\n# m: 3\n"

static void test_bad_files(void)
{
    expect_bad("ascending.idx", HDR "1\n5\n4\n", "6: index 4 out of order");
    expect_bad("duplicate.idx", HDR "1\n5\n5\n", "6: index 5 repeated");
    expect_bad("range.idx", HDR "1\n5\n10\n", "6: index 10 out of range (n = 10)");
    expect_bad("marker.idx", "# coreset-indx 1\n# n: 10\n# m: 1\n1\n", "1: not a coreset index");
    expect_bad("version.idx", "# coreset-index 2\n# n: 10\n# m: 1\n1\n", "1: index file version 2");
    expect_bad("short.idx", HDR "1\n5\n", "5: file ends after 2 indices, header says m = 3");
    expect_bad("long.idx", HDR "1\n5\n7\n8\n", "7: more indices than m = 3");
    expect_bad("word.idx", HDR "1\nfive\n7\n", "5: 'five' is not an index");
    expect_bad("negative.idx", HDR "1\n-5\n7\n", "5: '-5' is not an index");
    expect_bad("space.idx", HDR "1\n 5\n7\n", "5: ' 5' is not an index");
    expect_bad("blank.idx", HDR "1\n\n5\n7\n", "5: '' is not an index");
    expect_bad("late-header.idx", HDR "1\n# x: y\n5\n7\n", "5: header line after the indices");
    expect_bad("no-m.idx", "# coreset-index 1\n# n: 10\n1\n", "3: header lacks 'm'");
    expect_bad("twice.idx", "# coreset-index 1\n# n: 10\n# n: 10\n# m: 0\n", "3: header key 'n'");
    expect_bad("badkv.idx", "# coreset-index 1\n# n: 10\n# m 0\n", "3: header lines");
    expect_bad("bign.idx", "# coreset-index 1\n# n: 1x\n# m: 0\n", "2: header 'n'");
    expect_bad("empty.idx", "", " empty file");
    cs_index_file f;
    CHECK(cs_index_read(path_in_tmp("missing.idx"), &f) == CS_EIO);
    CHECK(strstr(cs_errmsg(), "missing.idx") && strstr(cs_errmsg(), "No such file"));
}

static void test_lenient_end_and_empty(void)
{
    /* No newline after the last index is accepted; m = 0 is a valid file. */
    const char *p = path_in_tmp("nonl.idx");
    write_text(p, HDR "1\n5\n9");
    cs_index_file f;
    CHECK_OK(cs_index_read(p, &f));
    CHECK(f.m == 3 && f.idx[2] == 9);
    cs_index_file_release(&f);
    write_text(p, "# coreset-index 1\n# n: 10\n# m: 0\n");
    CHECK_OK(cs_index_read(p, &f));
    CHECK(f.m == 0);
    cs_index_file_release(&f);
}

static void test_npy(void)
{
    int64_t idx[3] = {2, 70000, 5000000000LL};
    const char *p = path_in_tmp("idx.npy");
    CHECK_OK(cs_index_write_npy(p, idx, 3));
    uint8_t *b = NULL;
    size_t len = 0;
    CHECK_OK(cs_read_file(p, &b, &len));
    if (!b)
        return;
    CHECK(memcmp(b, "\x93NUMPY\x01\x00", 8) == 0);
    size_t hlen = (size_t)b[8] | (size_t)b[9] << 8;
    CHECK((10 + hlen) % 64 == 0 && b[10 + hlen - 1] == '\n');
    CHECK(strstr((char *)b + 10, "'descr': '<i8'") && strstr((char *)b + 10, "'shape': (3,)"));
    CHECK(len == 10 + hlen + 24);
    int64_t v = 0;
    for (int k = 7; k >= 0; k--)
        v = v << 8 | b[10 + hlen + 16 + (size_t)k];
    CHECK(v == 5000000000LL);
    free(b);
    /* NumPy itself must read it back, when it is there. */
    const char *py = getenv("PY") ? getenv("PY") : "/usr/bin/python3";
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "%s -c 'import numpy' 2>/dev/null", py);
    if (system(cmd) != 0) {
        harness_skip("numpy not available to '%s'", py);
        return;
    }
    snprintf(cmd, sizeof cmd,
             "%s -c 'import numpy as n,sys; a=n.load(sys.argv[1]); "
             "sys.exit(0 if a.dtype==n.int64 and a.tolist()==[2,70000,5000000000] else 1)' '%s'",
             py, p);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    RUN(test_round_trip);
    RUN(test_set_errors);
    RUN(test_bad_files);
    RUN(test_lenient_end_and_empty);
    RUN(test_npy);
    return harness_done();
}
