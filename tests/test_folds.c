/* test_folds.c - out-of-fold recording's pieces (train/folds.h): the fold
 * assignment is stratified, deterministic in the seed, disjoint and covering;
 * a fold's training rows are exactly the other folds' samples; the merge of
 * the K passes' records takes each sample from its own fold's pass; the
 * trajectory metadata carries the folds and reads back (and reads K = 1 from
 * a trajectory written before folds). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "../formats/traj.h"
#include "../formats/traj_meta.h"
#include "../train/folds.h"
#include "harness.h"

#define N 211
/* An imbalanced label vector: classes of 120, 60, 25 and 6 samples, interleaved. */
static void labels(int32_t *y)
{
    for (int64_t i = 0; i < N; i++)
        y[i] = i % 7 == 3 && i < 42 ? 3 : i % 5 == 1 ? 2 : i % 3 == 0 ? 1 : 0;
}

static void test_stratified(void)
{
    int32_t y[N];
    uint8_t f[N];
    labels(y);
    for (int K = 2; K <= 5; K++) {
        CHECK_OK(cs_folds_assign(y, N, 4, K, 7, f));
        int cnt[4][5] = {{0}}, size[5] = {0};
        for (int64_t i = 0; i < N; i++) {
            CHECK(f[i] < K);
            cnt[y[i]][f[i]]++;
            size[f[i]]++;
        }
        for (int c = 0; c < 4; c++) {
            int lo = N, hi = 0;
            for (int k = 0; k < K; k++) {
                lo = cnt[c][k] < lo ? cnt[c][k] : lo;
                hi = cnt[c][k] > hi ? cnt[c][k] : hi;
            }
            CHECK_MSG(hi - lo <= 1, "K %d class %d: fold counts %d..%d", K, c, lo, hi);
        }
        int lo = N, hi = 0;
        for (int k = 0; k < K; k++) {
            lo = size[k] < lo ? size[k] : lo;
            hi = size[k] > hi ? size[k] : hi;
        }
        CHECK_MSG(hi - lo <= 1, "K %d: fold sizes %d..%d", K, lo, hi);
    }
}

static void test_deterministic(void)
{
    int32_t y[N];
    uint8_t a[N], b[N], c[N];
    labels(y);
    CHECK_OK(cs_folds_assign(y, N, 4, 3, 42, a));
    CHECK_OK(cs_folds_assign(y, N, 4, 3, 42, b));
    CHECK_OK(cs_folds_assign(y, N, 4, 3, 43, c));
    CHECK(memcmp(a, b, N) == 0);
    CHECK(memcmp(a, c, N) != 0); /* another seed, another deal (211 samples: never the same) */
    CHECK_OK(cs_folds_assign(y, N, 4, 1, 42, c));
    int any = 0;
    for (int64_t i = 0; i < N; i++)
        any |= c[i];
    CHECK(!any); /* K = 1: one fold */
}

/* Every sample in exactly one held-out fold; fold k's training rows are the
 * others, in order, with their labels and pixels. */
static void test_disjoint_covering(void)
{
    int32_t y[N];
    uint8_t f[N];
    float x[N * 3];
    labels(y);
    for (int64_t i = 0; i < N * 3; i++)
        x[i] = (float)i;
    cs_data all = {N, 3, 1, {1, 0}, 3, x, y, 4};
    int K = 3, held[N] = {0};
    CHECK_OK(cs_folds_assign(y, N, 4, K, 5, f));
    for (int k = 0; k < K; k++) {
        cs_data tr;
        CHECK_OK(cs_folds_train_data(&all, f, k, &tr));
        int64_t j = 0;
        for (int64_t i = 0; i < N; i++) {
            if (f[i] == k) {
                held[i]++;
                continue;
            }
            CHECK(j < tr.n && tr.y[j] == y[i] && tr.x[j * 3 + 2] == x[i * 3 + 2]);
            j++;
        }
        CHECK(j == tr.n && tr.n > 0 && tr.n < N);
        CHECK(tr.channels == 3 && tr.sample_elems == 3 && tr.num_classes == 4);
        cs_data_release(&tr);
    }
    for (int64_t i = 0; i < N; i++)
        CHECK_MSG(held[i] == 1, "sample %lld held out %d times", (long long)i, held[i]);
}

static void test_record_merge(void)
{
    int32_t y[N];
    uint8_t f[N];
    labels(y);
    int K = 3;
    CHECK_OK(cs_folds_assign(y, N, 4, K, 9, f));
    uint32_t fields = CS_TRAJ_SCALARS | CS_TRAJ_PROBS;
    cs_epoch_record m, p;
    CHECK_OK(cs_folds_record_init(&m, N, 4, fields));
    CHECK(isnan(m.err[0]) && isnan(m.probs[4 * N - 1]) && m.correct[N - 1] == 0 && m.used[0] == 0);
    for (int k = 0; k < K; k++) {
        CHECK_OK(cs_folds_record_init(&p, N, 4, fields));
        for (int64_t i = 0; i < N; i++) {
            p.err[i] = (float)(100 * k + i % 50);
            p.correct[i] = (uint8_t)(k + 1);
            for (int c = 0; c < 4; c++)
                p.probs[i * 4 + c] = (float)(k * 10 + c);
        }
        cs_folds_record_merge(&m, &p, f, k);
        cs_folds_record_release(&p);
    }
    for (int64_t i = 0; i < N; i++) {
        CHECK(m.err[i] == (float)(100 * f[i] + i % 50));
        CHECK(m.correct[i] == f[i] + 1);
        CHECK(m.probs[i * 4 + 3] == (float)(f[i] * 10 + 3));
        CHECK(isnan(m.conf[i])); /* columns the passes did not fill stay absent */
    }
    cs_folds_record_release(&m);
}

static void test_meta(void)
{
    int32_t y[N];
    uint8_t f[N], g[N];
    labels(y);
    CHECK_OK(cs_folds_assign(y, N, 4, 3, 1, f));
    char buf[64 + N + 64];
    strcpy(buf, "seed=1\n");
    size_t l = strlen(buf);
    CHECK(cs_traj_meta_put_folds(buf + l, 10, 3, f, N) > 10); /* too small: says how much */
    size_t w = cs_traj_meta_put_folds(buf + l, sizeof buf - l, 3, f, N);
    CHECK(w == strlen(buf + l));
    strcat(buf, "tool=x\n");
    cs_traj_header_info h = {N, 4, CS_TRAJ_SCALARS, y, buf, strlen(buf), 0};
    int K = 0;
    CHECK_OK(cs_traj_meta_folds(&h, &K, g));
    CHECK(K == 3 && memcmp(f, g, N) == 0);
    char v[16];
    CHECK(cs_traj_meta_get(&h, "tool", v, sizeof v) && strcmp(v, "x") == 0);
    /* a trajectory from before folds: K = 1, nothing else in its metadata */
    CHECK(cs_traj_meta_put_folds(buf, sizeof buf, 1, f, N) == 0);
    cs_traj_header_info old = {N, 4, CS_TRAJ_SCALARS, y, "seed=1\nruns=1\n", 14, 0};
    memset(g, 7, N);
    CHECK_OK(cs_traj_meta_folds(&old, &K, g));
    CHECK(K == 1 && g[0] == 0 && g[N - 1] == 0);
    /* damaged metadata: refused with a message */
    char bad[64 + N];
    snprintf(bad, sizeof bad, "folds=3\nfold_of=0123\n");
    cs_traj_header_info hb = {4, 4, CS_TRAJ_SCALARS, y, bad, strlen(bad), 0};
    CHECK(cs_traj_meta_folds(&hb, &K, g) == CS_EFORMAT && strstr(cs_errmsg(), "sample 3"));
    snprintf(bad, sizeof bad, "folds=3\nfold_of=01\n");
    CHECK(cs_traj_meta_folds(&hb, &K, g) == CS_EFORMAT);
    snprintf(bad, sizeof bad, "folds=3\n");
    CHECK(cs_traj_meta_folds(&hb, &K, g) == CS_EFORMAT && strstr(cs_errmsg(), "without fold_of"));
    snprintf(bad, sizeof bad, "folds=x\nfold_of=0120\n");
    CHECK(cs_traj_meta_folds(&hb, &K, g) == CS_EFORMAT);
}

static void test_bad_input(void)
{
    int32_t y[N];
    uint8_t f[N];
    labels(y);
    CHECK(cs_folds_assign(y, N, 4, 0, 1, f) == CS_EINVAL);
    CHECK(cs_folds_assign(y, N, 4, CS_FOLDS_MAX + 1, 1, f) == CS_EINVAL);
    CHECK(cs_folds_assign(y, 2, 4, 3, 1, f) == CS_EINVAL && strstr(cs_errmsg(), "at least 3 samples"));
}

int main(void)
{
    RUN(test_stratified);
    RUN(test_deterministic);
    RUN(test_disjoint_covering);
    RUN(test_record_merge);
    RUN(test_meta);
    RUN(test_bad_input);
    return harness_done();
}
