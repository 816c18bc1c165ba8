/* xent.c - softmax cross-entropy with PyTorch's label smoothing and class weights:
 * with q = (1-s) onehot(y_i) + s/K and a_ik = w_k q_ik (w = 1 without weights),
 *   loss_i = -sum_k a_ik log p_ik,   mean = sum_i loss_i / sum_i w_{y_i},
 *   d mean / d z_ij = ((sum_k a_ik) p_ij - a_ij) / sum_i w_{y_i},
 * which is F.cross_entropy(z, y, weight=w, label_smoothing=s) with reduction 'mean'.
 * The per-sample loss written out is the unweighted one (a_ik = q_ik).  Each row is
 * done in double (max-shifted log-sum-exp). */
#include "layers.h"

#include <math.h>

double cs_xent_forward_backward(float *probs, float *loss, float *dlogits, const float *logits,
                                const int *labels, int n, int k, float smoothing, const float *weight)
{
    double total = 0.0, wsum = 0.0;
    for (int i = 0; i < n; i++)
        wsum += weight ? weight[labels[i]] : 1.0;
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
        double li = 0.0, lw = 0.0, asum = 0.0;
        for (int j = 0; j < k; j++) {
            double q = smoothing / k + (j == labels[i] ? 1.0 - smoothing : 0.0);
            double a = weight ? weight[j] * q : q;
            li -= q * (z[j] - lse);
            lw -= a * (z[j] - lse);
            asum += a;
        }
        for (int j = 0; j < k; j++) {
            double q = smoothing / k + (j == labels[i] ? 1.0 - smoothing : 0.0);
            double a = weight ? weight[j] * q : q;
            double p = exp(z[j] - lse);
            if (probs)
                probs[(size_t)i * k + j] = (float)p;
            if (dlogits)
                dlogits[(size_t)i * k + j] = (float)(weight ? (asum * p - a) / wsum : (p - q) / n);
        }
        if (loss)
            loss[i] = (float)li;
        total += lw;
    }
    return total / wsum;
}
