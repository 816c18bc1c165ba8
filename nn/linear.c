/* linear.c - fully connected layer y = x W^T + b, W (out,in) as PyTorch stores it. */
#include "layers.h"
#include "gemm.h"

void cs_linear_forward(float *out, const float *in, const float *w, const float *b, int n,
                       int in_f, int out_f)
{
    cs_sgemm(0, 1, n, out_f, in_f, 1.0f, in, in_f, w, in_f, 0.0f, out, out_f);
    if (b)
        for (int i = 0; i < n; i++)
            for (int o = 0; o < out_f; o++)
                out[(size_t)i * out_f + o] += b[o];
}

void cs_linear_backward(float *din, float *dw, float *db, const float *dout, const float *in,
                        const float *w, int n, int in_f, int out_f)
{
    if (din) /* (N,I) = (N,O) (O,I) */
        cs_sgemm(0, 0, n, in_f, out_f, 1.0f, dout, out_f, w, in_f, 0.0f, din, in_f);
    if (dw) /* (O,I) += (N,O)^T (N,I) */
        cs_sgemm(1, 0, out_f, in_f, n, 1.0f, dout, out_f, in, in_f, 1.0f, dw, in_f);
    if (db)
        for (int o = 0; o < out_f; o++) {
            float s = 0.0f;
            for (int i = 0; i < n; i++)
                s += dout[(size_t)i * out_f + o];
            db[o] += s;
        }
}
