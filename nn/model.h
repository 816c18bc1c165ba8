/* model.h - models chosen by name, built as a small layer graph over one parameter slab.
 * The names and architectures are the table of models.c (models.h).
 *
 * Parameter names follow PyTorch's state_dict (conv1.weight, bn1.running_mean,
 * layer2.0.downsample.0.weight, fc.bias, block1.conv.weight, ...).  The slab holds the
 * trainable parameters first (floats [0, num_params)), then the BN running statistics
 * (floats [num_params, num_state)); gradients and optimiser moments use [0, num_params)
 * of the same layout, so the optimiser is one flat loop and a checkpoint one write.
 * Activations are preallocated for max_batch samples.  1-D tensors (B,C,L) are stored as
 * (B,C,1,L), i.e. the same memory. */
#ifndef CS_NN_MODEL_H
#define CS_NN_MODEL_H

#include <stddef.h>

#include "../common/rng.h"
#include "backend.h"

#define CS_MODEL_MAX_STAGES 4

typedef struct cs_model_spec {
    const char *name;   /* a name of the table in models.c */
    int in_channels;    /* from the dataset */
    int in_ndim;        /* 2: in_shape = {H, W}; 1: in_shape = {L, unused} */
    int in_shape[2];
    int num_classes;
    int width;          /* base width (default 64) */
    int num_stages;     /* resnet1d: 1..4 (default 4) */
    int blocks[CS_MODEL_MAX_STAGES]; /* resnet1d: BasicBlocks per stage (default 2 each) */
    int kernel_size;    /* resnet1d stem kernel (default 7) */
    int stem_stride;    /* resnet1d stem stride, 1 or 2 (default 2) */
} cs_model_spec;

/* Defaults: cnn-small, 1x28x28, 10 classes, width 64, resnet1d 4 stages of 2 blocks, stem 7 stride 2. */
void cs_model_spec_init(cs_model_spec *s);

/* One named tensor of the slab. */
typedef struct cs_param_info {
    char name[64];
    int ndim;
    int shape[4];
    size_t offset;    /* in floats from the slab start */
    size_t numel;
    int trainable;    /* 0 for BN running statistics */
} cs_param_info;

typedef struct cs_model cs_model;

/* Build the model for batches up to max_batch on backend `be` (NULL: a CPU backend with
 * omp_get_max_threads() threads, owned by the model).  Refuses names it does not know,
 * inputs too small for the downsampling the architecture does and backends without every
 * required op (cs_backend_check), with a message saying why. */
int cs_model_create(cs_model **m, const cs_model_spec *spec, int max_batch, const cs_backend *be);
void cs_model_free(cs_model *m);

/* torchvision-like init: Kaiming-normal (fan_out, ReLU) conv weights, BN weight 1 bias 0,
 * running mean 0 var 1, linear weight and bias U(-1/sqrt(in), 1/sqrt(in)) like PyTorch.
 * Draws from rng in parameter-table order.  Returns 0 or CS_ENOMEM. */
int cs_model_init_params(cs_model *m, cs_rng *rng);

/* x (B, C, H, W) or (B, C, L), batch <= max_batch; train selects BN batch statistics and
 * updates the running ones.  Keeps every activation for backward. */
int cs_model_forward(cs_model *m, const float *x, int batch, int train);
/* Backpropagate dlogits (B, classes) of the last forward; ACCUMULATES parameter gradients.
 * 0, or the first error the backend met in the pass (the passes below likewise). */
int cs_model_backward(cs_model *m, const float *dlogits);
/* Gradient of sum(dlogits * logits) with respect to the last conv block's activations
 * (cs_model_last_conv layout), through linear and GAP only; parameter gradients untouched
 * (Grad-CAM).  dlast holds B*K*spatial floats. */
int cs_model_backward_to_last_conv(cs_model *m, const float *dlogits, float *dlast);
void cs_model_zero_grad(cs_model *m);

/* Grad-CAM target layers, named like the PyTorch module whose output they are: "last"
 * (the last conv block, the input to GAP), "layer1".."layerN" and "layerS.B" (ResNets:
 * a stage's output, a BasicBlock's output), "block1".."block3" (cnn-small, before its
 * max pool).  Returns a handle >= 0, or a negative code with the message set. */
int cs_model_find_layer(const cs_model *m, const char *name);
/* The layer's activations of the last forward: (B, K, H, W), or (B, K, 1, L); valid until
 * the next forward or the next call for another layer.  NULL, with the message set, for
 * a handle cs_model_find_layer did not give. */
const float *cs_model_layer_act(const cs_model *m, int layer, int shape[4]);
/* 1 when `layer` is the last conv block (the GAP + linear head follows it directly). */
int cs_model_layer_is_last(const cs_model *m, int layer);
/* Gradient of sum(dlogits * logits) of the last forward with respect to the layer's
 * activations, into dact (B*K*H*W floats, host memory), by the backward pass from the
 * logits down to the layer.  Parameter gradients are untouched, and each BN is
 * differentiated as the affine map it applied in that forward (its statistics held
 * fixed, as in eval mode): a sample's gradient then depends on that sample alone, so
 * one-hot dlogits give each sample's own d z_c / d A (Grad-CAM).  0, CS_EINVAL for a
 * handle cs_model_find_layer did not give, or the backend's error in the pass. */
int cs_model_backward_to_layer(cs_model *m, const float *dlogits, int layer, float *dact);

/* Softmax cross-entropy of the last forward against labels (mean over the batch, label
 * smoothing like PyTorch).  Fills the model's probs, per-sample loss and dlogits buffers
 * (cs_model_probs etc.) and returns the mean loss. */
double cs_model_xent(cs_model *m, const int *labels, float smoothing);
/* Class weights for cs_model_xent (copied; NULL = none): PyTorch's weighted mean. */
int cs_model_set_class_weights(cs_model *m, const float *w);

/* Outputs of the last forward (valid until the next one). */
const float *cs_model_logits(const cs_model *m);       /* (B, classes) */
const float *cs_model_probs(const cs_model *m);        /* (B, classes), after cs_model_xent */
const float *cs_model_sample_loss(const cs_model *m);  /* (B), after cs_model_xent */
const float *cs_model_dlogits(const cs_model *m);      /* (B, classes), after cs_model_xent */
/* The last conv block's activations (the input to GAP): (B, K, H, W), or (B, K, L) with
 * shape[2] = 1; shape = {B, K, H, W}. */
const float *cs_model_last_conv(const cs_model *m, int shape[4]);

/* The global-average-pool output of the last forward, the linear head's input (the
 * sample's embedding): (B, D) in host memory, *d = D; valid until the next forward.
 * NULL, with the message set, for a model without global pooling. */
const float *cs_model_features(cs_model *m, int *d);

size_t cs_model_num_params(const cs_model *m); /* trainable floats */
size_t cs_model_num_state(const cs_model *m);  /* trainable + running statistics */
/* The slab (num_state floats) and the gradients (num_params floats) in BACKEND memory:
 * host code reads and writes them only through the copies below (on a CPU backend this is
 * host memory, which tests may still touch directly). */
float *cs_model_params(cs_model *m);
float *cs_model_grads(cs_model *m);
/* n floats of the slab from float offset off into host memory, and back; the gradients
 * likewise (read only).  Through the backend's download/upload, so any backend works. */
void cs_model_state_get(const cs_model *m, float *host, size_t off, size_t n);
void cs_model_state_set(cs_model *m, const float *host, size_t off, size_t n);
void cs_model_grads_get(const cs_model *m, float *host, size_t off, size_t n);
int cs_model_num_tensors(const cs_model *m);
const cs_param_info *cs_model_tensor(const cs_model *m, int i);
/* Index of the named tensor, or -1. */
int cs_model_find(const cs_model *m, const char *name);
int cs_model_num_classes(const cs_model *m);
int cs_model_max_batch(const cs_model *m);
const cs_backend *cs_model_backend(const cs_model *m);

#endif
