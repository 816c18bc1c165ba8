/* conv2d.c - 2-D (and, with H = 1, 1-D) convolution: im2col + sgemm, OpenMP over the batch.
 *
 * Per sample n, with CKK = C*kh*kw and P = Ho*Wo:
 *   forward:  out_n (K,P)   = w (K,CKK) col_n (CKK,P) (+ b)
 *   data:     dcol (CKK,P)  = w^T dout_n, then col2im into din_n
 *   weights:  dw (K,CKK)   += dout_n col_n^T, summed per thread then reduced in thread order
 * A 1x1 stride-1 unpadded convolution uses the input itself as col. */
#include "layers.h"
#include "gemm.h"

#include <omp.h>
#include <string.h>

int cs_window_set(cs_window *d)
{
    if (d->kh < 1 || d->kw < 1 || d->sh < 1 || d->sw < 1 || d->ph < 0 || d->pw < 0)
        return -1;
    int eh = d->h + 2 * d->ph - d->kh, ew = d->w + 2 * d->pw - d->kw;
    if (eh < 0 || ew < 0)
        return -1;
    d->ho = eh / d->sh + 1;
    d->wo = ew / d->sw + 1;
    return 0;
}

void cs_window_1d(cs_window *d, int n, int c, int l, int k, int ksize, int stride, int pad)
{
    *d = (cs_window){.n = n, .c = c, .h = 1, .w = l, .k = k, .kh = 1, .kw = ksize, .sh = 1,
                     .sw = stride, .ph = 0, .pw = pad};
    cs_window_set(d);
}

static int is_pointwise(const cs_window *d)
{
    return d->kh == 1 && d->kw == 1 && d->sh == 1 && d->sw == 1 && d->ph == 0 && d->pw == 0;
}

static size_t col_floats(const cs_window *d)
{
    return (size_t)d->c * d->kh * d->kw * d->ho * d->wo;
}

/* per thread: col, dcol, dw partial, db partial */
static size_t thread_floats(const cs_window *d)
{
    size_t wn = (size_t)d->k * d->c * d->kh * d->kw;
    return 2 * col_floats(d) + wn + (size_t)d->k;
}

size_t cs_conv2d_ws_floats(const cs_window *d, int nthreads)
{
    return thread_floats(d) * (size_t)(nthreads > 0 ? nthreads : 1);
}

/* col (C*kh*kw, Ho*Wo) from one sample's in (C,H,W) */
static void im2col(const cs_window *d, float *col, const float *in)
{
    int P = d->ho * d->wo;
    for (int c = 0; c < d->c; c++)
        for (int i = 0; i < d->kh; i++)
            for (int j = 0; j < d->kw; j++) {
                float *row = col + (size_t)((c * d->kh + i) * d->kw + j) * P;
                const float *plane = in + (size_t)c * d->h * d->w;
                for (int oh = 0; oh < d->ho; oh++) {
                    int y = oh * d->sh - d->ph + i;
                    float *r = row + oh * d->wo;
                    if (y < 0 || y >= d->h) {
                        memset(r, 0, sizeof(float) * d->wo);
                        continue;
                    }
                    const float *src = plane + (size_t)y * d->w;
                    for (int ow = 0; ow < d->wo; ow++) {
                        int x = ow * d->sw - d->pw + j;
                        r[ow] = (x >= 0 && x < d->w) ? src[x] : 0.0f;
                    }
                }
            }
}

/* din (C,H,W) = sum of col entries mapping to each pixel */
static void col2im(const cs_window *d, float *din, const float *col)
{
    int P = d->ho * d->wo;
    memset(din, 0, sizeof(float) * (size_t)d->c * d->h * d->w);
    for (int c = 0; c < d->c; c++)
        for (int i = 0; i < d->kh; i++)
            for (int j = 0; j < d->kw; j++) {
                const float *row = col + (size_t)((c * d->kh + i) * d->kw + j) * P;
                float *plane = din + (size_t)c * d->h * d->w;
                for (int oh = 0; oh < d->ho; oh++) {
                    int y = oh * d->sh - d->ph + i;
                    if (y < 0 || y >= d->h)
                        continue;
                    const float *r = row + oh * d->wo;
                    float *dst = plane + (size_t)y * d->w;
                    for (int ow = 0; ow < d->wo; ow++) {
                        int x = ow * d->sw - d->pw + j;
                        if (x >= 0 && x < d->w)
                            dst[x] += r[ow];
                    }
                }
            }
}

void cs_conv2d_forward(const cs_window *d, float *out, const float *in, const float *w,
                       const float *b, float *ws, int nthreads)
{
    int P = d->ho * d->wo, CKK = d->c * d->kh * d->kw;
    size_t in_n = (size_t)d->c * d->h * d->w, out_n = (size_t)d->k * P;
    int pw = is_pointwise(d);
#pragma omp parallel for schedule(static) num_threads(nthreads)
    for (int n = 0; n < d->n; n++) {
        float *col = ws + thread_floats(d) * (size_t)omp_get_thread_num();
        const float *src = in + in_n * n;
        if (!pw) {
            im2col(d, col, src);
            src = col;
        }
        float *o = out + out_n * n;
        cs_sgemm(0, 0, d->k, P, CKK, 1.0f, w, CKK, src, P, 0.0f, o, P);
        if (b)
            for (int k = 0; k < d->k; k++)
                for (int p = 0; p < P; p++)
                    o[(size_t)k * P + p] += b[k];
    }
}

void cs_conv2d_backward(const cs_window *d, float *din, float *dw, float *db, const float *dout,
                        const float *in, const float *w, float *ws, int nthreads)
{
    int P = d->ho * d->wo, CKK = d->c * d->kh * d->kw;
    size_t in_n = (size_t)d->c * d->h * d->w, out_n = (size_t)d->k * P;
    size_t wn = (size_t)d->k * CKK, tf = thread_floats(d), cn = col_floats(d);
    int pw = is_pointwise(d);
    int used = 1;
#pragma omp parallel num_threads(nthreads)
    {
        int t = omp_get_thread_num();
#pragma omp single
        used = omp_get_num_threads();
        float *col = ws + tf * (size_t)t, *dcol = col + cn, *dwp = dcol + cn, *dbp = dwp + wn;
        if (dw)
            memset(dwp, 0, sizeof(float) * wn);
        if (db)
            memset(dbp, 0, sizeof(float) * d->k);
#pragma omp for schedule(static)
        for (int n = 0; n < d->n; n++) {
            const float *dy = dout + out_n * n;
            if (din) {
                if (pw) {
                    cs_sgemm(1, 0, CKK, P, d->k, 1.0f, w, CKK, dy, P, 0.0f, din + in_n * n, P);
                } else {
                    cs_sgemm(1, 0, CKK, P, d->k, 1.0f, w, CKK, dy, P, 0.0f, dcol, P);
                    col2im(d, din + in_n * n, dcol);
                }
            }
            if (dw) {
                const float *src = in + in_n * n;
                if (!pw) {
                    im2col(d, col, src);
                    src = col;
                }
                cs_sgemm(0, 1, d->k, CKK, P, 1.0f, dy, P, src, P, 1.0f, dwp, CKK);
            }
            if (db)
                for (int k = 0; k < d->k; k++) {
                    float s = 0.0f;
                    for (int p = 0; p < P; p++)
                        s += dy[(size_t)k * P + p];
                    dbp[k] += s;
                }
        }
    }
    if (dw) {
#pragma omp parallel for schedule(static) num_threads(nthreads)
        for (size_t i = 0; i < wn; i++) {
            float s = 0.0f;
            for (int t = 0; t < used; t++)
                s += ws[tf * t + 2 * cn + i];
            dw[i] += s;
        }
    }
    if (db)
        for (int k = 0; k < d->k; k++) {
            float s = 0.0f;
            for (int t = 0; t < used; t++)
                s += ws[tf * t + 2 * cn + wn + k];
            db[k] += s;
        }
}
