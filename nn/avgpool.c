/* avgpool.c - global average pooling (N,C,HW) -> (N,C); 1-D is HW = L. */
#include "layers.h"

void cs_gap_forward(float *out, const float *in, int n, int c, int hw)
{
    for (int i = 0; i < n * c; i++) {
        const float *p = in + (size_t)i * hw;
        double s = 0.0;
        for (int j = 0; j < hw; j++)
            s += p[j];
        out[i] = (float)(s / hw);
    }
}

void cs_gap_backward(float *din, const float *dout, int n, int c, int hw)
{
    for (int i = 0; i < n * c; i++) {
        float g = dout[i] / (float)hw;
        float *p = din + (size_t)i * hw;
        for (int j = 0; j < hw; j++)
            p[j] = g;
    }
}
