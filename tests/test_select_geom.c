/* test_select_geom.c - the rules in embedding space on small arrays whose
 * answers are worked out by hand (select/moderate.c, kcenter.c, herding.c,
 * d2.c), the blocked kNN graph against brute force across block edges, the
 * reliability tiers and the refusals. */
#include "../common/err.h"
#include "../common/rng.h"
#include "../select/geom.h"
#include "../select/select.h"
#include "harness.h"

#include <string.h>

/* Select count of n one-dimensional points x (one class unless labels). */
static int run1d(cs_pick pick, const float *x, const double *score, int64_t n, int64_t count,
                 int64_t *got)
{
    static int32_t zero[64];
    cs_select_params p;
    cs_select_params_init(&p);
    p.pick = pick;
    p.count = count;
    cs_select_inputs in = {.n = n, .num_classes = 1, .labels = zero, .score = score,
                           .dir = CS_DIR_HIGH, .embed = x, .embed_dim = 1};
    int64_t *idx, m;
    int rc = cs_select_run(&p, &in, &idx, &m, NULL);
    if (rc)
        return rc;
    memcpy(got, idx, sizeof *idx * (size_t)m);
    free(idx);
    return 0;
}

static void test_moderate_band(void)
{
    /* 0..9: the median is 4.5; by distance 4,5 | 3,6 | 2,7 | 1,8 | 0,9, and
     * four of ten keep ranks 3..6: 6, 2, 7, 1. */
    float x[10];
    for (int i = 0; i < 10; i++)
        x[i] = (float)i;
    int64_t got[10];
    CHECK_OK(run1d(CS_PICK_MODERATE, x, NULL, 10, 4, got));
    int64_t want[4] = {1, 2, 6, 7};
    CHECK(memcmp(got, want, sizeof want) == 0);
}

static void test_kcenter_clusters(void)
{
    /* Three clusters: whichever start the seed gives, three centres take one
     * of each. */
    float x[6] = {0.0f, 0.1f, 0.2f, 5.0f, 5.1f, 10.0f};
    for (uint64_t seed = 0; seed < 8; seed++) {
        static int32_t zero[6];
        cs_select_params p;
        cs_select_params_init(&p);
        p.pick = CS_PICK_KCENTER;
        p.count = 3;
        p.seed = seed;
        cs_select_inputs in = {.n = 6, .num_classes = 1, .labels = zero, .dir = CS_DIR_HIGH,
                               .embed = x, .embed_dim = 1};
        int64_t *idx, m;
        CHECK_OK(cs_select_run(&p, &in, &idx, &m, NULL));
        CHECK(m == 3 && idx[0] <= 2 && idx[1] >= 3 && idx[1] <= 4 && idx[2] == 5);
        free(idx);
    }
}

static void test_herding_steps(void)
{
    /* Mean 3.2: first 3 (nearest 3.2); then the target 6.4 - 3 = 3.4 takes 2;
     * then 9.6 - 5 = 4.6 takes 1 (3.6 away, 0 is 4.6 and 10 is 5.4). */
    float x[5] = {0, 1, 2, 3, 10};
    int64_t got[5];
    CHECK_OK(run1d(CS_PICK_HERDING, x, NULL, 5, 2, got));
    CHECK(got[0] == 2 && got[1] == 3);
    CHECK_OK(run1d(CS_PICK_HERDING, x, NULL, 5, 3, got));
    CHECK(got[0] == 1 && got[1] == 2 && got[2] == 3);
}

static void test_d2_reverse_passing(void)
{
    /* Points 0, 1, 10, difficulty 1, 2, 3 (shifted: 0, 1, 2), k = 1: edges
     * 0-1 (d 1) and 1-10 (d 9).  dens = 0.368, 1.0002, 2.0001.  Taking the
     * third lowers the second by exp(-0.1 * 9) * 2.0001 = 0.813 to 0.187, so
     * the first (0.368) comes next: {0, 2}.  Without the reverse pass
     * (gamma_r large: weight 0) the second stays ahead: {1, 2}. */
    float x[3] = {0, 1, 10};
    double s[3] = {1, 2, 3};
    static int32_t zero[3];
    cs_select_params p;
    cs_select_params_init(&p);
    p.pick = CS_PICK_D2;
    p.count = 2;
    p.knn = 1;
    cs_select_inputs in = {.n = 3, .num_classes = 1, .labels = zero, .score = s, .dir = CS_DIR_HIGH,
                           .embed = x, .embed_dim = 1};
    int64_t *idx, m;
    CHECK_OK(cs_select_run(&p, &in, &idx, &m, NULL));
    CHECK(m == 2 && idx[0] == 0 && idx[1] == 2);
    free(idx);
    p.d2_gamma_r = 1000.0;
    CHECK_OK(cs_select_run(&p, &in, &idx, &m, NULL));
    CHECK(m == 2 && idx[0] == 1 && idx[1] == 2);
    free(idx);
}

static void test_knn_blocks(void)
{
    /* 3000 points in 7-D cross the row and column blocks; every row's k
     * neighbours must be brute force's (exact distance, then position). */
    enum { N = 3000, D = 7, K = 5 };
    static float x[N * D];
    static int64_t idx[N];
    cs_rng r;
    cs_rng_seed(&r, 3);
    for (int i = 0; i < N * D; i++)
        x[i] = (float)cs_rng_uniform(&r);
    for (int i = 0; i < N; i++)
        idx[i] = i;
    /* A duplicate pair: distance 0, the lower position first. */
    memcpy(x + 10 * D, x + 20 * D, sizeof *x * D);
    cs_select_inputs in = {.n = N, .embed = x, .embed_dim = D};
    int kk;
    int64_t *nb;
    double *dist;
    CHECK_OK(cs_geom_knn(&in, idx, N, K, &kk, &nb, &dist));
    CHECK(kk == K);
    int bad = 0;
    for (int i = 0; i < N && !bad; i++) {
        int64_t best[K];
        double bd[K];
        for (int t = 0; t < K; t++)
            best[t] = -1, bd[t] = INFINITY;
        for (int j = 0; j < N; j++) {
            if (j == i)
                continue;
            double d = cs_geom_dist2(&in, i, j);
            if (d >= bd[K - 1])
                continue;
            int at = K - 1;
            while (at > 0 && bd[at - 1] > d) {
                bd[at] = bd[at - 1];
                best[at] = best[at - 1];
                at--;
            }
            bd[at] = d;
            best[at] = j;
        }
        for (int t = 0; t < K; t++)
            if (nb[i * K + t] != best[t] || fabs(dist[i * K + t] - sqrt(bd[t])) > 1e-12)
                bad = 1;
    }
    CHECK(!bad);
    CHECK(nb[20 * K] == 10 && dist[20 * K] == 0.0);
    free(nb);
    free(dist);
}

static void test_tiers(void)
{
    /* Moderate with the filter: the unreliable samples (late conf < tau and
     * focus < phi) come only after every reliable one. */
    enum { N = 12 };
    float x[N];
    double conf[N], focus[N];
    int32_t lab[N] = {0};
    for (int i = 0; i < N; i++) {
        x[i] = (float)i;
        conf[i] = i % 3 == 0 ? 0.1 : 0.9; /* 0, 3, 6, 9 unreliable */
        focus[i] = 0.1;
    }
    cs_select_params p;
    cs_select_params_init(&p);
    p.pick = CS_PICK_MODERATE;
    p.filter = 1;
    p.count = 9;
    cs_select_inputs in = {.n = N, .num_classes = 1, .labels = lab, .dir = CS_DIR_HIGH,
                           .late_conf = conf, .focus = focus, .embed = x, .embed_dim = 1};
    int64_t *idx, m;
    CHECK_OK(cs_select_run(&p, &in, &idx, &m, NULL));
    /* The eight reliable ones, then the unreliable ones' band of one: of
     * 0, 3, 6, 9 (median 4.5) the nearest by distance are 3 and 6, rank
     * floor(3 / 2) = 1 is 6. */
    int64_t want[9] = {1, 2, 4, 5, 6, 7, 8, 10, 11};
    CHECK(m == 9 && memcmp(idx, want, sizeof want) == 0);
    free(idx);
}

static void expect_err(cs_pick pick, const float *x, int dim, const int32_t *lab, const char *frag)
{
    double s[4] = {1, 2, 3, 4};
    cs_select_params p;
    cs_select_params_init(&p);
    p.pick = pick;
    p.count = 2;
    cs_select_inputs in = {.n = 4, .num_classes = 1, .labels = lab, .score = s, .dir = CS_DIR_HIGH,
                           .embed = x, .embed_dim = dim};
    int64_t *idx = NULL, m;
    int rc = cs_select_run(&p, &in, &idx, &m, NULL);
    CHECK_MSG(rc != 0 && idx == NULL && strstr(cs_errmsg(), frag), "want '%s', got '%s'", frag,
              cs_errmsg());
}

static void test_refusals(void)
{
    int32_t lab[4] = {0};
    float x[4] = {0, 1, 2, NAN};
    for (int pick = CS_PICK_MODERATE; pick <= CS_PICK_D2_STRAT; pick++) {
        expect_err((cs_pick)pick, NULL, 1, lab, "needs the embeddings");
        expect_err((cs_pick)pick, x, 1, lab, "sample 3: embedding value 0 is not finite");
    }
    float ok[4] = {0, 1, 2, 3};
    expect_err(CS_PICK_MODERATE, ok, 1, NULL, "needs the labels");
}

int main(void)
{
    RUN(test_moderate_band);
    RUN(test_kcenter_clusters);
    RUN(test_herding_steps);
    RUN(test_d2_reverse_passing);
    RUN(test_knn_blocks);
    RUN(test_tiers);
    RUN(test_refusals);
    return harness_done();
}
