/* backend.h - the compute backend seam (ggml style): a table of function pointers and
 * a context.  The model calls layers only through it, so a CUDA backend can take the
 * CPU one's place and be checked against it layer by layer.
 *
 * Pointers passed to the ops are backend memory (from ops->alloc); on the CPU backend
 * that is host memory.  Semantics of every op are those of the CPU reference in
 * layers.h and optim.h (backward accumulates parameter gradients, writes input
 * gradients; optional outputs may be NULL).  Slots marked optional may be NULL, and the
 * caller does without them; every other slot is required, upload and download included:
 * they are the only way host data reaches backend memory, so the model calls them for
 * every input, parameter and output.  cs_model_create refuses a backend that lacks a
 * required op (cs_backend_check) rather than crash on the first call to it. */
#ifndef CS_NN_BACKEND_H
#define CS_NN_BACKEND_H

#include <stddef.h>

#include "layers.h"

typedef struct cs_backend_ops {
    const char *name;

    void (*release)(void *ctx); /* frees ctx (cs_backend_free) */

    /* memory */
    void *(*alloc)(void *ctx, size_t bytes);    /* zeroed; NULL on failure */
    void (*free)(void *ctx, void *p);
    void (*upload)(void *ctx, void *dst, const void *host_src, size_t bytes);
    void (*download)(void *ctx, void *host_dst, const void *src, size_t bytes);
    void (*zero)(void *ctx, float *p, size_t n);
    /* scratch the convolution needs for a shape, in floats */
    size_t (*conv_ws_floats)(void *ctx, const cs_window *d);

    /* layers */
    void (*conv_forward)(void *ctx, const cs_window *d, float *out, const float *in,
                         const float *w, const float *b, float *ws);
    void (*conv_backward)(void *ctx, const cs_window *d, float *din, float *dw, float *db,
                          const float *dout, const float *in, const float *w, float *ws);
    void (*bn_forward)(void *ctx, float *out, float *mean, float *invstd, float *run_mean,
                       float *run_var, const float *in, const float *gamma, const float *beta,
                       int n, int c, int hw, int train, float momentum, float eps);
    void (*bn_backward)(void *ctx, float *din, float *dgamma, float *dbeta, const float *dout,
                        const float *in, const float *mean, const float *invstd,
                        const float *gamma, int n, int c, int hw, int train);
    void (*relu_forward)(void *ctx, float *out, const float *in, size_t n);
    void (*relu_backward)(void *ctx, float *din, const float *dout, const float *out, size_t n);
    void (*maxpool_forward)(void *ctx, const cs_window *d, float *out, int *argmax,
                            const float *in);
    void (*maxpool_backward)(void *ctx, const cs_window *d, float *din, const float *dout,
                             const int *argmax);
    void (*gap_forward)(void *ctx, float *out, const float *in, int n, int c, int hw);
    void (*gap_backward)(void *ctx, float *din, const float *dout, int n, int c, int hw);
    void (*linear_forward)(void *ctx, float *out, const float *in, const float *w,
                           const float *b, int n, int in_f, int out_f);
    void (*linear_backward)(void *ctx, float *din, float *dw, float *db, const float *dout,
                            const float *in, const float *w, int n, int in_f, int out_f);
    void (*add_forward)(void *ctx, float *out, const float *a, const float *b, size_t n);
    void (*add_inplace)(void *ctx, float *acc, const float *x, size_t n);
    void (*copy)(void *ctx, float *dst, const float *src, size_t n);

    /* Activations in the backend's own layout (optional, as a pair: NULL means plain
     * NCHW, moved with upload/download).  n samples of c channels and hw positions. */
    void (*act_upload)(void *ctx, float *dst, const float *host_nchw, int n, int c, int hw);
    void (*act_download)(void *ctx, float *host_nchw, const float *src, int n, int c, int hw);
    /* Optional: create what a convolution of this shape needs now (the model calls it at
     * its largest batch when it is built); 0 or an error with the message set. */
    int (*conv_prepare)(void *ctx, const cs_window *d);
    /* Optional: the name of the kernel a convolution pass runs (0 forward, 1 backward-data,
     * 2 backward-weights) for a prepared shape, or NULL. */
    const char *(*conv_impl)(void *ctx, const cs_window *d, int pass);
    /* Optional: 0, or the first error an op met since the last call (message set then);
     * ops return nothing, so the model asks after each pass. */
    int (*status)(void *ctx);

    /* optimisers over flat slabs (see optim.h for the exact update rules) */
    void (*sgd_step)(void *ctx, float *p, const float *g, float *buf, size_t n, float lr,
                     float momentum, float wd, int nesterov);
    void (*adamw_step)(void *ctx, float *p, const float *g, float *m, float *v, size_t n,
                       float lr, float beta1, float beta2, float eps, float wd, long step);
} cs_backend_ops;

typedef struct cs_backend {
    const cs_backend_ops *ops;
    void *ctx;
} cs_backend;

/* The CPU backend to train with: the oneDNN one where the build has oneDNN (CS_HAVE_DNNL),
 * with Winograd convolutions, else the reference.  nthreads as below. */
int cs_backend_cpu_create(cs_backend **be, int nthreads);
/* The CPU reference backend (cpu_backend.c: NCHW, im2col + sgemm) with a fixed OpenMP
 * team size (<= 0: omp_get_max_threads()).  Results are bit-identical for a given team
 * size.  It sets OpenBLAS to one thread for the whole process (the layers parallelise
 * around sgemm themselves). */
int cs_backend_ref_create(cs_backend **be, int nthreads);
/* The oneDNN CPU backend (dnnl_backend.c): convolutions by oneDNN on activations kept in
 * oneDNN's blocked layout (layout_c16.h), the other layers by our loops on that layout;
 * winograd allows Winograd kernels for 3x3 stride-1 convolutions.  Bit-identical for a
 * given team size.  CS_EUNSUP in builds without oneDNN. */
int cs_backend_dnnl_create(cs_backend **be, int nthreads, int winograd);
/* The reference backend's table, for CPU backends that replace only some of its ops (their
 * context must start with the team size, an int, like the reference's). */
const cs_backend_ops *cs_backend_ref_ops(void);
/* Any backend: 0 if every required op is there (and act_upload/act_download come as a
 * pair), else CS_EINVAL with a message naming the first missing one. */
int cs_backend_check(const cs_backend *be);
/* Any backend: release its context and the handle; NULL is fine. */
void cs_backend_free(cs_backend *be);
/* The kernel a convolution pass runs on this backend (ops->conv_impl), or "reference". */
const char *cs_backend_conv_impl(const cs_backend *be, const cs_window *d, int pass);
/* A CPU backend's team size. */
int cs_backend_cpu_threads(const cs_backend *be);

#endif
