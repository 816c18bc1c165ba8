/* cam_layer.h - Grad-CAM maps of a model's last forward pass at a chosen layer
 * (METHODS section 2), the way the trainer computes them.
 *
 * At the last conv block (the layer feeding GAP + linear) the fast path needs no
 * backward pass: alpha_k = W[c,k] / P (cs_gradcam_fast).  Any other layer, or the
 * last one when `general` is asked for, takes d z_c / d A from the engine's
 * backward pass (cs_model_backward_to_layer: one-hot dlogits for each sample's
 * target, BN differentiated with the forward's statistics held fixed) and
 * averages it over positions (cs_gradcam_general). */
#ifndef CS_CAM_LAYER_H
#define CS_CAM_LAYER_H

#include <stdint.h>

#include "../nn/model.h"

typedef struct cs_cam {
    cs_model *model;     /* not owned */
    int layer;           /* engine layer handle */
    int fast;            /* 1: the W[c]/P weights, no backward pass */
    int fc;              /* tensor index of fc.weight */
    int k, h, w;         /* the layer's channels and positions (h = 1 for 1-D) */
    float *grad;         /* general path: max_batch * k*h*w gradients */
    float *dlogits;      /* general path: max_batch * classes one-hot rows */
    float *fcw;          /* fast path: host copy of fc.weight (it lives in backend memory) */
} cs_cam;

/* Target `layer_name` of model m ("last", "layer3", ...; cs_model_find_layer).
 * general: use the backward pass even at the last block. */
int cs_cam_init(cs_cam *c, cs_model *m, const char *layer_name, int general);
void cs_cam_release(cs_cam *c);
/* Positions of one map: h * w. */
int64_t cs_cam_positions(const cs_cam *c);
/* Maps (b, h*w) of the last forward's first b samples, each for class target[i].
 * The general path reuses the model's activation-gradient buffers but leaves the
 * parameter gradients alone, so it may run before or after the training
 * backward of the same forward.  Returns 0, CS_EINVAL for a bad target, or the error
 * the backend met in the backward pass. */
int cs_cam_maps(cs_cam *c, const int32_t *target, int b, float *maps);

#endif
