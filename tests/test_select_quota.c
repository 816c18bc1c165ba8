/* test_select_quota.c - the budget M and the class quotas: every mode,
 * water-filling edge cases, the RCAP closed form against an independent
 * numerical solution, and the contrast with the authors' overshooting code. */
#include "../common/err.h"
#include "../common/rng.h"
#include "../select/quota.h"
#include "harness.h"

#include <string.h>

static void test_budget(void)
{
    int64_t m = 0;
    CHECK_OK(cs_select_budget(0.1, 0, 3882, &m));
    CHECK(m == 389); /* 388.2 rounds up */
    CHECK_OK(cs_select_budget(0.3, 0, 10, &m));
    CHECK(m == 3); /* 0.3 * 10 is 3.0000000000000004 in doubles */
    CHECK_OK(cs_select_budget(0.7, 0, 100, &m));
    CHECK(m == 70); /* 70.00000000000001 */
    CHECK_OK(cs_select_budget(1.0, 0, 17, &m));
    CHECK(m == 17);
    CHECK_OK(cs_select_budget(1e-9, 0, 17, &m));
    CHECK(m == 1);
    CHECK_OK(cs_select_budget(0.5, 0, 1, &m));
    CHECK(m == 1);
    CHECK_OK(cs_select_budget(0.9, 5, 10, &m));
    CHECK(m == 5); /* an explicit count wins */
}

static void test_budget_errors(void)
{
    int64_t m;
    CHECK(cs_select_budget(0.0, 0, 10, &m) == CS_EINVAL);
    CHECK(strstr(cs_errmsg(), "rate 0") && strstr(cs_errmsg(), "(0, 1]"));
    CHECK(cs_select_budget(1.5, 0, 10, &m) == CS_EINVAL);
    CHECK(strstr(cs_errmsg(), "rate 1.5"));
    CHECK(cs_select_budget(-0.1, 0, 10, &m) == CS_EINVAL);
    CHECK(cs_select_budget(NAN, 0, 10, &m) == CS_EINVAL);
    CHECK(cs_select_budget(0.5, 11, 10, &m) == CS_EINVAL);
    CHECK(strstr(cs_errmsg(), "count 11") && strstr(cs_errmsg(), "10 samples"));
    CHECK(cs_select_budget(0.5, -3, 10, &m) == CS_EINVAL);
    CHECK(strstr(cs_errmsg(), "count -3"));
    CHECK(cs_select_budget(0.5, 0, 0, &m) == CS_EINVAL);
    CHECK(strstr(cs_errmsg(), "empty"));
}

/* The authors' RCAP code, reproduced only here as the contrast: after a
 * class saturates, the whole budget M (not what is left) is spread again
 * over the other classes. */
static void authors_waterfill(const double *w, const int64_t *cap, int nc, int64_t m, double *q)
{
    int sat[8] = {0};
    for (int round = 0; round < nc; round++) {
        double wsum = 0;
        for (int c = 0; c < nc; c++)
            if (!sat[c])
                wsum += w[c];
        int over = 0;
        for (int c = 0; c < nc; c++)
            if (!sat[c]) {
                q[c] = (double)m * w[c] / wsum;
                if (q[c] > (double)cap[c]) {
                    q[c] = (double)cap[c];
                    sat[c] = over = 1;
                }
            }
        if (!over)
            break;
    }
}

static void test_sqrt_saturation(void)
{
    int64_t cap[3] = {100, 1000, 1000}, n[3], m;
    CHECK_OK(cs_select_budget(0.5, 0, 2100, &m));
    CHECK(m == 1050);
    double q[3];
    CHECK_OK(cs_quota_compute(CS_QUOTA_SQRT, cap, NULL, 3, m, n, q));
    CHECK(n[0] == 100 && n[1] == 475 && n[2] == 475);
    CHECK(n[0] + n[1] + n[2] == m);

    /* The authors' variant gives (100, 525, 525): 1150 > M = 1050. */
    double w[3], qa[3];
    CHECK_OK(cs_quota_weights(CS_QUOTA_SQRT, cap, NULL, 3, w));
    authors_waterfill(w, cap, 3, m, qa);
    CHECK_NEAR(qa[0], 100, 1e-9);
    CHECK_NEAR(qa[1], 525, 1e-9);
    CHECK_NEAR(qa[2], 525, 1e-9);
    CHECK(qa[0] + qa[1] + qa[2] > (double)m + 99);
}

static int64_t sum64(const int64_t *v, int n)
{
    int64_t s = 0;
    for (int i = 0; i < n; i++)
        s += v[i];
    return s;
}

static void test_proportional_and_balanced(void)
{
    int64_t cap[4] = {500, 250, 125, 125}, n[4];
    CHECK_OK(cs_quota_compute(CS_QUOTA_PROPORTIONAL, cap, NULL, 4, 100, n, NULL));
    CHECK(n[0] == 50 && n[1] == 25 && n[2] == 13 && n[3] == 12); /* 12.5 each: lower class first */
    CHECK_OK(cs_quota_compute(CS_QUOTA_BALANCED, cap, NULL, 4, 100, n, NULL));
    CHECK(n[0] == 25 && n[1] == 25 && n[2] == 25 && n[3] == 25);
    /* Balanced with small classes: 7 and 3 saturate, the rest splits 90 - 10. */
    int64_t cap2[4] = {7, 300, 3, 300};
    CHECK_OK(cs_quota_compute(CS_QUOTA_BALANCED, cap2, NULL, 4, 100, n, NULL));
    CHECK(n[0] == 7 && n[1] == 45 && n[2] == 3 && n[3] == 45);
    /* Equal remainders: lower class index first. */
    int64_t ones[3] = {1, 1, 1};
    CHECK_OK(cs_quota_compute(CS_QUOTA_PROPORTIONAL, ones, NULL, 3, 2, n, NULL));
    CHECK(n[0] == 1 && n[1] == 1 && n[2] == 0);
}

static void test_edge_cases(void)
{
    int64_t cap[4] = {40, 0, 7, 53}, n[4];
    for (int mode = 0; mode < CS_QUOTA_COUNT; mode++) {
        if (!cs_quota_info_at(mode)->per_class)
            continue;
        double lc[4] = {3.0, 0.0, 1.0, 2.0};
        /* A class with no samples gets nothing. */
        CHECK_OK(cs_quota_compute((cs_quota_mode)mode, cap, lc, 4, 30, n, NULL));
        CHECK(n[1] == 0 && sum64(n, 4) == 30);
        for (int c = 0; c < 4; c++)
            CHECK(n[c] >= 0 && n[c] <= cap[c]);
        /* M = N: every class saturates. */
        CHECK_OK(cs_quota_compute((cs_quota_mode)mode, cap, lc, 4, 100, n, NULL));
        CHECK(n[0] == 40 && n[1] == 0 && n[2] == 7 && n[3] == 53);
        /* M = 1. */
        CHECK_OK(cs_quota_compute((cs_quota_mode)mode, cap, lc, 4, 1, n, NULL));
        CHECK(sum64(n, 4) == 1 && n[1] == 0);
        /* More than the classes hold. */
        CHECK(cs_quota_compute((cs_quota_mode)mode, cap, lc, 4, 101, n, NULL) == CS_EINVAL);
        CHECK(strstr(cs_errmsg(), "101") && strstr(cs_errmsg(), "100"));
    }
    /* M = 1 goes to the class with the largest share. */
    CHECK_OK(cs_quota_compute(CS_QUOTA_PROPORTIONAL, cap, NULL, 4, 1, n, NULL));
    CHECK(n[3] == 1);
    /* rcap: a class with zero loss gets nothing until the others are full. */
    int64_t cap3[3] = {10, 10, 10};
    double lc3[3] = {1.0, 0.0, 4.0};
    CHECK_OK(cs_quota_compute(CS_QUOTA_RCAP, cap3, lc3, 3, 15, n, NULL));
    CHECK(n[1] == 0 && n[2] == 10 && n[0] == 5);
    CHECK_OK(cs_quota_compute(CS_QUOTA_RCAP, cap3, lc3, 3, 25, n, NULL));
    CHECK(n[0] == 10 && n[1] == 5 && n[2] == 10);
    lc3[1] = NAN;
    CHECK(cs_quota_compute(CS_QUOTA_RCAP, cap3, lc3, 3, 15, n, NULL) == CS_EINVAL);
    CHECK(strstr(cs_errmsg(), "class 1"));
    CHECK(cs_quota_compute(CS_QUOTA_RCAP, cap3, NULL, 3, 15, n, NULL) == CS_EINVAL);
}

/* Independent solution of min sum L_c / a_c s.t. sum a_c N_c = M, 0 < a_c <= 1:
 * stationarity gives a_c(lambda) = min(1, sqrt(L_c / (lambda N_c))); bisect
 * lambda (on its logarithm) until the budget holds. */
static void lagrange_quotas(const int64_t *cap, const double *lc, int nc, int64_t m, double *q)
{
    double lo = -80, hi = 80;
    for (int it = 0; it < 300; it++) {
        double mid = 0.5 * (lo + hi), lam = exp(mid), s = 0;
        for (int c = 0; c < nc; c++)
            if (cap[c] > 0)
                s += fmin(1.0, sqrt(lc[c] / (lam * (double)cap[c]))) * (double)cap[c];
        if (s > (double)m)
            lo = mid;
        else
            hi = mid;
    }
    double lam = exp(0.5 * (lo + hi));
    for (int c = 0; c < nc; c++)
        q[c] = cap[c] > 0 ? fmin(1.0, sqrt(lc[c] / (lam * (double)cap[c]))) * (double)cap[c] : 0;
}

static void test_rcap_closed_form(void)
{
    cs_rng r;
    cs_rng_seed(&r, 2025);
    int worst_trial = -1;
    double worst = 0;
    for (int trial = 0; trial < 500; trial++) {
        int nc = 2 + (int)cs_rng_below(&r, 9);
        int64_t cap[10], total = 0, n[10];
        double lc[10], q[10], ql[10];
        for (int c = 0; c < nc; c++) {
            cap[c] = cs_rng_below(&r, 8) == 0 ? 0 : 1 + (int64_t)cs_rng_below(&r, 2000);
            /* Spread L_c over orders of magnitude so some classes saturate. */
            lc[c] = (double)cap[c] * exp(4.0 * cs_rng_uniform(&r) - 2.0);
            total += cap[c];
        }
        if (total == 0)
            continue;
        int64_t m = 1 + (int64_t)cs_rng_below(&r, (uint64_t)total);
        CHECK_OK(cs_quota_compute(CS_QUOTA_RCAP, cap, lc, nc, m, n, q));
        lagrange_quotas(cap, lc, nc, m, ql);
        double s = 0;
        for (int c = 0; c < nc; c++) {
            double rel = fabs(q[c] - ql[c]) / fmax(1.0, ql[c]);
            if (rel > worst) {
                worst = rel;
                worst_trial = trial;
            }
            s += q[c];
            CHECK(n[c] <= cap[c] && llabs(n[c] - (int64_t)floor(q[c])) <= 1);
        }
        CHECK_NEAR(s, (double)m, 1e-6 * (double)m);
        CHECK(sum64(n, nc) == m);
    }
    CHECK_MSG(worst < 1e-6, "worst relative difference %g in trial %d", worst, worst_trial);
}

static void test_rcap_class_loss(void)
{
    double loss[5] = {-1.0, 0.5, 100.0, 0.25, 2.0};
    int32_t lab[5] = {0, 0, 0, 2, 2};
    double lc[3];
    CHECK_OK(cs_rcap_class_loss(loss, lab, 5, 3, lc));
    CHECK_NEAR(lc[0], 0.5 + log(3.0), 1e-12); /* clipped to [0, log C] */
    CHECK_NEAR(lc[1], 0.0, 0);
    CHECK_NEAR(lc[2], 0.25 + log(3.0), 1e-12);
    lab[4] = 3;
    CHECK(cs_rcap_class_loss(loss, lab, 5, 3, lc) == CS_EINVAL);
    CHECK(strstr(cs_errmsg(), "sample 4") && strstr(cs_errmsg(), "label 3"));
}

/* --min-per-class by hand: the floor first, the rest by the mode's weights
 * of the full N_c over the room left. */
static void test_floor(void)
{
    int64_t out[3];
    /* sqrt, N = (147, 399), M = 55, K = 25: floor 50, the 5 left split
     * 5 sqrt(147)/(sqrt(147)+sqrt(399)) = 1.888 and 3.112: (1, 3) and the
     * remainder to class 0, so (27, 28); without the floor sqrt gives (21, 34). */
    const int64_t cap[2] = {147, 399};
    CHECK_OK(cs_quota_compute_floor(CS_QUOTA_SQRT, cap, NULL, 2, 55, 25, out));
    CHECK(out[0] == 27 && out[1] == 28);
    CHECK_OK(cs_quota_compute(CS_QUOTA_SQRT, cap, NULL, 2, 55, out, NULL));
    CHECK(out[0] == 21 && out[1] == 34);
    /* A class smaller than K keeps all it has; the others share the rest. */
    const int64_t cap3[3] = {3, 100, 50};
    CHECK_OK(cs_quota_compute_floor(CS_QUOTA_PROPORTIONAL, cap3, NULL, 3, 40, 10, out));
    CHECK(out[0] == 3 && out[0] + out[1] + out[2] == 40 && out[1] >= 10 && out[2] >= 10);
    /* 17 left by weights (3, 100, 50) over room (0, 90, 40): 100/150 and 50/150 of 17 */
    CHECK(out[1] == 10 + 11 && out[2] == 10 + 6);
    /* A floor the budget cannot hold is refused, naming both numbers. */
    CHECK(cs_quota_compute_floor(CS_QUOTA_BALANCED, cap, NULL, 2, 55, 30, out) == CS_EINVAL);
    CHECK(strstr(cs_errmsg(), "need 60 samples, more than the budget M = 55") != NULL);
}

int main(void)
{
    RUN(test_floor);
    RUN(test_budget);
    RUN(test_budget_errors);
    RUN(test_sqrt_saturation);
    RUN(test_proportional_and_balanced);
    RUN(test_edge_cases);
    RUN(test_rcap_closed_form);
    RUN(test_rcap_class_loss);
    return harness_done();
}
