/* test_nn_backend.c - the oneDNN CPU backend against the CPU reference backend, op by op
 * (ggml style), and whole models.
 *
 * Every op runs on the same random NCHW data on both backends; the oneDNN side gets its
 * inputs through act_upload and returns its outputs through act_download, so the blocked
 * layout is exercised too.  Batch norm, pooling and the layout conversions must match
 * the reference bit for bit (same arithmetic, other strides); convolutions must agree
 * within a relative error (max |ours - ref| / max |ref|) of 2e-6 for direct kernels and
 * 2e-5 for Winograd.  Skips visibly in builds without oneDNN. */
#include "harness.h"

#include "../common/err.h"
#include "../common/rng.h"
#include "../nn/backend.h"
#include "../nn/layout_c16.h"
#include "../nn/model.h"
#include "../nn/optim.h"

#define TOL_DIRECT 2e-6
#define TOL_WINO 2e-5

static cs_backend *dnnl_or_skip(int nthreads, int winograd)
{
    cs_backend *be = NULL;
    int rc = cs_backend_dnnl_create(&be, nthreads, winograd);
    if (rc == CS_EUNSUP) {
        harness_skip("%s", cs_errmsg());
        return NULL;
    }
    CHECK_OK(rc);
    return be;
}

/* zeroed floats, 64-byte aligned like backend memory (oneDNN's kernels rely on it) */
static float *falloc(size_t n)
{
    size_t bytes = (sizeof(float) * (n ? n : 1) + 63) & ~(size_t)63;
    float *p = aligned_alloc(64, bytes);
    memset(p, 0, bytes);
    return p;
}

static float *randn(size_t n, uint64_t seed)
{
    cs_rng r;
    cs_rng_seed(&r, seed);
    float *x = falloc(n);
    for (size_t i = 0; i < n; i++)
        x[i] = (float)cs_rng_normal(&r);
    return x;
}

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

/* blocked buffer from an NCHW one via the backend, and back */
static float *up(const cs_backend *be, const float *x, int n, int c, int hw)
{
    float *b = falloc((size_t)n * c * hw);
    be->ops->act_upload(be->ctx, b, x, n, c, hw);
    return b;
}

static float *down(const cs_backend *be, const float *b, int n, int c, int hw)
{
    float *x = falloc((size_t)n * c * hw);
    be->ops->act_download(be->ctx, x, b, n, c, hw);
    return x;
}

/* The element (n, c, p) of a blocked tensor sits where layout_c16.h says. */
static void test_layout(void)
{
    cs_backend *be = dnnl_or_skip(2, 0);
    if (!be)
        return;
    int n = 3, c = 32, hw = 5;
    size_t len = (size_t)n * c * hw;
    float *x = randn(len, 1), *b = up(be, x, n, c, hw), *back = down(be, b, n, c, hw);
    for (int i = 0; i < n; i++)
        for (int ch = 0; ch < c; ch++)
            for (int p = 0; p < hw; p++)
                CHECK(b[((size_t)(i * (c / 16) + ch / 16) * hw + p) * 16 + ch % 16] ==
                      x[((size_t)i * c + ch) * hw + p]);
    CHECK(memcmp(back, x, sizeof(float) * len) == 0);
    free(b);
    free(back);
    /* 24 channels are not a multiple of 16: plain */
    b = up(be, x, n, 24, 4);
    CHECK(memcmp(b, x, sizeof(float) * n * 24 * 4) == 0);
    free(b);
    free(x);
    cs_backend_free(be);
}

typedef struct conv_case {
    int c, h, w, k, kh, kw, s, p, bias;
} conv_case;

static void conv_case_run(const cs_backend *ref, const cs_backend *dn, const conv_case *cc,
                          int n, double tol, const char *label)
{
    cs_window d = {.n = n, .c = cc->c, .h = cc->h, .w = cc->w, .k = cc->k, .kh = cc->kh,
                   .kw = cc->kw, .sh = cc->kh == 1 && cc->h == 1 ? 1 : cc->s, .sw = cc->s,
                   .ph = cc->h == 1 ? 0 : cc->p, .pw = cc->p};
    CHECK(cs_window_set(&d) == 0);
    int hw = d.h * d.w, ohw = d.ho * d.wo;
    size_t in_n = (size_t)n * d.c * hw, out_n = (size_t)n * d.k * ohw,
           w_n = (size_t)d.k * d.c * d.kh * d.kw;
    float *x = randn(in_n, 2), *w = randn(w_n, 3), *b = cc->bias ? randn(d.k, 4) : NULL,
          *dy = randn(out_n, 5);
    /* reference */
    float *ws = falloc(ref->ops->conv_ws_floats(ref->ctx, &d));
    float *y = falloc(out_n), *dx = falloc(in_n), *dw = randn(w_n, 6), *db = randn(d.k, 7);
    ref->ops->conv_forward(ref->ctx, &d, y, x, w, b, ws);
    ref->ops->conv_backward(ref->ctx, &d, dx, dw, cc->bias ? db : NULL, dy, x, w, ws);
    /* oneDNN, with dw and db starting from the same values (backward accumulates) */
    float *ws2 = falloc(dn->ops->conv_ws_floats(dn->ctx, &d));
    float *xb = up(dn, x, n, d.c, hw), *dyb = up(dn, dy, n, d.k, ohw);
    float *yb = falloc(out_n), *dxb = falloc(in_n), *dw2 = randn(w_n, 6), *db2 = randn(d.k, 7);
    CHECK_OK(dn->ops->conv_prepare(dn->ctx, &d));
    dn->ops->conv_forward(dn->ctx, &d, yb, xb, w, b, ws2);
    dn->ops->conv_backward(dn->ctx, &d, dxb, dw2, cc->bias ? db2 : NULL, dyb, xb, w, ws2);
    CHECK_OK(dn->ops->status(dn->ctx));
    float *y2 = down(dn, yb, n, d.k, ohw), *dx2 = down(dn, dxb, n, d.c, hw);
    double ey = rel_err(y2, y, out_n), ex = rel_err(dx2, dx, in_n), ew = rel_err(dw2, dw, w_n),
           eb = cc->bias ? rel_err(db2, db, d.k) : 0;
    printf("  %s %dx%dx%d -> %d, %dx%d s%d p%d%s: rel err out %.2g, din %.2g, dw %.2g, db %.2g\n",
           label, d.c, d.h, d.w, d.k, d.kh, d.kw, cc->s, cc->p, cc->bias ? " bias" : "", ey, ex,
           ew, eb);
    CHECK_MSG(ey <= tol && ex <= tol && ew <= tol && eb <= tol, "%s: error above %g", label, tol);
    /* oneDNN's reference kernels are 100x slower: every pass must find a real one */
    for (int pass = 0; pass < 3; pass++) {
        const char *impl = cs_backend_conv_impl(dn, &d, pass);
        CHECK_MSG(strncmp(impl, "ref", 3) != 0, "%s %d->%d pass %d runs '%s'", label, d.c, d.k,
                  pass, impl);
    }

    /* only some gradients wanted: din alone, then dw alone */
    float *dx3 = falloc(in_n), *dw3 = randn(w_n, 6);
    dn->ops->conv_backward(dn->ctx, &d, dxb, NULL, NULL, dyb, xb, w, ws2);
    float *dx4 = down(dn, dxb, n, d.c, hw);
    CHECK(memcmp(dx4, dx2, sizeof(float) * in_n) == 0);
    dn->ops->conv_backward(dn->ctx, &d, NULL, dw3, NULL, dyb, xb, w, ws2);
    CHECK(memcmp(dw3, dw2, sizeof(float) * w_n) == 0);
    CHECK_OK(dn->ops->status(dn->ctx));
    free(dx3);
    free(dx4);
    free(dw3);
    free(x);
    free(w);
    free(b);
    free(dy);
    free(ws);
    free(y);
    free(dx);
    free(dw);
    free(db);
    free(ws2);
    free(xb);
    free(dyb);
    free(yb);
    free(dxb);
    free(dw2);
    free(db2);
    free(y2);
    free(dx2);
}

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

static void test_conv_direct(void)
{
    cs_backend *dn = dnnl_or_skip(2, 0), *ref = NULL;
    if (!dn)
        return;
    CHECK_OK(cs_backend_ref_create(&ref, 2));
    for (size_t i = 0; i < sizeof conv_cases / sizeof conv_cases[0]; i++)
        conv_case_run(ref, dn, &conv_cases[i], 3, TOL_DIRECT, "direct");
    cs_backend_free(ref);
    cs_backend_free(dn);
}

static void test_conv_winograd(void)
{
    cs_backend *dn = dnnl_or_skip(2, 1), *ref = NULL;
    if (!dn)
        return;
    CHECK_OK(cs_backend_ref_create(&ref, 2));
    for (size_t i = 0; i < sizeof conv_cases / sizeof conv_cases[0]; i++)
        conv_case_run(ref, dn, &conv_cases[i], 3, TOL_WINO, "winograd");
    cs_window d = {.n = 3, .c = 16, .h = 9, .w = 9, .k = 16, .kh = 3, .kw = 3, .sh = 1, .sw = 1,
                   .ph = 1, .pw = 1};
    cs_window_set(&d);
    printf("  16->16 3x3 on 9x9 runs %s / %s / %s\n", cs_backend_conv_impl(dn, &d, 0),
           cs_backend_conv_impl(dn, &d, 1), cs_backend_conv_impl(dn, &d, 2));
    cs_backend_free(ref);
    cs_backend_free(dn);
}

/* Same team size, same inputs: the same bits, twice (oneDNN splits work statically). */
static void test_conv_repeatable(void)
{
    cs_backend *dn = dnnl_or_skip(2, 1);
    if (!dn)
        return;
    cs_window d = {.n = 8, .c = 32, .h = 14, .w = 14, .k = 32, .kh = 3, .kw = 3, .sh = 1,
                   .sw = 1, .ph = 1, .pw = 1};
    cs_window_set(&d);
    size_t in_n = (size_t)8 * 32 * 196, w_n = (size_t)32 * 32 * 9;
    float *x = randn(in_n, 8), *w = randn(w_n, 9), *dy = randn(in_n, 10);
    float *ws = falloc(dn->ops->conv_ws_floats(dn->ctx, &d));
    float *out[2], *dx[2], *dw[2];
    for (int r = 0; r < 2; r++) {
        out[r] = falloc(in_n);
        dx[r] = falloc(in_n);
        dw[r] = falloc(w_n);
        dn->ops->conv_forward(dn->ctx, &d, out[r], x, w, NULL, ws);
        dn->ops->conv_backward(dn->ctx, &d, dx[r], dw[r], NULL, dy, x, w, ws);
    }
    CHECK_OK(dn->ops->status(dn->ctx));
    CHECK(memcmp(out[0], out[1], sizeof(float) * in_n) == 0);
    CHECK(memcmp(dx[0], dx[1], sizeof(float) * in_n) == 0);
    CHECK(memcmp(dw[0], dw[1], sizeof(float) * w_n) == 0);
    for (int r = 0; r < 2; r++) {
        free(out[r]);
        free(dx[r]);
        free(dw[r]);
    }
    free(x);
    free(w);
    free(dy);
    free(ws);
    cs_backend_free(dn);
}

/* Batch norm (train and eval), max pooling and GAP: bit-identical to the reference. */
static void test_layout_layers_exact(void)
{
    cs_backend *dn = dnnl_or_skip(2, 0), *ref = NULL;
    if (!dn)
        return;
    CHECK_OK(cs_backend_ref_create(&ref, 2));
    const cs_backend_ops *R = ref->ops, *D = dn->ops;
    int n = 4, chans[2] = {32, 24}; /* blocked, and plain */
    for (int ci = 0; ci < 2; ci++) {
        int c = chans[ci], h = 6, w = 6, hw = h * w;
        size_t len = (size_t)n * c * hw;
        float *x = randn(len, 11), *dy = randn(len, 12), *g = randn(c, 13), *bt = randn(c, 14);
        float *xb = up(dn, x, n, c, hw), *dyb = up(dn, dy, n, c, hw);
        for (int train = 1; train >= 0; train--) {
            float *o1 = falloc(len), *o2b = falloc(len), *m1 = falloc(c), *m2 = falloc(c),
                  *s1 = falloc(c), *s2 = falloc(c), *rm1 = randn(c, 15), *rm2 = randn(c, 15),
                  *rv1 = randn(c, 16), *rv2 = randn(c, 16), *dx1 = falloc(len),
                  *dx2b = falloc(len), *dg1 = falloc(c), *dg2 = falloc(c), *db1 = falloc(c),
                  *db2 = falloc(c);
            for (int i = 0; i < c; i++)
                rv1[i] = rv2[i] = fabsf(rv1[i]) + 0.5f;
            R->bn_forward(ref->ctx, o1, m1, s1, rm1, rv1, x, g, bt, n, c, hw, train, 0.1f, 1e-5f);
            D->bn_forward(dn->ctx, o2b, m2, s2, rm2, rv2, xb, g, bt, n, c, hw, train, 0.1f,
                          1e-5f);
            R->bn_backward(ref->ctx, dx1, dg1, db1, dy, x, m1, s1, g, n, c, hw, train);
            D->bn_backward(dn->ctx, dx2b, dg2, db2, dyb, xb, m2, s2, g, n, c, hw, train);
            float *o2 = down(dn, o2b, n, c, hw), *dx2 = down(dn, dx2b, n, c, hw);
            CHECK_MSG(memcmp(o1, o2, sizeof(float) * len) == 0, "bn forward c=%d train=%d", c,
                      train);
            CHECK_MSG(memcmp(dx1, dx2, sizeof(float) * len) == 0, "bn backward c=%d train=%d",
                      c, train);
            CHECK(memcmp(rm1, rm2, sizeof(float) * c) == 0 &&
                  memcmp(rv1, rv2, sizeof(float) * c) == 0);
            CHECK(memcmp(dg1, dg2, sizeof(float) * c) == 0 &&
                  memcmp(db1, db2, sizeof(float) * c) == 0);
            float *all[] = {o1, o2b, m1, m2, s1, s2, rm1, rm2, rv1, rv2, dx1, dx2b, dg1, dg2, db1,
                            db2, o2, dx2};
            for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
                free(all[i]);
        }
        /* 3x3 stride-2 max pool with padding, then GAP */
        cs_window pw = {.n = n, .c = c, .h = h, .w = w, .k = c, .kh = 3, .kw = 3, .sh = 2,
                        .sw = 2, .ph = 1, .pw = 1};
        cs_window_set(&pw);
        size_t olen = (size_t)n * c * pw.ho * pw.wo;
        float *p1 = falloc(olen), *p2b = falloc(olen), *pdy = randn(olen, 17);
        int *a1 = calloc(olen, sizeof(int)), *a2 = calloc(olen, sizeof(int));
        float *pdyb = up(dn, pdy, n, c, pw.ho * pw.wo), *pdx1 = falloc(len), *pdx2b = falloc(len);
        R->maxpool_forward(ref->ctx, &pw, p1, a1, x);
        D->maxpool_forward(dn->ctx, &pw, p2b, a2, xb);
        R->maxpool_backward(ref->ctx, &pw, pdx1, pdy, a1);
        D->maxpool_backward(dn->ctx, &pw, pdx2b, pdyb, a2);
        float *p2 = down(dn, p2b, n, c, pw.ho * pw.wo), *pdx2 = down(dn, pdx2b, n, c, hw);
        CHECK_MSG(memcmp(p1, p2, sizeof(float) * olen) == 0, "max pool forward c=%d", c);
        CHECK_MSG(memcmp(pdx1, pdx2, sizeof(float) * len) == 0, "max pool backward c=%d", c);
        float *g1 = falloc((size_t)n * c), *g2 = falloc((size_t)n * c), *gd1 = falloc(len),
              *gd2b = falloc(len);
        R->gap_forward(ref->ctx, g1, x, n, c, hw);
        D->gap_forward(dn->ctx, g2, xb, n, c, hw);
        CHECK_MSG(memcmp(g1, g2, sizeof(float) * n * c) == 0, "gap forward c=%d", c);
        R->gap_backward(ref->ctx, gd1, dy, n, c, hw);
        D->gap_backward(dn->ctx, gd2b, dy, n, c, hw);
        float *gd2 = down(dn, gd2b, n, c, hw);
        CHECK_MSG(memcmp(gd1, gd2, sizeof(float) * len) == 0, "gap backward c=%d", c);
        float *all[] = {x, dy, g, bt, xb, dyb, p1, p2b, pdy, pdyb, pdx1, pdx2b, p2, pdx2, g1, g2,
                        gd1, gd2b, gd2};
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
            free(all[i]);
        free(a1);
        free(a2);
    }
    cs_backend_free(ref);
    cs_backend_free(dn);
}

/* A whole resnet18 (width 16) and cnn-small: logits, every gradient and the weights after
 * three SGD steps close to the reference backend's; Grad-CAM's activations and gradients
 * (last block, an inner layer) in NCHW. */
static void model_vs_ref(const char *arch, int width, int winograd)
{
    cs_backend *dn = dnnl_or_skip(2, winograd), *ref = NULL;
    if (!dn)
        return;
    CHECK_OK(cs_backend_ref_create(&ref, 2));
    cs_model_spec s;
    cs_model_spec_init(&s);
    s.name = arch;
    s.in_shape[0] = s.in_shape[1] = 20;
    s.width = width;
    int B = 6;
    float *x = randn((size_t)B * 400, 20);
    int y[6] = {0, 1, 2, 3, 4, 5};
    cs_model *m[2] = {NULL, NULL};
    cs_optim *o[2] = {NULL, NULL};
    const cs_backend *bes[2] = {ref, dn};
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
        double e = rel_err(cs_model_logits(m[1]), cs_model_logits(m[0]), (size_t)B * 10);
        el = e > el ? e : el;
        e = rel_err(cs_model_grads(m[1]), cs_model_grads(m[0]), np);
        eg = e > eg ? e : eg;
        int sh0[4], sh1[4];
        const float *a0 = cs_model_last_conv(m[0], sh0), *a1 = cs_model_last_conv(m[1], sh1);
        CHECK(memcmp(sh0, sh1, sizeof sh0) == 0);
        e = rel_err(a1, a0, (size_t)sh0[0] * sh0[1] * sh0[2] * sh0[3]);
        ea = e > ea ? e : ea;
        /* an inner layer for Grad-CAM: its activations and d logits / d activations, NCHW */
        const char *inner = strcmp(arch, "resnet18") == 0 ? "layer2" : "block2";
        int l0 = cs_model_find_layer(m[0], inner), l1 = cs_model_find_layer(m[1], inner);
        CHECK(l0 >= 0 && l1 >= 0);
        if (l0 >= 0 && l1 >= 0) {
            a0 = cs_model_layer_act(m[0], l0, sh0);
            a1 = cs_model_layer_act(m[1], l1, sh1);
            size_t len = (size_t)sh0[0] * sh0[1] * sh0[2] * sh0[3];
            e = rel_err(a1, a0, len);
            ea = e > ea ? e : ea;
            float *g0 = falloc(len), *g1 = falloc(len);
            cs_model_backward_to_layer(m[0], cs_model_dlogits(m[0]), l0, g0);
            cs_model_backward_to_layer(m[1], cs_model_dlogits(m[1]), l1, g1);
            e = rel_err(g1, g0, len);
            eg = e > eg ? e : eg;
            free(g0);
            free(g1);
        }
        for (int k = 0; k < 2; k++)
            cs_optim_step(o[k], 0.05f);
    }
    ew = rel_err(cs_model_params(m[1]), cs_model_params(m[0]), ns);
    printf("  %s width %d%s vs reference: logits %.2g, gradients %.2g, activations %.2g, after 3 steps %.2g\n",
           arch, width, winograd ? " winograd" : "", el, eg, ea, ew);
    CHECK(el <= 1e-4 && eg <= 1e-4 && ea <= 1e-4 && ew <= 1e-4);
out:
    for (int k = 0; k < 2; k++) {
        cs_optim_free(o[k]);
        cs_model_free(m[k]);
    }
    free(x);
    cs_backend_free(ref);
    cs_backend_free(dn);
}

static void test_models_vs_reference(void)
{
    cs_backend *probe = dnnl_or_skip(1, 0);
    if (!probe)
        return;
    cs_backend_free(probe);
    model_vs_ref("resnet18", 16, 1);
    model_vs_ref("resnet18", 16, 0);
    model_vs_ref("cnn-small", 32, 1);
    model_vs_ref("cnn-small", 16, 1); /* 8 -> 16 -> 32 channels: plain and blocked mixed */
}

int main(void)
{
    RUN(test_layout);
    RUN(test_conv_direct);
    RUN(test_conv_winograd);
    RUN(test_conv_repeatable);
    RUN(test_layout_layers_exact);
    RUN(test_models_vs_reference);
    return harness_done();
}
