/* relu.c - ReLU; backward masks by the forward output (so it can run on `out` alone). */
#include "layers.h"

void cs_relu_forward(float *out, const float *in, size_t n)
{
    /* element-wise: any split gives the same bits, so the default team is fine */
#pragma omp parallel for schedule(static) if (n > 65536)
    for (size_t i = 0; i < n; i++)
        out[i] = in[i] > 0.0f ? in[i] : 0.0f;
}

void cs_relu_backward(float *din, const float *dout, const float *out, size_t n)
{
    /* element-wise: any split gives the same bits, so the default team is fine */
#pragma omp parallel for schedule(static) if (n > 65536)
    for (size_t i = 0; i < n; i++)
        din[i] = out[i] > 0.0f ? dout[i] : 0.0f;
}
