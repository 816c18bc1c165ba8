/* test_nn_backend.c - every backend this binary has against the CPU reference, op by op
 * (ggml's test-backend-ops), then whole models.
 *
 * backends[] lists the backends built in, the reference first.  Each op test runs the op
 * on the same random inputs on every backend and on the reference, and holds the results
 * to that backend's bound for the op: 0 means bit for bit, anything else is a relative
 * error max |ours - ref| / max |ref|.  Data enters and leaves a backend only through its
 * upload/download, into memory from its alloc (activations through act_upload /
 * act_download where it keeps its own layout), so a backend with device memory is one
 * more row of the table.  The CPU backends do the reference's own arithmetic everywhere
 * but in convolutions, where oneDNN may differ by 2e-6 (direct kernels) or 2e-5
 * (Winograd), and so in whole models.  The reference is checked against itself too: the
 * same bits on a second run. */
#include "harness.h"

#include "../common/err.h"
#include "../common/rng.h"
#include "../nn/backend.h"
#include "../nn/backends.h"
#include "../nn/layout_c16.h"
#include "../nn/model.h"
#include "../nn/optim.h"
#include "../nn/selftest.h"

/* What a backend's bounds are given for. */
enum { OP_CONV, OP_BN, OP_POOL, OP_GAP, OP_RELU, OP_LINEAR, OP_ELEMENTWISE, OP_OPTIM, OP_MODEL, NUM_OPS };

typedef struct backend_entry {
    const char *name;            /* its registry name (nn/backends.c) and ops->name */
    double tol[NUM_OPS];         /* bound against the reference, per op (0: the same bits) */
    int c16;                     /* activations in layout_c16.h's blocked layout */
} backend_entry;

/* The bounds each registered backend is held to.  The backends themselves come from the
 * registry (cs_backend_info_at), so a backend without a row here fails test_registry
 * rather than go unchecked.  CUDA: cuDNN's float32 convolutions and cuBLAS sum in other
 * orders than the reference (deterministic algorithms, no TF32), so 1e-5 per op and 1e-4
 * for whole models; element-wise ops, pooling and the optimisers are the same float32
 * expressions as the reference (nn/cuda/cuda_math.h), so they agree to rounding. */
static const backend_entry bounds[] = {
    {"cpu-ref", {0}, 0},
    {"cpu-onednn", {[OP_CONV] = 2e-6, [OP_MODEL] = 1e-4}, 1},
    {"cpu-onednn-winograd", {[OP_CONV] = 2e-5, [OP_MODEL] = 1e-4}, 1},
    {"cuda", {[OP_CONV] = 1e-5, [OP_BN] = 1e-5, [OP_GAP] = 1e-6, [OP_LINEAR] = 1e-5,
              [OP_OPTIM] = 1e-6, [OP_MODEL] = 1e-4}, 0},
};

#define MAX_BACKENDS 8
static backend_entry backends[MAX_BACKENDS]; /* registry order, the reference first */
static size_t n_backends;
static cs_backend *inst[MAX_BACKENDS]; /* made by test_registry; NULL where that failed */

typedef void (*backend_check)(const backend_entry *e, const cs_backend *be, const cs_backend *ref);

/* Run check on every backend that was made, the reference included. */
static void each_backend(backend_check check)
{
    for (size_t i = 0; i < n_backends; i++)
        if (inst[0] && inst[i])
            check(&backends[i], inst[i], inst[0]);
}

/* --- host and backend memory ---------------------------------------------------------- */

static float *host_randn(size_t n, uint64_t seed)
{
    cs_rng r;
    cs_rng_seed(&r, seed);
    float *x = malloc(sizeof(float) * (n ? n : 1));
    for (size_t i = 0; i < n; i++)
        x[i] = (float)cs_rng_normal(&r);
    return x;
}

/* Zeroed backend memory; a test cannot go on without it. */
static void *dev_alloc(const cs_backend *be, size_t bytes)
{
    void *p = be->ops->alloc(be->ctx, bytes ? bytes : 1);
    if (!p) {
        fprintf(stderr, "  %s: out of backend memory (%zu bytes)\n", be->ops->name, bytes);
        exit(1);
    }
    return p;
}

static float *dev_floats(const cs_backend *be, size_t n) { return dev_alloc(be, sizeof(float) * n); }

static void dev_free(const cs_backend *be, void *p)
{
    if (p)
        be->ops->free(be->ctx, p);
}

/* n host floats into new backend memory as they are (weights, vectors, flat slabs). */
static float *dev_put(const cs_backend *be, const float *host, size_t n)
{
    float *d = dev_floats(be, n);
    be->ops->upload(be->ctx, d, host, sizeof(float) * n);
    return d;
}

/* NCHW host activations into new backend memory, in the backend's layout. */
static float *dev_put_act(const cs_backend *be, const float *host, int n, int c, int hw)
{
    size_t len = (size_t)n * c * hw;
    if (!be->ops->act_upload)
        return dev_put(be, host, len);
    float *d = dev_floats(be, len);
    be->ops->act_upload(be->ctx, d, host, n, c, hw);
    return d;
}

static float *host_get(const cs_backend *be, const float *dev, size_t n)
{
    float *h = malloc(sizeof(float) * (n ? n : 1));
    be->ops->download(be->ctx, h, dev, sizeof(float) * n);
    return h;
}

static float *host_get_act(const cs_backend *be, const float *dev, int n, int c, int hw)
{
    size_t len = (size_t)n * c * hw;
    if (!be->ops->act_download)
        return host_get(be, dev, len);
    float *h = malloc(sizeof(float) * (len ? len : 1));
    be->ops->act_download(be->ctx, h, dev, n, c, hw);
    return h;
}

static void free_all(float **p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i]);
}

static void check_status(const cs_backend *be)
{
    if (be->ops->status)
        CHECK_OK(be->ops->status(be->ctx));
}

/* --- comparison ------------------------------------------------------------------------ */

static double rel_err(const float *a, const float *ref, size_t n)
{
    double num = 0, den = 1e-30;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - ref[i]);
        num = d > num || isnan(d) ? d : num;
        den = fabs(ref[i]) > den ? fabs(ref[i]) : den;
    }
    return num / den;
}

/* got (backend e) against want (the reference) under e's bound for op; returns the error. */
static double agree(const backend_entry *e, int op, const float *got, const float *want, size_t n,
                    const char *fmt, ...) CS_PRINTF(6, 7);
static double agree(const backend_entry *e, int op, const float *got, const float *want, size_t n,
                    const char *fmt, ...)
{
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    double tol = e->tol[op], err = rel_err(got, want, n);
    int ok = tol == 0 ? memcmp(got, want, sizeof(float) * n) == 0 : err <= tol;
    CHECK_MSG(ok, "%s: %s: rel err %.3g, bound %g%s", e->name, what, err, tol,
              tol == 0 ? " (the same bits)" : "");
    return err;
}

/* --- the registry ------------------------------------------------------------------------ */

/* Every registry entry has bounds here and makes its backend, under the name it gives; a
 * device backend with no device present is a visible SKIP. */
static void test_registry(void)
{
    CHECK(cs_backend_count() >= 1 && strcmp(cs_backend_info_at(0)->name, "cpu-ref") == 0);
    for (int i = 0; i < cs_backend_count() && n_backends < MAX_BACKENDS; i++) {
        const cs_backend_info *info = cs_backend_info_at(i);
        const backend_entry *b = NULL;
        for (size_t j = 0; j < sizeof bounds / sizeof bounds[0]; j++)
            if (strcmp(bounds[j].name, info->name) == 0)
                b = &bounds[j];
        CHECK_MSG(b != NULL, "backend '%s' has no bounds in this test", info->name);
        if (!b)
            continue;
        size_t k = n_backends++;
        backends[k] = *b;
        int rc = info->create(&inst[k], 0, 2);
        if (rc && info->on_device) {
            harness_skip("%s: %s", info->name, cs_errmsg());
            continue;
        }
        CHECK_MSG(rc == 0, "%s: %s", info->name, cs_errmsg());
        if (inst[k])
            CHECK_MSG(strcmp(inst[k]->ops->name, info->name) == 0, "entry '%s' made '%s'",
                      info->name, inst[k]->ops->name);
    }
    /* device strings: the training alias, an ordinal, refusals with a reason */
    cs_backend *be = NULL;
    CHECK_OK(cs_backend_create(&be, "cpu", 2));
    cs_backend_free(be);
    CHECK(cs_backend_create(&be, "tpu", 2) == CS_EINVAL && be == NULL);
    CHECK(cs_backend_create(&be, "cuda:x", 2) == CS_EINVAL && be == NULL);
#ifndef CS_CUDA
    CHECK(cs_backend_create(&be, "cuda:0", 2) == CS_EUNSUP && strstr(cs_errmsg(), "make CUDA=1"));
    harness_skip("this build has no CUDA (make CUDA=1): the cuda backend is not checked");
#endif
#ifndef CS_HAVE_DNNL
    harness_skip("this build has no oneDNN: only the reference backend is checked");
#endif
}

static void half_pair_upload(void *ctx, float *dst, const float *host, int n, int c, int hw)
{
    (void)ctx;
    memcpy(dst, host, sizeof(float) * (size_t)n * c * hw);
}

/* Every registered backend has the ops a backend must have; a table without upload or
 * download (once "optional", but the model moves every buffer through them) or with half
 * of the act_upload/act_download pair is refused by cs_model_create, not called. */
static void test_required_ops(void)
{
    for (size_t i = 0; i < n_backends; i++)
        if (inst[i])
            CHECK_MSG(cs_backend_check(inst[i]) == 0, "%s: %s", backends[i].name, cs_errmsg());
    if (!inst[0])
        return;
    cs_model_spec s;
    cs_model_spec_init(&s);
    s.in_shape[0] = s.in_shape[1] = 12;
    const char *drop[] = {"upload", "download", "act_download"};
    for (int k = 0; k < 3; k++) {
        cs_backend_ops ops = *inst[0]->ops;
        ops.name = "partial";
        if (k == 0)
            ops.upload = NULL;
        else if (k == 1)
            ops.download = NULL;
        else
            ops.act_upload = half_pair_upload;
        cs_backend be = {&ops, inst[0]->ctx};
        cs_model *m = NULL;
        cs_error_clear();
        int rc = cs_model_create(&m, &s, 2, &be);
        CHECK_MSG(rc == CS_EINVAL && m == NULL, "without '%s': cs_model_create returned %d", drop[k], rc);
        CHECK_MSG(strstr(cs_errmsg(), "backend 'partial'") && strstr(cs_errmsg(), drop[k]),
                  "without '%s': message '%s'", drop[k], cs_errmsg());
        cs_model_free(m);
    }
}

/* --- layout -------------------------------------------------------------------------------- */

/* Activations go in and come back unchanged; in the blocked layout, element (n, c, p) sits
 * where layout_c16.h says, and channel counts that are not a multiple of 16 stay NCHW. */
static void layout_check(const backend_entry *e, const cs_backend *be, const cs_backend *ref)
{
    (void)ref;
    int n = 3, hw = 5, chans[2] = {32, 24};
    for (int ci = 0; ci < 2; ci++) {
        int c = chans[ci];
        size_t len = (size_t)n * c * hw;
        float *x = host_randn(len, 1), *d = dev_put_act(be, x, n, c, hw);
        float *back = host_get_act(be, d, n, c, hw), *raw = host_get(be, d, len);
        CHECK_MSG(memcmp(back, x, sizeof(float) * len) == 0, "%s: %d channels do not come back",
                  e->name, c);
        if (e->c16 && cs_c16_blocked(c)) {
            size_t misplaced = 0;
            for (int i = 0; i < n; i++)
                for (int ch = 0; ch < c; ch++)
                    for (int p = 0; p < hw; p++)
                        misplaced += raw[((size_t)(i * (c / 16) + ch / 16) * hw + p) * 16 + ch % 16] !=
                                     x[((size_t)i * c + ch) * hw + p];
            CHECK_MSG(misplaced == 0, "%s: %zu of %zu elements not where layout_c16.h puts them",
                      e->name, misplaced, len);
        } else if (e->c16) {
            CHECK_MSG(memcmp(raw, x, sizeof(float) * len) == 0, "%s: %d channels not plain",
                      e->name, c);
        }
        dev_free(be, d);
        float *h[] = {x, back, raw};
        free_all(h, 3);
    }
}

static void test_layout(void) { each_backend(layout_check); }

/* --- convolution ------------------------------------------------------------------------ */

typedef struct conv_case {
    int c, h, w, k, kh, kw, s, p, bias;
} conv_case;

/* Shapes of the stem, 3x3 blocks, stride-2 and 1x1 downsampling, tiny maps, 1-D, channel
 * counts that stay NCHW and mixes of plain and blocked sides, a bias. */
static const conv_case conv_cases[] = {
    {1, 12, 12, 16, 3, 3, 1, 1, 0},  {16, 9, 9, 16, 3, 3, 1, 1, 0},
    {16, 9, 9, 32, 3, 3, 2, 1, 0},   {16, 9, 9, 32, 1, 1, 2, 0, 0},
    {32, 3, 3, 32, 3, 3, 1, 1, 0},   {3, 1, 40, 16, 1, 7, 2, 3, 0},
    {16, 1, 20, 16, 1, 3, 1, 1, 0},  {8, 7, 7, 8, 3, 3, 1, 1, 0},
    {8, 7, 7, 16, 3, 3, 1, 1, 0},    {16, 7, 7, 8, 3, 3, 1, 1, 0},
    {16, 6, 6, 16, 3, 3, 1, 1, 1},
};

static cs_window conv_window(const conv_case *cc, int n)
{
    cs_window d = {.n = n, .c = cc->c, .h = cc->h, .w = cc->w, .k = cc->k, .kh = cc->kh,
                   .kw = cc->kw, .sh = cc->kh == 1 && cc->h == 1 ? 1 : cc->s, .sw = cc->s,
                   .ph = cc->h == 1 ? 0 : cc->p, .pw = cc->p};
    CHECK(cs_window_set(&d) == 0);
    return d;
}

typedef struct conv_in {
    const float *x, *w, *b, *dy, *dw0, *db0; /* b and db0 NULL without a bias */
} conv_in;

/* Host results: forward, full backward, and the backward asked for din alone and for dw
 * alone (from the same dw0). */
typedef struct conv_res {
    float *y, *dx, *dw, *db, *dx_only, *dw_only;
} conv_res;

static void conv_on(const cs_backend *be, const cs_window *d, const conv_in *in, conv_res *r)
{
    const cs_backend_ops *o = be->ops;
    void *ctx = be->ctx;
    int hw = d->h * d->w, ohw = d->ho * d->wo;
    size_t in_n = (size_t)d->n * d->c * hw, out_n = (size_t)d->n * d->k * ohw,
           w_n = (size_t)d->k * d->c * d->kh * d->kw;
    if (o->conv_prepare)
        CHECK_OK(o->conv_prepare(ctx, d));
    float *x = dev_put_act(be, in->x, d->n, d->c, hw), *dy = dev_put_act(be, in->dy, d->n, d->k, ohw);
    float *w = dev_put(be, in->w, w_n), *b = in->b ? dev_put(be, in->b, d->k) : NULL;
    /* backward accumulates: dw and db start from the same values on every backend */
    float *dw = dev_put(be, in->dw0, w_n), *db = in->b ? dev_put(be, in->db0, d->k) : NULL;
    float *y = dev_floats(be, out_n), *dx = dev_floats(be, in_n);
    float *ws = dev_floats(be, o->conv_ws_floats(ctx, d));
    o->conv_forward(ctx, d, y, x, w, b, ws);
    o->conv_backward(ctx, d, dx, dw, db, dy, x, w, ws);
    r->y = host_get_act(be, y, d->n, d->k, ohw);
    r->dx = host_get_act(be, dx, d->n, d->c, hw);
    r->dw = host_get(be, dw, w_n);
    r->db = db ? host_get(be, db, d->k) : NULL;
    o->conv_backward(ctx, d, dx, NULL, NULL, dy, x, w, ws);
    r->dx_only = host_get_act(be, dx, d->n, d->c, hw);
    o->upload(ctx, dw, in->dw0, sizeof(float) * w_n);
    o->conv_backward(ctx, d, NULL, dw, NULL, dy, x, w, ws);
    r->dw_only = host_get(be, dw, w_n);
    check_status(be);
    float *dev[] = {x, dy, w, b, dw, db, y, dx, ws};
    for (size_t i = 0; i < sizeof dev / sizeof dev[0]; i++)
        dev_free(be, dev[i]);
}

static void conv_res_free(conv_res *r)
{
    float *h[] = {r->y, r->dx, r->dw, r->db, r->dx_only, r->dw_only};
    free_all(h, 6);
}

static void conv_check(const backend_entry *e, const cs_backend *be, const cs_backend *ref)
{
    for (size_t ci = 0; ci < sizeof conv_cases / sizeof conv_cases[0]; ci++) {
        const conv_case *cc = &conv_cases[ci];
        cs_window d = conv_window(cc, 3);
        size_t in_n = (size_t)d.n * d.c * d.h * d.w, out_n = (size_t)d.n * d.k * d.ho * d.wo,
               w_n = (size_t)d.k * d.c * d.kh * d.kw;
        float *x = host_randn(in_n, 2), *w = host_randn(w_n, 3), *b = host_randn(d.k, 4),
              *dy = host_randn(out_n, 5), *dw0 = host_randn(w_n, 6), *db0 = host_randn(d.k, 7);
        conv_in in = {x, w, cc->bias ? b : NULL, dy, dw0, cc->bias ? db0 : NULL};
        conv_res rr, rb;
        conv_on(ref, &d, &in, &rr);
        conv_on(be, &d, &in, &rb);
        char shape[64];
        snprintf(shape, sizeof shape, "%dx%dx%d -> %d, %dx%d s%d p%d%s", d.c, d.h, d.w, d.k, d.kh,
                 d.kw, cc->s, cc->p, cc->bias ? " bias" : "");
        double ey = agree(e, OP_CONV, rb.y, rr.y, out_n, "conv %s out", shape);
        double ex = agree(e, OP_CONV, rb.dx, rr.dx, in_n, "conv %s din", shape);
        double ew = agree(e, OP_CONV, rb.dw, rr.dw, w_n, "conv %s dw", shape);
        double eb = cc->bias ? agree(e, OP_CONV, rb.db, rr.db, d.k, "conv %s db", shape) : 0;
        if (be != ref)
            printf("  %s %s: rel err out %.2g, din %.2g, dw %.2g, db %.2g\n", e->name, shape, ey,
                   ex, ew, eb);
        CHECK_MSG(memcmp(rb.dx_only, rb.dx, sizeof(float) * in_n) == 0, "%s: conv %s din alone",
                  e->name, shape);
        CHECK_MSG(memcmp(rb.dw_only, rb.dw, sizeof(float) * w_n) == 0, "%s: conv %s dw alone",
                  e->name, shape);
        /* oneDNN's reference kernels are 100x slower: a backend that names its kernels
         * must have found a real one for every pass */
        for (int pass = 0; be->ops->conv_impl && pass < 3; pass++) {
            const char *impl = cs_backend_conv_impl(be, &d, pass);
            CHECK_MSG(strncmp(impl, "ref", 3) != 0, "%s: conv %s pass %d runs '%s'", e->name,
                      shape, pass, impl);
        }
        if (be->ops->conv_impl && ci == 1) /* the 3x3 block shape: which kernels it gets */
            printf("  %s: %s runs %s / %s / %s\n", e->name, shape, cs_backend_conv_impl(be, &d, 0),
                   cs_backend_conv_impl(be, &d, 1), cs_backend_conv_impl(be, &d, 2));
        conv_res_free(&rr);
        conv_res_free(&rb);
        float *h[] = {x, w, b, dy, dw0, db0};
        free_all(h, 6);
    }
}

static void test_conv(void) { each_backend(conv_check); }

/* Same team size, same inputs: the same bits, twice (the kernels split work statically). */
static void conv_repeat_check(const backend_entry *e, const cs_backend *be, const cs_backend *ref)
{
    (void)ref;
    conv_case cc = {32, 14, 14, 32, 3, 3, 1, 1, 0};
    cs_window d = conv_window(&cc, 8);
    size_t in_n = (size_t)8 * 32 * 196, w_n = (size_t)32 * 32 * 9;
    float *x = host_randn(in_n, 8), *w = host_randn(w_n, 9), *dy = host_randn(in_n, 10),
          *dw0 = calloc(w_n, sizeof(float));
    conv_in in = {x, w, NULL, dy, dw0, NULL};
    conv_res r[2];
    for (int k = 0; k < 2; k++)
        conv_on(be, &d, &in, &r[k]);
    CHECK_MSG(memcmp(r[0].y, r[1].y, sizeof(float) * in_n) == 0, "%s: forward", e->name);
    CHECK_MSG(memcmp(r[0].dx, r[1].dx, sizeof(float) * in_n) == 0, "%s: din", e->name);
    CHECK_MSG(memcmp(r[0].dw, r[1].dw, sizeof(float) * w_n) == 0, "%s: dw", e->name);
    for (int k = 0; k < 2; k++)
        conv_res_free(&r[k]);
    float *h[] = {x, w, dy, dw0};
    free_all(h, 4);
}

static void test_conv_repeatable(void) { each_backend(conv_repeat_check); }

/* --- batch norm, pooling, GAP, ReLU on blocked (32) and plain (24) channel counts ---------- */

enum { LN = 4, LH = 6, LW = 6 };
static const int layer_chans[2] = {32, 24};

typedef struct bn_res {
    float *out, *dx, *rm, *rv, *dg, *db;
} bn_res;

static void bn_on(const cs_backend *be, int c, int train, bn_res *r)
{
    int hw = LH * LW;
    size_t len = (size_t)LN * c * hw;
    float *hx = host_randn(len, 11), *hdy = host_randn(len, 12), *hg = host_randn(c, 13),
          *hb = host_randn(c, 14), *hrm = host_randn(c, 15), *hrv = host_randn(c, 16);
    for (int i = 0; i < c; i++)
        hrv[i] = fabsf(hrv[i]) + 0.5f;
    float *x = dev_put_act(be, hx, LN, c, hw), *dy = dev_put_act(be, hdy, LN, c, hw);
    float *g = dev_put(be, hg, c), *bt = dev_put(be, hb, c), *rm = dev_put(be, hrm, c),
          *rv = dev_put(be, hrv, c);
    float *out = dev_floats(be, len), *dx = dev_floats(be, len), *mean = dev_floats(be, c),
          *invstd = dev_floats(be, c), *dg = dev_floats(be, c), *db = dev_floats(be, c);
    be->ops->bn_forward(be->ctx, out, mean, invstd, rm, rv, x, g, bt, LN, c, hw, train, 0.1f, 1e-5f);
    be->ops->bn_backward(be->ctx, dx, dg, db, dy, x, mean, invstd, g, LN, c, hw, train);
    r->out = host_get_act(be, out, LN, c, hw);
    r->dx = host_get_act(be, dx, LN, c, hw);
    r->rm = host_get(be, rm, c);
    r->rv = host_get(be, rv, c);
    r->dg = host_get(be, dg, c);
    r->db = host_get(be, db, c);
    check_status(be);
    float *dev[] = {x, dy, g, bt, rm, rv, out, dx, mean, invstd, dg, db};
    for (size_t i = 0; i < sizeof dev / sizeof dev[0]; i++)
        dev_free(be, dev[i]);
    float *h[] = {hx, hdy, hg, hb, hrm, hrv};
    free_all(h, 6);
}

/* Train and eval mode: outputs, input gradient, running statistics, dgamma and dbeta. */
static void bn_check(const backend_entry *e, const cs_backend *be, const cs_backend *ref)
{
    for (int ci = 0; ci < 2; ci++) {
        int c = layer_chans[ci];
        size_t len = (size_t)LN * c * LH * LW;
        for (int train = 1; train >= 0; train--) {
            bn_res rr, rb;
            bn_on(ref, c, train, &rr);
            bn_on(be, c, train, &rb);
            agree(e, OP_BN, rb.out, rr.out, len, "bn forward c=%d train=%d", c, train);
            agree(e, OP_BN, rb.dx, rr.dx, len, "bn backward c=%d train=%d", c, train);
            agree(e, OP_BN, rb.rm, rr.rm, c, "bn running mean c=%d train=%d", c, train);
            agree(e, OP_BN, rb.rv, rr.rv, c, "bn running var c=%d train=%d", c, train);
            agree(e, OP_BN, rb.dg, rr.dg, c, "bn dgamma c=%d train=%d", c, train);
            agree(e, OP_BN, rb.db, rr.db, c, "bn dbeta c=%d train=%d", c, train);
            float *h[] = {rr.out, rr.dx, rr.rm, rr.rv, rr.dg, rr.db,
                          rb.out, rb.dx, rb.rm, rb.rv, rb.dg, rb.db};
            free_all(h, 12);
        }
    }
}

static void test_bn(void) { each_backend(bn_check); }

/* 3x3 stride-2 max pool with padding: out and din (host), given the same dout. */
static void pool_on(const cs_backend *be, const cs_window *pw, float **out, float **din)
{
    int hw = pw->h * pw->w, ohw = pw->ho * pw->wo;
    size_t len = (size_t)pw->n * pw->c * hw, olen = (size_t)pw->n * pw->c * ohw;
    float *hx = host_randn(len, 11), *hdy = host_randn(olen, 17);
    float *x = dev_put_act(be, hx, pw->n, pw->c, hw), *dy = dev_put_act(be, hdy, pw->n, pw->c, ohw);
    float *y = dev_floats(be, olen), *dx = dev_floats(be, len);
    int *argmax = dev_alloc(be, sizeof(int) * olen);
    be->ops->maxpool_forward(be->ctx, pw, y, argmax, x);
    be->ops->maxpool_backward(be->ctx, pw, dx, dy, argmax);
    *out = host_get_act(be, y, pw->n, pw->c, ohw);
    *din = host_get_act(be, dx, pw->n, pw->c, hw);
    check_status(be);
    dev_free(be, argmax);
    float *dev[] = {x, dy, y, dx};
    for (size_t i = 0; i < 4; i++)
        dev_free(be, dev[i]);
    free(hx);
    free(hdy);
}

static void pool_check(const backend_entry *e, const cs_backend *be, const cs_backend *ref)
{
    for (int ci = 0; ci < 2; ci++) {
        int c = layer_chans[ci];
        cs_window pw = {.n = LN, .c = c, .h = LH, .w = LW, .k = c, .kh = 3, .kw = 3, .sh = 2,
                        .sw = 2, .ph = 1, .pw = 1};
        CHECK(cs_window_set(&pw) == 0);
        float *ro, *rd, *bo, *bd;
        pool_on(ref, &pw, &ro, &rd);
        pool_on(be, &pw, &bo, &bd);
        agree(e, OP_POOL, bo, ro, (size_t)LN * c * pw.ho * pw.wo, "max pool forward c=%d", c);
        agree(e, OP_POOL, bd, rd, (size_t)LN * c * LH * LW, "max pool backward c=%d", c);
        float *h[] = {ro, rd, bo, bd};
        free_all(h, 4);
    }
}

static void test_maxpool(void) { each_backend(pool_check); }

/* GAP: out (N, C) is plain in every layout; din comes back in NCHW. */
static void gap_on(const cs_backend *be, int c, float **out, float **din)
{
    int hw = LH * LW;
    size_t len = (size_t)LN * c * hw, pooled = (size_t)LN * c;
    float *hx = host_randn(len, 11), *hdy = host_randn(pooled, 12);
    float *x = dev_put_act(be, hx, LN, c, hw), *dy = dev_put(be, hdy, pooled);
    float *y = dev_floats(be, pooled), *dx = dev_floats(be, len);
    be->ops->gap_forward(be->ctx, y, x, LN, c, hw);
    be->ops->gap_backward(be->ctx, dx, dy, LN, c, hw);
    *out = host_get(be, y, pooled);
    *din = host_get_act(be, dx, LN, c, hw);
    check_status(be);
    float *dev[] = {x, dy, y, dx};
    for (size_t i = 0; i < 4; i++)
        dev_free(be, dev[i]);
    free(hx);
    free(hdy);
}

static void gap_check(const backend_entry *e, const cs_backend *be, const cs_backend *ref)
{
    for (int ci = 0; ci < 2; ci++) {
        int c = layer_chans[ci];
        float *ro, *rd, *bo, *bd;
        gap_on(ref, c, &ro, &rd);
        gap_on(be, c, &bo, &bd);
        agree(e, OP_GAP, bo, ro, (size_t)LN * c, "gap forward c=%d", c);
        agree(e, OP_GAP, bd, rd, (size_t)LN * c * LH * LW, "gap backward c=%d", c);
        float *h[] = {ro, rd, bo, bd};
        free_all(h, 4);
    }
}

static void test_gap(void) { each_backend(gap_check); }

static void relu_on(const cs_backend *be, int c, float **out, float **din)
{
    int hw = LH * LW;
    size_t len = (size_t)LN * c * hw;
    float *hx = host_randn(len, 21), *hdy = host_randn(len, 22);
    float *x = dev_put_act(be, hx, LN, c, hw), *dy = dev_put_act(be, hdy, LN, c, hw);
    float *y = dev_floats(be, len), *dx = dev_floats(be, len);
    be->ops->relu_forward(be->ctx, y, x, len);
    be->ops->relu_backward(be->ctx, dx, dy, y, len);
    *out = host_get_act(be, y, LN, c, hw);
    *din = host_get_act(be, dx, LN, c, hw);
    check_status(be);
    float *dev[] = {x, dy, y, dx};
    for (size_t i = 0; i < 4; i++)
        dev_free(be, dev[i]);
    free(hx);
    free(hdy);
}

static void relu_check(const backend_entry *e, const cs_backend *be, const cs_backend *ref)
{
    for (int ci = 0; ci < 2; ci++) {
        int c = layer_chans[ci];
        size_t len = (size_t)LN * c * LH * LW;
        float *ro, *rd, *bo, *bd;
        relu_on(ref, c, &ro, &rd);
        relu_on(be, c, &bo, &bd);
        agree(e, OP_RELU, bo, ro, len, "relu forward c=%d", c);
        agree(e, OP_RELU, bd, rd, len, "relu backward c=%d", c);
        float *h[] = {ro, rd, bo, bd};
        free_all(h, 4);
    }
}

static void test_relu(void) { each_backend(relu_check); }

/* --- linear ---------------------------------------------------------------------------- */

enum { LIN_N = 5, LIN_IN = 48, LIN_OUT = 10 };

typedef struct lin_res {
    float *y, *dx, *dw, *db, *dx_only;
} lin_res;

static void linear_on(const cs_backend *be, lin_res *r)
{
    size_t in_n = LIN_N * LIN_IN, out_n = LIN_N * LIN_OUT, w_n = LIN_OUT * LIN_IN;
    float *hx = host_randn(in_n, 31), *hw = host_randn(w_n, 32), *hb = host_randn(LIN_OUT, 33),
          *hdy = host_randn(out_n, 34), *hdw = host_randn(w_n, 35), *hdb = host_randn(LIN_OUT, 36);
    float *x = dev_put(be, hx, in_n), *w = dev_put(be, hw, w_n), *b = dev_put(be, hb, LIN_OUT),
          *dy = dev_put(be, hdy, out_n), *dw = dev_put(be, hdw, w_n), *db = dev_put(be, hdb, LIN_OUT);
    float *y = dev_floats(be, out_n), *dx = dev_floats(be, in_n);
    be->ops->linear_forward(be->ctx, y, x, w, b, LIN_N, LIN_IN, LIN_OUT);
    be->ops->linear_backward(be->ctx, dx, dw, db, dy, x, w, LIN_N, LIN_IN, LIN_OUT);
    r->y = host_get(be, y, out_n);
    r->dx = host_get(be, dx, in_n);
    r->dw = host_get(be, dw, w_n);
    r->db = host_get(be, db, LIN_OUT);
    /* the Grad-CAM path: din alone */
    be->ops->linear_backward(be->ctx, dx, NULL, NULL, dy, x, w, LIN_N, LIN_IN, LIN_OUT);
    r->dx_only = host_get(be, dx, in_n);
    check_status(be);
    float *dev[] = {x, w, b, dy, dw, db, y, dx};
    for (size_t i = 0; i < sizeof dev / sizeof dev[0]; i++)
        dev_free(be, dev[i]);
    float *h[] = {hx, hw, hb, hdy, hdw, hdb};
    free_all(h, 6);
}

static void linear_check(const backend_entry *e, const cs_backend *be, const cs_backend *ref)
{
    lin_res rr, rb;
    linear_on(ref, &rr);
    linear_on(be, &rb);
    agree(e, OP_LINEAR, rb.y, rr.y, LIN_N * LIN_OUT, "linear forward");
    agree(e, OP_LINEAR, rb.dx, rr.dx, LIN_N * LIN_IN, "linear din");
    agree(e, OP_LINEAR, rb.dw, rr.dw, LIN_OUT * LIN_IN, "linear dw");
    agree(e, OP_LINEAR, rb.db, rr.db, LIN_OUT, "linear db");
    CHECK_MSG(memcmp(rb.dx_only, rb.dx, sizeof(float) * LIN_N * LIN_IN) == 0, "%s: linear din alone",
              e->name);
    float *h[] = {rr.y, rr.dx, rr.dw, rr.db, rr.dx_only, rb.y, rb.dx, rb.dw, rb.db, rb.dx_only};
    free_all(h, 10);
}

static void test_linear(void) { each_backend(linear_check); }

/* --- residual add, gradient joins, copy, zero ------------------------------------------ */

enum { FLAT_N = 70000 }; /* above the 65536 floats where the CPU loops go parallel */

typedef struct flat_res {
    float *sum, *acc, *copy, *zero;
} flat_res;

static void elementwise_on(const cs_backend *be, flat_res *r)
{
    float *ha = host_randn(FLAT_N, 41), *hb = host_randn(FLAT_N, 42);
    float *a = dev_put(be, ha, FLAT_N), *b = dev_put(be, hb, FLAT_N), *s = dev_floats(be, FLAT_N),
          *c = dev_floats(be, FLAT_N);
    be->ops->add_forward(be->ctx, s, a, b, FLAT_N);
    r->sum = host_get(be, s, FLAT_N);
    be->ops->add_inplace(be->ctx, a, b, FLAT_N);
    r->acc = host_get(be, a, FLAT_N);
    be->ops->copy(be->ctx, c, b, FLAT_N);
    r->copy = host_get(be, c, FLAT_N);
    be->ops->zero(be->ctx, b, FLAT_N);
    r->zero = host_get(be, b, FLAT_N);
    check_status(be);
    float *dev[] = {a, b, s, c};
    for (size_t i = 0; i < 4; i++)
        dev_free(be, dev[i]);
    free(ha);
    free(hb);
}

static void elementwise_check(const backend_entry *e, const cs_backend *be, const cs_backend *ref)
{
    flat_res rr, rb;
    elementwise_on(ref, &rr);
    elementwise_on(be, &rb);
    agree(e, OP_ELEMENTWISE, rb.sum, rr.sum, FLAT_N, "add_forward");
    agree(e, OP_ELEMENTWISE, rb.acc, rr.acc, FLAT_N, "add_inplace");
    agree(e, OP_ELEMENTWISE, rb.copy, rr.copy, FLAT_N, "copy");
    agree(e, OP_ELEMENTWISE, rb.zero, rr.zero, FLAT_N, "zero");
    size_t nz = 0;
    for (size_t i = 0; i < FLAT_N; i++)
        nz += rb.zero[i] != 0.0f;
    CHECK_MSG(nz == 0, "%s: zero left %zu non-zero floats", e->name, nz);
    float *h[] = {rr.sum, rr.acc, rr.copy, rr.zero, rb.sum, rb.acc, rb.copy, rb.zero};
    free_all(h, 8);
}

static void test_elementwise(void) { each_backend(elementwise_check); }

/* --- optimisers ------------------------------------------------------------------------- */

/* Two steps of SGD (momentum; nesterov 0 and 1) and of AdamW over a flat slab: the
 * parameters and every moment, as res[] = {sgd p, buf, nesterov p, buf, adamw p, m, v}. */
enum { OPTIM_RES = 7 };
static const char *const optim_res_name[OPTIM_RES] = {
    "sgd parameters", "sgd momentum", "sgd nesterov parameters", "sgd nesterov momentum",
    "adamw parameters", "adamw first moment", "adamw second moment"};

static void optim_on(const cs_backend *be, float *res[OPTIM_RES])
{
    float *hp = host_randn(FLAT_N, 51), *hg = host_randn(FLAT_N, 52), *zeros = calloc(FLAT_N, sizeof(float));
    for (int nesterov = 0; nesterov < 2; nesterov++) {
        float *p = dev_put(be, hp, FLAT_N), *g = dev_put(be, hg, FLAT_N), *buf = dev_put(be, zeros, FLAT_N);
        for (int step = 0; step < 2; step++)
            be->ops->sgd_step(be->ctx, p, g, buf, FLAT_N, 0.1f, 0.9f, 5e-4f, nesterov);
        res[2 * nesterov] = host_get(be, p, FLAT_N);
        res[2 * nesterov + 1] = host_get(be, buf, FLAT_N);
        dev_free(be, p);
        dev_free(be, g);
        dev_free(be, buf);
    }
    float *p = dev_put(be, hp, FLAT_N), *g = dev_put(be, hg, FLAT_N), *m = dev_put(be, zeros, FLAT_N),
          *v = dev_put(be, zeros, FLAT_N);
    for (long step = 1; step <= 2; step++)
        be->ops->adamw_step(be->ctx, p, g, m, v, FLAT_N, 0.01f, 0.9f, 0.999f, 1e-8f, 0.01f, step);
    res[4] = host_get(be, p, FLAT_N);
    res[5] = host_get(be, m, FLAT_N);
    res[6] = host_get(be, v, FLAT_N);
    check_status(be);
    float *dev[] = {p, g, m, v};
    for (size_t i = 0; i < 4; i++)
        dev_free(be, dev[i]);
    float *h[] = {hp, hg, zeros};
    free_all(h, 3);
}

static void optim_check(const backend_entry *e, const cs_backend *be, const cs_backend *ref)
{
    float *rr[OPTIM_RES], *rb[OPTIM_RES];
    optim_on(ref, rr);
    optim_on(be, rb);
    for (int i = 0; i < OPTIM_RES; i++)
        agree(e, OP_OPTIM, rb[i], rr[i], FLAT_N, "%s", optim_res_name[i]);
    free_all(rr, OPTIM_RES);
    free_all(rb, OPTIM_RES);
}

static void test_optim(void) { each_backend(optim_check); }

/* --- whole models ------------------------------------------------------------------------ */

/* logits, every gradient and the weights after three SGD steps against the reference
 * backend's; Grad-CAM's activations and gradients (last block, an inner layer) in NCHW. */
static void model_vs_ref(const backend_entry *e, const cs_backend *be, const cs_backend *ref,
                         const char *arch, int width)
{
    cs_model_spec s;
    cs_model_spec_init(&s);
    s.name = arch;
    s.in_shape[0] = s.in_shape[1] = 20;
    s.width = width;
    int B = 6;
    float *x = host_randn((size_t)B * 400, 20);
    int y[6] = {0, 1, 2, 3, 4, 5};
    cs_model *m[2] = {NULL, NULL};
    cs_optim *o[2] = {NULL, NULL};
    const cs_backend *bes[2] = {ref, be};
    double el = 0, eg = 0, ew = 0, ea = 0;
    for (int k = 0; k < 2; k++) {
        cs_optim_cfg oc;
        cs_optim_cfg_init(&oc, CS_OPT_SGD);
        cs_rng rng;
        cs_rng_seed(&rng, 7);
        CHECK_OK(cs_model_create(&m[k], &s, B, bes[k]));
        if (!m[k])
            goto out;
        CHECK_OK(cs_optim_create(&o[k], &oc, m[k]));
        CHECK_OK(cs_model_init_params(m[k], &rng));
    }
    size_t np = cs_model_num_params(m[0]), ns = cs_model_num_state(m[0]);
    for (int step = 0; step < 3; step++) {
        for (int k = 0; k < 2; k++) {
            cs_model_zero_grad(m[k]);
            CHECK_OK(cs_model_forward(m[k], x, B, 1));
            cs_model_xent(m[k], y, 0.0f);
            cs_model_backward(m[k], cs_model_dlogits(m[k]));
        }
        double err = rel_err(cs_model_logits(m[1]), cs_model_logits(m[0]), (size_t)B * 10);
        el = err > el ? err : el;
        float *g0 = host_get(ref, cs_model_grads(m[0]), np), *g1 = host_get(be, cs_model_grads(m[1]), np);
        err = rel_err(g1, g0, np);
        eg = err > eg ? err : eg;
        free(g0);
        free(g1);
        int sh0[4], sh1[4];
        const float *a0 = cs_model_last_conv(m[0], sh0), *a1 = cs_model_last_conv(m[1], sh1);
        CHECK(memcmp(sh0, sh1, sizeof sh0) == 0);
        err = rel_err(a1, a0, (size_t)sh0[0] * sh0[1] * sh0[2] * sh0[3]);
        ea = err > ea ? err : ea;
        /* an inner layer for Grad-CAM: its activations and d logits / d activations, NCHW */
        const char *inner = strcmp(arch, "resnet18") == 0 ? "layer2" : "block2";
        int l0 = cs_model_find_layer(m[0], inner), l1 = cs_model_find_layer(m[1], inner);
        CHECK(l0 >= 0 && l1 >= 0);
        if (l0 >= 0 && l1 >= 0) {
            a0 = cs_model_layer_act(m[0], l0, sh0);
            a1 = cs_model_layer_act(m[1], l1, sh1);
            size_t len = (size_t)sh0[0] * sh0[1] * sh0[2] * sh0[3];
            err = rel_err(a1, a0, len);
            ea = err > ea ? err : ea;
            float *d0 = malloc(sizeof(float) * len), *d1 = malloc(sizeof(float) * len);
            cs_model_backward_to_layer(m[0], cs_model_dlogits(m[0]), l0, d0);
            cs_model_backward_to_layer(m[1], cs_model_dlogits(m[1]), l1, d1);
            err = rel_err(d1, d0, len);
            eg = err > eg ? err : eg;
            free(d0);
            free(d1);
        }
        for (int k = 0; k < 2; k++)
            cs_optim_step(o[k], 0.05f);
    }
    float *p0 = host_get(ref, cs_model_params(m[0]), ns), *p1 = host_get(be, cs_model_params(m[1]), ns);
    ew = rel_err(p1, p0, ns);
    free(p0);
    free(p1);
    printf("  %s: %s width %d vs reference: logits %.2g, gradients %.2g, activations %.2g, after 3 steps %.2g\n",
           e->name, arch, width, el, eg, ea, ew);
    double tol = e->tol[OP_MODEL];
    CHECK_MSG(el <= tol && eg <= tol && ea <= tol && ew <= tol, "%s: %s width %d above %g", e->name,
              arch, width, tol);
out:
    for (int k = 0; k < 2; k++) {
        cs_optim_free(o[k]);
        cs_model_free(m[k]);
    }
    free(x);
}

/* A resnet18 (width 16), cnn-small at width 32, and at width 16 (8 -> 16 -> 32 channels:
 * plain and blocked mixed).  The reference against itself would say nothing here. */
static void models_check(const backend_entry *e, const cs_backend *be, const cs_backend *ref)
{
    if (be == ref)
        return;
    model_vs_ref(e, be, ref, "resnet18", 16);
    model_vs_ref(e, be, ref, "cnn-small", 32);
    model_vs_ref(e, be, ref, "cnn-small", 16);
}

static void test_models_vs_reference(void) { each_backend(models_check); }

static void plain_act_download(void *ctx, float *host, const float *src, int n, int c, int hw)
{
    (void)ctx;
    memcpy(host, src, sizeof(float) * (size_t)n * c * hw);
}

/* A backend with its own memory keeps NCHW but moves activations through the act pair
 * (the CUDA backend does), so the model keeps host copies, some made only when asked for
 * (the last conv block's, for Grad-CAM).  The reference's arithmetic with that pair must
 * give the reference's bits: the copies are fresh for each forward. */
static void test_models_act_pair(void)
{
    if (!inst[0])
        return;
    cs_backend_ops ops = *inst[0]->ops;
    ops.name = "cpu-ref-act";
    ops.act_upload = half_pair_upload;
    ops.act_download = plain_act_download;
    cs_backend be = {&ops, inst[0]->ctx};
    backend_entry e = {"cpu-ref-act", {0}, 0};
    model_vs_ref(&e, &be, inst[0], "resnet18", 16);
    model_vs_ref(&e, &be, inst[0], "cnn-small", 16);
}

/* The self-check a device backend runs at first use passes on every backend here, and
 * refuses a backend with one wrong op, naming it (a ReLU that lets negatives through). */
static void leaky_relu(void *ctx, float *out, const float *in, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        out[i] = in[i] > 0.0f ? in[i] : 0.01f * in[i];
}

static void test_selftest(void)
{
    for (size_t i = 0; i < n_backends; i++)
        if (inst[i])
            CHECK_MSG(cs_backend_selftest(inst[i], 1, CS_SELFTEST_NMSE_F32, NULL) == 0, "%s: %s", backends[i].name,
                      cs_errmsg());
    if (!inst[0])
        return;
    cs_backend_ops ops = *inst[0]->ops;
    ops.name = "broken";
    ops.relu_forward = leaky_relu;
    cs_backend be = {&ops, inst[0]->ctx};
    int rc = cs_backend_selftest(&be, 0, CS_SELFTEST_NMSE_F32, NULL);
    CHECK_MSG(rc == CS_EINTERNAL && strstr(cs_errmsg(), "backend 'broken'") && strstr(cs_errmsg(), "relu-forward"),
              "rc %d: %s", rc, cs_errmsg());
}

int main(void)
{
    RUN(test_registry);
    RUN(test_required_ops);
    RUN(test_layout);
    RUN(test_conv);
    RUN(test_conv_repeatable);
    RUN(test_bn);
    RUN(test_maxpool);
    RUN(test_gap);
    RUN(test_relu);
    RUN(test_linear);
    RUN(test_elementwise);
    RUN(test_optim);
    RUN(test_models_vs_reference);
    RUN(test_models_act_pair);
    RUN(test_selftest);
    for (size_t i = 0; i < n_backends; i++)
        cs_backend_free(inst[i]);
    return harness_done();
}
