/* layers.h - the CPU reference layers: free forward/backward pairs on raw float32 buffers.
 *
 * Layout is NCHW; a 1-D signal (N,C,L) is the 2-D case with H = 1 (same memory),
 * which is how conv1d, max-pool-1d and GAP-1d are built.  Conventions, as in llm.c:
 *   - forward keeps nothing hidden: whatever backward needs is an explicit argument;
 *   - backward ACCUMULATES (+=) into parameter gradients and WRITES (=) the input gradient;
 *   - optional outputs may be NULL (din NULL: no input gradient wanted, dw NULL: no
 *     parameter gradients, e.g. the Grad-CAM path);
 *   - `nthreads` fixes the OpenMP team; results are bit-identical for a given value
 *     (static chunks, per-thread partial sums reduced in thread order);
 *   - layers whose results do not depend on how work is split (all but the convolution's
 *     weight gradient) run on one thread below 65536 elements: a parallel region costs
 *     more than such work, and milliseconds of spinning on a machine busier than its
 *     cores. */
#ifndef CS_NN_LAYERS_H
#define CS_NN_LAYERS_H

#include <stddef.h>

/* A convolution or pooling window over (N,C,H,W); ho, wo are derived by cs_window_set. */
typedef struct cs_window {
    int n, c, h, w;     /* input */
    int k;              /* output channels (convolution only) */
    int kh, kw, sh, sw, ph, pw;
    int ho, wo;         /* output size: (h + 2 ph - kh) / sh + 1 */
} cs_window;

/* Fill ho/wo; returns 0, or -1 when the window does not fit the input. */
int cs_window_set(cs_window *d);

/* --- convolution (conv2d.c): im2col + sgemm ------------------------------------ */
/* Scratch floats cs_conv2d_forward/backward need for this shape and team size. */
size_t cs_conv2d_ws_floats(const cs_window *d, int nthreads);
/* out (N,K,Ho,Wo) = in (N,C,H,W) * w (K,C,kh,kw) + b (K) (b may be NULL) */
void cs_conv2d_forward(const cs_window *d, float *out, const float *in, const float *w,
                       const float *b, float *ws, int nthreads);
/* din (N,C,H,W) =; dw (K,C,kh,kw) +=; db (K) += (each may be NULL) */
void cs_conv2d_backward(const cs_window *d, float *din, float *dw, float *db, const float *dout,
                        const float *in, const float *w, float *ws, int nthreads);
/* 1-D: in (N,C,L), w (K,C,ksize); a window with h = 1, kh = 1, sh = 1, ph = 0. */
void cs_window_1d(cs_window *d, int n, int c, int l, int k, int ksize, int stride, int pad);
#define cs_conv1d_forward cs_conv2d_forward
#define cs_conv1d_backward cs_conv2d_backward

/* --- batch normalisation (batchnorm.c) ----------------------------------------- */
/* out (N,C,HW) = gamma * (in - mean) * invstd + beta.  train: batch statistics (biased
 * variance) saved in mean/invstd (C), running stats updated with `momentum` and the
 * unbiased variance, like PyTorch; eval: mean/invstd are filled from the running stats. */
void cs_batchnorm_forward(float *out, float *mean, float *invstd, float *run_mean, float *run_var,
                          const float *in, const float *gamma, const float *beta, int n, int c,
                          int hw, int train, float momentum, float eps, int nthreads);
/* din (N,C,HW) =; dgamma, dbeta (C) +=; `train` as in the forward. */
void cs_batchnorm_backward(float *din, float *dgamma, float *dbeta, const float *dout,
                           const float *in, const float *mean, const float *invstd,
                           const float *gamma, int n, int c, int hw, int train, int nthreads);

/* --- ReLU (relu.c) ---------------------------------------------------------------- */
void cs_relu_forward(float *out, const float *in, size_t n);
/* din = dout where out > 0, else 0 */
void cs_relu_backward(float *din, const float *dout, const float *out, size_t n);

/* --- max pooling (maxpool.c): padding counts as -inf, like PyTorch ---------------- */
/* out (N,C,Ho,Wo); argmax (N,C,Ho,Wo) holds the winning index inside the (H,W) plane */
void cs_maxpool2d_forward(const cs_window *d, float *out, int *argmax, const float *in,
                          int nthreads);
/* din (N,C,H,W) = */
void cs_maxpool2d_backward(const cs_window *d, float *din, const float *dout, const int *argmax,
                           int nthreads);

/* --- global average pooling (avgpool.c) ------------------------------------------- */
/* out (N,C) = mean over HW of in (N,C,HW) */
void cs_gap_forward(float *out, const float *in, int n, int c, int hw);
/* din (N,C,HW) = dout (N,C) / HW */
void cs_gap_backward(float *din, const float *dout, int n, int c, int hw);

/* --- linear (linear.c): y = x W^T + b, W (out,in) like PyTorch --------------------- */
/* out (N,O) = in (N,I) W^T (O,I) + b (O) (b may be NULL) */
void cs_linear_forward(float *out, const float *in, const float *w, const float *b, int n,
                       int in_f, int out_f);
/* din (N,I) =; dw (O,I) +=; db (O) += (each may be NULL) */
void cs_linear_backward(float *din, float *dw, float *db, const float *dout, const float *in,
                        const float *w, int n, int in_f, int out_f);

/* --- residual add (residual.c) --------------------------------------------------- */
/* out = a + b (n floats); backward is the identity into both inputs, done by the caller */
void cs_add_forward(float *out, const float *a, const float *b, size_t n);
/* acc += x (n floats): joins gradients where a tensor feeds two layers */
void cs_add_inplace(float *acc, const float *x, size_t n);

/* --- softmax cross-entropy (xent.c) ---------------------------------------------- */
/* logits (N,K), labels (N) in [0,K).  Writes probs (N,K) and per-sample loss (N) when
 * not NULL, and dlogits (N,K) = d(mean loss)/d(logits) when not NULL; returns the mean
 * loss.  smoothing: PyTorch's label_smoothing (target (1-s) one-hot + s/K).  weight (K)
 * or NULL: PyTorch's class weights; the mean is then over the weights of the batch's
 * labels, and the per-sample loss written out stays unweighted. */
double cs_xent_forward_backward(float *probs, float *loss, float *dlogits, const float *logits,
                                const int *labels, int n, int k, float smoothing, const float *weight);

#endif
