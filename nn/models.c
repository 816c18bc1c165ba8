/* models.c - the table of models (models.h): one line each, in
 * cs_model_name order.
 *
 *   cnn-small  3 x (conv3x3 - BN - ReLU), channels 32-64-128 scaled by width/64, 2x2 max
 *              pool after blocks 1 and 2, GAP, linear.                    input (C,H,W)
 *   resnet18   torchvision BasicBlock ResNet-18 for small images: 3x3 stride-1 stem conv
 *              (no bias) + BN + ReLU, no max pool, stages width*{1,2,4,8}/1 ... with
 *              strides 1,2,2,2 and blocks {2,2,2,2}, 1x1 conv + BN shortcut when the
 *              shape changes, GAP, linear.                                 input (C,H,W)
 *   resnet1d   the same with 1-D convolutions for multi-lead signals: stem conv of
 *              kernel_size (default 7) and stem_stride (default 2), 3-tap BasicBlocks,
 *              num_stages stages of blocks[s] blocks, base width `width`. input (C,L)
 *
 * The names live in the one list below, so that the config's choices (a
 * NULL-terminated array of names) and the descriptors come from the same
 * lines. */
#include "models.h"

#include "model_impl.h"

#include <stdio.h>
#include <string.h>

#include "../common/err.h"

/* id, name, input rank, Grad-CAM layers besides "last", builder (model_arch.c) */
#define MODELS(X)                                                                                   \
    X(CS_MODEL_CNN_SMALL, "cnn-small", 2, "block1 to block3", cs_arch_cnn_small)                    \
    X(CS_MODEL_RESNET18, "resnet18", 2, "layer1 to layer4 and layerS.B", cs_arch_resnet18)          \
    X(CS_MODEL_RESNET1D, "resnet1d", 1, "layer1 to layer4 and layerS.B", cs_arch_resnet1d)

#define INFO(id, name, ndim, layers, build) [id] = {name, ndim, layers, build},
static const cs_model_info models[] = {MODELS(INFO)};
#define NAME(id, name, ndim, layers, build) [id] = name,
const char *const cs_model_names[CS_MODEL_COUNT + 1] = {MODELS(NAME)};

/* A cs_model_name without its line, or a line without its value, stops the build. */
_Static_assert(sizeof models / sizeof models[0] == CS_MODEL_COUNT, "one line per cs_model_name");

const cs_model_info *cs_model_info_at(int id)
{
    return id >= 0 && id < CS_MODEL_COUNT ? &models[id] : NULL;
}

int cs_model_is_1d(int id)
{
    const cs_model_info *m = cs_model_info_at(id);
    return m && m->in_ndim == 1;
}

const cs_model_info *cs_model_info_find(const char *name)
{
    for (int i = 0; i < CS_MODEL_COUNT; i++)
        if (name && strcmp(name, models[i].name) == 0)
            return &models[i];
    return NULL;
}

int cs_model_lookup(const char *name)
{
    const cs_model_info *m = cs_model_info_find(name);
    if (m)
        return (int)(m - models);
    char list[256];
    size_t n = 0;
    for (int i = 0; i < CS_MODEL_COUNT && n < sizeof list; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", models[i].name);
    return cs_error(CS_EINVAL, "unknown model '%s' (known: %s)", name ? name : "", list);
}
