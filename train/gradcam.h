/* gradcam.h - Grad-CAM maps at the last conv block (METHODS section 2).
 *
 * For a head of global average pooling + linear layer, the Grad-CAM weights
 * are exact without a backward pass: alpha_k = d z_c / d A_k averaged over the
 * P positions = W[c,k] / P.  The map is ReLU(sum_k alpha_k A_k).
 * The general path (any target layer) takes the gradient of z_c at the layer,
 * as the engine's backward pass produces it. */
#ifndef CS_GRADCAM_H
#define CS_GRADCAM_H

#include <stdint.h>

/* Fast path.  act: (B, K, P) last-conv activations; w: (C, K) linear weights;
 * target: (B) class per sample; maps: (B, P) out. */
void cs_gradcam_fast(const float *act, const float *w, const int32_t *target, int64_t b, int k,
                     int64_t p, int num_classes, float *maps);

/* General path.  act and grad: (B, K, P) activations at the target layer and
 * d z_c / d act for each sample's own target c; maps: (B, P) out. */
void cs_gradcam_general(const float *act, const float *grad, int64_t b, int k, int64_t p,
                        float *maps);

#endif
