/* test_score_ref.c - every score and option of the streaming accumulator, and
 * the focus of random maps, against the independent NumPy implementation
 * tests/ref_scores.py.
 *
 * A seeded synthetic trajectory (N = 500, C = 3, T = 30, 2 runs, logits that
 * learn over epochs, some samples never correct, focus NaN at random and never
 * for a few samples) is written as raw columns, scored by both, and compared:
 * |c - ref| <= 1e-6 * max(1, |ref|) (relative above 1, absolute below), NaN
 * and +inf must match exactly.  Focus maps: |c - ref| <= 1e-9. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "../common/rng.h"
#include "../train/focus.h"
#include "../score/score.h"
#include "harness.h"

enum { N = 500, T = 30, R = 2 };

static const char *py(void)
{
    const char *p = getenv("PY");
    return p && *p ? p : "/usr/bin/python3";
}

/* 1 if the reference can run here; otherwise a visible SKIP. */
static int have_reference(void)
{
    if (access("tests/ref_scores.py", R_OK) != 0) {
        harness_skip("tests/ref_scores.py not found (run from the repository root)");
        return 0;
    }
    char cmd[512];
    snprintf(cmd, sizeof cmd, "'%s' -c 'import numpy' >/dev/null 2>&1", py());
    if (system(cmd) != 0) {
        harness_skip("numpy not importable by '%s'", py());
        return 0;
    }
    return 1;
}

static int write_raw(const char *dir, const char *name, const void *data, size_t bytes)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, bytes, f);
    return fclose(f) == 0 && w == bytes ? 0 : -1;
}

static double *read_f64(const char *dir, const char *name, size_t count)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.f64", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    double *v = malloc(count * sizeof *v);
    size_t got = v ? fread(v, sizeof *v, count, f) : 0;
    fclose(f);
    if (got != count) {
        free(v);
        return NULL;
    }
    return v;
}

/* Mismatches between c and ref under the tolerance in the file comment. */
static int64_t compare(const char *what, const double *c, const double *ref, int64_t n, double rel, double abs_tol)
{
    int64_t bad = 0;
    for (int64_t i = 0; i < n; i++) {
        double a = c[i], b = ref[i];
        int ok = (isnan(a) && isnan(b)) || (isinf(a) && a == b) ||
                 (isfinite(a) && isfinite(b) && fabs(a - b) <= fmax(abs_tol, rel * fmax(1.0, fabs(b))));
        if (!ok && bad++ < 3)
            fprintf(stderr, "  %s: sample %lld: c %.12g, numpy %.12g\n", what, (long long)i, a, b);
    }
    return bad;
}

/* The trajectory, all runs and epochs (the test writes it out; the library streams it). */
typedef struct {
    int C, with_probs;
    float *col[7]; /* err conf margin entropy loss focus correct: R x T x N */
    float *probs;  /* R x T x N x C */
    uint8_t *correct;
    int32_t labels[N];
} synth;

static const char *const field[7] = {"err", "conf", "margin", "entropy", "loss", "focus", "correct"};

static void synth_make(synth *s, int C, int with_probs, uint64_t seed)
{
    cs_rng rng;
    cs_rng_seed(&rng, seed);
    size_t m = (size_t)R * T * N;
    s->C = C;
    s->with_probs = with_probs;
    for (int k = 0; k < 7; k++)
        s->col[k] = malloc(m * sizeof(float));
    s->probs = malloc(m * C * sizeof(float));
    s->correct = malloc(m);
    double ease[N];
    for (int i = 0; i < N; i++) {
        s->labels[i] = (int32_t)cs_rng_below(&rng, (uint64_t)C);
        ease[i] = i < 8 ? -6.0 : 4.0 * cs_rng_uniform(&rng); /* the first 8 never learn */
    }
    for (int r = 0; r < R; r++)
        for (int t = 1; t <= T; t++)
            for (int i = 0; i < N; i++) {
                size_t o = ((size_t)r * T + (t - 1)) * N + i;
                int y = s->labels[i];
                double z[8], mx = -INFINITY, zo = -INFINITY, sum = 0, p[8];
                for (int j = 0; j < C; j++) {
                    z[j] = cs_rng_normal(&rng) + (j == y ? ease[i] * t / T : 0.0);
                    mx = fmax(mx, z[j]);
                    if (j != y)
                        zo = fmax(zo, z[j]);
                }
                for (int j = 0; j < C; j++)
                    sum += p[j] = exp(z[j] - mx);
                double e2 = 0, ent = 0;
                int arg = 0;
                for (int j = 0; j < C; j++) {
                    p[j] /= sum;
                    e2 += (p[j] - (j == y)) * (p[j] - (j == y));
                    ent -= p[j] * log(p[j]);
                    s->probs[o * C + j] = (float)p[j];
                    if (z[j] > z[arg])
                        arg = j;
                }
                s->col[0][o] = (float)sqrt(e2);
                s->col[1][o] = (float)p[y];
                s->col[2][o] = (float)(z[y] - zo);
                s->col[3][o] = (float)ent;
                s->col[4][o] = (float)-log(p[y]);
                double u = cs_rng_uniform(&rng);
                s->col[5][o] = (i >= 8 && i < 14) || u < 0.3 ? NAN : (float)cs_rng_uniform(&rng);
                s->correct[o] = arg == y;
                s->col[6][o] = (float)s->correct[o];
            }
}

static void synth_free(synth *s)
{
    for (int k = 0; k < 7; k++)
        free(s->col[k]);
    free(s->probs);
    free(s->correct);
}

static int synth_write(const synth *s, const char *dir)
{
    char name[64];
    size_t per = (size_t)T * N;
    for (int r = 0; r < R; r++) {
        for (int k = 0; k < 7; k++) {
            snprintf(name, sizeof name, "%s_%d.f32", field[k], r);
            if (write_raw(dir, name, s->col[k] + r * per, per * sizeof(float)))
                return -1;
        }
        snprintf(name, sizeof name, "probs_%d.f32", r);
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        remove(path);
        if (s->with_probs && write_raw(dir, name, s->probs + r * per * s->C, per * s->C * sizeof(float)))
            return -1;
    }
    return write_raw(dir, "labels.i32", s->labels, sizeof s->labels);
}

static int write_params(const char *dir, const cs_score_params *p, int C)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/params.json", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f,
            "{\"n\": %d, \"num_classes\": %d, \"epochs\": %d, \"runs\": %d, \"eva_k\": %d, \"eva_early\": %d, "
            "\"eva_late\": %d, \"eva_unbiased\": %d, \"eva_normalise\": %d, \"eva_weighted\": %d, "
            "\"eva_w\": %.17g, \"el2n_first\": %d, \"el2n_last\": %d, \"forget_never_zero\": %d, "
            "\"unc_last_k\": %d, \"dyn_j\": %d, \"gamma\": %.17g, \"dual_j\": %d, \"dual_epochs\": %d, "
            "\"tdds_j\": %d, \"tdds_epochs\": %d, \"tdds_beta\": %.17g}\n",
            N, C, T, R, p->eva_k, p->eva_early, p->eva_late, p->eva_unbiased, p->eva_normalise,
            p->eva_weighted, p->eva_w, p->el2n_first, p->el2n_last, p->forget_never_zero, p->unc_last_k,
            p->dyn_j, p->focus_gamma, p->dual_j, p->dual_epochs, p->tdds_j, p->tdds_epochs, p->tdds_beta);
    return fclose(f);
}

/* Score s with p in C and in NumPy, compare everything (every registry score,
 * and every ranking score focus-weighted with p's gamma); returns mismatches. */
static int64_t cross_check(const synth *s, const cs_score_params *p, const char *tag)
{
    char dir[600], out[700], cmd[2048];
    snprintf(dir, sizeof dir, "%s/%s", harness_tmpdir(), tag);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    if (system(cmd) != 0 || synth_write(s, dir) || write_params(dir, p, s->C)) {
        CHECK_MSG(0, "cannot write the trajectory under '%s'", dir);
        return 1;
    }
    snprintf(cmd, sizeof cmd, "'%s' tests/ref_scores.py scores '%s' '%s'", py(), dir, out);
    int rc = system(cmd);
    CHECK_MSG(rc == 0, "%s failed with status %d", cmd, rc);
    if (rc)
        return 1;

    cs_score_acc *acc = NULL;
    CHECK_OK(cs_score_acc_create(&acc, N, s->C, s->labels, T, R, p));
    if (!acc)
        return 1;
    for (int r = 0; r < R; r++)
        for (int t = 1; t <= T; t++) {
            size_t o = ((size_t)r * T + (t - 1)) * N;
            cs_epoch_record rec = {t, r, N, s->C, s->col[0] + o, s->col[1] + o, s->col[2] + o, s->col[3] + o,
                                   s->col[4] + o, s->col[5] + o, s->correct + o, NULL,
                                   s->with_probs ? s->probs + o * s->C : NULL};
            CHECK_OK(cs_score_acc_add(acc, &rec));
        }
    CHECK_OK(cs_score_acc_finish(acc));
    CHECK(cs_score_acc_focus_missing(acc) == 6);

    int64_t bad = 0;
    double *fw = malloc(N * sizeof *fw);
    for (int id = 0; id < CS_SCORE_COUNT; id++) {
        const cs_score_info *info = cs_score_info_at(id);
        const double *c = cs_score_get(acc, info->name);
        CHECK_MSG(c != NULL, "%s: %s", info->name, cs_errmsg());
        double *ref = read_f64(out, info->name, N);
        CHECK_MSG(ref != NULL, "numpy wrote no '%s/%s.f64'", out, info->name);
        if (c && ref)
            bad += compare(info->name, c, ref, N, 1e-6, 1e-6);
        free(ref);
        if (info->helper || id == CS_SCORE_FOCUS_WEIGHTED)
            continue;
        char fname[64];
        snprintf(fname, sizeof fname, "fw_%s", info->name);
        ref = read_f64(out, fname, N);
        CHECK_MSG(ref != NULL, "numpy wrote no '%s/%s.f64'", out, fname);
        CHECK_OK(cs_score_focus_weighted(acc, info->name, p->focus_gamma, fw));
        if (ref)
            bad += compare(fname, fw, ref, N, 1e-6, 1e-6);
        free(ref);
    }
    free(fw);
    cs_score_acc_free(acc);
    CHECK_MSG(bad == 0, "%s: %lld values differ from numpy", tag, (long long)bad);
    return bad;
}

static void test_scores_vs_numpy_defaults(void)
{
    if (!have_reference())
        return;
    synth s;
    synth_make(&s, 3, 1, 11);
    cs_score_params p;
    cs_score_params_default(&p);
    cross_check(&s, &p, "defaults");
    synth_free(&s);
}

static void test_scores_vs_numpy_options(void)
{
    if (!have_reference())
        return;
    synth s;
    synth_make(&s, 3, 1, 12);
    cs_score_params p;
    cs_score_params_default(&p);
    p.eva_unbiased = 1;
    p.eva_normalise = 1;
    p.eva_weighted = 1;
    p.eva_w = 0.5;
    p.forget_never_zero = 1;
    p.unc_last_k = 4;
    cross_check(&s, &p, "authors");

    cs_score_params_default(&p);
    p.eva_k = 7;
    p.eva_early = 3;
    p.eva_late = 16;
    p.eva_normalise = 1;
    p.el2n_first = 5;
    p.el2n_last = 12;
    p.dyn_j = 5;
    p.unc_last_k = 3;
    p.focus_gamma = 2.0;
    cross_check(&s, &p, "windows");
    synth_free(&s);
}

/* C = 2 without probabilities: least confidence and margin come from conf. */
static void test_scores_vs_numpy_binary(void)
{
    if (!have_reference())
        return;
    synth s;
    synth_make(&s, 2, 0, 13);
    cs_score_params p;
    cs_score_params_default(&p);
    p.unc_last_k = 2;
    p.focus_gamma = 0.5;
    cross_check(&s, &p, "binary");
    synth_free(&s);
}

typedef struct {
    const char *name;
    int count, h, w, H, W; /* H = 0: no resize; h = 1: a 1-D map of length w */
} fcase;

static void test_focus_vs_numpy(void)
{
    if (!have_reference())
        return;
    static const fcase cases[] = {
        {"rand2d", 200, 7, 7, 0, 0},     {"rand1d", 200, 1, 50, 0, 0},  {"ties2d", 200, 6, 6, 0, 0},
        {"ties1d", 200, 1, 13, 0, 0},    {"single", 5, 1, 1, 0, 0},     {"up2d", 100, 7, 7, 28, 28},
        {"up1d", 100, 1, 40, 1, 250},    {"down2d", 50, 16, 16, 5, 5},  {"odd2d", 50, 3, 5, 11, 7},
    };
    enum { NC = sizeof cases / sizeof cases[0] };
    char dir[600], out[700], path[1024], cmd[2048];
    snprintf(dir, sizeof dir, "%s/focus", harness_tmpdir());
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    CHECK(system(cmd) == 0);
    snprintf(path, sizeof path, "%s/focus_cases.json", dir);
    FILE *js = fopen(path, "w");
    CHECK(js != NULL);
    if (!js)
        return;
    cs_rng rng;
    cs_rng_seed(&rng, 99);
    float *maps[NC];
    fputc('[', js);
    for (int c = 0; c < NC; c++) {
        const fcase *k = &cases[c];
        int64_t per = (int64_t)k->h * k->w, m = per * k->count;
        maps[c] = malloc((size_t)m * sizeof(float));
        for (int64_t j = 0; j < m; j++) {
            int64_t map = j / per;
            if (strncmp(k->name, "ties", 4) == 0) /* 4 levels, and the first 10 maps constant */
                maps[c][j] = map < 10 ? (float)(map % 3) : (float)cs_rng_below(&rng, 4);
            else
                maps[c][j] = (float)(cs_rng_uniform(&rng) * 5.0);
        }
        snprintf(cmd, sizeof cmd, "%s.f32", k->name);
        CHECK(write_raw(dir, cmd, maps[c], (size_t)m * sizeof(float)) == 0);
        char rs[64] = "null";
        if (k->H && k->h == 1)
            snprintf(rs, sizeof rs, "[%d]", k->W);
        else if (k->H)
            snprintf(rs, sizeof rs, "[%d, %d]", k->H, k->W);
        if (k->h == 1)
            fprintf(js, "%s{\"name\": \"%s\", \"count\": %d, \"shape\": [%d], \"resize\": %s}", c ? ", " : "",
                    k->name, k->count, k->w, rs);
        else
            fprintf(js, "%s{\"name\": \"%s\", \"count\": %d, \"shape\": [%d, %d], \"resize\": %s}",
                    c ? ", " : "", k->name, k->count, k->h, k->w, rs);
    }
    fputs("]\n", js);
    fclose(js);
    snprintf(cmd, sizeof cmd, "'%s' tests/ref_scores.py focus '%s' '%s'", py(), dir, out);
    int rc = system(cmd);
    CHECK_MSG(rc == 0, "%s failed with status %d", cmd, rc);

    char skipped[512] = "";
    snprintf(path, sizeof path, "%s/skipped.txt", out);
    FILE *sf = fopen(path, "r");
    if (sf) {
        size_t got = fread(skipped, 1, sizeof skipped - 1, sf);
        skipped[got] = 0;
        fclose(sf);
    }
    for (int c = 0; c < NC && rc == 0; c++) {
        const fcase *k = &cases[c];
        int64_t per = (int64_t)k->h * k->w;
        if (strstr(skipped, k->name)) {
            printf("SKIP: %s:%s: torch not importable by '%s' for the resize reference\n", __FILE__, k->name, py());
            continue;
        }
        double *ref = read_f64(out, k->name, (size_t)k->count);
        CHECK_MSG(ref != NULL, "numpy wrote no '%s/%s.f64'", out, k->name);
        if (!ref)
            continue;
        double *got = malloc((size_t)k->count * sizeof *got);
        for (int i = 0; i < k->count; i++) {
            const float *mp = maps[c] + i * per;
            if (!k->H)
                CHECK_OK(cs_focus(mp, per, NULL, &got[i]));
            else if (k->h == 1)
                CHECK_OK(cs_focus_resized_1d(mp, k->w, k->W, NULL, &got[i]));
            else
                CHECK_OK(cs_focus_resized_2d(mp, k->h, k->w, k->H, k->W, NULL, &got[i]));
        }
        CHECK_MSG(compare(k->name, got, ref, k->count, 0, 1e-9) == 0, "focus case %s differs", k->name);
        if (strncmp(k->name, "ties", 4) == 0)
            CHECK(got[0] == 0.0 && ref[0] == 0.0); /* constant map */
        free(got);
        free(ref);
    }
    for (int c = 0; c < NC; c++)
        free(maps[c]);
}

int main(void)
{
    RUN(test_scores_vs_numpy_defaults);
    RUN(test_scores_vs_numpy_options);
    RUN(test_scores_vs_numpy_binary);
    RUN(test_focus_vs_numpy);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", harness_tmpdir());
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove '%s'\n", harness_tmpdir());
    return harness_done();
}
