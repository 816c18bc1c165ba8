/* optim.c - SGD with momentum and AdamW as flat loops over the parameter slab. */
#include "optim.h"
#include "model.h"

#include <math.h>
#include <stdlib.h>

#include "../common/err.h"

void cs_sgd_step(float *p, const float *g, float *buf, size_t n, float lr, float momentum,
                 float wd, int nesterov, int nthreads)
{
#pragma omp parallel for schedule(static) num_threads(nthreads) if (n > 65536)
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] + wd * p[i];
        if (momentum != 0.0f) {
            buf[i] = momentum * buf[i] + gi;
            gi = nesterov ? gi + momentum * buf[i] : buf[i];
        }
        p[i] -= lr * gi;
    }
}

void cs_adamw_step(float *p, const float *g, float *m, float *v, size_t n, float lr, float beta1,
                   float beta2, float eps, float wd, long step, int nthreads)
{
    /* bias corrections in double, as torch computes them in Python floats */
    double bc1 = 1.0 - pow(beta1, (double)step);
    float bc2_sqrt = (float)sqrt(1.0 - pow(beta2, (double)step));
    float step_size = (float)(lr / bc1);
#pragma omp parallel for schedule(static) num_threads(nthreads) if (n > 65536)
    for (size_t i = 0; i < n; i++) {
        p[i] *= 1.0f - lr * wd;
        m[i] = beta1 * m[i] + (1.0f - beta1) * g[i];
        v[i] = beta2 * v[i] + (1.0f - beta2) * g[i] * g[i];
        float denom = sqrtf(v[i]) / bc2_sqrt + eps;
        p[i] -= step_size * (m[i] / denom);
    }
}

void cs_optim_cfg_init(cs_optim_cfg *c, int kind)
{
    *c = (cs_optim_cfg){.kind = kind, .momentum = 0.9f, .nesterov = 0,
                        .weight_decay = kind == CS_OPT_ADAMW ? 0.01f : 5e-4f, .beta1 = 0.9f,
                        .beta2 = 0.999f, .eps = 1e-8f};
}

struct cs_optim {
    cs_optim_cfg cfg;
    cs_model *model;
    const cs_backend *be;
    float *mom;   /* 1 (SGD) or 2 (AdamW) slabs of n floats */
    size_t n;
    long steps;
};

int cs_optim_create(cs_optim **out, const cs_optim_cfg *cfg, cs_model *m)
{
    *out = NULL;
    if (cfg->kind != CS_OPT_SGD && cfg->kind != CS_OPT_ADAMW)
        return cs_error(CS_EINVAL, "unknown optimiser kind %d", cfg->kind);
    cs_optim *o = cs_calloc(1, sizeof *o);
    if (!o)
        return CS_ENOMEM;
    o->cfg = *cfg;
    o->model = m;
    o->be = cs_model_backend(m);
    o->n = cs_model_num_params(m);
    size_t copies = cfg->kind == CS_OPT_ADAMW ? 2 : 1;
    o->mom = o->be->ops->alloc(o->be->ctx, sizeof(float) * o->n * copies);
    if (!o->mom) {
        size_t want = o->n * copies;
        free(o);
        return cs_error(CS_ENOMEM, "out of memory for optimiser state (%zu floats)", want);
    }
    *out = o;
    return 0;
}

void cs_optim_free(cs_optim *o)
{
    if (!o)
        return;
    o->be->ops->free(o->be->ctx, o->mom);
    free(o);
}

int cs_optim_step(cs_optim *o, float lr)
{
    const cs_backend_ops *ops = o->be->ops;
    float *p = cs_model_params(o->model);
    const float *g = cs_model_grads(o->model);
    o->steps++;
    if (o->cfg.kind == CS_OPT_SGD)
        ops->sgd_step(o->be->ctx, p, g, o->mom, o->n, lr, o->cfg.momentum, o->cfg.weight_decay,
                      o->cfg.nesterov);
    else
        ops->adamw_step(o->be->ctx, p, g, o->mom, o->mom + o->n, o->n, lr, o->cfg.beta1,
                        o->cfg.beta2, o->cfg.eps, o->cfg.weight_decay, o->steps);
    return ops->status ? ops->status(o->be->ctx) : 0;
}

long cs_optim_steps(const cs_optim *o) { return o->steps; }

void cs_optim_set_steps(cs_optim *o, long steps) { o->steps = steps; }

float *cs_optim_moments(cs_optim *o, size_t *n_floats)
{
    *n_floats = o->n * (o->cfg.kind == CS_OPT_ADAMW ? 2 : 1);
    return o->mom;
}

size_t cs_optim_num_moments(const cs_optim *o) { return o->n * (o->cfg.kind == CS_OPT_ADAMW ? 2 : 1); }

void cs_optim_moments_get(const cs_optim *o, float *host)
{
    o->be->ops->download(o->be->ctx, host, o->mom, sizeof(float) * cs_optim_num_moments(o));
}

void cs_optim_moments_set(cs_optim *o, const float *host)
{
    o->be->ops->upload(o->be->ctx, o->mom, host, sizeof(float) * cs_optim_num_moments(o));
}

double cs_lr_cosine(long it, long total, long warmup, double base, double min_lr)
{
    if (it < warmup)
        return base * (double)(it + 1) / (double)warmup;
    if (total <= warmup)
        return base;
    double t = (double)(it - warmup) / (double)(total - warmup);
    if (t > 1.0)
        t = 1.0;
    return min_lr + (base - min_lr) * 0.5 * (1.0 + cos(M_PI * t));
}
