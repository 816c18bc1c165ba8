/* dnnl_backend.c - the oneDNN CPU backend: the reference backend's table with the
 * layout-dependent ops replaced.
 *
 * Activations with a multiple of 16 channels live in oneDNN's blocked layout
 * (layout_c16.h) from layer to layer, so convolutions run oneDNN's kernels on them without
 * the reorders PyTorch does around every convolution; batch norm and pooling run our
 * loops on the same layout (bit-identical to the reference); ReLU, the residual add,
 * copies, linear (on pooled 1x1 inputs, where both layouts agree) and the optimisers are
 * the reference's own, which do not care about layout. */
#include "backend.h"

#include <stdio.h>
#include <stdlib.h>

#include "../common/err.h"

#ifdef CS_HAVE_DNNL

#include <omp.h>

#include "conv2d_dnnl.h"
#include "gemm.h"
#include "layout_c16.h"

typedef struct dnnl_ctx {
    int nt; /* first, like every CPU backend context (cs_backend_cpu_threads) */
    cs_backend_ops ops;
    cs_dnnl_conv *conv;
    int err; /* the first failure since the last status() */
    char msg[512];
} dnnl_ctx;

#define CTX(c) ((dnnl_ctx *)(c))

static void note(void *ctx, int rc)
{
    if (rc && !CTX(ctx)->err) {
        CTX(ctx)->err = rc;
        snprintf(CTX(ctx)->msg, sizeof CTX(ctx)->msg, "%s", cs_errmsg());
    }
}

static int dn_status(void *ctx)
{
    int rc = CTX(ctx)->err;
    if (!rc)
        return 0;
    CTX(ctx)->err = 0;
    return cs_error(rc, "%s", CTX(ctx)->msg);
}

static void dn_release(void *ctx)
{
    cs_dnnl_conv_free(CTX(ctx)->conv);
    free(ctx);
}

static size_t dn_conv_ws(void *ctx, const cs_window *d)
{
    (void)ctx;
    return cs_dnnl_conv_ws_floats(d);
}

static int dn_conv_prepare(void *ctx, const cs_window *d)
{
    return cs_dnnl_conv_prepare(CTX(ctx)->conv, d);
}

static const char *dn_conv_impl(void *ctx, const cs_window *d, int pass)
{
    return cs_dnnl_conv_impl(CTX(ctx)->conv, d, pass);
}

static void dn_conv_fwd(void *ctx, const cs_window *d, float *out, const float *in,
                        const float *w, const float *b, float *ws)
{
    note(ctx, cs_dnnl_conv_forward(CTX(ctx)->conv, d, out, in, w, b, ws));
}

static void dn_conv_bwd(void *ctx, const cs_window *d, float *din, float *dw, float *db,
                        const float *dout, const float *in, const float *w, float *ws)
{
    note(ctx, cs_dnnl_conv_backward(CTX(ctx)->conv, d, din, dw, db, dout, in, w, ws));
}

static void dn_bn_fwd(void *ctx, float *out, float *mean, float *invstd, float *run_mean,
                      float *run_var, const float *in, const float *gamma, const float *beta,
                      int n, int c, int hw, int train, float momentum, float eps)
{
    if (cs_c16_blocked(c))
        cs_bn_c16_forward(out, mean, invstd, run_mean, run_var, in, gamma, beta, n, c, hw, train,
                          momentum, eps, CTX(ctx)->nt);
    else
        cs_batchnorm_forward(out, mean, invstd, run_mean, run_var, in, gamma, beta, n, c, hw,
                             train, momentum, eps, CTX(ctx)->nt);
}

static void dn_bn_bwd(void *ctx, float *din, float *dgamma, float *dbeta, const float *dout,
                      const float *in, const float *mean, const float *invstd,
                      const float *gamma, int n, int c, int hw, int train)
{
    if (cs_c16_blocked(c))
        cs_bn_c16_backward(din, dgamma, dbeta, dout, in, mean, invstd, gamma, n, c, hw, train,
                           CTX(ctx)->nt);
    else
        cs_batchnorm_backward(din, dgamma, dbeta, dout, in, mean, invstd, gamma, n, c, hw, train,
                              CTX(ctx)->nt);
}

static void dn_pool_fwd(void *ctx, const cs_window *d, float *out, int *argmax, const float *in)
{
    if (cs_c16_blocked(d->c))
        cs_maxpool_c16_forward(d, out, argmax, in, CTX(ctx)->nt);
    else
        cs_maxpool2d_forward(d, out, argmax, in, CTX(ctx)->nt);
}

static void dn_pool_bwd(void *ctx, const cs_window *d, float *din, const float *dout,
                        const int *argmax)
{
    if (cs_c16_blocked(d->c))
        cs_maxpool_c16_backward(d, din, dout, argmax, CTX(ctx)->nt);
    else
        cs_maxpool2d_backward(d, din, dout, argmax, CTX(ctx)->nt);
}

static void dn_gap_fwd(void *ctx, float *out, const float *in, int n, int c, int hw)
{
    (void)ctx;
    if (cs_c16_blocked(c))
        cs_gap_c16_forward(out, in, n, c, hw);
    else
        cs_gap_forward(out, in, n, c, hw);
}

static void dn_gap_bwd(void *ctx, float *din, const float *dout, int n, int c, int hw)
{
    (void)ctx;
    if (cs_c16_blocked(c))
        cs_gap_c16_backward(din, dout, n, c, hw);
    else
        cs_gap_backward(din, dout, n, c, hw);
}

static void dn_act_upload(void *ctx, float *dst, const float *host, int n, int c, int hw)
{
    cs_c16_from_nchw(dst, host, n, c, hw, CTX(ctx)->nt);
}

static void dn_act_download(void *ctx, float *host, const float *src, int n, int c, int hw)
{
    cs_c16_to_nchw(host, src, n, c, hw, CTX(ctx)->nt);
}

int cs_backend_dnnl_create(cs_backend **out, int nthreads, int winograd)
{
    *out = NULL;
    cs_backend *be = cs_calloc(1, sizeof *be);
    dnnl_ctx *ctx = cs_calloc(1, sizeof *ctx);
    if (!be || !ctx) {
        free(be);
        free(ctx);
        return CS_ENOMEM;
    }
    ctx->nt = nthreads > 0 ? nthreads : omp_get_max_threads();
    int rc = cs_dnnl_conv_create(&ctx->conv, ctx->nt, winograd);
    if (rc) {
        free(be);
        free(ctx);
        return rc;
    }
    cs_backend_ops *o = &ctx->ops;
    *o = *cs_backend_ref_ops();
    o->name = winograd ? "cpu-onednn-winograd" : "cpu-onednn";
    o->release = dn_release;
    o->conv_ws_floats = dn_conv_ws;
    o->conv_forward = dn_conv_fwd;
    o->conv_backward = dn_conv_bwd;
    o->bn_forward = dn_bn_fwd;
    o->bn_backward = dn_bn_bwd;
    o->maxpool_forward = dn_pool_fwd;
    o->maxpool_backward = dn_pool_bwd;
    o->gap_forward = dn_gap_fwd;
    o->gap_backward = dn_gap_bwd;
    o->act_upload = dn_act_upload;
    o->act_download = dn_act_download;
    o->conv_prepare = dn_conv_prepare;
    o->conv_impl = dn_conv_impl;
    o->status = dn_status;
    be->ops = o;
    be->ctx = ctx;
    /* linear layers call sgemm from our thread: keep OpenBLAS to one thread, as the
     * reference backend does */
    cs_gemm_single_thread();
    *out = be;
    return 0;
}

#else

int cs_backend_dnnl_create(cs_backend **out, int nthreads, int winograd)
{
    (void)nthreads;
    (void)winograd;
    *out = NULL;
    return cs_error(CS_EUNSUP, "this build has no oneDNN (Debian: apt-get install libdnnl-dev, then rebuild)");
}

#endif
