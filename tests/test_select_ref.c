/* test_select_ref.c - cs_select_run against tests/ref_select.py, an
 * independent NumPy implementation, on a realistic random score set
 * (N = 5000, 5 imbalanced classes, AUM-like scores rounded so that ties
 * occur, some focus values missing): CCS, the reliability filter, band and
 * sampling must give identical index sets. */
#include "../common/err.h"
#include "../common/rng.h"
#include "../select/select.h"
#include "harness.h"

#include <string.h>
#include <sys/stat.h>

enum { N = 5000, C = 5 };

typedef struct ref_case {
    const char *name, *quota, *pick, *order;
    double lo, hi;
    int filter;
    double rate;
    uint64_t seed;
    double drop;
    int strata;
    double beta;
    int dir;
} ref_case;

static const ref_case cases[] = {
    {"ccs_none", "none", "ccs", "hard", 0, 0, 0, 0.1, 7, 0.1, 50, 1, -1},
    {"ccs_prop", "proportional", "ccs", "hard", 0, 0, 0, 0.3, 8, 0.1, 50, 1, -1},
    {"ccs_sqrt_filter", "sqrt", "ccs", "hard", 0, 0, 1, 0.2, 9, 0.2, 50, 1, -1},
    {"ccs_none_filter", "none", "ccs", "hard", 0, 0, 1, 0.5, 10, 0.3, 20, 1, 1},
    {"ccs_bal_large", "balanced", "ccs", "hard", 0, 0, 0, 0.9, 11, 0.1, 50, 1, -1},
    {"ccs_prop_fill", "proportional", "ccs", "hard", 0, 0, 0, 0.8, 15, 0.3, 50, 1, -1},
    {"ccs_rcap_small", "rcap", "ccs", "hard", 0, 0, 1, 0.01, 12, 0.0, 50, 1, -1},
    {"top_filter_bal", "balanced", "top", "hard", 0, 0, 1, 0.2, 1, 0, 50, 1, -1},
    {"top_filter_none", "none", "top", "hard", 0, 0, 1, 0.05, 1, 0, 50, 1, 1},
    {"top_easy_rcap_filter", "rcap", "top", "easy", 0, 0, 1, 0.15, 1, 0, 50, 1, -1},
    {"band_prop_filter", "proportional", "top", "band", 0.25, 0.75, 1, 0.3, 1, 0, 50, 1, -1},
    {"band_none", "none", "top", "band", 0.6, 0.9, 0, 0.4, 1, 0, 50, 1, 1},
    {"sample_rcap", "rcap", "sample", "hard", 0, 0, 0, 0.2, 13, 0, 50, 1, 1},
    {"sample_sqrt_filter", "sqrt", "sample", "hard", 0, 0, 1, 0.1, 14, 0, 50, 0.5, 1},
};
enum { NCASES = (int)(sizeof cases / sizeof cases[0]) };

static double score[N], conf[N], focus[N], loss[N];
static int32_t labels[N];

static void make_data(void)
{
    cs_rng r;
    cs_rng_seed(&r, 424242);
    const double share[C] = {0.45, 0.25, 0.15, 0.10, 0.05};
    for (int i = 0; i < N; i++) {
        double u = cs_rng_uniform(&r), acc = 0;
        int c = 0;
        for (c = 0; c < C - 1; c++) {
            acc += share[c];
            if (u < acc)
                break;
        }
        labels[i] = c;
        /* AUM-like margins: rarer classes are harder; two decimals make ties. */
        score[i] = round(100.0 * (2.0 - 0.4 * c + 1.5 * cs_rng_normal(&r))) / 100.0;
        conf[i] = 1.0 / (1.0 + exp(-score[i] - 0.3 * cs_rng_normal(&r)));
        focus[i] = cs_rng_below(&r, 20) == 0 ? NAN : cs_rng_uniform(&r);
        loss[i] = -log(conf[i]) + 0.1 * cs_rng_uniform(&r);
    }
}

static int write_raw(const char *dir, const char *name, const void *p, size_t bytes)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    size_t w = fwrite(p, 1, bytes, fp);
    return fclose(fp) == 0 && w == bytes ? 0 : -1;
}

/* The reference's selection for one case, or NULL (and m = -1). */
static int64_t *read_ref(const char *dir, const char *name, int64_t *m)
{
    char path[700];
    snprintf(path, sizeof path, "%s/ref_%s.txt", dir, name);
    FILE *fp = fopen(path, "r");
    *m = -1;
    if (!fp)
        return NULL;
    int64_t *v = malloc(sizeof *v * N), k = 0;
    long long x;
    while (v && k < N && fscanf(fp, "%lld", &x) == 1)
        v[k++] = x;
    fclose(fp);
    *m = k;
    return v;
}

static void run_case(const char *dir, const ref_case *c)
{
    cs_select_params p;
    cs_select_params_init(&p);
    CHECK_OK(cs_quota_parse(c->quota, &p.quota));
    CHECK_OK(cs_pick_parse(c->pick, &p.pick));
    char ord[64];
    if (strcmp(c->order, "band") == 0)
        snprintf(ord, sizeof ord, "band:%.17g:%.17g", c->lo, c->hi);
    else
        snprintf(ord, sizeof ord, "%s", c->order);
    CHECK_OK(cs_order_parse(ord, &p.order, &p.band_lo, &p.band_hi));
    p.filter = c->filter;
    p.rate = c->rate;
    p.seed = c->seed;
    p.ccs_drop = c->drop;
    p.ccs_strata = c->strata;
    p.beta = c->beta;
    cs_select_inputs in = {.n = N, .num_classes = C, .labels = labels, .score = score,
                           .dir = c->dir, .loss = loss, .late_conf = conf, .focus = focus};
    int64_t *idx = NULL, m = 0, rm;
    CHECK_OK(cs_select_run(&p, &in, &idx, &m, NULL));
    int64_t *ref = read_ref(dir, c->name, &rm);
    CHECK_MSG(ref != NULL, "case %s: no reference output", c->name);
    if (idx && ref) {
        int64_t diff = 0;
        for (int64_t j = 0; j < m && j < rm; j++)
            diff += idx[j] != ref[j];
        CHECK_MSG(m == rm && diff == 0, "case %s: %lld indices vs reference %lld, %lld differ",
                  c->name, (long long)m, (long long)rm, (long long)diff);
    }
    free(idx);
    free(ref);
}

static void test_against_numpy(void)
{
    const char *py = getenv("PY") && *getenv("PY") ? getenv("PY") : "/usr/bin/python3";
    char cmd[2000];
    snprintf(cmd, sizeof cmd, "%s -c 'import numpy' 2>/dev/null", py);
    if (system(cmd) != 0) {
        harness_skip("numpy not available to '%s'", py);
        return;
    }
    if (access("tests/ref_select.py", R_OK) != 0) {
        harness_skip("tests/ref_select.py not found (run from the repository root)");
        return;
    }
    make_data();
    char dir[600];
    snprintf(dir, sizeof dir, "%s/ref", harness_tmpdir());
    CHECK(mkdir(dir, 0755) == 0);
    char meta[64];
    snprintf(meta, sizeof meta, "%d %d\n", N, C);
    CHECK(write_raw(dir, "meta.txt", meta, strlen(meta)) == 0);
    CHECK(write_raw(dir, "labels.i32", labels, sizeof labels) == 0);
    CHECK(write_raw(dir, "score.f64", score, sizeof score) == 0);
    CHECK(write_raw(dir, "conf.f64", conf, sizeof conf) == 0);
    CHECK(write_raw(dir, "focus.f64", focus, sizeof focus) == 0);
    CHECK(write_raw(dir, "loss.f64", loss, sizeof loss) == 0);
    char path[700];
    snprintf(path, sizeof path, "%s/cases.txt", dir);
    FILE *fp = fopen(path, "w");
    CHECK(fp != NULL);
    if (!fp)
        return;
    for (int k = 0; k < NCASES; k++) {
        const ref_case *c = &cases[k];
        fprintf(fp, "%s %s %s %s %.17g %.17g %d %.17g %llu %.17g %d %.17g %d\n", c->name, c->quota,
                c->pick, c->order, c->lo, c->hi, c->filter, c->rate, (unsigned long long)c->seed,
                c->drop, c->strata, c->beta, c->dir);
    }
    fclose(fp);
    snprintf(cmd, sizeof cmd, "%s tests/ref_select.py '%s'", py, dir);
    int rc = system(cmd);
    CHECK_MSG(rc == 0, "'%s' failed", cmd);
    if (rc)
        return;
    for (int k = 0; k < NCASES; k++)
        run_case(dir, &cases[k]);
}

int main(void)
{
    RUN(test_against_numpy);
    return harness_done();
}
