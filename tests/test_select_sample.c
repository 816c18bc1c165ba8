/* test_select_sample.c - Efraimidis-Spirakis sampling: inclusion
 * frequencies over many seeds against the exact probabilities of successive
 * weighted draws without replacement, stability at small beta. */
#include "../common/err.h"
#include "../select/select.h"
#include "harness.h"

#include <string.h>

static void test_inclusion_probabilities(void)
{
    /* One group of four (quota none), take two; C = 8 so no loss is clipped. */
    double loss[4] = {0.0, 0.5, 1.0, 2.0}, w[4], wsum = 0;
    for (int i = 0; i < 4; i++) {
        w[i] = exp(loss[i]); /* beta = 1 */
        wsum += w[i];
    }
    /* P(i in S) = w_i/W + sum_{j != i} (w_j/W) (w_i/(W - w_j)). */
    double want[4];
    for (int i = 0; i < 4; i++) {
        want[i] = w[i] / wsum;
        for (int j = 0; j < 4; j++)
            if (j != i)
                want[i] += w[j] / wsum * w[i] / (wsum - w[j]);
    }
    cs_select_inputs in = {.n = 4, .num_classes = 8, .dir = CS_DIR_HIGH, .loss = loss};
    cs_select_params p;
    cs_select_params_init(&p);
    p.pick = CS_PICK_SAMPLE;
    p.count = 2;
    enum { TRIALS = 20000 };
    int hits[4] = {0};
    for (int t = 0; t < TRIALS; t++) {
        p.seed = (uint64_t)t;
        int64_t *idx, m;
        CHECK_OK(cs_select_run(&p, &in, &idx, &m, NULL));
        CHECK(m == 2);
        for (int64_t j = 0; j < m; j++)
            hits[idx[j]]++;
        free(idx);
    }
    for (int i = 0; i < 4; i++) {
        double f = (double)hits[i] / TRIALS;
        /* The standard error is below 0.0036; 0.02 is over five of them. */
        CHECK_MSG(fabs(f - want[i]) < 0.02, "sample %d: frequency %.4f, expected %.4f", i, f,
                  want[i]);
    }
}

static void test_beta_extremes(void)
{
    enum { N = 200 };
    static double loss[N];
    for (int i = 0; i < N; i++)
        loss[i] = (double)((i * 37) % N) / N; /* distinct, in [0, 1) */
    cs_select_inputs in = {.n = N, .num_classes = 10, .dir = CS_DIR_HIGH, .loss = loss};
    cs_select_params p;
    cs_select_params_init(&p);
    p.pick = CS_PICK_SAMPLE;
    p.count = 20;
    p.beta = 1e-6; /* exp(l / beta) overflows a double: the keys must not */
    int64_t *idx, m;
    CHECK_OK(cs_select_run(&p, &in, &idx, &m, NULL));
    /* With tiny beta sampling is the top 20 by loss: loss >= 180/200. */
    for (int64_t j = 0; j < m; j++)
        CHECK_MSG(loss[idx[j]] >= 0.9 - 1e-12, "index %lld loss %g", (long long)idx[j],
                  loss[idx[j]]);
    free(idx);
    /* Huge beta: near uniform; still exactly M unique indices. */
    p.beta = 1e12;
    CHECK_OK(cs_select_run(&p, &in, &idx, &m, NULL));
    CHECK(m == 20);
    for (int64_t j = 1; j < m; j++)
        CHECK(idx[j] > idx[j - 1]);
    free(idx);
    p.beta = 0;
    CHECK(cs_select_run(&p, &in, &idx, &m, NULL) == CS_EINVAL);
    CHECK(strstr(cs_errmsg(), "beta"));
}

static void test_per_class_quota(void)
{
    /* Sampling respects the class quotas; each class draws from its own stream. */
    enum { N = 1000 };
    static double loss[N];
    static int32_t lab[N];
    for (int i = 0; i < N; i++) {
        lab[i] = i < 100 ? 0 : i < 400 ? 1 : 2;
        loss[i] = 0.001 * i;
    }
    cs_select_inputs in = {.n = N, .num_classes = 3, .labels = lab, .dir = CS_DIR_HIGH,
                           .loss = loss};
    cs_select_params p;
    cs_select_params_init(&p);
    p.pick = CS_PICK_SAMPLE;
    p.quota = CS_QUOTA_SQRT;
    p.rate = 0.5;
    p.seed = 3;
    cs_select_report rep;
    cs_select_report_init(&rep);
    int64_t *idx, m;
    CHECK_OK(cs_select_run(&p, &in, &idx, &m, &rep));
    CHECK(m == 500);
    CHECK(rep.num_rows == 3);
    /* sqrt weights 10, 17.32, 24.49: class 0 gets 500 * 10 / 51.8 = 96.5, under its 100. */
    int64_t cnt[3] = {0};
    for (int64_t j = 0; j < m; j++)
        cnt[lab[idx[j]]]++;
    for (int c = 0; c < 3; c++)
        CHECK(cnt[c] == rep.rows[c].n_kept);
    double w0 = 10, w1 = sqrt(300), w2 = sqrt(600);
    CHECK(llabs(cnt[0] - (int64_t)(500 * w0 / (w0 + w1 + w2))) <= 1);
    CHECK(llabs(cnt[1] - (int64_t)(500 * w1 / (w0 + w1 + w2))) <= 1);
    free(idx);
    cs_select_report_release(&rep);
}

int main(void)
{
    RUN(test_inclusion_probabilities);
    RUN(test_beta_extremes);
    RUN(test_per_class_quota);
    return harness_done();
}
