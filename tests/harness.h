/* harness.h - the tiny test harness every tests/test_*.c uses.
 *
 *   static void test_thing(void) { CHECK(x == 1); CHECK_NEAR(a, b, 1e-6); }
 *   int main(void) { RUN(test_thing); return harness_done(); }
 *
 * Each test prints "PASS: file:name", "FAIL: file:name" (after the failed
 * checks, with file:line) or "SKIP: file:name: reason"; tests/run.sh counts
 * those lines.  harness_done() returns non-zero if anything failed, so a
 * failing test binary also fails on its own. */
#ifndef CS_HARNESS_H
#define CS_HARNESS_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int h_failed_checks, h_pass, h_fail, h_skip, h_skipped_now;
static const char *h_test_name;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            h_failed_checks++;                                                                     \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);            \
        }                                                                                          \
    } while (0)

#define CHECK_MSG(cond, ...)                                                                       \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            h_failed_checks++;                                                                     \
            fprintf(stderr, "  %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);            \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                      \
    do {                                                                                           \
        double h_a = (double)(a), h_b = (double)(b);                                               \
        if (!(fabs(h_a - h_b) <= (tol))) {                                                         \
            h_failed_checks++;                                                                     \
            fprintf(stderr, "  %s:%d: %s = %.9g, %s = %.9g, differ by more than %g\n", __FILE__,  \
                    __LINE__, #a, h_a, #b, h_b, (double)(tol));                                    \
        }                                                                                          \
    } while (0)

/* Library call that must succeed (returns 0); prints the library's message. */
#define CHECK_OK(expr)                                                                             \
    do {                                                                                           \
        int h_rc = (expr);                                                                         \
        if (h_rc != 0) {                                                                           \
            h_failed_checks++;                                                                     \
            fprintf(stderr, "  %s:%d: %s returned %d: %s\n", __FILE__, __LINE__, #expr, h_rc,     \
                    cs_errmsg());                                                                  \
        }                                                                                          \
    } while (0)

/* Mark the running test skipped, with a reason shown in the summary. */
static inline void harness_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("SKIP: %s: ", h_test_name);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    h_skipped_now = 1;
}

#define RUN(fn)                                                                                    \
    do {                                                                                           \
        h_test_name = #fn;                                                                         \
        int h_before = h_failed_checks;                                                            \
        h_skipped_now = 0;                                                                         \
        fflush(stdout);                                                                            \
        fn();                                                                                      \
        if (h_failed_checks > h_before) {                                                          \
            printf("FAIL: %s:%s\n", __FILE__, #fn);                                                \
            h_fail++;                                                                              \
        } else if (h_skipped_now) {                                                                \
            h_skip++;                                                                              \
        } else {                                                                                   \
            printf("PASS: %s:%s\n", __FILE__, #fn);                                                \
            h_pass++;                                                                              \
        }                                                                                          \
        fflush(stdout);                                                                            \
    } while (0)

static inline int harness_done(void)
{
    fprintf(stderr, "%d passed, %d failed, %d skipped\n", h_pass, h_fail, h_skip);
    return h_fail ? 1 : 0;
}

/* The shared real-data folder: $CORESET_DATA, else ../shared/data from the repo root. */
static inline const char *harness_data_dir(void)
{
    const char *d = getenv("CORESET_DATA");
    if (d && *d)
        return access(d, R_OK) == 0 ? d : NULL;
    return access("../shared/data", R_OK) == 0 ? "../shared/data" : NULL;
}

/* Path under the data dir, or NULL (and a SKIP) when it is absent. */
static inline const char *harness_data_path(const char *rel)
{
    static char buf[4][1024];
    static int k;
    const char *d = harness_data_dir();
    if (!d) {
        harness_skip("shared data folder not found (set CORESET_DATA or put ../shared/data beside the repo)");
        return NULL;
    }
    char *p = buf[k++ & 3];
    snprintf(p, sizeof buf[0], "%s/%s", d, rel);
    if (access(p, R_OK) != 0) {
        harness_skip("'%s' not found", p);
        return NULL;
    }
    return p;
}

/* A fresh scratch directory for this test binary: $TMPDIR/coreset-test-XXXXXX. */
static inline const char *harness_tmpdir(void)
{
    static char dir[512];
    if (!dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/coreset-test-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            exit(1);
        }
    }
    return dir;
}

#endif
