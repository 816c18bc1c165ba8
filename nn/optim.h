/* optim.h - optimisers over the flat parameter slab, with PyTorch's update rules, and the
 * learning-rate schedule.
 *
 * SGD (torch.optim.SGD, dampening 0):  g += wd p;  buf = momentum buf + g (buf starts at 0,
 *   so the first step gives buf = g);  p -= lr (nesterov ? g + momentum buf : buf).
 * AdamW (torch.optim.AdamW):  p *= 1 - lr wd;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
 *   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps),  t = 1, 2, ...
 * Weight decay applies to every parameter (as torch does for model.parameters()). */
#ifndef CS_NN_OPTIM_H
#define CS_NN_OPTIM_H

#include <stddef.h>

#include "backend.h"

struct cs_model;

/* The flat CPU loops (the backend's reference semantics). */
void cs_sgd_step(float *p, const float *g, float *buf, size_t n, float lr, float momentum,
                 float wd, int nesterov, int nthreads);
void cs_adamw_step(float *p, const float *g, float *m, float *v, size_t n, float lr, float beta1,
                   float beta2, float eps, float wd, long step, int nthreads);

enum { CS_OPT_SGD = 0, CS_OPT_ADAMW = 1 };

typedef struct cs_optim_cfg {
    int kind;           /* CS_OPT_SGD or CS_OPT_ADAMW */
    float momentum;     /* SGD (default 0.9) */
    int nesterov;       /* SGD (default 0) */
    float weight_decay; /* default 5e-4 (SGD) */
    float beta1, beta2, eps; /* AdamW (defaults 0.9, 0.999, 1e-8) */
} cs_optim_cfg;

void cs_optim_cfg_init(cs_optim_cfg *c, int kind);

/* Optimiser state: moments in the model's parameter layout (one slab, 1 or 2 copies). */
typedef struct cs_optim cs_optim;
int cs_optim_create(cs_optim **o, const cs_optim_cfg *cfg, struct cs_model *m);
void cs_optim_free(cs_optim *o);
/* One update of the model's parameters from its gradients at learning rate lr: 0, or the
 * error the backend met in it (the step still counts). */
int cs_optim_step(cs_optim *o, float lr);
/* Steps taken so far, and the moment slab (n floats each) for checkpoints. */
long cs_optim_steps(const cs_optim *o);
/* Restore the step count from a checkpoint (AdamW bias correction depends on it). */
void cs_optim_set_steps(cs_optim *o, long steps);
float *cs_optim_moments(cs_optim *o, size_t *n_floats); /* backend memory */
/* Floats of moment state, and copies of it to and from host memory (checkpoints). */
size_t cs_optim_num_moments(const cs_optim *o);
void cs_optim_moments_get(const cs_optim *o, float *host);
void cs_optim_moments_set(cs_optim *o, const float *host);

/* Cosine schedule with linear warm-up, per iteration it = 0 .. total-1:
 * it < warmup: base (it+1) / warmup; then min + (base - min) (1 + cos(pi t)) / 2 with
 * t = (it - warmup) / (total - warmup). */
double cs_lr_cosine(long it, long total, long warmup, double base, double min_lr);

#endif
