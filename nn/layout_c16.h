/* layout_c16.h - the blocked activation layout of the oneDNN backend, and the layers
 * that depend on the layout (batch norm, pooling).
 *
 * A tensor (N,C,H,W) whose C is a multiple of 16 is stored as oneDNN's nChw16c:
 * element (n, c, p) with p = h*W + w sits at ((n*(C/16) + c/16)*HW + p)*16 + c%16, so the
 * 16 channels of one pixel are one cache line and one AVX-512 vector, which is what
 * oneDNN's convolution kernels read and write.  Any other C stays NCHW.  With HW = 1
 * (a pooled vector) both layouts are the same memory.
 *
 * The layers here do, per channel, exactly the arithmetic of the NCHW reference in the
 * same order (batchnorm.c, maxpool.c, avgpool.c), only striding differently: their
 * results are bit-identical to the reference's on the converted tensor. */
#ifndef CS_NN_LAYOUT_C16_H
#define CS_NN_LAYOUT_C16_H

#include <stddef.h>

#include "layers.h"

/* Whether a tensor with c channels is stored blocked. */
static inline int cs_c16_blocked(int c) { return c > 0 && c % 16 == 0; }

/* dst (backend layout for c) from src (N,C,HW) NCHW, and back; plain copies when c is
 * not blocked. */
void cs_c16_from_nchw(float *dst, const float *src, int n, int c, int hw, int nthreads);
void cs_c16_to_nchw(float *dst, const float *src, int n, int c, int hw, int nthreads);

/* cs_batchnorm_forward/backward on blocked tensors (c a multiple of 16). */
void cs_bn_c16_forward(float *out, float *mean, float *invstd, float *run_mean, float *run_var,
                       const float *in, const float *gamma, const float *beta, int n, int c,
                       int hw, int train, float momentum, float eps, int nthreads);
void cs_bn_c16_backward(float *din, float *dgamma, float *dbeta, const float *dout,
                        const float *in, const float *mean, const float *invstd,
                        const float *gamma, int n, int c, int hw, int train, int nthreads);

/* cs_maxpool2d_forward/backward on blocked tensors; argmax is laid out like out and holds
 * the winning index inside the (H,W) plane, as in the reference. */
void cs_maxpool_c16_forward(const cs_window *d, float *out, int *argmax, const float *in,
                            int nthreads);
void cs_maxpool_c16_backward(const cs_window *d, float *din, const float *dout,
                             const int *argmax, int nthreads);

/* cs_gap_forward/backward with a blocked input: out (N,C) is plain. */
void cs_gap_c16_forward(float *out, const float *in, int n, int c, int hw);
void cs_gap_c16_backward(float *din, const float *dout, int n, int c, int hw);

#endif
