/* xent.c - softmax cross-entropy, mean over the batch, with PyTorch's label smoothing:
 * loss_i = -sum_k q_ik log p_ik with q = (1-s) onehot(y_i) + s/K; d/dlogits = (p - q) / N.
 * Each row is done in double (max-shifted log-sum-exp). */
#include "layers.h"

#include <math.h>

double cs_xent_forward_backward(float *probs, float *loss, float *dlogits, const float *logits,
                                const int *labels, int n, int k, float smoothing)
{
    double total = 0.0;
    for (int i = 0; i < n; i++) {
        const float *z = logits + (size_t)i * k;
        double mx = z[0];
        for (int j = 1; j < k; j++)
            if (z[j] > mx)
                mx = z[j];
        double se = 0.0;
        for (int j = 0; j < k; j++)
            se += exp(z[j] - mx);
        double lse = mx + log(se);
        double li = 0.0;
        for (int j = 0; j < k; j++) {
            double q = smoothing / k + (j == labels[i] ? 1.0 - smoothing : 0.0);
            double p = exp(z[j] - lse);
            li -= q * (z[j] - lse);
            if (probs)
                probs[(size_t)i * k + j] = (float)p;
            if (dlogits)
                dlogits[(size_t)i * k + j] = (float)((p - q) / n);
        }
        if (loss)
            loss[i] = (float)li;
        total += li;
    }
    return total / n;
}
