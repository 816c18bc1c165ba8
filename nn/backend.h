/* backend.h - the compute backend seam (ggml style): a table of function pointers and
 * a context.  The model calls layers only through it, so a CUDA backend can take the
 * CPU one's place and be checked against it layer by layer.
 *
 * Pointers passed to the ops are backend memory (from ops->alloc); on the CPU backend
 * that is host memory.  Semantics of every op are those of the CPU reference in
 * layers.h and optim.h (backward accumulates parameter gradients, writes input
 * gradients; optional outputs may be NULL).  Optional slots may be NULL: then the
 * caller uses host memory and plain memcpy (upload/download) or does without. */
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
    void (*upload)(void *ctx, void *dst, const void *host_src, size_t bytes);   /* optional */
    void (*download)(void *ctx, void *host_dst, const void *src, size_t bytes); /* optional */
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

/* The CPU reference backend with a fixed OpenMP team size (<= 0: omp_get_max_threads()).
 * Results are bit-identical for a given team size.  It sets OpenBLAS to one thread for
 * the whole process (the layers parallelise around sgemm themselves). */
int cs_backend_cpu_create(cs_backend **be, int nthreads);
/* Any backend: release its context and the handle; NULL is fine. */
void cs_backend_free(cs_backend *be);
/* The CPU backend's team size. */
int cs_backend_cpu_threads(const cs_backend *be);

#endif
