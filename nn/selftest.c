/* selftest.c - every op of a backend against the CPU reference (selftest.h).  Data enters
 * and leaves the backend only through its upload/download (activations through act_*),
 * like the model's, so this checks a device backend as the model will use it. */
#include "selftest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "../common/rng.h"

/* One buffer of a case: len floats; an activation of n samples of c channels when c > 0
 * (moved by act_upload/act_download), else flat.  init: its starting contents (inputs,
 * and outputs an op accumulates into), or NULL for zeros. */
typedef struct buf {
    const char *name;
    size_t len;
    int n, c;
    float *init;
} buf;

#define MAX_BUFS 12

typedef void (*op_fn)(const cs_backend *be, float **dev, const void *arg);

typedef struct st {
    const cs_backend *be, *ref;
    double bound;
    FILE *fp;
    int rc; /* the first failure */
    uint64_t seed;
} st;

static float *randn(st *s, size_t n)
{
    cs_rng r;
    cs_rng_seed(&r, ++s->seed);
    float *x = cs_malloc(sizeof(float) * (n ? n : 1));
    if (x)
        for (size_t i = 0; i < n; i++)
            x[i] = (float)cs_rng_normal(&r);
    else if (!s->rc)
        s->rc = CS_ENOMEM;
    return x;
}

static float *put(const cs_backend *be, const buf *b)
{
    float *d = be->ops->alloc(be->ctx, sizeof(float) * (b->len ? b->len : 1));
    if (!d || !b->init)
        return d;
    if (b->c > 0 && be->ops->act_upload)
        be->ops->act_upload(be->ctx, d, b->init, b->n, b->c, (int)(b->len / ((size_t)b->n * b->c)));
    else
        be->ops->upload(be->ctx, d, b->init, sizeof(float) * b->len);
    return d;
}

static void get(const cs_backend *be, float *h, const float *d, const buf *b)
{
    if (b->c > 0 && be->ops->act_download)
        be->ops->act_download(be->ctx, h, d, b->n, b->c, (int)(b->len / ((size_t)b->n * b->c)));
    else
        be->ops->download(be->ctx, h, d, sizeof(float) * b->len);
}

static double nmse(const float *a, const float *ref, size_t n)
{
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)a[i] - ref[i];
        num += d * d;
        den += (double)ref[i] * ref[i];
    }
    if (isnan(num))
        return INFINITY;
    return den > 0 ? num / den : num;
}

static int status(const cs_backend *be) { return be->ops->status ? be->ops->status(be->ctx) : 0; }

/* Run fn on both backends over bufs[0..nb) and compare the buffers marked in outmask. */
static void run_case(st *s, const char *label, buf *bufs, int nb, unsigned outmask, op_fn fn, const void *arg)
{
    if (s->rc)
        return;
    const cs_backend *bes[2] = {s->be, s->ref};
    float *res[2][MAX_BUFS] = {{0}};
    for (int k = 0; k < 2 && !s->rc; k++) {
        const cs_backend *be = bes[k];
        float *dev[MAX_BUFS] = {0};
        int oom = 0;
        for (int i = 0; i < nb; i++)
            oom |= !(dev[i] = put(be, &bufs[i]));
        if (oom) {
            s->rc = cs_error(CS_ENOMEM, "backend '%s' self-check: %s: out of memory", be->ops->name, label);
        } else {
            fn(be, dev, arg);
            for (int i = 0; i < nb; i++)
                if (outmask >> i & 1) {
                    if ((res[k][i] = cs_malloc(sizeof(float) * (bufs[i].len ? bufs[i].len : 1))))
                        get(be, res[k][i], dev[i], &bufs[i]);
                    else
                        s->rc = CS_ENOMEM;
                }
            int rc = status(be);
            if (rc && !s->rc)
                s->rc = cs_error(rc, "backend '%s' self-check: %s: %s", be->ops->name, label, cs_errmsg());
        }
        for (int i = 0; i < nb; i++)
            if (dev[i])
                be->ops->free(be->ctx, dev[i]);
    }
    for (int i = 0; i < nb && !s->rc; i++)
        if (outmask >> i & 1) {
            double e = nmse(res[0][i], res[1][i], bufs[i].len);
            int ok = e <= s->bound;
            char what[160];
            snprintf(what, sizeof what, "%s %s", label, bufs[i].name);
            if (s->fp)
                fprintf(s->fp, "%-52s nmse %-9.2g %s\n", what, e, ok ? "ok" : "BEYOND BOUND");
            if (!ok)
                s->rc = cs_error(CS_EINTERNAL, "backend '%s' self-check: %s: nmse %.3g above the bound %.3g",
                                 s->be->ops->name, what, e, s->bound);
        }
    for (int i = 0; i < nb; i++) {
        free(res[0][i]);
        free(res[1][i]);
    }
}

static void free_inits(buf *bufs, int nb)
{
    for (int i = 0; i < nb; i++)
        free(bufs[i].init);
}

/* --- convolution: forward, then the full backward ----------------------------------------- */

/* bufs: x, w, b, dy | y, dx, dw, db */
static void conv_fn(const cs_backend *be, float **v, const void *arg)
{
    const cs_window *d = arg;
    const cs_backend_ops *o = be->ops;
    if (o->conv_prepare && o->conv_prepare(be->ctx, d))
        return;
    size_t wsn = o->conv_ws_floats(be->ctx, d);
    float *ws = o->alloc(be->ctx, sizeof(float) * (wsn ? wsn : 1));
    if (!ws)
        return;
    o->conv_forward(be->ctx, d, v[4], v[0], v[1], v[2], ws);
    o->conv_backward(be->ctx, d, v[5], v[6], v[7], v[3], v[0], v[1], ws);
    o->free(be->ctx, ws);
}

static void conv_case(st *s, int c, int h, int w, int k, int kh, int kw, int stride, int pad)
{
    int n = 4;
    cs_window d = {.n = n, .c = c, .h = h, .w = w, .k = k, .kh = kh, .kw = kw, .sh = h == 1 ? 1 : stride,
                   .sw = stride, .ph = h == 1 ? 0 : pad, .pw = pad};
    if (cs_window_set(&d))
        return;
    size_t xn = (size_t)n * c * h * w, yn = (size_t)n * k * d.ho * d.wo, wn = (size_t)k * c * kh * kw;
    buf b[8] = {
        {"x", xn, n, c, randn(s, xn)},      {"w", wn, 0, 0, randn(s, wn)},
        {"b", (size_t)k, 0, 0, randn(s, (size_t)k)}, {"dy", yn, n, k, randn(s, yn)},
        {"forward", yn, n, k, NULL},        {"backward-data", xn, n, c, NULL},
        {"backward-weights", wn, 0, 0, randn(s, wn)}, {"backward-bias", (size_t)k, 0, 0, randn(s, (size_t)k)},
    };
    char label[96];
    snprintf(label, sizeof label, "conv %dx%dx%d->%d k%dx%d s%d p%d", c, h, w, k, kh, kw, stride, pad);
    run_case(s, label, b, 8, 0xF0, conv_fn, &d);
    free_inits(b, 8);
}

/* --- batch norm: forward, then backward with the forward's statistics ------------------- */

typedef struct bn_arg {
    int n, c, hw, train;
} bn_arg;

/* bufs: x, gamma, beta, dy | run_mean, run_var (updated in train mode), y, mean, invstd,
 * dx, dgamma, dbeta */
static void bn_fn(const cs_backend *be, float **v, const void *arg)
{
    const bn_arg *a = arg;
    be->ops->bn_forward(be->ctx, v[6], v[7], v[8], v[4], v[5], v[0], v[1], v[2], a->n, a->c, a->hw, a->train,
                        0.1f, 1e-5f);
    be->ops->bn_backward(be->ctx, v[9], v[10], v[11], v[3], v[0], v[7], v[8], v[1], a->n, a->c, a->hw, a->train);
}

static void bn_case(st *s, int c, int hw, int train)
{
    int n = 4;
    size_t len = (size_t)n * c * hw, C = (size_t)c;
    float *rv = randn(s, C);
    for (size_t i = 0; rv && i < C; i++)
        rv[i] = 0.5f + rv[i] * rv[i]; /* a variance */
    buf b[12] = {
        {"x", len, n, c, randn(s, len)}, {"gamma", C, 0, 0, randn(s, C)}, {"beta", C, 0, 0, randn(s, C)},
        {"dy", len, n, c, randn(s, len)}, {"running-mean", C, 0, 0, randn(s, C)}, {"running-var", C, 0, 0, rv},
        {"forward", len, n, c, NULL}, {"mean", C, 0, 0, NULL}, {"invstd", C, 0, 0, NULL},
        {"backward-data", len, n, c, NULL}, {"backward-gamma", C, 0, 0, randn(s, C)},
        {"backward-beta", C, 0, 0, randn(s, C)},
    };
    bn_arg a = {n, c, hw, train};
    char label[96];
    snprintf(label, sizeof label, "batchnorm %dx%d %s", c, hw, train ? "train" : "eval");
    run_case(s, label, b, 12, 0xFF0, bn_fn, &a);
    free_inits(b, 12);
}

/* --- pooling ---------------------------------------------------------------------------- */

/* bufs: x, dy | y, dx (argmax is the backend's own: allocated here, compared through dx) */
static void pool_fn(const cs_backend *be, float **v, const void *arg)
{
    const cs_window *d = arg;
    size_t on = (size_t)d->n * d->c * d->ho * d->wo;
    int *am = be->ops->alloc(be->ctx, sizeof(int) * (on ? on : 1));
    if (!am)
        return;
    be->ops->maxpool_forward(be->ctx, d, v[2], am, v[0]);
    be->ops->maxpool_backward(be->ctx, d, v[3], v[1], am);
    be->ops->free(be->ctx, am);
}

static void pool_case(st *s, int c, int h, int w, int k, int stride, int pad)
{
    int n = 4;
    cs_window d = {.n = n, .c = c, .h = h, .w = w, .kh = h == 1 ? 1 : k, .kw = k, .sh = h == 1 ? 1 : stride,
                   .sw = stride, .ph = h == 1 ? 0 : pad, .pw = pad};
    if (cs_window_set(&d))
        return;
    size_t xn = (size_t)n * c * h * w, yn = (size_t)n * c * d.ho * d.wo;
    buf b[4] = {{"x", xn, n, c, randn(s, xn)}, {"dy", yn, n, c, randn(s, yn)}, {"forward", yn, n, c, NULL},
                {"backward", xn, n, c, NULL}};
    char label[96];
    snprintf(label, sizeof label, "maxpool %dx%dx%d k%d s%d p%d", c, h, w, k, stride, pad);
    run_case(s, label, b, 4, 0xC, pool_fn, &d);
    free_inits(b, 4);
}

typedef struct nchw {
    int n, c, hw;
} nchw;

/* bufs: x, dy | y, dx */
static void gap_fn(const cs_backend *be, float **v, const void *arg)
{
    const nchw *a = arg;
    be->ops->gap_forward(be->ctx, v[2], v[0], a->n, a->c, a->hw);
    be->ops->gap_backward(be->ctx, v[3], v[1], a->n, a->c, a->hw);
}

static void gap_case(st *s, int c, int hw)
{
    int n = 4;
    size_t xn = (size_t)n * c * hw, yn = (size_t)n * c;
    /* the pooled (n, c) values are what linear reads: flat, like the model's */
    buf b[4] = {{"x", xn, n, c, randn(s, xn)}, {"dy", yn, 0, 0, randn(s, yn)}, {"forward", yn, 0, 0, NULL},
                {"backward", xn, n, c, NULL}};
    nchw a = {n, c, hw};
    char label[96];
    snprintf(label, sizeof label, "gap %dx%d", c, hw);
    run_case(s, label, b, 4, 0xC, gap_fn, &a);
    free_inits(b, 4);
}

/* --- linear ------------------------------------------------------------------------------- */

/* bufs: x, w, b, dy | y, dx, dw, db */
static void linear_fn(const cs_backend *be, float **v, const void *arg)
{
    const int *a = arg; /* n, in, out */
    be->ops->linear_forward(be->ctx, v[4], v[0], v[1], v[2], a[0], a[1], a[2]);
    be->ops->linear_backward(be->ctx, v[5], v[6], v[7], v[3], v[0], v[1], a[0], a[1], a[2]);
}

static void linear_case(st *s, int n, int in_f, int out_f)
{
    size_t xn = (size_t)n * in_f, yn = (size_t)n * out_f, wn = (size_t)out_f * in_f, O = (size_t)out_f;
    buf b[8] = {
        {"x", xn, 0, 0, randn(s, xn)}, {"w", wn, 0, 0, randn(s, wn)}, {"b", O, 0, 0, randn(s, O)},
        {"dy", yn, 0, 0, randn(s, yn)}, {"forward", yn, 0, 0, NULL}, {"backward-data", xn, 0, 0, NULL},
        {"backward-weights", wn, 0, 0, randn(s, wn)}, {"backward-bias", O, 0, 0, randn(s, O)},
    };
    int a[3] = {n, in_f, out_f};
    char label[96];
    snprintf(label, sizeof label, "linear %d->%d batch %d", in_f, out_f, n);
    run_case(s, label, b, 8, 0xF0, linear_fn, a);
    free_inits(b, 8);
}

/* --- element-wise and optimisers ------------------------------------------------------------ */

/* bufs: a, b, dy | relu(a), relu'(dy), a+b, a+=b, copy */
static void elementwise_fn(const cs_backend *be, float **v, const void *arg)
{
    size_t n = *(const size_t *)arg;
    be->ops->relu_forward(be->ctx, v[3], v[0], n);
    be->ops->relu_backward(be->ctx, v[4], v[2], v[3], n);
    be->ops->add_forward(be->ctx, v[5], v[0], v[1], n);
    be->ops->copy(be->ctx, v[6], v[0], n);
    be->ops->add_inplace(be->ctx, v[6], v[1], n);
    be->ops->copy(be->ctx, v[7], v[1], n);
}

static void elementwise_case(st *s, size_t n)
{
    buf b[8] = {
        {"a", n, 0, 0, randn(s, n)}, {"b", n, 0, 0, randn(s, n)}, {"dy", n, 0, 0, randn(s, n)},
        {"relu-forward", n, 0, 0, NULL}, {"relu-backward", n, 0, 0, NULL}, {"add", n, 0, 0, NULL},
        {"add-inplace", n, 0, 0, NULL}, {"copy", n, 0, 0, NULL},
    };
    run_case(s, "elementwise", b, 8, 0xF8, elementwise_fn, &n);
    free_inits(b, 8);
}

/* bufs: g | p, buf (SGD), p, m, v (AdamW), after three steps each */
static void optim_fn(const cs_backend *be, float **v, const void *arg)
{
    size_t n = *(const size_t *)arg;
    for (long t = 1; t <= 3; t++) {
        be->ops->sgd_step(be->ctx, v[1], v[0], v[2], n, 0.05f, 0.9f, 5e-4f, t == 2);
        be->ops->adamw_step(be->ctx, v[3], v[0], v[4], v[5], n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, t);
    }
}

static void optim_case(st *s, size_t n)
{
    buf b[6] = {
        {"g", n, 0, 0, randn(s, n)}, {"sgd-params", n, 0, 0, randn(s, n)}, {"sgd-momentum", n, 0, 0, NULL},
        {"adamw-params", n, 0, 0, randn(s, n)}, {"adamw-m", n, 0, 0, NULL}, {"adamw-v", n, 0, 0, NULL},
    };
    run_case(s, "optimiser 3 steps", b, 6, 0x3E, optim_fn, &n);
    free_inits(b, 6);
}

/* --- the matrix ------------------------------------------------------------------------------ */

int cs_backend_selftest(const cs_backend *be, int full, double bound, FILE *fp)
{
    cs_backend *ref = NULL;
    int rc = cs_backend_ref_create(&ref, 1);
    if (rc)
        return rc;
    st s = {be, ref, bound, fp, 0, 0};
    /* the stems (1 and 3 channels, 1-D over 12 leads), 3x3 blocks, stride-2 3x3 and 1x1
     * downsampling, a bias; the quick check takes the first three */
    conv_case(&s, 3, 16, 16, 16, 3, 3, 1, 1);
    conv_case(&s, 16, 9, 9, 32, 3, 3, 2, 1);
    conv_case(&s, 12, 1, 100, 16, 1, 7, 2, 3);
    if (full) {
        conv_case(&s, 1, 28, 28, 64, 7, 7, 2, 3);
        conv_case(&s, 64, 7, 7, 64, 3, 3, 1, 1);
        conv_case(&s, 64, 8, 8, 128, 1, 1, 2, 0);
        conv_case(&s, 32, 1, 25, 32, 1, 3, 1, 1);
    }
    bn_case(&s, 16, 25, 1);
    bn_case(&s, 16, 25, 0);
    pool_case(&s, 8, 9, 9, 3, 2, 1);
    if (full) {
        pool_case(&s, 8, 8, 8, 2, 2, 0);
        pool_case(&s, 8, 1, 50, 3, 2, 1);
        gap_case(&s, 64, 1);
    }
    gap_case(&s, 32, 16);
    linear_case(&s, 8, 64, 10);
    elementwise_case(&s, full ? 100003 : 4099);
    optim_case(&s, full ? 100003 : 4099);
    cs_backend_free(ref);
    return s.rc;
}
