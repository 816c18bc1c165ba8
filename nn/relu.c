/* relu.c - ReLU; backward masks by the forward output (so it can run on `out` alone). */
#include "layers.h"

void cs_relu_forward(float *out, const float *in, size_t n)
{
    /* element-wise: any split (and vector width) gives the same bits, so the default team
     * is fine; simd because the branchy scalar loop mispredicts on random signs */
#pragma omp parallel for simd schedule(static) if (n > 65536)
    for (size_t i = 0; i < n; i++)
        out[i] = in[i] > 0.0f ? in[i] : 0.0f;
}

void cs_relu_backward(float *din, const float *dout, const float *out, size_t n)
{
    /* element-wise: any split (and vector width) gives the same bits, so the default team
     * is fine; simd because the branchy scalar loop mispredicts on random signs */
#pragma omp parallel for simd schedule(static) if (n > 65536)
    for (size_t i = 0; i < n; i++) {
        float g = dout[i]; /* loaded unconditionally, or the loop stays scalar */
        din[i] = out[i] > 0.0f ? g : 0.0f;
    }
}
