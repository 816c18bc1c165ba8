/* test_cuda_host.cu - the CUDA backend's arithmetic and shape plumbing, on the host.
 *
 * Built by nvcc (make CUDA=1 test-cuda-host) and run on the CPU: it calls the same
 * __host__ __device__ functions the kernels call (nn/cuda/cuda_math.h) once per element
 * or per output, exactly as the kernels do, and compares with the CPU reference layers on
 * random inputs; and it checks the cuDNN descriptor dimensions and cuBLAS arguments
 * (nn/cuda/cuda_plan.h) against cuDNN's own output-size answer and a plain gemm.  It is
 * no substitute for the device run (tests/gpu/check.sh): the GPU compiles the same source
 * with its own floating-point contraction and runs cuDNN/cuBLAS kernels not tested here. */
extern "C" {
#include "../../common/err.h"
#include "../../common/rng.h"
#include "../../nn/backends.h"
#include "../../nn/layers.h"
#include "../../nn/optim.h"
}
#include "../harness.h"

#include <cudnn.h>

#include "../../nn/cuda/cuda_plan.h"

static float *randn(size_t n, uint64_t seed)
{
    cs_rng r;
    cs_rng_seed(&r, seed);
    float *x = (float *)malloc(sizeof(float) * (n ? n : 1));
    for (size_t i = 0; i < n; i++)
        x[i] = (float)cs_rng_normal(&r);
    return x;
}

static float *copy_of(const float *x, size_t n)
{
    float *y = (float *)malloc(sizeof(float) * (n ? n : 1));
    memcpy(y, x, sizeof(float) * n);
    return y;
}

static bool same(const float *a, const float *b, size_t n) { return memcmp(a, b, sizeof(float) * n) == 0; }

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

/* --- element-wise and optimisers ------------------------------------------------------ */

static void test_relu(void)
{
    size_t n = 1000;
    float *x = randn(n, 1), *dy = randn(n, 2), *y = randn(n, 3), *dx = randn(n, 4);
    float *ky = (float *)malloc(sizeof(float) * n), *kdx = (float *)malloc(sizeof(float) * n);
    cs_relu_forward(y, x, n);
    cs_relu_backward(dx, dy, y, n);
    for (size_t i = 0; i < n; i++) {
        ky[i] = cs_k_relu(x[i]);
        kdx[i] = cs_k_relu_grad(dy[i], y[i]);
    }
    CHECK(same(ky, y, n) && same(kdx, dx, n));
    free(x), free(dy), free(y), free(dx), free(ky), free(kdx);
}

static void test_optimisers(void)
{
    size_t n = 4097;
    float *p = randn(n, 5), *g = randn(n, 6), *b = randn(n, 7), *v0 = randn(n, 8);
    for (size_t i = 0; i < n; i++)
        v0[i] = v0[i] * v0[i]; /* second moments are >= 0 */
    for (int nesterov = 0; nesterov < 2; nesterov++) {
        float *rp = copy_of(p, n), *rb = copy_of(b, n), *kp = copy_of(p, n), *kb = copy_of(b, n);
        cs_sgd_step(rp, g, rb, n, 0.05f, 0.9f, 5e-4f, nesterov, 1);
        for (size_t i = 0; i < n; i++)
            cs_k_sgd(&kp[i], g[i], &kb[i], 0.05f, 0.9f, 5e-4f, nesterov);
        CHECK_MSG(same(kp, rp, n) && same(kb, rb, n), "sgd nesterov %d", nesterov);
        free(rp), free(rb), free(kp), free(kb);
    }
    for (long step = 1; step <= 3; step += 2) {
        float *rp = copy_of(p, n), *rm = copy_of(b, n), *rv = copy_of(v0, n);
        float *kp = copy_of(p, n), *km = copy_of(b, n), *kv = copy_of(v0, n);
        cs_adamw_step(rp, g, rm, rv, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, step, 1);
        cs_k_adamw_step s = cs_k_adamw_prepare(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, step);
        for (size_t i = 0; i < n; i++)
            cs_k_adamw(&kp[i], g[i], &km[i], &kv[i], &s);
        CHECK_MSG(same(kp, rp, n) && same(km, rm, n) && same(kv, rv, n), "adamw step %ld", step);
        free(rp), free(rm), free(rv), free(kp), free(km), free(kv);
    }
    free(p), free(g), free(b), free(v0);
}

/* --- batch norm ------------------------------------------------------------------------ */

/* The kernels' two passes (per-channel statistics, then per element) against batchnorm.c,
 * train and eval, forward and backward. */
static void test_batchnorm(void)
{
    int n = 5, c = 6, hw = 7;
    size_t len = (size_t)n * c * hw;
    float *x = randn(len, 9), *dy = randn(len, 10), *gamma = randn(c, 11), *beta = randn(c, 12);
    for (int train = 0; train < 2; train++) {
        float rm[6], rv[6], km_run[6], kv_run[6], mean[6], invstd[6], kmean[6], kinv[6];
        for (int ch = 0; ch < c; ch++)
            rm[ch] = km_run[ch] = 0.1f * ch, rv[ch] = kv_run[ch] = 1.0f + 0.2f * ch;
        float *y = (float *)malloc(sizeof(float) * len), *ky = (float *)malloc(sizeof(float) * len);
        cs_batchnorm_forward(y, mean, invstd, rm, rv, x, gamma, beta, n, c, hw, train, 0.1f, 1e-5f, 1);
        for (int ch = 0; ch < c; ch++)
            cs_k_bn_stats(x, n, c, hw, ch, train, 0.1f, 1e-5f, km_run, kv_run, kmean, kinv);
        for (size_t i = 0; i < len; i++) {
            int ch = (int)((i / hw) % c);
            ky[i] = cs_k_bn_apply(x[i], kmean[ch], gamma[ch] * kinv[ch], beta[ch]);
        }
        CHECK_MSG(same(ky, y, len) && same(kmean, mean, c) && same(kinv, invstd, c) && same(km_run, rm, c) &&
                      same(kv_run, rv, c),
                  "forward train=%d", train);
        float *dx = (float *)malloc(sizeof(float) * len), *kdx = (float *)malloc(sizeof(float) * len);
        float dg[6] = {0}, db[6] = {0}, kdg[6] = {0}, kdb[6] = {0}, a[6], bxh[6];
        cs_batchnorm_backward(dx, dg, db, dy, x, mean, invstd, gamma, n, c, hw, train, 1);
        for (int ch = 0; ch < c; ch++) { /* k_bn_sums */
            double sdy, sdyx;
            cs_k_bn_sums(dy, x, n, c, hw, ch, kmean[ch], kinv[ch], &sdy, &sdyx);
            kdg[ch] += (float)sdyx;
            kdb[ch] += (float)sdy;
            a[ch] = train ? (float)(sdy / ((double)n * hw)) : 0.0f;
            bxh[ch] = train ? (float)(sdyx / ((double)n * hw)) : 0.0f;
        }
        for (size_t i = 0; i < len; i++) { /* k_bn_dx */
            int ch = (int)((i / hw) % c);
            kdx[i] = cs_k_bn_dx(dy[i], x[i], kmean[ch], kinv[ch], gamma[ch] * kinv[ch], a[ch], bxh[ch]);
        }
        CHECK_MSG(same(kdx, dx, len) && same(kdg, dg, c) && same(kdb, db, c), "backward train=%d", train);
        free(y), free(ky), free(dx), free(kdx);
    }
    free(x), free(dy), free(gamma), free(beta);
}

/* --- pooling ----------------------------------------------------------------------------- */

/* ResNet's 3x3 stride-2 pad-1 stem pool (overlapping windows: gradients gather from up to
 * four outputs), 2x2 stride 2, a 1-D pool, and a window larger than its stride with
 * asymmetric fit. */
static void test_maxpool(void)
{
    cs_window ws[] = {
        {2, 3, 9, 9, 0, 3, 3, 2, 2, 1, 1, 0, 0}, {2, 3, 8, 8, 0, 2, 2, 2, 2, 0, 0, 0, 0},
        {2, 4, 1, 21, 0, 1, 3, 1, 2, 0, 1, 0, 0}, {1, 2, 7, 10, 0, 3, 2, 1, 3, 1, 0, 0, 0},
    };
    for (size_t t = 0; t < sizeof ws / sizeof ws[0]; t++) {
        cs_window d = ws[t];
        CHECK(cs_window_set(&d) == 0);
        size_t ip = (size_t)d.h * d.w, op = (size_t)d.ho * d.wo, planes = (size_t)d.n * d.c;
        float *x = randn(planes * ip, 20 + t), *dy = randn(planes * op, 30 + t);
        for (size_t i = 0; i < planes * ip; i += 5)
            x[i] = x[i + 1 < planes * ip ? i + 1 : i]; /* ties: the first wins on both */
        float *y = (float *)malloc(sizeof(float) * planes * op), *ky = (float *)malloc(sizeof(float) * planes * op);
        int *am = (int *)malloc(sizeof(int) * planes * op), *kam = (int *)malloc(sizeof(int) * planes * op);
        float *dx = (float *)malloc(sizeof(float) * planes * ip), *kdx = (float *)malloc(sizeof(float) * planes * ip);
        cs_maxpool2d_forward(&d, y, am, x, 1);
        cs_maxpool2d_backward(&d, dx, dy, am, 1);
        for (size_t i = 0; i < planes * op; i++) /* k_maxpool_fwd */
            ky[i] = cs_k_maxpool_one(&d, x + (i / op) * ip, (int)(i % op) / d.wo, (int)(i % op) % d.wo, &kam[i]);
        for (size_t i = 0; i < planes * ip; i++) /* k_maxpool_bwd */
            kdx[i] = cs_k_maxpool_grad_at(&d, dy + (i / ip) * op, kam + (i / ip) * op, (int)(i % ip) / d.w,
                                          (int)(i % ip) % d.w);
        CHECK_MSG(same(ky, y, planes * op) && memcmp(kam, am, sizeof(int) * planes * op) == 0,
                  "window %zu forward", t);
        CHECK_MSG(same(kdx, dx, planes * ip), "window %zu backward: rel err %.3g", t, rel_err(kdx, dx, planes * ip));
        free(x), free(dy), free(y), free(ky), free(am), free(kam), free(dx), free(kdx);
    }
}

static void test_gap(void)
{
    int n = 3, c = 5, hw = 49;
    float *x = randn((size_t)n * c * hw, 40), *y = (float *)malloc(sizeof(float) * n * c), ky[15];
    cs_gap_forward(y, x, n, c, hw);
    for (int i = 0; i < n * c; i++)
        ky[i] = cs_k_gap_one(x + (size_t)i * hw, hw);
    CHECK(same(ky, y, (size_t)n * c));
    free(x), free(y);
}

/* --- cross-entropy ------------------------------------------------------------------------ */

static void test_xent(void)
{
    int n = 7, k = 5, labels[7] = {0, 1, 2, 3, 4, 0, 2};
    float *z = randn((size_t)n * k, 50), w[5] = {1.0f, 0.5f, 2.0f, 0.0f, 1.5f};
    for (int weighted = 0; weighted < 2; weighted++)
        for (int si = 0; si < 2; si++) {
            float s = si ? 0.1f : 0.0f;
            const float *wt = weighted ? w : NULL;
            float p[35], l[7], dz[35], kp[35], kl[7], kdz[35];
            double mean = cs_xent_forward_backward(p, l, dz, z, labels, n, k, s, wt);
            double wsum = 0, total = 0;
            for (int i = 0; i < n; i++)
                wsum += wt ? wt[labels[i]] : 1.0;
            for (int i = 0; i < n; i++) {
                double lw;
                kl[i] = cs_k_xent_row(z + i * k, k, labels[i], s, wt, wsum, n, kp + i * k, kdz + i * k, &lw);
                total += lw;
            }
            CHECK_MSG(same(kp, p, 35) && same(kl, l, 7) && same(kdz, dz, 35) && total / wsum == mean,
                      "weighted %d smoothing %g", weighted, (double)s);
        }
    free(z);
}

/* --- cuDNN descriptors and cuBLAS arguments ---------------------------------------------- */

/* The model's convolution shapes (stems, 3x3 and 1x1 stride 2, 1-D): descriptors from
 * cs_cuda_conv_dims_of, and cuDNN must give cs_window_set's output size for them.  Plain
 * descriptor calls: no handle, so no GPU. */
static void test_conv_descriptors(void)
{
    cs_window ws[] = {
        {4, 3, 32, 32, 64, 3, 3, 1, 1, 1, 1, 0, 0}, {4, 1, 28, 28, 64, 7, 7, 2, 2, 3, 3, 0, 0},
        {4, 64, 8, 8, 128, 3, 3, 2, 2, 1, 1, 0, 0}, {4, 64, 8, 8, 128, 1, 1, 2, 2, 0, 0, 0, 0},
        {4, 12, 1, 1000, 64, 1, 7, 1, 2, 0, 3, 0, 0}, {2, 16, 6, 6, 16, 3, 3, 1, 1, 1, 1, 0, 0},
    };
    for (size_t t = 0; t < sizeof ws / sizeof ws[0]; t++) {
        cs_window d = ws[t];
        CHECK(cs_window_set(&d) == 0);
        cs_cuda_conv_dims s;
        CHECK(cs_cuda_conv_dims_of(&d, &s) == 0);
        cudnnTensorDescriptor_t x;
        cudnnFilterDescriptor_t w;
        cudnnConvolutionDescriptor_t cv;
        bool ok = cudnnCreateTensorDescriptor(&x) == CUDNN_STATUS_SUCCESS &&
                  cudnnCreateFilterDescriptor(&w) == CUDNN_STATUS_SUCCESS &&
                  cudnnCreateConvolutionDescriptor(&cv) == CUDNN_STATUS_SUCCESS;
        CHECK_MSG(ok, "cuDNN descriptors could not be created");
        if (!ok)
            return;
        CHECK(cudnnSetTensor4dDescriptor(x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, s.x[0], s.x[1], s.x[2], s.x[3]) ==
              CUDNN_STATUS_SUCCESS);
        CHECK(cudnnSetFilter4dDescriptor(w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, s.w[0], s.w[1], s.w[2], s.w[3]) ==
              CUDNN_STATUS_SUCCESS);
        CHECK(cudnnSetConvolution2dDescriptor(cv, s.pad[0], s.pad[1], s.stride[0], s.stride[1], s.dilation[0],
                                              s.dilation[1], CUDNN_CROSS_CORRELATION,
                                              CUDNN_DATA_FLOAT) == CUDNN_STATUS_SUCCESS);
        int on = 0, oc = 0, oh = 0, ow = 0;
        CHECK(cudnnGetConvolution2dForwardOutputDim(cv, x, w, &on, &oc, &oh, &ow) == CUDNN_STATUS_SUCCESS);
        CHECK_MSG(on == d.n && oc == d.k && oh == d.ho && ow == d.wo && s.y[2] == d.ho && s.y[3] == d.wo,
                  "shape %zu: cuDNN says %dx%dx%dx%d, the window %dx%dx%dx%d", t, on, oc, oh, ow, d.n, d.k, d.ho,
                  d.wo);
        /* packed NCHW: the layout the model's activations have */
        cudnnDataType_t dt;
        int dims[4], str[4];
        CHECK(cudnnGetTensor4dDescriptor(x, &dt, &dims[0], &dims[1], &dims[2], &dims[3], &str[0], &str[1], &str[2],
                                         &str[3]) == CUDNN_STATUS_SUCCESS);
        CHECK(str[3] == 1 && str[2] == d.w && str[1] == d.h * d.w && str[0] == d.c * d.h * d.w);
        cudnnDestroyTensorDescriptor(x);
        cudnnDestroyFilterDescriptor(w);
        cudnnDestroyConvolutionDescriptor(cv);
    }
    cs_window none = {1, 1, 2, 2, 0, 1, 1, 1, 1, 0, 0, 0, 0};
    cs_window_set(&none);
    cs_cuda_conv_dims s;
    CHECK(cs_cuda_conv_dims_of(&none, &s) == -1); /* no output channels */
}

/* The three cuBLAS calls of the linear layer, run as plain column-major products with the
 * arguments cs_cuda_linear_gemm gives, against linear.c. */
static void test_linear_gemm(void)
{
    int n = 6, in_f = 9, out_f = 4;
    float *x = randn((size_t)n * in_f, 60), *w = randn((size_t)out_f * in_f, 61), *dy = randn((size_t)n * out_f, 62);
    float *dw0 = randn((size_t)out_f * in_f, 63);
    float y[24], ky[24], dx[54], kdx[54];
    float *dw = copy_of(dw0, (size_t)out_f * in_f), *kdw = copy_of(dw0, (size_t)out_f * in_f);
    cs_linear_forward(y, x, w, NULL, n, in_f, out_f);
    cs_linear_backward(dx, dw, NULL, dy, x, w, n, in_f, out_f);
    cs_cuda_gemm g = cs_cuda_linear_gemm(CS_LIN_FORWARD, n, in_f, out_f);
    memset(ky, 0, sizeof ky);
    cs_cuda_gemm_host(&g, w, x, ky);
    g = cs_cuda_linear_gemm(CS_LIN_DATA, n, in_f, out_f);
    memset(kdx, 0, sizeof kdx);
    cs_cuda_gemm_host(&g, w, dy, kdx);
    g = cs_cuda_linear_gemm(CS_LIN_WEIGHTS, n, in_f, out_f);
    cs_cuda_gemm_host(&g, x, dy, kdw);
    CHECK_MSG(rel_err(ky, y, 24) < 1e-6, "forward: %.3g", rel_err(ky, y, 24));
    CHECK_MSG(rel_err(kdx, dx, 54) < 1e-6, "backward-data: %.3g", rel_err(kdx, dx, 54));
    CHECK_MSG(rel_err(kdw, dw, 36) < 1e-6, "backward-weights (accumulated): %.3g", rel_err(kdw, dw, 36));
    free(x), free(w), free(dy), free(dw0), free(dw), free(kdw);
}

/* --- the registry in a CUDA build ---------------------------------------------------------- */

/* The cuda entry is registered; without a GPU it refuses with the driver's reason (the
 * path every GPU test takes to its SKIP), with one it makes a backend. */
static void test_registry_cuda(void)
{
    const cs_backend_info *e = cs_backend_find("cuda");
    CHECK(e && e->on_device);
    cs_backend *be = NULL;
    int rc = cs_backend_create(&be, "cuda:0", 1);
    if (rc == 0) {
        CHECK(be && strcmp(be->ops->name, "cuda") == 0 && cs_backend_check(be) == 0);
        cs_backend_free(be);
        return;
    }
    CHECK_MSG(rc == CS_EUNSUP && be == NULL && strstr(cs_errmsg(), "CUDA device"), "rc %d: %s", rc, cs_errmsg());
    harness_skip("no GPU here (%s): the backend itself is checked by tests/gpu/check.sh", cs_errmsg());
}

int main(void)
{
    RUN(test_relu);
    RUN(test_optimisers);
    RUN(test_batchnorm);
    RUN(test_maxpool);
    RUN(test_gap);
    RUN(test_xent);
    RUN(test_conv_descriptors);
    RUN(test_linear_gemm);
    RUN(test_registry_cuda);
    return harness_done();
}
