/* cam_layer.c - Grad-CAM maps at a chosen layer: the fast path at the last conv
 * block, the backward pass anywhere else (see cam_layer.h). */
#include "cam_layer.h"

#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "gradcam.h"

int cs_cam_init(cs_cam *c, cs_model *m, const char *layer_name, int general)
{
    memset(c, 0, sizeof *c);
    c->model = m;
    int layer = cs_model_find_layer(m, layer_name);
    if (layer < 0)
        return layer;
    c->layer = layer;
    c->fast = !general && cs_model_layer_is_last(m, layer);
    c->fc = cs_model_find(m, "fc.weight");
    if (c->fc < 0)
        return cs_error(CS_EINTERNAL, "model has no 'fc.weight' tensor for Grad-CAM");
    int shape[4];
    if (!cs_model_layer_act(m, layer, shape))
        return CS_EINVAL;
    c->k = shape[1];
    c->h = shape[2];
    c->w = shape[3];
    if (c->fast && !(c->fcw = cs_malloc(sizeof(float) * cs_model_tensor(m, c->fc)->numel))) {
        cs_cam_release(c);
        return CS_ENOMEM;
    }
    if (!c->fast) {
        size_t B = (size_t)cs_model_max_batch(m);
        c->grad = cs_malloc(sizeof(float) * B * (size_t)c->k * (size_t)cs_cam_positions(c));
        c->dlogits = cs_malloc(sizeof(float) * B * (size_t)cs_model_num_classes(m));
        if (!c->grad || !c->dlogits) {
            cs_cam_release(c);
            return CS_ENOMEM;
        }
    }
    return 0;
}

void cs_cam_release(cs_cam *c)
{
    free(c->grad);
    free(c->dlogits);
    free(c->fcw);
    memset(c, 0, sizeof *c);
}

int64_t cs_cam_positions(const cs_cam *c) { return (int64_t)c->h * c->w; }

int cs_cam_maps(cs_cam *c, const int32_t *target, int b, float *maps)
{
    int C = cs_model_num_classes(c->model), shape[4];
    for (int i = 0; i < b; i++)
        if (target[i] < 0 || target[i] >= C)
            return cs_error(CS_EINVAL, "Grad-CAM target class %d of sample %d is outside 0..%d",
                            (int)target[i], i, C - 1);
    const float *act = cs_model_layer_act(c->model, c->layer, shape);
    if (!act)
        return CS_EINVAL;
    if (b > shape[0])
        return cs_error(CS_EINVAL, "Grad-CAM of %d samples, the last forward had %d", b, shape[0]);
    int64_t P = cs_cam_positions(c);
    if (c->fast) {
        const cs_param_info *fc = cs_model_tensor(c->model, c->fc);
        cs_model_state_get(c->model, c->fcw, fc->offset, fc->numel); /* this step's weights */
        cs_gradcam_fast(act, c->fcw, target, b, c->k, P, C, maps);
        return 0;
    }
    /* one-hot rows: the backward pass of sum_i z[i, target i] gives each sample's own
     * d z_c / d A, since the engine's Grad-CAM backward keeps samples independent */
    memset(c->dlogits, 0, sizeof(float) * (size_t)shape[0] * (size_t)C);
    for (int i = 0; i < b; i++)
        c->dlogits[(int64_t)i * C + target[i]] = 1.0f;
    int rc = cs_model_backward_to_layer(c->model, c->dlogits, c->layer, c->grad);
    if (rc)
        return rc;
    cs_gradcam_general(act, c->grad, b, c->k, P, maps);
    return 0;
}
