/* test_score_units.c - the scores on tiny trajectories whose values are worked
 * out by hand from METHODS.md, the focus of small known maps, rank scaling,
 * and every bad input the accumulator refuses. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "../train/focus.h"
#include "../score/score.h"
#include "harness.h"

/* A whole small trajectory in memory (tests only: the library streams). */
typedef struct {
    int T, R, C;
    int64_t n;
    float *err, *conf, *margin, *entropy, *loss, *focus, *probs; /* R x T x n (probs x C) */
    uint8_t *correct;
} traj;

static traj traj_new(int R, int T, int64_t n, int C, int with_probs)
{
    traj t = {T, R, C, n, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    size_t m = (size_t)R * T * n;
    t.err = calloc(m, sizeof(float));
    t.conf = calloc(m, sizeof(float));
    t.margin = calloc(m, sizeof(float));
    t.entropy = calloc(m, sizeof(float));
    t.loss = calloc(m, sizeof(float));
    t.focus = calloc(m, sizeof(float));
    t.correct = calloc(m, 1);
    if (with_probs)
        t.probs = calloc(m * C, sizeof(float));
    for (size_t i = 0; i < m; i++)
        t.focus[i] = NAN;
    return t;
}

static void traj_free(traj *t)
{
    free(t->err);
    free(t->conf);
    free(t->margin);
    free(t->entropy);
    free(t->loss);
    free(t->focus);
    free(t->correct);
    free(t->probs);
}

/* Index of (run r, epoch t (1-based), sample i). */
static size_t at(const traj *t, int r, int ep, int64_t i) { return ((size_t)r * t->T + (ep - 1)) * t->n + i; }

static cs_epoch_record rec_of(const traj *t, int r, int ep)
{
    size_t o = at(t, r, ep, 0);
    cs_epoch_record rec = {ep, r, t->n, t->C, t->err + o, t->conf + o, t->margin + o, t->entropy + o,
                           t->loss + o, t->focus + o, t->correct + o, NULL,
                           t->probs ? t->probs + o * t->C : NULL};
    return rec;
}

/* Stream the whole trajectory; 0 or the first error. */
static int feed(cs_score_acc *acc, const traj *t)
{
    for (int r = 0; r < t->R; r++)
        for (int ep = 1; ep <= t->T; ep++) {
            cs_epoch_record rec = rec_of(t, r, ep);
            int rc = cs_score_acc_add(acc, &rec);
            if (rc)
                return rc;
        }
    return cs_score_acc_finish(acc);
}

static cs_score_acc *score_all(const traj *t, const cs_score_params *p)
{
    cs_score_acc *acc = NULL;
    CHECK_OK(cs_score_acc_create(&acc, t->n, t->C, NULL, t->T, t->R, p));
    if (acc)
        CHECK_OK(feed(acc, t));
    return acc;
}

/* 3 samples, 20 epochs, windows 1..10 and 11..20:
 *  s0: err 0.5 throughout                                V_e = 0,      V_l = 0
 *  s1: early 0,1,0,1,... (mean .5), late 1 throughout   V_e = .25,    V_l = 0
 *  s2: early .1,.2,...,1.0, late .2,.6,.2,.6,...         V_e = .0825,  V_l = .04
 * (.1..1.0: variance of 1..10 is (100-1)/12 = 8.25, over 100.) */
static traj eva_case(void)
{
    traj t = traj_new(1, 20, 3, 2, 0);
    for (int ep = 1; ep <= 20; ep++) {
        t.err[at(&t, 0, ep, 0)] = 0.5f;
        t.err[at(&t, 0, ep, 1)] = ep <= 10 ? (float)((ep - 1) % 2) : 1.0f;
        t.err[at(&t, 0, ep, 2)] = ep <= 10 ? ep / 10.0f : ((ep % 2) ? 0.2f : 0.6f);
    }
    return t;
}

static void test_eva_by_hand(void)
{
    traj t = eva_case();
    cs_score_params p;
    cs_score_params_default(&p);
    cs_score_acc *acc = score_all(&t, &p);
    const double *e = acc ? cs_score_get(acc, "eva") : NULL;
    CHECK(e != NULL);
    if (e) {
        CHECK_NEAR(e[0], 0.0, 1e-9);
        CHECK_NEAR(e[1], 0.25, 1e-6);
        CHECK_NEAR(e[2], 0.0825 + 0.04, 1e-6);
    }
    cs_score_acc_free(acc);

    /* unbiased: x K/(K-1); normalised: V_e / (0.25 + 0.0825), V_l / 0.04; weighted w = 0.3 */
    p.eva_unbiased = 1;
    acc = score_all(&t, &p);
    e = acc ? cs_score_get(acc, "eva") : NULL;
    CHECK(e != NULL);
    if (e)
        CHECK_NEAR(e[2], (0.0825 + 0.04) * 10 / 9, 1e-6);
    cs_score_acc_free(acc);
    p.eva_unbiased = 0;
    p.eva_normalise = 1;
    p.eva_weighted = 1;
    p.eva_w = 0.3;
    acc = score_all(&t, &p);
    e = acc ? cs_score_get(acc, "eva") : NULL;
    CHECK(e != NULL);
    if (e) {
        CHECK_NEAR(e[1], 0.3 * 0.25 / 0.3325, 1e-6);
        CHECK_NEAR(e[2], 0.3 * 0.0825 / 0.3325 + 0.7 * 1.0, 1e-6);
    }
    cs_score_acc_free(acc);
    traj_free(&t);
}

static void test_eva_windows_refused(void)
{
    cs_score_params p;
    cs_score_params_default(&p);
    cs_score_acc *acc = NULL;
    p.eva_late = 8; /* 1..10 and 8..17 overlap */
    CHECK(cs_score_acc_create(&acc, 3, 2, NULL, 20, 1, &p) == CS_EINVAL);
    CHECK_MSG(strstr(cs_errmsg(), "overlap") != NULL, "%s", cs_errmsg());
    p.eva_late = 15; /* 15..24 > 20 */
    CHECK(cs_score_acc_create(&acc, 3, 2, NULL, 20, 1, &p) == CS_EINVAL);
    CHECK_MSG(strstr(cs_errmsg(), "late window 15..24 lies outside epochs 1..20") != NULL, "%s",
              cs_errmsg());
    cs_score_params_default(&p);
    CHECK(cs_score_acc_create(&acc, 3, 2, NULL, 15, 1, &p) == CS_EINVAL); /* 1..10 and 6..15 */
    p.el2n_last = 30;
    p.enable = 1u << CS_SCORE_EL2N;
    CHECK(cs_score_acc_create(&acc, 3, 2, NULL, 20, 1, &p) == CS_EINVAL);
    CHECK_MSG(strstr(cs_errmsg(), "el2n epochs 1..30") != NULL, "%s", cs_errmsg());
    CHECK(acc == NULL);
}

/* Forgetting: transitions 1->0 between consecutive epochs, per run, averaged. */
static void test_forgetting_patterns(void)
{
    static const uint8_t pat[2][4][6] = {
        {{1, 0, 1, 0, 1, 1}, {0, 0, 1, 1, 1, 1}, {0, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 0}},
        {{1, 0, 1, 1, 1, 1}, {1, 0, 0, 1, 0, 0}, {0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0}},
    };
    traj t = traj_new(2, 6, 4, 2, 0);
    for (int r = 0; r < 2; r++)
        for (int ep = 1; ep <= 6; ep++)
            for (int i = 0; i < 4; i++)
                t.correct[at(&t, r, ep, i)] = pat[r][i][ep - 1];
    cs_score_params p;
    cs_score_params_default(&p);
    p.enable = 1u << CS_SCORE_FORGETTING;
    cs_score_acc *acc = score_all(&t, &p);
    const double *f = acc ? cs_score_get(acc, "forgetting") : NULL;
    CHECK(f != NULL);
    if (f) {
        CHECK_NEAR(f[0], (2 + 1) / 2.0, 1e-12);
        CHECK_NEAR(f[1], (0 + 2) / 2.0, 1e-12);
        CHECK(isinf(f[2]) && f[2] > 0);
        CHECK(isinf(f[3]) && f[3] > 0); /* never correct in run 1: inf stays inf */
    }
    cs_score_acc_free(acc);
    p.forget_never_zero = 1;
    acc = score_all(&t, &p);
    f = acc ? cs_score_get(acc, "forgetting") : NULL;
    CHECK(f != NULL);
    if (f) {
        CHECK_NEAR(f[2], 0.0, 0);
        CHECK_NEAR(f[3], (1 + 0) / 2.0, 1e-12);
    }
    cs_score_acc_free(acc);
    traj_free(&t);
}

/* EL2N, AUM, entropy over the last k, late-window means, dynamic uncertainty, focus. */
static void test_means_by_hand(void)
{
    traj t = traj_new(2, 4, 2, 2, 0);
    static const float conf0[4] = {0.2f, 0.4f, 0.4f, 0.8f};
    for (int r = 0; r < 2; r++)
        for (int ep = 1; ep <= 4; ep++)
            for (int i = 0; i < 2; i++) {
                size_t o = at(&t, r, ep, i);
                t.err[o] = (float)(ep + 10 * r);          /* el2n 1..2: (1+2+11+12)/4 */
                t.margin[o] = (float)(i ? -ep : ep * r);  /* aum s0: (0 + 10)/8, s1: -(10+10)/8 */
                t.entropy[o] = (float)ep / 8;             /* last 2: (3+4)/16 */
                t.loss[o] = (float)ep;                    /* late window 3..4: 3.5 */
                t.conf[o] = i ? 0.5f : conf0[ep - 1];
            }
    /* focus: s0 computed at run 0 epochs 1 and 3 (0.2, 0.6) and run 1 epoch 4 (1.0); s1 never */
    t.focus[at(&t, 0, 1, 0)] = 0.2f;
    t.focus[at(&t, 0, 3, 0)] = 0.6f;
    t.focus[at(&t, 1, 4, 0)] = 1.0f;
    cs_score_params p;
    cs_score_params_default(&p);
    p.eva_k = 2;
    p.el2n_first = 1;
    p.el2n_last = 2;
    p.unc_last_k = 2;
    p.dyn_j = 2;
    cs_score_acc *acc = score_all(&t, &p);
    if (!acc)
        return;
    const double *v;
    CHECK((v = cs_score_get(acc, "el2n")) && fabs(v[0] - 26.0 / 4) < 1e-9);
    CHECK((v = cs_score_get(acc, "aum")) && fabs(v[0] - 10.0 / 8) < 1e-9 && fabs(v[1] + 20.0 / 8) < 1e-9);
    CHECK((v = cs_score_get(acc, "entropy")) && fabs(v[0] - 7.0 / 16) < 1e-7);
    CHECK((v = cs_score_get(acc, "late_loss")) && fabs(v[1] - 3.5) < 1e-9);
    CHECK((v = cs_score_get(acc, "late_conf")) && fabs(v[0] - 0.6) < 1e-7);
    /* windows (.2,.4) (.4,.4) (.4,.8): population std .1, 0, .2 */
    CHECK((v = cs_score_get(acc, "dynamic_uncertainty")) && fabs(v[0] - 0.1) < 1e-7 && v[1] == 0);
    /* C = 2 without probs: 1 - max(conf, 1-conf) and |2 conf - 1|, last 2 epochs */
    CHECK((v = cs_score_get(acc, "least_confidence")) && fabs(v[0] - (0.4 + 0.2) / 2) < 1e-7);
    CHECK((v = cs_score_get(acc, "margin")) && fabs(v[0] - (0.2 + 0.6) / 2) < 1e-7);
    CHECK((v = cs_score_get(acc, "focus")) && fabs(v[0] - 0.6) < 1e-7 && isnan(v[1]));
    CHECK(cs_score_acc_focus_missing(acc) == 1);
    cs_score_acc_free(acc);
    traj_free(&t);
}

static void test_least_confidence_needs_probs(void)
{
    traj t = traj_new(1, 2, 2, 3, 0);
    cs_score_params p;
    cs_score_params_default(&p);
    p.enable = (1u << CS_SCORE_LEAST_CONF) | (1u << CS_SCORE_ENTROPY);
    cs_score_acc *acc = score_all(&t, &p);
    CHECK(acc && cs_score_get(acc, "entropy") != NULL);
    CHECK(acc && cs_score_get(acc, "least_confidence") == NULL);
    CHECK_MSG(strstr(cs_errmsg(), "'least_confidence' needs softmax probabilities with 3 classes, and run 0 "
                                  "epoch 2 was recorded without them") != NULL,
              "%s", cs_errmsg());
    CHECK(acc && cs_score_get(acc, "margin") == NULL && strstr(cs_errmsg(), "not enabled"));
    cs_score_acc_free(acc);
    traj_free(&t);

    /* with probs: rows (.2,.5,.3) and (.6,.3,.1) */
    t = traj_new(1, 1, 2, 3, 1);
    static const float pr[6] = {0.2f, 0.5f, 0.3f, 0.6f, 0.3f, 0.1f};
    memcpy(t.probs, pr, sizeof pr);
    cs_score_params_default(&p);
    p.enable = (1u << CS_SCORE_LEAST_CONF) | (1u << CS_SCORE_MARGIN);
    acc = score_all(&t, &p);
    const double *lc = acc ? cs_score_get(acc, "least_confidence") : NULL;
    const double *mg = acc ? cs_score_get(acc, "margin") : NULL;
    CHECK(lc && mg);
    if (lc && mg) {
        CHECK_NEAR(lc[0], 0.5, 1e-7);
        CHECK_NEAR(lc[1], 0.4, 1e-7);
        CHECK_NEAR(mg[0], 0.2, 1e-7);
        CHECK_NEAR(mg[1], 0.3, 1e-7);
    }
    cs_score_acc_free(acc);
    traj_free(&t);
}

/* DUAL and TDDS on numbers worked out by hand: one sample, four epochs. */
static void test_dual_tdds_by_hand(void)
{
    /* conf 0.2, 0.4, 0.4, 0.8 (C = 2), J = 2 over the first 3 epochs:
     * windows (0.2, 0.4): std 0.1 * (1 - 0.3) = 0.07; (0.4, 0.4): 0; DUAL = 0.035 */
    traj t = traj_new(1, 4, 1, 2, 0);
    static const float conf[4] = {0.2f, 0.4f, 0.4f, 0.8f};
    memcpy(t.conf, conf, sizeof conf);
    cs_score_params p;
    cs_score_params_default(&p);
    p.enable = (1u << CS_SCORE_DUAL) | (1u << CS_SCORE_TDDS);
    p.dual_j = 2;
    p.dual_epochs = 3;
    p.tdds_j = 3;
    p.tdds_beta = 0.5;
    cs_score_acc *acc = score_all(&t, &p);
    const double *dual = acc ? cs_score_get(acc, "dual") : NULL;
    const double *tdds = acc ? cs_score_get(acc, "tdds") : NULL;
    CHECK(dual && tdds);
    if (dual)
        CHECK_NEAR(dual[0], 0.035, 1e-7);
    if (tdds) {
        /* p_t = (conf, 1 - conf); d_t = sum_c |q log((q+eps)/(p+eps))| for t -> t+1 */
        double d[3], eps = 1e-8;
        for (int k = 0; k < 3; k++) {
            double a = conf[k], b = conf[k + 1];
            d[k] = fabs(b * (log(b + eps) - log(a + eps))) + fabs((1 - b) * (log(1 - b + eps) - log(1 - a + eps)));
        }
        /* windows of J = 3 epochs: k = 0 (d0, d1), k = 1 (d1, d2); weight 0.5 * 0.5^(1 - k) */
        double w0 = fabs(d[0] - d[1]) / sqrt(2.0), w1 = fabs(d[1] - d[2]) / sqrt(2.0);
        CHECK_NEAR(tdds[0], 0.25 * w0 + 0.5 * w1, 1e-6);
    }
    cs_score_acc_free(acc);
    traj_free(&t);

    /* three classes without probabilities: TDDS is refused, DUAL is not */
    t = traj_new(1, 4, 2, 3, 0);
    cs_score_params_default(&p);
    p.enable = (1u << CS_SCORE_DUAL) | (1u << CS_SCORE_TDDS);
    acc = score_all(&t, &p);
    CHECK(acc && cs_score_get(acc, "dual") != NULL);
    CHECK(acc && cs_score_get(acc, "tdds") == NULL);
    CHECK_MSG(strstr(cs_errmsg(), "'tdds' needs every epoch's probabilities") != NULL, "%s", cs_errmsg());
    cs_score_acc_free(acc);
    traj_free(&t);
}

static void test_bad_records(void)
{
    traj t = traj_new(2, 3, 4, 2, 0);
    cs_score_params p;
    cs_score_params_default(&p);
    p.enable = (1u << CS_SCORE_AUM) | (1u << CS_SCORE_FORGETTING);
    cs_score_acc *acc = NULL;
    CHECK_OK(cs_score_acc_create(&acc, 4, 2, NULL, 3, 2, &p));
    if (!acc)
        return;
    cs_epoch_record rec = rec_of(&t, 0, 2);
    CHECK(cs_score_acc_add(acc, &rec) == CS_EINVAL);
    CHECK_MSG(strstr(cs_errmsg(), "out of order: got run 0 epoch 2, expected run 0 epoch 1"), "%s", cs_errmsg());
    rec = rec_of(&t, 0, 1);
    rec.n = 5;
    CHECK(cs_score_acc_add(acc, &rec) == CS_EINVAL);
    CHECK_MSG(strstr(cs_errmsg(), "holds 5 samples, expected 4"), "%s", cs_errmsg());
    rec = rec_of(&t, 0, 1);
    rec.loss = NULL;
    CHECK(cs_score_acc_add(acc, &rec) == CS_EINVAL);
    CHECK_MSG(strstr(cs_errmsg(), "lacks column 'loss'"), "%s", cs_errmsg());
    t.err[at(&t, 0, 1, 2)] = NAN;
    rec = rec_of(&t, 0, 1);
    CHECK(cs_score_acc_add(acc, &rec) == CS_EINVAL);
    CHECK_MSG(strstr(cs_errmsg(), "run 0 epoch 1: column 'err' is NaN for sample 2"), "%s", cs_errmsg());
    t.err[at(&t, 0, 1, 2)] = 0;
    t.conf[at(&t, 0, 1, 3)] = NAN;
    CHECK(cs_score_acc_add(acc, &rec) == CS_EINVAL);
    CHECK_MSG(strstr(cs_errmsg(), "column 'conf' is NaN for sample 3"), "%s", cs_errmsg());
    t.conf[at(&t, 0, 1, 3)] = 0;
    CHECK_OK(cs_score_acc_add(acc, &rec));
    CHECK(cs_score_get(acc, "aum") == NULL && strstr(cs_errmsg(), "not final"));
    CHECK(cs_score_acc_finish(acc) == CS_EINVAL);
    CHECK_MSG(strstr(cs_errmsg(), "trajectory incomplete: the scores expected run 0 epoch 2"), "%s", cs_errmsg());
    CHECK(cs_score_get(acc, "nope") == NULL && strstr(cs_errmsg(), "unknown score 'nope'"));
    cs_score_acc_free(acc);
    traj_free(&t);

    CHECK(cs_score_acc_create(&acc, 4, 2, (const int32_t[]){0, 1, 2, 0}, 3, 1, &p) == CS_EINVAL);
    CHECK_MSG(strstr(cs_errmsg(), "label 2 of sample 2 lies outside classes 0..1"), "%s", cs_errmsg());
    CHECK(cs_score_direction("aum") == CS_SCORE_LOW && cs_score_direction("eva") == CS_SCORE_HIGH);
    CHECK(cs_score_direction("margin") == CS_SCORE_LOW && cs_score_direction("x") == CS_EINVAL);
}

static void test_focus_maps_by_hand(void)
{
    /* a 4x4 map of 0..15 shuffled: normalised v/15, Q90 at h = 13.5 -> (13.5/15): keep 14, 15 */
    static const float m16[16] = {3, 15, 0, 7, 12, 1, 9, 14, 2, 8, 4, 10, 13, 5, 11, 6};
    double f = -1;
    CHECK_OK(cs_focus(m16, 16, NULL, &f));
    CHECK_NEAR(f, (14.0 + 15.0) / 2 / 15, 1e-12);
    static const float flat[5] = {2, 2, 2, 2, 2};
    CHECK_OK(cs_focus(flat, 5, NULL, &f));
    CHECK(f == 0.0);
    /* 11 values 1..11: h = 9 exactly, q = 0.9, so the tie at the threshold counts: (0.9 + 1) / 2 */
    static const float m11[11] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    CHECK_OK(cs_focus(m11, 11, NULL, &f));
    CHECK_NEAR(f, 0.95, 1e-12);
    /* 8 zeros, 2 ones: h = 8.1 lies between two ones, q = 1: mean of the ones */
    static const float tie[10] = {0, 1, 0, 0, 0, 0, 1, 0, 0, 0};
    CHECK_OK(cs_focus(tie, 10, NULL, &f));
    CHECK_NEAR(f, 1.0, 0);
    /* 2x2 [[0,1],[2,3]] -> 4x4 with half-pixel centres at 0, .25, .75, 1: values 2y + x;
     * sorted top: 2.5, 2.75, 3; h = 13.5 -> q = 2.625: keep 2.75 and 3, over 3 */
    static const float m4[4] = {0, 1, 2, 3};
    CHECK_OK(cs_focus_resized_2d(m4, 2, 2, 4, 4, NULL, &f));
    CHECK_NEAR(f, (2.75 + 3) / 2 / 3, 1e-12);
    /* 1-D [0, 4] -> 4: 0, 1, 3, 4; h = 2.7 -> q = 3.7/4; keep 4 */
    static const float l2[2] = {0, 4};
    CHECK_OK(cs_focus_resized_1d(l2, 2, 4, NULL, &f));
    CHECK_NEAR(f, 1.0, 1e-12);
    static const float bad[3] = {0, NAN, 1};
    CHECK(cs_focus(bad, 3, NULL, &f) == CS_EINVAL && strstr(cs_errmsg(), "non-finite value at position 1"));
    CHECK(cs_focus(bad, 0, NULL, &f) == CS_EINVAL);
}

static void test_rank_and_weighting(void)
{
    const double s[5] = {3, 1, 3, NAN, 2};
    double r[5];
    CHECK_OK(cs_score_rank01(s, 5, CS_SCORE_HIGH, r));
    CHECK_NEAR(r[0], 2.5 / 3, 1e-15);
    CHECK_NEAR(r[1], 0, 0);
    CHECK_NEAR(r[2], 2.5 / 3, 1e-15);
    CHECK(isnan(r[3]));
    CHECK_NEAR(r[4], 1.0 / 3, 1e-15);
    CHECK_OK(cs_score_rank01(s, 5, CS_SCORE_LOW, r));
    CHECK_NEAR(r[0], 0.5 / 3, 1e-15);
    CHECK_NEAR(r[1], 1, 0);
    CHECK_NEAR(r[4], 2.0 / 3, 1e-15);
    const double inf2[3] = {INFINITY, 0, INFINITY};
    CHECK_OK(cs_score_rank01(inf2, 3, CS_SCORE_HIGH, r));
    CHECK(r[0] == 0.75 && r[1] == 0 && r[2] == 0.75);
    const double focus[5] = {0.5, 1, NAN, 0.2, 0};
    double w[5];
    CHECK_OK(cs_score_weight_by_focus(s, 5, CS_SCORE_HIGH, focus, 1.0, w));
    CHECK_NEAR(w[0], 2.5 / 3 * 0.5, 1e-15);
    CHECK_NEAR(w[1], 0, 0);
    CHECK(isnan(w[2]) && isnan(w[3]));
    CHECK_NEAR(w[4], 0, 0);
    CHECK_OK(cs_score_weight_by_focus(s, 5, CS_SCORE_HIGH, focus, 2.0, w));
    CHECK_NEAR(w[0], 2.5 / 3 * 0.25, 1e-15);
    CHECK(cs_score_weight_by_focus(s, 5, CS_SCORE_HIGH, focus, -1, w) == CS_EINVAL);
    const double one = 7;
    CHECK_OK(cs_score_rank01(&one, 1, CS_SCORE_LOW, r));
    CHECK(r[0] == 1.0);
}

/* focus_weighted = rank01(eva) * focus^gamma from the final scores.  On
 * eva_case, eva = 0, .25, .1225 ranks 0, 1, .5; focus .5 every epoch, .8 in
 * epoch 3 only, never: with gamma 2, 0, .64, NaN.  Enabled alone it computes
 * eva and focus without handing them out, and checks eva's windows. */
static void test_focus_weighted_by_hand(void)
{
    traj t = eva_case();
    for (int ep = 1; ep <= t.T; ep++)
        t.focus[at(&t, 0, ep, 0)] = 0.5f;
    t.focus[at(&t, 0, 3, 1)] = 0.8f;
    cs_score_params p;
    cs_score_params_default(&p);
    p.enable = 1u << CS_SCORE_FOCUS_WEIGHTED;
    p.focus_gamma = 2;
    cs_score_acc *acc = score_all(&t, &p);
    const double *v = acc ? cs_score_get(acc, "focus_weighted") : NULL;
    CHECK_MSG(v != NULL, "%s", cs_errmsg());
    if (v) {
        CHECK(v[0] == 0);
        CHECK_NEAR(v[1], 0.64, 1e-7);
        CHECK(isnan(v[2]));
    }
    CHECK(acc && cs_score_get(acc, "eva") == NULL && strstr(cs_errmsg(), "'eva' was not enabled"));
    CHECK(acc && cs_score_acc_focus_missing(acc) == 1);
    cs_score_acc_free(acc);
    CHECK(cs_score_direction("focus_weighted") == CS_SCORE_HIGH && !cs_score_info_at(CS_SCORE_FOCUS_WEIGHTED)->helper);

    p.eva_k = 15; /* windows 1..15 and 6..20 overlap: focus_weighted cannot be computed */
    CHECK(cs_score_params_check(&p, 20) == CS_EINVAL && strstr(cs_errmsg(), "overlap"));
    p.eva_k = 10;
    p.focus_gamma = -1;
    CHECK(cs_score_params_check(&p, 20) == CS_EINVAL && strstr(cs_errmsg(), "gamma = -1"));
    p.focus_gamma = NAN;
    CHECK(cs_score_params_check(&p, 20) == CS_EINVAL);
    p.enable = 1u << CS_SCORE_AUM; /* gamma is not checked when nothing uses it */
    CHECK_OK(cs_score_params_check(&p, 20));
    traj_free(&t);
}

static void test_describe(void)
{
    cs_score_params p;
    cs_score_params_default(&p);
    char buf[256];
    CHECK_OK(cs_score_params_describe(&p, 200, "eva", buf, sizeof buf));
    CHECK_MSG(strcmp(buf, "K=10 early=1..10 late=191..200 var=1/K norm=none comb=sum") == 0, "%s", buf);
    p.forget_never_zero = 1;
    CHECK_OK(cs_score_params_describe(&p, 200, "forgetting", buf, sizeof buf));
    CHECK_MSG(strcmp(buf, "never_correct=0") == 0, "%s", buf);
    CHECK(cs_score_params_describe(&p, 200, "bogus", buf, sizeof buf) == CS_EINVAL);
    /* The recorded weight reads back as exactly the one used; short ones stay short. */
    p.eva_weighted = 1;
    p.eva_w = 0.123456789;
    CHECK_OK(cs_score_params_describe(&p, 200, "eva", buf, sizeof buf));
    CHECK_MSG(strstr(buf, "comb=weighted w=0.123456789") != NULL, "%s", buf);
    p.eva_w = 0.1;
    CHECK_OK(cs_score_params_describe(&p, 200, "eva", buf, sizeof buf));
    CHECK_MSG(strstr(buf, " w=0.1") && !strstr(buf, " w=0.10"), "%s", buf);
    CHECK_OK(cs_score_params_describe(&p, 200, "focus_weighted", buf, sizeof buf));
    CHECK_MSG(strcmp(buf, "base=eva gamma=1") == 0, "%s", buf);
    p.focus_gamma = 0.1;
    CHECK_OK(cs_score_params_describe(&p, 200, "focus_weighted", buf, sizeof buf));
    CHECK_MSG(strcmp(buf, "base=eva gamma=0.1") == 0, "%s", buf);
}

/* registry.c's table is in enum cs_score_id's order: the build checks its
 * length, this its order (a swap would hand out one score under another's id). */
static void test_registry_order(void)
{
    static const char *const names[CS_SCORE_COUNT] = {
        [CS_SCORE_EVA] = "eva",
        [CS_SCORE_EL2N] = "el2n",
        [CS_SCORE_FORGETTING] = "forgetting",
        [CS_SCORE_AUM] = "aum",
        [CS_SCORE_ENTROPY] = "entropy",
        [CS_SCORE_LEAST_CONF] = "least_confidence",
        [CS_SCORE_MARGIN] = "margin",
        [CS_SCORE_DYN_UNC] = "dynamic_uncertainty",
        [CS_SCORE_FOCUS] = "focus",
        [CS_SCORE_FOCUS_WEIGHTED] = "focus_weighted",
        [CS_SCORE_LATE_CONF] = "late_conf",
        [CS_SCORE_LATE_LOSS] = "late_loss",
        [CS_SCORE_DUAL] = "dual",
        [CS_SCORE_TDDS] = "tdds",
        [CS_SCORE_DUAL_CONF] = "dual_conf",
    };
    for (int id = 0; id < CS_SCORE_COUNT; id++) {
        const cs_score_info *info = cs_score_info_at(id);
        CHECK_MSG(info && names[id] && strcmp(info->name, names[id]) == 0, "id %d: '%s', expected '%s'", id,
                  info ? info->name : "(none)", names[id] ? names[id] : "(none)");
        CHECK(cs_score_lookup(names[id]) == id);
        CHECK(info && (info->dir == CS_SCORE_HIGH || info->dir == CS_SCORE_LOW) && info->what && info->what[0]);
    }
    CHECK(cs_score_info_at(-1) == NULL && cs_score_info_at(CS_SCORE_COUNT) == NULL);
}

int main(void)
{
    RUN(test_registry_order);
    RUN(test_eva_by_hand);
    RUN(test_eva_windows_refused);
    RUN(test_forgetting_patterns);
    RUN(test_means_by_hand);
    RUN(test_least_confidence_needs_probs);
    RUN(test_dual_tdds_by_hand);
    RUN(test_bad_records);
    RUN(test_focus_maps_by_hand);
    RUN(test_rank_and_weighting);
    RUN(test_focus_weighted_by_hand);
    RUN(test_describe);
    return harness_done();
}
