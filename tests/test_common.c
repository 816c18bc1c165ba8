/* test_common.c - SHA-256 against FIPS 180-4 vectors and sha256sum, the RNG's
 * determinism and range, crash-safe writes, error messages, the OpenMP wait
 * policy, exact number text. */
#include "../common/err.h"
#include "../common/fsio.h"
#include "../common/numtext.h"
#include "../common/omp_wait.h"
#include "../common/rng.h"
#include "../common/sha256.h"
#include "../common/utf8.h"
#include "harness.h"

#include "../datasets/dataset_sha.h"

static void digest_of(const char *s, size_t n, char hex[65])
{
    cs_sha256 h;
    uint8_t d[32];
    cs_sha256_init(&h);
    cs_sha256_update(&h, s, n);
    cs_sha256_final(&h, d);
    cs_sha256_hex(d, hex);
}

static void test_sha256_vectors(void)
{
    char hex[65];
    digest_of("abc", 3, hex);
    CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
    digest_of("", 0, hex);
    CHECK(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0);
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    digest_of(two, strlen(two), hex);
    CHECK(strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") == 0);
}

/* Streaming in odd-sized pieces must equal sha256sum of the same file. */
static void test_sha256_file_vs_sha256sum(void)
{
    char path[600], cmd[1400], want[65] = {0}, got[65];
    snprintf(path, sizeof path, "%s/blob", harness_tmpdir());
    FILE *fp = fopen(path, "wb");
    cs_rng r;
    cs_rng_seed(&r, 7);
    for (int i = 0; i < 200003; i++)
        fputc((int)(cs_rng_u64(&r) & 255), fp);
    fclose(fp);
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
    FILE *p = popen(cmd, "r");
    if (!p || fscanf(p, "%64s", want) != 1) {
        harness_skip("sha256sum not available");
        if (p)
            pclose(p);
        return;
    }
    pclose(p);
    CHECK_OK(cs_sha256_file(path, got));
    CHECK(strcmp(want, got) == 0);
}

/* A dataset folder's hash reaches into subfolders (PTB-XL keeps its records
 * in records100/00000/) and equals the documented shell pipeline. */
static void test_dataset_sha_folder(void)
{
    char root[600], path[800], cmd[2400], want[65] = {0}, got[65], flat[65];
    snprintf(root, sizeof root, "%s/ds", harness_tmpdir());
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/records/00000' '%s/.hidden'", root, root);
    CHECK(system(cmd) == 0);
    static const char *files[] = {"b.csv", "a.csv", "records/00000/r1.dat", "records/00000/r1.hea",
                                  "records/top.txt", ".hidden/x", ".dot"};
    for (int i = 0; i < 7; i++) {
        snprintf(path, sizeof path, "%s/%s", root, files[i]);
        FILE *fp = fopen(path, "w");
        CHECK(fp != NULL);
        if (fp) {
            fprintf(fp, "content %d of %s\n", i, files[i]);
            fclose(fp);
        }
    }
    CHECK_OK(cs_dataset_sha256(root, got));
    snprintf(cmd, sizeof cmd,
             "cd '%s' && find . -type f | grep -v '/[.]' | sed 's|^[.]/||' | LC_ALL=C sort | xargs sha256sum | sha256sum",
             root);
    FILE *p = popen(cmd, "r");
    if (!p || fscanf(p, "%64s", want) != 1) {
        harness_skip("sha256sum not available");
        if (p)
            pclose(p);
        return;
    }
    pclose(p);
    CHECK(strcmp(want, got) == 0);
    /* A change inside a subfolder changes the hash. */
    snprintf(path, sizeof path, "%s/records/00000/r1.dat", root);
    FILE *fp = fopen(path, "a");
    CHECK(fp != NULL);
    if (fp) {
        fputc('x', fp);
        fclose(fp);
    }
    CHECK_OK(cs_dataset_sha256(root, flat));
    CHECK(strcmp(flat, got) != 0);
}

static void test_rng(void)
{
    cs_rng a, b, c;
    cs_rng_seed(&a, 42);
    cs_rng_seed(&b, 42);
    cs_rng_seed2(&c, 42, 1);
    int same_c = 1;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = cs_rng_u64(&a);
        CHECK(x == cs_rng_u64(&b));
        same_c &= x == cs_rng_u64(&c);
    }
    CHECK(!same_c);
    double sum = 0, sumsq = 0;
    int n = 200000;
    for (int i = 0; i < n; i++) {
        double u = cs_rng_uniform(&a);
        CHECK(u >= 0 && u < 1);
        double z = cs_rng_normal(&a);
        sum += z;
        sumsq += z * z;
        CHECK(cs_rng_below(&a, 7) < 7);
    }
    CHECK_NEAR(sum / n, 0.0, 0.02);
    CHECK_NEAR(sumsq / n, 1.0, 0.02);
    int64_t perm[100];
    for (int i = 0; i < 100; i++)
        perm[i] = i;
    cs_rng_shuffle_i64(&a, perm, 100);
    int seen[100] = {0}, moved = 0;
    for (int i = 0; i < 100; i++) {
        seen[perm[i]]++;
        moved += perm[i] != i;
    }
    for (int i = 0; i < 100; i++)
        CHECK(seen[i] == 1);
    CHECK(moved > 50);
}

static void test_afile(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/out.txt", harness_tmpdir());
    cs_afile af;
    CHECK_OK(cs_afile_open(&af, path));
    fputs("hello", af.fp);
    CHECK(!cs_path_exists(path)); /* nothing at the final path before commit */
    CHECK_OK(cs_afile_commit(&af));
    uint8_t *buf;
    size_t len;
    CHECK_OK(cs_read_file(path, &buf, &len));
    CHECK(len == 5 && memcmp(buf, "hello", 5) == 0);
    free(buf);
    /* An aborted write leaves the old file alone and no temporary behind. */
    CHECK_OK(cs_afile_open(&af, path));
    fputs("partial", af.fp);
    char tmp[700];
    snprintf(tmp, sizeof tmp, "%s", af.tmp_path);
    cs_afile_abort(&af);
    CHECK(!cs_path_exists(tmp));
    CHECK_OK(cs_read_file(path, &buf, &len));
    CHECK(len == 5);
    free(buf);
    /* A missing directory is refused with a message naming it. */
    snprintf(path, sizeof path, "%s/no/such/dir/out.txt", harness_tmpdir());
    CHECK(cs_afile_open(&af, path) == CS_EIO);
    CHECK(strstr(cs_errmsg(), "no/such/dir") != NULL);
    CHECK(cs_read_file("/nonexistent/x", &buf, &len) == CS_EIO);
    CHECK(strcmp(cs_errmsg(), "cannot open '/nonexistent/x': No such file or directory") == 0);
}

static void test_error_prefix(void)
{
    cs_error(CS_EFORMAT, "bad magic");
    cs_error_prefix("'%s'", "x.npz");
    CHECK(strcmp(cs_errmsg(), "'x.npz': bad magic") == 0);
}

/* The environment this process was executed with (what libgomp read when it loaded)
 * holds `entry`. */
static int exec_env_has(const char *entry)
{
    FILE *f = fopen("/proc/self/environ", "rb");
    if (!f)
        return -1;
    char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f), len = strlen(entry);
    fclose(f);
    buf[n] = 0;
    for (size_t i = 0; i < n; i += strlen(buf + i) + 1) {
        if (strncmp(buf + i, entry, len) == 0 && buf[i + len] == 0)
            return 1;
    }
    return 0;
}

/* --omp-child: what a program does first thing; prints what its image was started with */
static int omp_child(char **argv)
{
    cs_omp_prefer_passive(argv);
    /* and the process keeps its name (not "exe") */
    char comm[64] = "";
    FILE *f = fopen("/proc/self/comm", "r");
    if (f) {
        if (!fgets(comm, sizeof comm, f))
            comm[0] = 0;
        fclose(f);
    }
    int named = strncmp(comm, "test_common", 11) == 0;
    printf("%d\n", named ? exec_env_has("OMP_WAIT_POLICY=PASSIVE") : -2);
    return 0;
}

static int run_child(const char *env_prefix)
{
    char self[1024] = "", cmd[2048];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = 0;
    snprintf(cmd, sizeof cmd, "env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT %s '%s' --omp-child",
             env_prefix, self);
    FILE *p = popen(cmd, "r");
    int v = -1;
    if (p) {
        if (fscanf(p, "%d", &v) != 1)
            v = -1;
        pclose(p);
    }
    return v;
}

static void test_omp_wait_policy(void)
{
    /* the choice itself */
    unsetenv("OMP_WAIT_POLICY");
    unsetenv("GOMP_SPINCOUNT");
    CHECK(cs_omp_choose_passive() == 1);
    CHECK(getenv("OMP_WAIT_POLICY") && strcmp(getenv("OMP_WAIT_POLICY"), "PASSIVE") == 0);
    CHECK(cs_omp_choose_passive() == 0); /* set now: left alone */
    setenv("OMP_WAIT_POLICY", "active", 1);
    CHECK(cs_omp_choose_passive() == 0);
    CHECK(strcmp(getenv("OMP_WAIT_POLICY"), "active") == 0);
    unsetenv("OMP_WAIT_POLICY");
    setenv("GOMP_SPINCOUNT", "1000", 1);
    CHECK(cs_omp_choose_passive() == 0 && getenv("OMP_WAIT_POLICY") == NULL);
    unsetenv("GOMP_SPINCOUNT");
    /* end to end: a program started without the variable runs (after executing itself
     * again) with it in the environment libgomp reads; the user's choice stands */
    CHECK(run_child("") == 1);
    CHECK(run_child("OMP_WAIT_POLICY=active") == 0);
    CHECK(run_child("GOMP_SPINCOUNT=10") == 0);
}

/* cs_double_text: what it writes reads back as exactly the double, with no
 * more digits than needed (6 at least, as %g), for every kind of value. */
static void test_double_text(void)
{
    char b[32];
    CHECK(!strcmp(cs_double_text(0.1, b, sizeof b), "0.1"));
    CHECK(!strcmp(cs_double_text(0.123456789, b, sizeof b), "0.123456789"));
    CHECK(!strcmp(cs_double_text(100, b, sizeof b), "100"));
    CHECK(!strcmp(cs_double_text(0.7, b, sizeof b), "0.7"));
    CHECK(!strcmp(cs_double_text(-2.5e-300, b, sizeof b), "-2.5e-300"));
    CHECK(!strcmp(cs_double_text(1.0 / 3.0, b, sizeof b), "0.3333333333333333"));
    CHECK(!strcmp(cs_double_text(INFINITY, b, sizeof b), "inf"));
    CHECK(!strcmp(cs_double_text(NAN, b, sizeof b), "nan") || !strcmp(b, "-nan"));
    /* Random bit patterns: exact round trip, and it fits the 32 bytes. */
    cs_rng r;
    cs_rng_seed(&r, 7);
    int bad = 0;
    for (int i = 0; i < 100000; i++) {
        uint64_t u = cs_rng_u64(&r);
        double v;
        memcpy(&v, &u, sizeof v);
        if (!isfinite(v))
            continue;
        cs_double_text(v, b, sizeof b);
        bad += strtod(b, NULL) != v || strlen(b) > 24;
    }
    CHECK(bad == 0);
}

/* cs_utf8_prefix never ends inside a character. */
static void test_utf8_prefix(void)
{
    char b[32];
    CHECK(!strcmp(cs_utf8_prefix(b, sizeof b, "abc", 2), "ab"));
    CHECK(!strcmp(cs_utf8_prefix(b, sizeof b, "abc", 9), "abc"));
    CHECK(!strcmp(cs_utf8_prefix(b, sizeof b, "\xc3\xa9t\xc3\xa9", 1), ""));
    CHECK(!strcmp(cs_utf8_prefix(b, sizeof b, "\xc3\xa9t\xc3\xa9", 4), "\xc3\xa9t"));
    /* four 3-byte characters cut at 8 bytes: two whole ones */
    CHECK(!strcmp(cs_utf8_prefix(b, sizeof b, "\xe7\x97\x85\xe5\x8f\x98\xe7\xbb\x84\xe7\xbb\x87", 8),
                  "\xe7\x97\x85\xe5\x8f\x98"));
    CHECK(!strcmp(cs_utf8_prefix(b, 3, "abcdef", 10), "ab")); /* the buffer bounds it too */
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--omp-child") == 0)
        return omp_child(argv);
    RUN(test_sha256_vectors);
    RUN(test_sha256_file_vs_sha256sum);
    RUN(test_dataset_sha_folder);
    RUN(test_rng);
    RUN(test_afile);
    RUN(test_error_prefix);
    RUN(test_double_text);
    RUN(test_utf8_prefix);
    RUN(test_omp_wait_policy);
    return harness_done();
}
