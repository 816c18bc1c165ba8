/* cpu_backend.c - the CPU reference backend: the layers.h/optim.h functions behind the
 * backend table, with the team size kept in the context (its first field, which every
 * CPU backend's context shares, see cs_backend_cpu_threads). */
#include "backend.h"
#include "gemm.h"
#include "optim.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"

typedef struct cpu_ctx {
    int nt;
} cpu_ctx;

#define NT(ctx) (((cpu_ctx *)(ctx))->nt)

static void *cpu_alloc(void *ctx, size_t bytes)
{
    (void)ctx;
    /* 64-byte alignment for the vector loops and sgemm */
    size_t rounded = (bytes + 63) & ~(size_t)63;
    void *p = aligned_alloc(64, rounded ? rounded : 64);
    if (p)
        memset(p, 0, rounded ? rounded : 64);
    return p;
}

static void cpu_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static void cpu_copy_bytes(void *ctx, void *dst, const void *src, size_t bytes)
{
    (void)ctx;
    memcpy(dst, src, bytes);
}

static void cpu_zero(void *ctx, float *p, size_t n)
{
    (void)ctx;
    memset(p, 0, sizeof(float) * n);
}

static size_t cpu_conv_ws(void *ctx, const cs_window *d) { return cs_conv2d_ws_floats(d, NT(ctx)); }

static void cpu_conv_fwd(void *ctx, const cs_window *d, float *out, const float *in,
                         const float *w, const float *b, float *ws)
{
    cs_conv2d_forward(d, out, in, w, b, ws, NT(ctx));
}

static void cpu_conv_bwd(void *ctx, const cs_window *d, float *din, float *dw, float *db,
                         const float *dout, const float *in, const float *w, float *ws)
{
    cs_conv2d_backward(d, din, dw, db, dout, in, w, ws, NT(ctx));
}

static void cpu_bn_fwd(void *ctx, float *out, float *mean, float *invstd, float *run_mean,
                       float *run_var, const float *in, const float *gamma, const float *beta,
                       int n, int c, int hw, int train, float momentum, float eps)
{
    cs_batchnorm_forward(out, mean, invstd, run_mean, run_var, in, gamma, beta, n, c, hw, train,
                         momentum, eps, NT(ctx));
}

static void cpu_bn_bwd(void *ctx, float *din, float *dgamma, float *dbeta, const float *dout,
                       const float *in, const float *mean, const float *invstd,
                       const float *gamma, int n, int c, int hw, int train)
{
    cs_batchnorm_backward(din, dgamma, dbeta, dout, in, mean, invstd, gamma, n, c, hw, train,
                          NT(ctx));
}

static void cpu_relu_fwd(void *ctx, float *out, const float *in, size_t n)
{
    (void)ctx;
    cs_relu_forward(out, in, n);
}

static void cpu_relu_bwd(void *ctx, float *din, const float *dout, const float *out, size_t n)
{
    (void)ctx;
    cs_relu_backward(din, dout, out, n);
}

static void cpu_pool_fwd(void *ctx, const cs_window *d, float *out, int *argmax, const float *in)
{
    cs_maxpool2d_forward(d, out, argmax, in, NT(ctx));
}

static void cpu_pool_bwd(void *ctx, const cs_window *d, float *din, const float *dout,
                         const int *argmax)
{
    cs_maxpool2d_backward(d, din, dout, argmax, NT(ctx));
}

static void cpu_gap_fwd(void *ctx, float *out, const float *in, int n, int c, int hw)
{
    (void)ctx;
    cs_gap_forward(out, in, n, c, hw);
}

static void cpu_gap_bwd(void *ctx, float *din, const float *dout, int n, int c, int hw)
{
    (void)ctx;
    cs_gap_backward(din, dout, n, c, hw);
}

static void cpu_lin_fwd(void *ctx, float *out, const float *in, const float *w, const float *b,
                        int n, int in_f, int out_f)
{
    (void)ctx;
    cs_linear_forward(out, in, w, b, n, in_f, out_f);
}

static void cpu_lin_bwd(void *ctx, float *din, float *dw, float *db, const float *dout,
                        const float *in, const float *w, int n, int in_f, int out_f)
{
    (void)ctx;
    cs_linear_backward(din, dw, db, dout, in, w, n, in_f, out_f);
}

static void cpu_add(void *ctx, float *out, const float *a, const float *b, size_t n)
{
    (void)ctx;
    cs_add_forward(out, a, b, n);
}

static void cpu_add_inplace(void *ctx, float *acc, const float *x, size_t n)
{
    (void)ctx;
    cs_add_inplace(acc, x, n);
}

static void cpu_copy(void *ctx, float *dst, const float *src, size_t n)
{
    (void)ctx;
    memcpy(dst, src, sizeof(float) * n);
}

static void cpu_sgd(void *ctx, float *p, const float *g, float *buf, size_t n, float lr,
                    float momentum, float wd, int nesterov)
{
    cs_sgd_step(p, g, buf, n, lr, momentum, wd, nesterov, NT(ctx));
}

static void cpu_adamw(void *ctx, float *p, const float *g, float *m, float *v, size_t n, float lr,
                      float beta1, float beta2, float eps, float wd, long step)
{
    cs_adamw_step(p, g, m, v, n, lr, beta1, beta2, eps, wd, step, NT(ctx));
}

static void cpu_release(void *ctx) { free(ctx); }

static const cs_backend_ops cpu_ops = {
    .name = "cpu-ref",
    .release = cpu_release,
    .alloc = cpu_alloc,
    .free = cpu_free,
    .upload = cpu_copy_bytes,
    .download = cpu_copy_bytes,
    .zero = cpu_zero,
    .conv_ws_floats = cpu_conv_ws,
    .conv_forward = cpu_conv_fwd,
    .conv_backward = cpu_conv_bwd,
    .bn_forward = cpu_bn_fwd,
    .bn_backward = cpu_bn_bwd,
    .relu_forward = cpu_relu_fwd,
    .relu_backward = cpu_relu_bwd,
    .maxpool_forward = cpu_pool_fwd,
    .maxpool_backward = cpu_pool_bwd,
    .gap_forward = cpu_gap_fwd,
    .gap_backward = cpu_gap_bwd,
    .linear_forward = cpu_lin_fwd,
    .linear_backward = cpu_lin_bwd,
    .add_forward = cpu_add,
    .add_inplace = cpu_add_inplace,
    .copy = cpu_copy,
    .sgd_step = cpu_sgd,
    .adamw_step = cpu_adamw,
};

const cs_backend_ops *cs_backend_ref_ops(void) { return &cpu_ops; }

int cs_backend_ref_create(cs_backend **out, int nthreads)
{
    *out = NULL;
    cs_backend *be = cs_calloc(1, sizeof *be);
    cpu_ctx *ctx = cs_calloc(1, sizeof *ctx);
    if (!be || !ctx) {
        free(be);
        free(ctx);
        return CS_ENOMEM;
    }
    ctx->nt = nthreads > 0 ? nthreads : omp_get_max_threads();
    be->ops = &cpu_ops;
    be->ctx = ctx;
    /* our OpenMP loops call sgemm per sample: keep OpenBLAS from adding its own threads */
    cs_gemm_single_thread();
    *out = be;
    return 0;
}

int cs_backend_check(const cs_backend *be)
{
    const cs_backend_ops *o = be->ops;
    const char *name = o->name ? o->name : "(unnamed)";
#define REQUIRE(op)                                                                                \
    if (!o->op)                                                                                    \
        return cs_error(CS_EINVAL, "backend '%s' has no '%s' op, which every backend must have",  \
                        name, #op)
    REQUIRE(release);
    REQUIRE(alloc);
    REQUIRE(free);
    REQUIRE(upload);
    REQUIRE(download);
    REQUIRE(zero);
    REQUIRE(conv_ws_floats);
    REQUIRE(conv_forward);
    REQUIRE(conv_backward);
    REQUIRE(bn_forward);
    REQUIRE(bn_backward);
    REQUIRE(relu_forward);
    REQUIRE(relu_backward);
    REQUIRE(maxpool_forward);
    REQUIRE(maxpool_backward);
    REQUIRE(gap_forward);
    REQUIRE(gap_backward);
    REQUIRE(linear_forward);
    REQUIRE(linear_backward);
    REQUIRE(add_forward);
    REQUIRE(add_inplace);
    REQUIRE(copy);
    REQUIRE(sgd_step);
    REQUIRE(adamw_step);
#undef REQUIRE
    /* one without the other would move activations into a layout nothing reads back */
    if (!o->act_upload != !o->act_download)
        return cs_error(CS_EINVAL, "backend '%s' has '%s' without '%s'; they come as a pair", name,
                        o->act_upload ? "act_upload" : "act_download",
                        o->act_upload ? "act_download" : "act_upload");
    return 0;
}

void cs_backend_free(cs_backend *be)
{
    if (!be)
        return;
    be->ops->release(be->ctx);
    free(be);
}

int cs_backend_cpu_threads(const cs_backend *be) { return NT(be->ctx); }

const char *cs_backend_conv_impl(const cs_backend *be, const cs_window *d, int pass)
{
    const char *s = be->ops->conv_impl ? be->ops->conv_impl(be->ctx, d, pass) : "reference";
    return s ? s : "(not prepared)";
}

int cs_backend_cpu_create(cs_backend **be, int nthreads)
{
#ifdef CS_HAVE_DNNL
    return cs_backend_dnnl_create(be, nthreads, 1);
#else
    return cs_backend_ref_create(be, nthreads);
#endif
}
