/* residual.c - the residual join: forward adds two branches; backward sends the same
 * gradient to both, and where a tensor feeds two layers their gradients are summed here. */
#include "layers.h"

void cs_add_forward(float *out, const float *a, const float *b, size_t n)
{
    /* element-wise: any split gives the same bits, so the default team is fine */
#pragma omp parallel for simd schedule(static) if (n > 65536)
    for (size_t i = 0; i < n; i++)
        out[i] = a[i] + b[i];
}

void cs_add_inplace(float *acc, const float *x, size_t n)
{
    /* element-wise: any split gives the same bits, so the default team is fine */
#pragma omp parallel for simd schedule(static) if (n > 65536)
    for (size_t i = 0; i < n; i++)
        acc[i] += x[i];
}
