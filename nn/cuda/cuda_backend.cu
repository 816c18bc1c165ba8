/* cuda_backend.cu - the CUDA backend behind cs_backend_ops (nn/backend.h).
 *
 * Convolutions by cuDNN's legacy API (descriptors from cuda_plan.h, one plan per shape,
 * algorithms chosen once and cached, one workspace from the model), the linear layer by
 * cuBLAS (arguments from cuda_plan.h), everything else by our kernels, each calling the
 * __host__ __device__ arithmetic of cuda_math.h once per element or per output, so the
 * host test checks that arithmetic against the CPU layers.
 *
 * Precision: float32 by default, with cuDNN's FMA math (no TF32) and deterministic
 * algorithms only, so a run repeats bit for bit on one GPU.  CORESET_CUDA_TF32=1 lets
 * cuDNN and cuBLAS use TF32 tensor cores (bounds: see tests/test_nn_backend.c), and
 * CORESET_CUDA_FAST=1 lets cuDNN pick its fastest algorithm even when not deterministic.
 *
 * Memory is device memory: the model moves data only through upload/download and the
 * act_* pair (plain NCHW copies here), so it keeps host copies of what host code reads.
 * Everything runs on one stream; download synchronises it. */
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern "C" {
#include "../../common/err.h"
#include "../backend.h"
#include "../backends.h"
}
#include "cuda_plan.h"

namespace {

const int kThreads = 256;

/* One convolution shape's descriptors and chosen algorithms. */
struct conv_plan {
    cs_window d;
    cudnnTensorDescriptor_t x, y, bias;
    cudnnFilterDescriptor_t w;
    cudnnConvolutionDescriptor_t conv;
    cudnnConvolutionFwdAlgo_t fwd;
    cudnnConvolutionBwdDataAlgo_t bwd_data;
    cudnnConvolutionBwdFilterAlgo_t bwd_filter;
    size_t ws_bytes;
    conv_plan *next;
};

struct cuda_ctx {
    int device;
    int tf32, fast;
    cudaStream_t stream;
    cudnnHandle_t dnn;
    cublasHandle_t blas;
    conv_plan *plans;
    void *ws;         /* convolution workspace, ours (see cu_conv_ws), ws_bytes large */
    size_t ws_bytes;
    float *bn_ab;     /* batch norm backward: the two per-channel means, 2 * bn_cap floats */
    int bn_cap;
    int err;
    char msg[512];
};

cuda_ctx *CTX(void *c) { return (cuda_ctx *)c; }

/* Keep the first error for status(): ops return nothing. */
void fail(cuda_ctx *c, const char *what, const char *why)
{
    if (c->err)
        return;
    c->err = CS_EINTERNAL;
    snprintf(c->msg, sizeof c->msg, "cuda: %s: %s", what, why);
}

bool cu_ok(cuda_ctx *c, cudaError_t e, const char *what)
{
    if (e == cudaSuccess)
        return true;
    fail(c, what, cudaGetErrorString(e));
    return false;
}

bool dnn_ok(cuda_ctx *c, cudnnStatus_t s, const char *what)
{
    if (s == CUDNN_STATUS_SUCCESS)
        return true;
    fail(c, what, cudnnGetErrorString(s));
    return false;
}

bool blas_ok(cuda_ctx *c, cublasStatus_t s, const char *what)
{
    if (s == CUBLAS_STATUS_SUCCESS)
        return true;
    char buf[64];
    snprintf(buf, sizeof buf, "cuBLAS status %d", (int)s);
    fail(c, what, buf);
    return false;
}

/* After a kernel launch: a bad configuration shows here, a fault at the next sync. */
void launched(cuda_ctx *c, const char *what) { cu_ok(c, cudaGetLastError(), what); }

unsigned blocks_for(size_t n) { return (unsigned)((n + kThreads - 1) / kThreads); }

/* --- kernels ---------------------------------------------------------------------------- */

__global__ void k_relu_fwd(float *out, const float *in, size_t n)
{
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    if (i < n)
        out[i] = cs_k_relu(in[i]);
}

__global__ void k_relu_bwd(float *din, const float *dout, const float *out, size_t n)
{
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    if (i < n)
        din[i] = cs_k_relu_grad(dout[i], out[i]);
}

__global__ void k_add(float *out, const float *a, const float *b, size_t n)
{
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    if (i < n)
        out[i] = a[i] + b[i];
}

__global__ void k_add_inplace(float *acc, const float *x, size_t n)
{
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    if (i < n)
        acc[i] += x[i];
}

/* Sum of one double per thread over the block, in a fixed tree order: deterministic, so a
 * run repeats bit for bit (the CPU sums sequentially; both in double, so they agree far
 * below float32's rounding). */
__device__ double block_sum(double v, double *sh)
{
    sh[threadIdx.x] = v;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s)
            sh[threadIdx.x] += sh[threadIdx.x + s];
        __syncthreads();
    }
    double r = sh[0];
    __syncthreads();
    return r;
}

/* one block per channel (kThreads threads, a power of two): two-pass statistics */
__global__ void k_bn_stats(const float *in, int n, int c, int hw, int train, float momentum, float eps,
                           float *run_mean, float *run_var, float *mean, float *invstd)
{
    __shared__ double sh[kThreads];
    int ch = blockIdx.x;
    size_t cnt = (size_t)n * hw;
    double s = 0.0, ss = 0.0;
    if (train) {
        double part = 0.0;
        for (size_t i = threadIdx.x; i < cnt; i += blockDim.x)
            part += in[cs_k_bn_at(c, hw, ch, i)];
        s = block_sum(part, sh);
        double mu = s / (double)cnt;
        part = 0.0;
        for (size_t i = threadIdx.x; i < cnt; i += blockDim.x) {
            double dv = in[cs_k_bn_at(c, hw, ch, i)] - mu;
            part += dv * dv;
        }
        ss = block_sum(part, sh);
    }
    if (threadIdx.x == 0)
        cs_k_bn_finish(s, ss, cnt, ch, train, momentum, eps, run_mean, run_var, mean, invstd);
}

__global__ void k_bn_apply(float *out, const float *in, const float *mean, const float *invstd,
                           const float *gamma, const float *beta, int c, int hw, size_t total)
{
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    if (i >= total)
        return;
    int ch = (int)((i / hw) % c);
    out[i] = cs_k_bn_apply(in[i], mean[ch], gamma[ch] * invstd[ch], beta[ch]);
}

/* one block per channel: accumulate dgamma/dbeta and keep the two means the dx pass needs */
__global__ void k_bn_sums(const float *dout, const float *in, const float *mean, const float *invstd,
                          int n, int c, int hw, float *dgamma, float *dbeta, float *a, float *bxh,
                          int train)
{
    __shared__ double sh[kThreads];
    int ch = blockIdx.x;
    size_t cnt = (size_t)n * hw;
    float m = mean[ch], is = invstd[ch];
    double pa = 0.0, pb = 0.0;
    for (size_t i = threadIdx.x; i < cnt; i += blockDim.x) {
        size_t at = cs_k_bn_at(c, hw, ch, i);
        cs_k_bn_terms(dout[at], in[at], m, is, &pa, &pb);
    }
    double sdy = block_sum(pa, sh), sdyx = block_sum(pb, sh);
    if (threadIdx.x != 0)
        return;
    if (dgamma)
        dgamma[ch] += (float)sdyx;
    if (dbeta)
        dbeta[ch] += (float)sdy;
    double cntd = (double)cnt;
    a[ch] = train ? (float)(sdy / cntd) : 0.0f;
    bxh[ch] = train ? (float)(sdyx / cntd) : 0.0f;
}

__global__ void k_bn_dx(float *din, const float *dout, const float *in, const float *mean,
                        const float *invstd, const float *gamma, const float *a, const float *bxh, int c,
                        int hw, size_t total)
{
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    if (i >= total)
        return;
    int ch = (int)((i / hw) % c);
    float is = invstd[ch];
    din[i] = cs_k_bn_dx(dout[i], in[i], mean[ch], is, gamma[ch] * is, a[ch], bxh[ch]);
}

__global__ void k_maxpool_fwd(cs_window d, float *out, int *argmax, const float *in)
{
    size_t op = (size_t)d.ho * d.wo, total = (size_t)d.n * d.c * op;
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    if (i >= total)
        return;
    size_t pl = i / op;
    int o = (int)(i % op);
    out[i] = cs_k_maxpool_one(&d, in + pl * (size_t)d.h * d.w, o / d.wo, o % d.wo, &argmax[i]);
}

__global__ void k_maxpool_bwd(cs_window d, float *din, const float *dout, const int *argmax)
{
    size_t ip = (size_t)d.h * d.w, op = (size_t)d.ho * d.wo, total = (size_t)d.n * d.c * ip;
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    if (i >= total)
        return;
    size_t pl = i / ip;
    int at = (int)(i % ip);
    din[i] = cs_k_maxpool_grad_at(&d, dout + pl * op, argmax + pl * op, at / d.w, at % d.w);
}

__global__ void k_gap_fwd(float *out, const float *in, int planes, int hw)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < planes)
        out[i] = cs_k_gap_one(in + (size_t)i * hw, hw);
}

__global__ void k_gap_bwd(float *din, const float *dout, int hw, size_t total)
{
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    if (i < total)
        din[i] = dout[i / hw] / (float)hw;
}

/* out (N,O) += b, row by row */
__global__ void k_bias_rows(float *out, const float *b, int out_f, size_t total)
{
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    if (i < total)
        out[i] += b[i % out_f];
}

/* db (O) += column sums of dout (N,O), summed in sample order in float like linear.c */
__global__ void k_bias_grad(float *db, const float *dout, int n, int out_f)
{
    int o = blockIdx.x * blockDim.x + threadIdx.x;
    if (o >= out_f)
        return;
    float s = 0.0f;
    for (int i = 0; i < n; i++)
        s += dout[(size_t)i * out_f + o];
    db[o] += s;
}

__global__ void k_sgd(float *p, const float *g, float *buf, size_t n, float lr, float momentum, float wd,
                      int nesterov)
{
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    if (i < n)
        cs_k_sgd(&p[i], g[i], &buf[i], lr, momentum, wd, nesterov);
}

__global__ void k_adamw(float *p, const float *g, float *m, float *v, size_t n, cs_k_adamw_step s)
{
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    if (i < n)
        cs_k_adamw(&p[i], g[i], &m[i], &v[i], &s);
}

/* --- memory ----------------------------------------------------------------------------- */

void *cu_alloc(void *ctx, size_t bytes)
{
    cuda_ctx *c = CTX(ctx);
    void *p = NULL;
    if (cudaMalloc(&p, bytes ? bytes : 1) != cudaSuccess) {
        cudaGetLastError(); /* out of memory is the caller's to report, not a sticky error */
        return NULL;
    }
    if (!cu_ok(c, cudaMemsetAsync(p, 0, bytes, c->stream), "zeroing new memory")) {
        cudaFree(p);
        return NULL;
    }
    return p;
}

void cu_free(void *ctx, void *p)
{
    if (p)
        cu_ok(CTX(ctx), cudaFree(p), "cudaFree");
}

void cu_upload(void *ctx, void *dst, const void *src, size_t bytes)
{
    cuda_ctx *c = CTX(ctx);
    /* host memory may be reused as soon as we return: a synchronous copy on our stream */
    if (cu_ok(c, cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, c->stream), "upload"))
        cu_ok(c, cudaStreamSynchronize(c->stream), "upload");
}

void cu_download(void *ctx, void *dst, const void *src, size_t bytes)
{
    cuda_ctx *c = CTX(ctx);
    if (cu_ok(c, cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, c->stream), "download"))
        cu_ok(c, cudaStreamSynchronize(c->stream), "download");
}

void cu_zero(void *ctx, float *p, size_t n)
{
    cu_ok(CTX(ctx), cudaMemsetAsync(p, 0, sizeof(float) * n, CTX(ctx)->stream), "zero");
}

void cu_copy(void *ctx, float *dst, const float *src, size_t n)
{
    if (dst != src)
        cu_ok(CTX(ctx), cudaMemcpyAsync(dst, src, sizeof(float) * n, cudaMemcpyDeviceToDevice, CTX(ctx)->stream),
              "copy");
}

/* Plain NCHW both ways: the pair exists so the model keeps host copies of activations. */
void cu_act_upload(void *ctx, float *dst, const float *host, int n, int c, int hw)
{
    cu_upload(ctx, dst, host, sizeof(float) * (size_t)n * c * hw);
}

void cu_act_download(void *ctx, float *host, const float *src, int n, int c, int hw)
{
    cu_download(ctx, host, src, sizeof(float) * (size_t)n * c * hw);
}

/* --- convolution ------------------------------------------------------------------------ */

bool same_shape(const cs_window *a, const cs_window *b) { return memcmp(a, b, sizeof *a) == 0; }

void plan_free(conv_plan *p)
{
    cudnnDestroyTensorDescriptor(p->x);
    cudnnDestroyTensorDescriptor(p->y);
    cudnnDestroyTensorDescriptor(p->bias);
    cudnnDestroyFilterDescriptor(p->w);
    cudnnDestroyConvolutionDescriptor(p->conv);
    free(p);
}

/* The first algorithm cuDNN ranks for this shape that is allowed (deterministic unless
 * CORESET_CUDA_FAST) and ran its heuristics successfully. */
template <typename Perf>
int pick(const Perf *perf, int n, int fast)
{
    for (int i = 0; i < n; i++)
        if (perf[i].status == CUDNN_STATUS_SUCCESS && (fast || perf[i].determinism == CUDNN_DETERMINISTIC))
            return i;
    return -1;
}

conv_plan *plan_make(cuda_ctx *c, const cs_window *d)
{
    cs_cuda_conv_dims s;
    if (cs_cuda_conv_dims_of(d, &s)) {
        fail(c, "convolution plan", "window without output");
        return NULL;
    }
    conv_plan *p = (conv_plan *)calloc(1, sizeof *p);
    if (!p) {
        fail(c, "convolution plan", "out of host memory");
        return NULL;
    }
    p->d = *d;
    bool ok = dnn_ok(c, cudnnCreateTensorDescriptor(&p->x), "descriptor") &&
              dnn_ok(c, cudnnCreateTensorDescriptor(&p->y), "descriptor") &&
              dnn_ok(c, cudnnCreateTensorDescriptor(&p->bias), "descriptor") &&
              dnn_ok(c, cudnnCreateFilterDescriptor(&p->w), "descriptor") &&
              dnn_ok(c, cudnnCreateConvolutionDescriptor(&p->conv), "descriptor") &&
              dnn_ok(c, cudnnSetTensor4dDescriptor(p->x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, s.x[0], s.x[1], s.x[2], s.x[3]),
                     "input descriptor") &&
              dnn_ok(c, cudnnSetTensor4dDescriptor(p->y, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, s.y[0], s.y[1], s.y[2], s.y[3]),
                     "output descriptor") &&
              dnn_ok(c, cudnnSetTensor4dDescriptor(p->bias, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, s.bias[0], s.bias[1],
                                                   s.bias[2], s.bias[3]),
                     "bias descriptor") &&
              dnn_ok(c, cudnnSetFilter4dDescriptor(p->w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, s.w[0], s.w[1], s.w[2], s.w[3]),
                     "filter descriptor") &&
              dnn_ok(c, cudnnSetConvolution2dDescriptor(p->conv, s.pad[0], s.pad[1], s.stride[0], s.stride[1],
                                                        s.dilation[0], s.dilation[1], CUDNN_CROSS_CORRELATION,
                                                        CUDNN_DATA_FLOAT),
                     "convolution descriptor") &&
              dnn_ok(c, cudnnSetConvolutionMathType(p->conv, c->tf32 ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH),
                     "math type");
    if (ok) { /* cuDNN must agree with cs_window_set on the output size */
        int on, oc, oh, ow;
        ok = dnn_ok(c, cudnnGetConvolution2dForwardOutputDim(p->conv, p->x, p->w, &on, &oc, &oh, &ow), "output size");
        if (ok && (on != s.y[0] || oc != s.y[1] || oh != s.y[2] || ow != s.y[3])) {
            fail(c, "convolution plan", "cuDNN's output size differs from the model's");
            ok = false;
        }
    }
    const int N = 16;
    cudnnConvolutionFwdAlgoPerf_t fp[N];
    cudnnConvolutionBwdDataAlgoPerf_t dp[N];
    cudnnConvolutionBwdFilterAlgoPerf_t wp[N];
    int nf = 0, nd = 0, nw = 0, i;
    if (ok)
        ok = dnn_ok(c, cudnnGetConvolutionForwardAlgorithm_v7(c->dnn, p->x, p->w, p->conv, p->y, N, &nf, fp),
                    "forward algorithms") &&
             dnn_ok(c, cudnnGetConvolutionBackwardDataAlgorithm_v7(c->dnn, p->w, p->y, p->conv, p->x, N, &nd, dp),
                    "backward-data algorithms") &&
             dnn_ok(c, cudnnGetConvolutionBackwardFilterAlgorithm_v7(c->dnn, p->x, p->y, p->conv, p->w, N, &nw, wp),
                    "backward-filter algorithms");
    if (ok) {
        if ((i = pick(fp, nf, c->fast)) < 0 || (p->fwd = fp[i].algo, (i = pick(dp, nd, c->fast)) < 0) ||
            (p->bwd_data = dp[i].algo, (i = pick(wp, nw, c->fast)) < 0)) {
            fail(c, "convolution plan", "cuDNN offers no deterministic algorithm for this shape");
            ok = false;
        } else {
            p->bwd_filter = wp[i].algo;
        }
    }
    size_t a = 0, b = 0, w = 0;
    if (ok)
        ok = dnn_ok(c, cudnnGetConvolutionForwardWorkspaceSize(c->dnn, p->x, p->w, p->conv, p->y, p->fwd, &a),
                    "forward workspace") &&
             dnn_ok(c, cudnnGetConvolutionBackwardDataWorkspaceSize(c->dnn, p->w, p->y, p->conv, p->x, p->bwd_data, &b),
                    "backward-data workspace") &&
             dnn_ok(c, cudnnGetConvolutionBackwardFilterWorkspaceSize(c->dnn, p->x, p->y, p->conv, p->w, p->bwd_filter, &w),
                    "backward-filter workspace");
    if (!ok) {
        plan_free(p);
        return NULL;
    }
    p->ws_bytes = a > b ? a : b;
    p->ws_bytes = w > p->ws_bytes ? w : p->ws_bytes;
    p->next = c->plans;
    c->plans = p;
    return p;
}

conv_plan *plan_for(cuda_ctx *c, const cs_window *d)
{
    for (conv_plan *p = c->plans; p; p = p->next)
        if (same_shape(&p->d, d))
            return p;
    return plan_make(c, d);
}

int cu_conv_prepare(void *ctx, const cs_window *d)
{
    cuda_ctx *c = CTX(ctx);
    if (plan_for(c, d))
        return 0;
    int rc = c->err ? c->err : CS_EINTERNAL;
    c->err = 0;
    return cs_error(rc, "%s", c->msg);
}

/* The workspace is the backend's own, grown to the largest plan met: a smaller last batch
 * of an epoch gets a plan of its own, whose algorithm may want more than the model's
 * largest batch did, so a workspace sized by the model could be too small.  The model's
 * (ws) is asked for 0 floats and never used. */
size_t cu_conv_ws(void *ctx, const cs_window *d)
{
    plan_for(CTX(ctx), d); /* errors surface at status() */
    return 0;
}

void *workspace(cuda_ctx *c, size_t bytes)
{
    if (bytes <= c->ws_bytes)
        return c->ws;
    /* in-flight kernels may use the old one: finish them before it goes */
    cu_ok(c, cudaStreamSynchronize(c->stream), "convolution workspace");
    cudaFree(c->ws);
    c->ws = NULL;
    c->ws_bytes = 0;
    if (!cu_ok(c, cudaMalloc(&c->ws, bytes), "convolution workspace"))
        return NULL;
    c->ws_bytes = bytes;
    return c->ws;
}

const char *cu_conv_impl(void *ctx, const cs_window *d, int pass)
{
    static const char *fwd[] = {"implicit_gemm", "implicit_precomp_gemm", "gemm", "direct", "fft", "fft_tiling",
                                "winograd", "winograd_nonfused"};
    static const char *bwd[] = {"algo_0", "algo_1", "fft", "fft_tiling", "winograd", "winograd_nonfused", "algo_3"};
    for (conv_plan *p = CTX(ctx)->plans; p; p = p->next)
        if (same_shape(&p->d, d)) {
            int a = pass == 0 ? (int)p->fwd : pass == 1 ? (int)p->bwd_data : (int)p->bwd_filter;
            if (pass == 0)
                return a >= 0 && a < 8 ? fwd[a] : "cudnn";
            return a >= 0 && a < 7 ? bwd[a] : "cudnn";
        }
    return NULL;
}

void cu_conv_fwd(void *ctx, const cs_window *d, float *out, const float *in, const float *w, const float *b,
                 float *model_ws)
{
    (void)model_ws;
    cuda_ctx *c = CTX(ctx);
    conv_plan *p = plan_for(c, d);
    void *ws = p ? workspace(c, p->ws_bytes) : NULL;
    if (!p || (p->ws_bytes && !ws))
        return;
    const float one = 1.0f, zero = 0.0f;
    if (dnn_ok(c, cudnnConvolutionForward(c->dnn, &one, p->x, in, p->w, w, p->conv, p->fwd, ws, p->ws_bytes, &zero,
                                          p->y, out),
               "convolution forward") &&
        b)
        dnn_ok(c, cudnnAddTensor(c->dnn, &one, p->bias, b, &one, p->y, out), "convolution bias");
}

/* din written, dw and db accumulated (beta 1), as the reference does */
void cu_conv_bwd(void *ctx, const cs_window *d, float *din, float *dw, float *db, const float *dout, const float *in,
                 const float *w, float *model_ws)
{
    (void)model_ws;
    cuda_ctx *c = CTX(ctx);
    conv_plan *p = plan_for(c, d);
    void *ws = p ? workspace(c, p->ws_bytes) : NULL;
    if (!p || (p->ws_bytes && !ws))
        return;
    const float one = 1.0f, zero = 0.0f;
    if (din)
        dnn_ok(c, cudnnConvolutionBackwardData(c->dnn, &one, p->w, w, p->y, dout, p->conv, p->bwd_data, ws, p->ws_bytes,
                                               &zero, p->x, din),
               "convolution backward-data");
    if (dw)
        dnn_ok(c, cudnnConvolutionBackwardFilter(c->dnn, &one, p->x, in, p->y, dout, p->conv, p->bwd_filter, ws,
                                                 p->ws_bytes, &one, p->w, dw),
               "convolution backward-filter");
    if (db)
        dnn_ok(c, cudnnConvolutionBackwardBias(c->dnn, &one, p->y, dout, &one, p->bias, db), "convolution bias grad");
}

/* --- batch norm, pooling, linear, element-wise ------------------------------------------ */

void cu_bn_fwd(void *ctx, float *out, float *mean, float *invstd, float *run_mean, float *run_var, const float *in,
               const float *gamma, const float *beta, int n, int c, int hw, int train, float momentum, float eps)
{
    cuda_ctx *cc = CTX(ctx);
    k_bn_stats<<<(unsigned)c, kThreads, 0, cc->stream>>>(in, n, c, hw, train, momentum, eps, run_mean,
                                                                    run_var, mean, invstd);
    size_t total = (size_t)n * c * hw;
    k_bn_apply<<<blocks_for(total), kThreads, 0, cc->stream>>>(out, in, mean, invstd, gamma, beta, c, hw, total);
    launched(cc, "batch norm forward");
}

void cu_bn_bwd(void *ctx, float *din, float *dgamma, float *dbeta, const float *dout, const float *in,
               const float *mean, const float *invstd, const float *gamma, int n, int c, int hw, int train)
{
    cuda_ctx *cc = CTX(ctx);
    if (c > cc->bn_cap) { /* grows to the widest layer once, then stays */
        cu_ok(cc, cudaStreamSynchronize(cc->stream), "batch norm scratch");
        cudaFree(cc->bn_ab);
        cc->bn_ab = NULL;
        cc->bn_cap = 0;
        if (!cu_ok(cc, cudaMalloc((void **)&cc->bn_ab, sizeof(float) * 2 * (size_t)c), "batch norm scratch"))
            return;
        cc->bn_cap = c;
    }
    float *ab = cc->bn_ab;
    k_bn_sums<<<(unsigned)c, kThreads, 0, cc->stream>>>(dout, in, mean, invstd, n, c, hw, dgamma, dbeta, ab,
                                                                   ab + c, train);
    if (din) {
        size_t total = (size_t)n * c * hw;
        k_bn_dx<<<blocks_for(total), kThreads, 0, cc->stream>>>(din, dout, in, mean, invstd, gamma, ab, ab + c, c, hw,
                                                                 total);
    }
    launched(cc, "batch norm backward");
}

void cu_relu_fwd(void *ctx, float *out, const float *in, size_t n)
{
    k_relu_fwd<<<blocks_for(n), kThreads, 0, CTX(ctx)->stream>>>(out, in, n);
    launched(CTX(ctx), "relu forward");
}

void cu_relu_bwd(void *ctx, float *din, const float *dout, const float *out, size_t n)
{
    k_relu_bwd<<<blocks_for(n), kThreads, 0, CTX(ctx)->stream>>>(din, dout, out, n);
    launched(CTX(ctx), "relu backward");
}

void cu_pool_fwd(void *ctx, const cs_window *d, float *out, int *argmax, const float *in)
{
    size_t total = (size_t)d->n * d->c * d->ho * d->wo;
    k_maxpool_fwd<<<blocks_for(total), kThreads, 0, CTX(ctx)->stream>>>(*d, out, argmax, in);
    launched(CTX(ctx), "max pool forward");
}

void cu_pool_bwd(void *ctx, const cs_window *d, float *din, const float *dout, const int *argmax)
{
    size_t total = (size_t)d->n * d->c * d->h * d->w;
    k_maxpool_bwd<<<blocks_for(total), kThreads, 0, CTX(ctx)->stream>>>(*d, din, dout, argmax);
    launched(CTX(ctx), "max pool backward");
}

void cu_gap_fwd(void *ctx, float *out, const float *in, int n, int c, int hw)
{
    k_gap_fwd<<<blocks_for((size_t)n * c), kThreads, 0, CTX(ctx)->stream>>>(out, in, n * c, hw);
    launched(CTX(ctx), "global average pool forward");
}

void cu_gap_bwd(void *ctx, float *din, const float *dout, int n, int c, int hw)
{
    size_t total = (size_t)n * c * hw;
    k_gap_bwd<<<blocks_for(total), kThreads, 0, CTX(ctx)->stream>>>(din, dout, hw, total);
    launched(CTX(ctx), "global average pool backward");
}

bool gemm(cuda_ctx *c, const cs_cuda_gemm &g, const float *a, const float *b, float *out, const char *what)
{
    const float one = 1.0f;
    return blas_ok(c, cublasSgemm(c->blas, g.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, g.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N,
                                  g.m, g.n, g.k, &one, a, g.lda, b, g.ldb, &g.beta, out, g.ldc),
                   what);
}

void cu_lin_fwd(void *ctx, float *out, const float *in, const float *w, const float *b, int n, int in_f, int out_f)
{
    cuda_ctx *c = CTX(ctx);
    if (gemm(c, cs_cuda_linear_gemm(CS_LIN_FORWARD, n, in_f, out_f), w, in, out, "linear forward") && b) {
        size_t total = (size_t)n * out_f;
        k_bias_rows<<<blocks_for(total), kThreads, 0, c->stream>>>(out, b, out_f, total);
        launched(c, "linear bias");
    }
}

void cu_lin_bwd(void *ctx, float *din, float *dw, float *db, const float *dout, const float *in, const float *w, int n,
                int in_f, int out_f)
{
    cuda_ctx *c = CTX(ctx);
    if (din)
        gemm(c, cs_cuda_linear_gemm(CS_LIN_DATA, n, in_f, out_f), w, dout, din, "linear backward-data");
    if (dw)
        gemm(c, cs_cuda_linear_gemm(CS_LIN_WEIGHTS, n, in_f, out_f), in, dout, dw, "linear backward-weights");
    if (db) {
        k_bias_grad<<<blocks_for((size_t)out_f), kThreads, 0, c->stream>>>(db, dout, n, out_f);
        launched(c, "linear bias grad");
    }
}

void cu_add(void *ctx, float *out, const float *a, const float *b, size_t n)
{
    k_add<<<blocks_for(n), kThreads, 0, CTX(ctx)->stream>>>(out, a, b, n);
    launched(CTX(ctx), "add");
}

void cu_add_inplace(void *ctx, float *acc, const float *x, size_t n)
{
    k_add_inplace<<<blocks_for(n), kThreads, 0, CTX(ctx)->stream>>>(acc, x, n);
    launched(CTX(ctx), "add in place");
}

void cu_sgd(void *ctx, float *p, const float *g, float *buf, size_t n, float lr, float momentum, float wd, int nesterov)
{
    k_sgd<<<blocks_for(n), kThreads, 0, CTX(ctx)->stream>>>(p, g, buf, n, lr, momentum, wd, nesterov);
    launched(CTX(ctx), "sgd step");
}

void cu_adamw(void *ctx, float *p, const float *g, float *m, float *v, size_t n, float lr, float beta1, float beta2,
              float eps, float wd, long step)
{
    cs_k_adamw_step s = cs_k_adamw_prepare(lr, beta1, beta2, eps, wd, step);
    k_adamw<<<blocks_for(n), kThreads, 0, CTX(ctx)->stream>>>(p, g, m, v, n, s);
    launched(CTX(ctx), "adamw step");
}

/* Errors of asynchronous work surface at a synchronisation: the model asks after each
 * pass, so synchronise here, then report the first error since the last call. */
int cu_status(void *ctx)
{
    cuda_ctx *c = CTX(ctx);
    cu_ok(c, cudaStreamSynchronize(c->stream), "stream");
    int rc = c->err;
    if (!rc)
        return 0;
    c->err = 0;
    return cs_error(rc, "%s", c->msg);
}

void cu_release(void *ctx)
{
    cuda_ctx *c = CTX(ctx);
    if (!c)
        return;
    while (c->plans) {
        conv_plan *n = c->plans->next;
        plan_free(c->plans);
        c->plans = n;
    }
    cudaFree(c->bn_ab);
    cudaFree(c->ws);
    if (c->blas)
        cublasDestroy(c->blas);
    if (c->dnn)
        cudnnDestroy(c->dnn);
    if (c->stream)
        cudaStreamDestroy(c->stream);
    free(c);
}

cs_backend_ops make_ops()
{
    cs_backend_ops o;
    memset(&o, 0, sizeof o);
    o.name = "cuda";
    o.release = cu_release;
    o.alloc = cu_alloc;
    o.free = cu_free;
    o.upload = cu_upload;
    o.download = cu_download;
    o.zero = cu_zero;
    o.conv_ws_floats = cu_conv_ws;
    o.conv_forward = cu_conv_fwd;
    o.conv_backward = cu_conv_bwd;
    o.bn_forward = cu_bn_fwd;
    o.bn_backward = cu_bn_bwd;
    o.relu_forward = cu_relu_fwd;
    o.relu_backward = cu_relu_bwd;
    o.maxpool_forward = cu_pool_fwd;
    o.maxpool_backward = cu_pool_bwd;
    o.gap_forward = cu_gap_fwd;
    o.gap_backward = cu_gap_bwd;
    o.linear_forward = cu_lin_fwd;
    o.linear_backward = cu_lin_bwd;
    o.add_forward = cu_add;
    o.add_inplace = cu_add_inplace;
    o.copy = cu_copy;
    o.act_upload = cu_act_upload;
    o.act_download = cu_act_download;
    o.conv_prepare = cu_conv_prepare;
    o.conv_impl = cu_conv_impl;
    o.status = cu_status;
    o.sgd_step = cu_sgd;
    o.adamw_step = cu_adamw;
    return o;
}

const cs_backend_ops cuda_ops = make_ops();

bool env_on(const char *name)
{
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0") != 0;
}

} // namespace

extern "C" int cs_backend_cuda_create(cs_backend **out, int device)
{
    *out = NULL;
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess) {
        cudaGetLastError();
        return cs_error(CS_EUNSUP, "no CUDA device: %s", cudaGetErrorString(e));
    }
    if (device < 0 || device >= count)
        return cs_error(CS_EUNSUP, "no CUDA device %d (this machine has %d)", device, count);
    if ((e = cudaSetDevice(device)) != cudaSuccess)
        return cs_error(CS_EINTERNAL, "CUDA device %d: %s", device, cudaGetErrorString(e));
    cuda_ctx *c = (cuda_ctx *)calloc(1, sizeof *c);
    cs_backend *be = (cs_backend *)calloc(1, sizeof *be);
    if (!c || !be) {
        free(c);
        free(be);
        return CS_ENOMEM;
    }
    c->device = device;
    c->tf32 = env_on("CORESET_CUDA_TF32");
    c->fast = env_on("CORESET_CUDA_FAST");
    bool ok = cu_ok(c, cudaStreamCreateWithFlags(&c->stream, cudaStreamNonBlocking), "stream") &&
              dnn_ok(c, cudnnCreate(&c->dnn), "cudnnCreate") && dnn_ok(c, cudnnSetStream(c->dnn, c->stream), "cuDNN stream") &&
              blas_ok(c, cublasCreate(&c->blas), "cublasCreate") && blas_ok(c, cublasSetStream(c->blas, c->stream), "cuBLAS stream") &&
              blas_ok(c, cublasSetMathMode(c->blas, c->tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_PEDANTIC_MATH),
                      "cuBLAS math mode");
    if (!ok) {
        int rc = cs_error(CS_EINTERNAL, "CUDA device %d: %s", device, c->msg);
        cu_release(c);
        free(be);
        return rc;
    }
    be->ops = &cuda_ops;
    be->ctx = c;
    *out = be;
    return 0;
}
