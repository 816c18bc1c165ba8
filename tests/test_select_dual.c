/* test_select_dual.c - the rule dual draws with probability proportional to
 * score * Beta-pdf(mu; a, b): one sample out of five over 40,000 seeds lands
 * on each member as often as the weights, computed here from the definition
 * (man/coreset-select.1), say; and its checks refuse what it cannot weigh. */
#include "../common/err.h"
#include "../select/select.h"
#include "harness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { N = 5, DRAWS = 40000 };
static const double score[N] = {0.1, 0.2, 0.3, 0.4, 0.5};
static const double mu[N] = {0.2, 0.4, 0.5, 0.6, 0.8};

static void test_draw_frequencies(void)
{
    cs_select_inputs in = {.n = N, .num_classes = 1, .score = score, .dir = CS_DIR_HIGH, .helper = mu};
    cs_select_params p;
    cs_select_params_init(&p);
    p.pick = CS_PICK_DUAL;
    p.quota = CS_QUOTA_NONE;
    p.count = 1;
    /* mu_A: all five are among the 10 best; r = 1 - 1/5; c = 4 */
    double mu_a = (0.2 + 0.4 + 0.5 + 0.6 + 0.8) / 5, r = 0.8;
    double b = 15.0 * (1.0 - mu_a) * (1.0 - pow(r, 4.0)), a = 16.0 - b;
    double w[N], wsum = 0.0;
    for (int i = 0; i < N; i++)
        wsum += w[i] = score[i] * pow(mu[i], a - 1.0) * pow(1.0 - mu[i], b - 1.0);
    int hits[N] = {0};
    for (int s = 0; s < DRAWS; s++) {
        p.seed = (uint64_t)s;
        int64_t *idx = NULL, m = 0;
        CHECK_OK(cs_select_run(&p, &in, &idx, &m, NULL));
        if (m == 1 && idx[0] >= 0 && idx[0] < N)
            hits[idx[0]]++;
        free(idx);
    }
    for (int i = 0; i < N; i++) {
        double want = w[i] / wsum, got = (double)hits[i] / DRAWS;
        double sd = sqrt(want * (1.0 - want) / DRAWS);
        CHECK_MSG(fabs(got - want) <= 4.0 * sd + 1e-12, "member %d: drawn %.4f of the time, weight %.4f", i, got, want);
    }
}

static void test_refusals(void)
{
    double neg[N] = {0.1, -0.2, 0.3, 0.4, 0.5};
    cs_select_inputs in = {.n = N, .num_classes = 1, .score = score, .dir = CS_DIR_LOW, .helper = mu};
    cs_select_params p;
    cs_select_params_init(&p);
    p.pick = CS_PICK_DUAL;
    p.quota = CS_QUOTA_NONE;
    p.count = 2;
    int64_t *idx = NULL, m = 0;
    CHECK(cs_select_run(&p, &in, &idx, &m, NULL) == CS_EINVAL && strstr(cs_errmsg(), "low-end score"));
    in.dir = CS_DIR_HIGH;
    in.helper = NULL;
    CHECK(cs_select_run(&p, &in, &idx, &m, NULL) == CS_EINVAL && strstr(cs_errmsg(), "dual_conf"));
    in.helper = mu;
    in.score = neg;
    CHECK(cs_select_run(&p, &in, &idx, &m, NULL) == CS_EINVAL && strstr(cs_errmsg(), "sample 1: score -0.2"));
    in.score = score;
    p.dual_c = 0.0;
    CHECK(cs_select_run(&p, &in, &idx, &m, NULL) == CS_EINVAL && strstr(cs_errmsg(), "exponent c"));
    CHECK(idx == NULL);
}

int main(void)
{
    RUN(test_draw_frequencies);
    RUN(test_refusals);
    return harness_done();
}
