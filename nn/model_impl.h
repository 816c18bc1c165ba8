/* model_impl.h - the model's internals, shared by model.c (graph, slab, passes) and
 * model_arch.c (the architectures, built with the mb_* builders).  Not a public API. */
#ifndef CS_NN_MODEL_IMPL_H
#define CS_NN_MODEL_IMPL_H

#include "model.h"
#include "models.h"

enum { NODE_CONV, NODE_BN, NODE_RELU, NODE_MAXPOOL, NODE_GAP, NODE_LINEAR, NODE_ADD };
enum { PK_CONV_W, PK_CONV_B, PK_BN_W, PK_BN_B, PK_BN_RM, PK_BN_RV, PK_LIN_W, PK_LIN_B };

typedef struct mtensor {
    int c, h, w;        /* per sample */
    float *val, *grad;  /* max_batch * c*h*w; grad is a shared slot (NULL for the input) */
    int written;        /* backward: grad holds a value already (join by adding) */
    int shares_val;     /* val is another tensor's (an in-place ReLU, see share_relu_inputs) */
} mtensor;

/* A tensor Grad-CAM may target, under its PyTorch module name (the module's output). */
typedef struct mlayer {
    char name[24];
    int t;
} mlayer;

typedef struct mnode {
    int kind;
    int in, in2, out;   /* tensor ids (in2: second addend) */
    cs_window win;      /* conv / max pool; n is set per batch */
    int pw, pb, prm, prv; /* parameter table indices or -1 */
    float *mean, *invstd; /* BN: per-channel statistics of the last forward */
    int *argmax;        /* max pool */
} mnode;

struct cs_model {
    cs_model_spec spec;
    const cs_backend *be;
    cs_backend *own_be;
    int max_batch, batch, train;
    float *class_weight; /* (classes) for the loss, or NULL */

    cs_param_info *params;
    int *pkind;
    int nparams, cap_params;
    size_t n_train, n_buf; /* floats: trainable, running statistics */

    mnode *nodes;
    int nnodes, cap_nodes;
    mtensor *tensors;
    int ntensors, cap_tensors;
    mlayer *layers;
    int nlayers, cap_layers;
    int failed;           /* a builder's error code (message set), 0 while none failed */

    float *slab, *grads;
    float *grad_slots[64]; /* activation gradients, shared by tensors (assign_grad_slots) */
    int n_grad_slots;
    float *ws;            /* convolution scratch */
    float *scratch;       /* gradient joins, Grad-CAM */
    size_t ws_floats, scratch_floats;
    float *logits_host, *probs, *loss, *dlogits;
    /* for backends with their own activation layout (ops->act_download): NCHW copies of
     * the last conv block's activations (made by every forward) and of the layer last
     * asked for by cs_model_layer_act */
    float *last_conv_host, *layer_host;
    float *features_host; /* GAP output of the last forward (cs_model_features) */
    int last_conv_stale;  /* last_conv_host not yet downloaded for the last forward */
    int logits_t, last_conv_t, gap_node, fc_node;
};

/* Builders: each returns the new output tensor id, or -1 with the error set and its code
 * in m->failed, in which case later builders return -1 too. */
int mb_input(cs_model *m, int c, int h, int w);
int mb_conv(cs_model *m, int in, int k, int kh, int kw, int sh, int sw, int ph, int pw, int bias,
            const char *prefix);
int mb_bn(cs_model *m, int in, const char *prefix);
int mb_relu(cs_model *m, int in);
int mb_maxpool(cs_model *m, int in, int kh, int kw, int sh, int sw, int ph, int pw);
int mb_gap(cs_model *m, int in);
int mb_linear(cs_model *m, int in, int out_f, const char *prefix);
int mb_add(cs_model *m, int a, int b);
/* Name tensor t as a Grad-CAM layer; returns t (or -1 as above). */
int mb_name(cs_model *m, int t, const char *name);

/* Add the layers of the architecture spec.name names (model_arch.c, by the table of
 * models.c). */
int cs_model_build_arch(cs_model *m);
/* The table's builders (model_arch.c). */
int cs_arch_cnn_small(cs_model *m);
int cs_arch_resnet18(cs_model *m);
int cs_arch_resnet1d(cs_model *m);

#endif
