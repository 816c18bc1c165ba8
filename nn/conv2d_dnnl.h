/* conv2d_dnnl.h - convolution forward, backward-data and backward-weights through oneDNN
 * (CS_HAVE_DNNL builds), on activations in the blocked layout of layout_c16.h.
 *
 * Same semantics as cs_conv2d_forward/backward (conv2d.c, the reference): weights and
 * their gradients stay in the model's plain (K,C,kh,kw) slab; they are reordered into the
 * kernels' layouts per call (the gradient with an accumulating reorder, so dw += as in
 * the reference).  Primitives are created once per shape and kept in a cache.
 *
 * oneDNN runs its own OpenMP regions; every call pins them to the cache's team size, and
 * for a fixed team size the results are bit-identical run to run (oneDNN splits work
 * statically).  With `winograd`, 3x3 stride-1 convolutions whose channel counts are
 * multiples of 16 use oneDNN's Winograd F(4x4,3x3) kernels (about 1.6x fewer cycles here,
 * relative error about 1e-6 larger than direct); otherwise direct convolution. */
#ifndef CS_NN_CONV2D_DNNL_H
#define CS_NN_CONV2D_DNNL_H

#include <stddef.h>

#include "layers.h"

typedef struct cs_dnnl_conv cs_dnnl_conv;

/* 0, or CS_ENOMEM / CS_EINTERNAL (oneDNN could not make an engine) with the message set. */
int cs_dnnl_conv_create(cs_dnnl_conv **cc, int nthreads, int winograd);
void cs_dnnl_conv_free(cs_dnnl_conv *cc);

/* Scratch floats the calls below need for this shape (any batch size). */
size_t cs_dnnl_conv_ws_floats(const cs_window *d);
/* Create and cache the primitives for d now (the model does this at its largest batch,
 * so that shape errors surface when it is built); 0 or an error with the message set. */
int cs_dnnl_conv_prepare(cs_dnnl_conv *cc, const cs_window *d);

/* out (N,K,Ho,Wo) = in * w (+ b); in and out in the blocked layout.  0 or an error. */
int cs_dnnl_conv_forward(cs_dnnl_conv *cc, const cs_window *d, float *out, const float *in,
                         const float *w, const float *b, float *ws);
/* din =; dw +=; db += (each may be NULL).  0 or an error. */
int cs_dnnl_conv_backward(cs_dnnl_conv *cc, const cs_window *d, float *din, float *dw, float *db,
                          const float *dout, const float *in, const float *w, float *ws);

/* oneDNN's name for the kernel a pass of d runs (0 forward, 1 backward-data, 2
 * backward-weights), e.g. "jit_wino_4x3:avx512_core"; NULL if d was never prepared. */
const char *cs_dnnl_conv_impl(cs_dnnl_conv *cc, const cs_window *d, int pass);

#endif
