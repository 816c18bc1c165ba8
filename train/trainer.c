/* trainer.c - the epoch loop: batches, augmentation, per-sample records,
 * Grad-CAM focus, training-time data dropout, optimiser steps, evaluation. */
#include "trainer.h"

#include "../common/err.h"
#include "../formats/traj.h"
#include "../nn/backends.h"
#include "focus.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* train.class_weight balanced: w_c = N / (C N_c) over the samples trained on (the
 * index's subset when there is one), as scikit-learn's "balanced"; a class with no
 * samples gets 0 (it never appears in a batch). */
static int set_class_weights(cs_model *m, const cs_config *cfg, const cs_data *d)
{
    if (cfg->train.class_weight == CS_CLASS_WEIGHT_NONE)
        return 0;
    int C = d->num_classes;
    int64_t *cnt = cs_calloc((size_t)C, sizeof *cnt);
    float *w = cs_malloc(sizeof *w * (size_t)C);
    int rc = CS_ENOMEM; /* with cs_calloc's or cs_malloc's message, unless both worked */
    if (cnt && w) {
        for (int64_t i = 0; i < d->n; i++)
            cnt[d->y[i]]++;
        for (int c = 0; c < C; c++)
            w[c] = cnt[c] ? (float)((double)d->n / ((double)C * (double)cnt[c])) : 0.0f;
        rc = cs_model_set_class_weights(m, w);
    }
    free(cnt);
    free(w);
    return rc;
}

const char *cs_trainer_spec_name(const cs_config *cfg)
{
    const char *const *names = cs_model_names;
    return names[cfg->model.name];
}

int cs_trainer_spec(const cs_config *cfg, const cs_data *data, cs_model_spec *spec)
{
    cs_model_spec_init(spec);
    spec->name = cs_trainer_spec_name(cfg);
    spec->in_channels = data->channels;
    spec->in_ndim = data->rank;
    spec->in_shape[0] = (int)data->dims[0];
    spec->in_shape[1] = data->rank == 2 ? (int)data->dims[1] : 1;
    spec->num_classes = data->num_classes;
    spec->width = cfg->model.width;
    spec->kernel_size = cfg->model.kernel_size;
    if (cs_model_is_1d(cfg->model.name) != (data->rank == 1))
        return cs_error(CS_EINVAL, "model '%s' needs %s inputs, the dataset has %s samples", spec->name,
                        cs_model_is_1d(cfg->model.name) ? "1-D (leads, length)" : "image",
                        data->rank == 1 ? "1-D" : "image");
    /* blocks: "2,2,2,2" -> stages */
    const char *s = cfg->model.blocks;
    int ns = 0;
    while (*s && ns < CS_MODEL_MAX_STAGES) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 1 || v > 64)
            return cs_error(CS_EINVAL, "model.blocks must be a list like 2,2,2,2, got '%s'", cfg->model.blocks);
        spec->blocks[ns++] = (int)v;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return cs_error(CS_EINVAL, "model.blocks must be a list like 2,2,2,2, got '%s'", cfg->model.blocks);
    }
    if (*s)
        return cs_error(CS_EINVAL, "model.blocks has more than %d stages", CS_MODEL_MAX_STAGES);
    spec->num_stages = ns;
    return 0;
}

int cs_trainer_check(const cs_config *cfg, const cs_data *data)
{
    cs_model_spec spec;
    cs_model *m = NULL;
    int rc;
    if ((rc = cs_trainer_spec(cfg, data, &spec)) || (rc = cs_model_create(&m, &spec, 1, NULL)))
        return rc;
    if ((rc = cs_model_find_layer(m, cfg->record.focus_layer)) >= 0)
        rc = 0;
    else
        cs_error_prefix("record.focus_layer");
    cs_embed_capture emb;
    if (!rc)
        rc = cs_embed_capture_init(&emb, cfg, m, 1, 1);
    if (!rc)
        cs_embed_capture_release(&emb);
    cs_model_free(m);
    return rc;
}

static void free_scratch(cs_trainer *t)
{
    void *ps[] = {t->xb, t->xsub, t->maps, t->bn_backup, t->yb, t->ysub, t->target, t->perm, t->pick,
                  t->keep, t->bcorrect, t->bconf, t->bfocus, t->fscratch, t->rec.err, t->rec.conf,
                  t->rec.margin, t->rec.entropy, t->rec.loss, t->rec.focus, t->rec.correct, t->rec.used,
                  t->rec.probs};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
        free(ps[i]);
}

void cs_trainer_release(cs_trainer *t)
{
    free_scratch(t);
    cs_cam_release(&t->cam);
    cs_embed_capture_release(&t->emb);
    cs_optim_free(t->opt);
    cs_model_free(t->model);
    cs_backend_free(t->be);
    memset(t, 0, sizeof *t);
}

int cs_trainer_init(cs_trainer *t, const cs_config *cfg, cs_data *data, int run, int record)
{
    memset(t, 0, sizeof *t);
    t->cfg = cfg;
    t->data = data;
    t->run = run;
    t->record = record;
    int rc;
    cs_model_spec spec;
    if ((rc = cs_trainer_spec(cfg, data, &spec)))
        return rc;
    t->nthreads = cfg->train.threads > 0 ? cfg->train.threads : omp_get_max_threads();
    omp_set_num_threads(t->nthreads);
    int B = cfg->train.batch_size;
    if ((rc = cs_backend_create(&t->be, cfg->train.device, t->nthreads))) {
        cs_error_prefix("train.device '%s'", cfg->train.device);
        goto fail;
    }
    if ((rc = cs_model_create(&t->model, &spec, B, t->be)))
        goto fail;
    cs_optim_cfg oc;
    cs_optim_cfg_init(&oc, cfg->train.optimizer == CS_OPTIMIZER_ADAMW ? CS_OPT_ADAMW : CS_OPT_SGD);
    oc.momentum = (float)cfg->train.momentum;
    oc.nesterov = cfg->train.nesterov;
    oc.weight_decay = (float)cfg->train.weight_decay;
    oc.beta1 = (float)cfg->train.beta1;
    oc.beta2 = (float)cfg->train.beta2;
    if ((rc = cs_optim_create(&t->opt, &oc, t->model)) || (rc = set_class_weights(t->model, cfg, data)))
        goto fail;
    cs_rng init;
    cs_rng_seed2(&init, (uint64_t)cfg->train.seed, 2 * (uint64_t)run);
    if ((rc = cs_model_init_params(t->model, &init)))
        goto fail;
    cs_rng_seed2(&t->rng, (uint64_t)cfg->train.seed, 2 * (uint64_t)run + 1);

    if ((rc = cs_cam_init(&t->cam, t->model, cfg->record.focus_layer, 0))) {
        cs_error_prefix("record.focus_layer");
        goto fail;
    }
    /* The first surrogate run stores embeddings (run 0: the file's feature space is one model's). */
    if ((rc = cs_embed_capture_init(&t->emb, cfg, t->model, data->n, record && run == 0)))
        goto fail;
    int64_t N = data->n;
    t->iters_per_epoch = (long)((N + B - 1) / B);
    t->total_iters = t->iters_per_epoch * cfg->train.epochs;
    t->warmup_iters = (long)(cfg->train.warmup_epochs * (double)t->iters_per_epoch);
    int64_t P = cs_cam_positions(&t->cam);
    int64_t in_px = data->sample_elems / data->channels;
    int C = data->num_classes;
    size_t se = (size_t)data->sample_elems;
    size_t ncol = (size_t)(N ? N : 1);
    size_t state = cs_model_num_state(t->model) - cs_model_num_params(t->model);
    t->xb = malloc(sizeof(float) * se * (size_t)B);
    t->xsub = malloc(sizeof(float) * se * (size_t)B);
    t->maps = malloc(sizeof(float) * (size_t)P * (size_t)B);
    t->bn_backup = malloc(sizeof(float) * (state ? state : 1));
    t->yb = malloc(sizeof(int) * (size_t)B);
    t->ysub = malloc(sizeof(int) * (size_t)B);
    t->target = malloc(sizeof(int) * (size_t)B);
    t->perm = malloc(sizeof(int64_t) * ncol);
    t->pick = malloc(sizeof(int64_t) * (size_t)B);
    t->keep = malloc((size_t)B);
    t->bcorrect = malloc((size_t)B);
    t->bconf = malloc(sizeof(float) * (size_t)B);
    t->bfocus = malloc(sizeof(float) * (size_t)B);
    t->fscratch = malloc(sizeof(double) * (size_t)(in_px > P ? in_px : P));
    int ok = t->xb && t->xsub && t->maps && t->bn_backup && t->yb && t->ysub && t->target && t->perm &&
             t->pick && t->keep && t->bcorrect && t->bconf && t->bfocus && t->fscratch;
    if (record) {
        t->fields = CS_TRAJ_SCALARS;
        int probs = cfg->record.probs == CS_YES || (cfg->record.probs == CS_AUTO && C <= 16);
        if (probs)
            t->fields |= CS_TRAJ_PROBS;
        t->rec.n = N;
        t->rec.num_classes = C;
        t->rec.run = run;
        float **fc[] = {&t->rec.err, &t->rec.conf, &t->rec.margin, &t->rec.entropy, &t->rec.loss, &t->rec.focus};
        for (int i = 0; i < 6; i++)
            ok &= (*fc[i] = malloc(sizeof(float) * ncol)) != NULL;
        ok &= (t->rec.correct = malloc(ncol)) != NULL;
        ok &= (t->rec.used = malloc(ncol)) != NULL;
        if (probs)
            ok &= (t->rec.probs = malloc(sizeof(float) * ncol * (size_t)C)) != NULL;
    }
    if (!ok) {
        rc = cs_error(CS_ENOMEM, "out of memory for training buffers (batch %d, %lld samples)", B, (long long)N);
        goto fail;
    }
    return 0;
fail:
    cs_trainer_release(t);
    return rc;
}

/* Copy sample i into dst with the configured augmentation (images: random
 * crop with zero padding in normalised units, i.e. the dataset mean, and
 * flips; signals: a random shift).  Draws are made in a fixed order. */
static void gather(cs_trainer *t, int64_t i, float *dst)
{
    const cs_data *d = t->data;
    const float *src = d->x + i * d->sample_elems;
    int pad = t->cfg->train.augment_crop_padding;
    int hflip = t->cfg->train.augment_hflip && d->rank == 2;
    int vflip = t->cfg->train.augment_vflip && d->rank == 2;
    if (!pad && !hflip && !vflip) {
        memcpy(dst, src, sizeof(float) * (size_t)d->sample_elems);
        return;
    }
    int64_t H = d->rank == 2 ? d->dims[0] : 1, W = d->rank == 2 ? d->dims[1] : d->dims[0];
    int64_t dy = 0, dx = 0;
    if (pad) {
        if (d->rank == 2)
            dy = (int64_t)cs_rng_below(&t->rng, 2 * (uint64_t)pad + 1) - pad;
        dx = (int64_t)cs_rng_below(&t->rng, 2 * (uint64_t)pad + 1) - pad;
    }
    int fx = hflip && (cs_rng_u64(&t->rng) >> 63);
    int fy = vflip && (cs_rng_u64(&t->rng) >> 63);
    for (int c = 0; c < d->channels; c++)
        for (int64_t y = 0; y < H; y++)
            for (int64_t x = 0; x < W; x++) {
                int64_t sy = (fy ? H - 1 - y : y) + dy, sx = (fx ? W - 1 - x : x) + dx;
                dst[(c * H + y) * W + x] =
                    sy >= 0 && sy < H && sx >= 0 && sx < W ? src[(c * H + sy) * W + sx] : 0.0f;
            }
}

/* METHODS section 1 fields of one sample from its logits, in double. */
static void sample_stats(const float *z, int C, int y, float *err, float *conf, float *margin,
                         float *entropy, float *loss, uint8_t *correct, float *probs, int *argmax)
{
    double m = z[0];
    int am = 0;
    for (int k = 1; k < C; k++)
        if (z[k] > m) {
            m = z[k];
            am = k;
        }
    double s = 0;
    for (int k = 0; k < C; k++)
        s += exp((double)z[k] - m);
    double lse = m + log(s), e2 = 0, ent = 0, other = -INFINITY;
    for (int k = 0; k < C; k++) {
        double lp = (double)z[k] - lse, p = exp(lp);
        double diff = p - (k == y);
        e2 += diff * diff;
        if (p > 0)
            ent -= p * lp;
        if (k != y && z[k] > other)
            other = z[k];
        if (probs)
            probs[k] = (float)p;
    }
    *err = (float)sqrt(e2);
    *conf = (float)exp((double)z[y] - lse);
    *margin = (float)((double)z[y] - other);
    *entropy = (float)ent;
    *loss = (float)(lse - (double)z[y]);
    *correct = am == y;
    *argmax = am;
}

/* Choose k of the batch's n positions at random into keep[] (partial Fisher-Yates). */
static void pick_random(cs_trainer *t, int n, int k, uint8_t *keep)
{
    for (int j = 0; j < n; j++) {
        t->pick[j] = j;
        keep[j] = 0;
    }
    for (int j = 0; j < k && j < n; j++) {
        int r = j + (int)cs_rng_below(&t->rng, (uint64_t)(n - j));
        int64_t tmp = t->pick[j];
        t->pick[j] = t->pick[r];
        t->pick[r] = tmp;
        keep[t->pick[j]] = 1;
    }
}

/* Focus of the batch's samples into bfocus[]; with a mask, only where mask[j] is set
 * (NaN elsewhere), and no Grad-CAM at all when the mask is empty. */
static int focus_of_batch(cs_trainer *t, int bs, const uint8_t *mask)
{
    int any = 0;
    for (int j = 0; j < bs; j++) {
        t->bfocus[j] = NAN;
        any |= !mask || mask[j];
    }
    if (!any)
        return 0;
    int rc = cs_cam_maps(&t->cam, t->target, bs, t->maps);
    if (rc)
        return rc;
    int64_t P = cs_cam_positions(&t->cam);
    const cs_data *d = t->data;
    for (int j = 0; j < bs; j++) {
        double f;
        if (mask && !mask[j])
            continue;
        const float *map = t->maps + (int64_t)j * P;
        if (!t->cfg->record.focus_resize)
            rc = cs_focus(map, P, t->fscratch, &f);
        else if (d->rank == 2)
            rc = cs_focus_resized_2d(map, t->cam.h, t->cam.w, (int)d->dims[0], (int)d->dims[1], t->fscratch, &f);
        else
            rc = cs_focus_resized_1d(map, t->cam.w, (int)d->dims[0], t->fscratch, &f);
        if (rc)
            return rc;
        t->bfocus[j] = (float)f;
    }
    return 0;
}

/* record.eval_pass: after the epoch's updates, one eval-mode pass (BN running
 * statistics, no augmentation, samples in order) replaces the training pass's
 * records; `used` stays as training set it.  Focus is recomputed here in the
 * epochs that record it for every sample; focus_for candidates keeps what the
 * ERTS filter saw during training. */
static int record_eval_pass(cs_trainer *t, int focus_now, int embed_now)
{
    const cs_data *d = t->data;
    int B = t->cfg->train.batch_size, C = d->num_classes;
    for (int64_t start = 0; start < d->n; start += B) {
        int bs = (int)(d->n - start < B ? d->n - start : B);
        int rc = cs_model_forward(t->model, d->x + start * d->sample_elems, bs, 0);
        if (rc)
            return rc;
        if (embed_now && (rc = cs_embed_capture_batch(&t->emb, t->model, NULL, start, bs)))
            return rc;
        const float *z = cs_model_logits(t->model);
        for (int j = 0; j < bs; j++) {
            int64_t i = start + j;
            int am;
            float *probs = t->rec.probs ? t->rec.probs + i * C : NULL;
            sample_stats(z + (int64_t)j * C, C, d->y[i], &t->rec.err[i], &t->rec.conf[i], &t->rec.margin[i],
                         &t->rec.entropy[i], &t->rec.loss[i], &t->rec.correct[i], probs, &am);
            t->target[j] = t->cfg->record.focus_target == CS_FOCUS_TRUE ? d->y[i] : am;
        }
        if (focus_now) {
            if ((rc = focus_of_batch(t, bs, NULL)))
                return rc;
            memcpy(t->rec.focus + start, t->bfocus, sizeof(float) * (size_t)bs);
        }
    }
    return 0;
}

/* record.embed_pass eval: the pooled features of one eval-mode pass (running
 * statistics, no augmentation, samples in order) after the epoch's updates;
 * the records stay those of the training pass. */
static int embed_eval_pass(cs_trainer *t)
{
    const cs_data *d = t->data;
    int B = t->cfg->train.batch_size;
    for (int64_t start = 0; start < d->n; start += B) {
        int bs = (int)(d->n - start < B ? d->n - start : B);
        int rc = cs_model_forward(t->model, d->x + start * d->sample_elems, bs, 0);
        if (rc || (rc = cs_embed_capture_batch(&t->emb, t->model, NULL, start, bs)))
            return rc;
    }
    return 0;
}

int cs_trainer_record_rows(cs_trainer *t, const cs_data *d, const int64_t *rows, int64_t m, cs_epoch_record *rec)
{
    const cs_config *cfg = t->cfg;
    int B = cfg->train.batch_size, C = d->num_classes;
    /* the epochs whose focus is recorded for every sample (focus_for candidates: the
     * ERTS filter's only, and a held-out sample is never a candidate) */
    int focus_now = cfg->record.focus_for != CS_FOCUS_FOR_CANDIDATES && cfg->record.focus_every > 0 &&
                    (t->epoch - 1) % cfg->record.focus_every == 0;
    for (int64_t start = 0; start < m; start += B) {
        int bs = (int)(m - start < B ? m - start : B);
        for (int j = 0; j < bs; j++)
            memcpy(t->xb + (size_t)j * (size_t)d->sample_elems, d->x + rows[start + j] * d->sample_elems,
                   sizeof(float) * (size_t)d->sample_elems);
        int rc = cs_model_forward(t->model, t->xb, bs, 0);
        if (rc)
            return rc;
        const float *z = cs_model_logits(t->model);
        for (int j = 0; j < bs; j++) {
            int64_t i = rows[start + j];
            int am;
            float *probs = rec->probs ? rec->probs + i * C : NULL;
            sample_stats(z + (int64_t)j * C, C, d->y[i], &rec->err[i], &rec->conf[i], &rec->margin[i],
                         &rec->entropy[i], &rec->loss[i], &rec->correct[i], probs, &am);
            rec->used[i] = 0;
            rec->focus[i] = NAN;
            t->target[j] = cfg->record.focus_target == CS_FOCUS_TRUE ? d->y[i] : am;
        }
        if (focus_now) {
            if ((rc = focus_of_batch(t, bs, NULL)))
                return rc;
            for (int j = 0; j < bs; j++)
                rec->focus[rows[start + j]] = t->bfocus[j];
        }
    }
    return 0;
}

int cs_trainer_epoch(cs_trainer *t, cs_epoch_stats *st)
{
    const cs_config *cfg = t->cfg;
    const cs_data *d = t->data;
    double t0 = now();
    int64_t N = d->n;
    int B = cfg->train.batch_size, C = d->num_classes, ep = t->epoch + 1;
    for (int64_t i = 0; i < N; i++)
        t->perm[i] = i;
    cs_rng_shuffle_i64(&t->rng, t->perm, N);
    int drop = cfg->dropout.method != CS_DROP_NONE && ep <= cfg->train.epochs - cfg->dropout.revision_epochs;
    int erts_now = drop && cfg->dropout.erts;
    /* focus_for candidates: only where the ERTS filter reads it, nothing in other epochs */
    int cand_only = cfg->record.focus_for == CS_FOCUS_FOR_CANDIDATES;
    int focus_now = t->record && !cand_only && cfg->record.focus_every > 0 && (ep - 1) % cfg->record.focus_every == 0;
    size_t np = cs_model_num_params(t->model), ns = cs_model_num_state(t->model);
    /* Embeddings come from the pass that records (this one, or the eval pass after it),
     * or with record.embed_pass eval from an eval pass run for them alone. */
    int embed_now = t->record && cs_embed_capture_wants(&t->emb, ep);
    int embed_eval_only = embed_now && !cfg->record.eval_pass && cfg->record.embed_pass == CS_EMBED_PASS_EVAL;
    int embed_train = embed_now && !cfg->record.eval_pass && !embed_eval_only;
    t->emb.epoch = 0;
    if (t->record) {
        t->rec.epoch = ep;
        for (int64_t i = 0; i < N; i++)
            t->rec.focus[i] = NAN;
    }
    double loss_sum = 0;
    int64_t correct = 0, used = 0;
    int rc = 0;
    for (int64_t start = 0; start < N; start += B) {
        int bs = (int)(N - start < B ? N - start : B);
        for (int j = 0; j < bs; j++) {
            int64_t i = t->perm[start + j];
            gather(t, i, t->xb + (size_t)j * (size_t)d->sample_elems);
            t->yb[j] = d->y[i];
        }
        if (drop)
            cs_model_state_get(t->model, t->bn_backup, np, ns - np);
        if ((rc = cs_model_forward(t->model, t->xb, bs, 1)))
            return rc;
        cs_model_xent(t->model, t->yb, (float)cfg->train.label_smoothing);
        if (embed_train && (rc = cs_embed_capture_batch(&t->emb, t->model, t->perm + start, 0, bs)))
            return rc;
        const float *z = cs_model_logits(t->model);
        for (int j = 0; j < bs; j++) {
            int64_t i = t->perm[start + j];
            float err, conf, margin, ent, loss;
            uint8_t ok;
            int am;
            float *probs = t->record && t->rec.probs ? t->rec.probs + i * C : NULL;
            sample_stats(z + (int64_t)j * C, C, t->yb[j], &err, &conf, &margin, &ent, &loss, &ok, probs, &am);
            t->bconf[j] = conf;
            t->bcorrect[j] = ok;
            t->target[j] = cfg->record.focus_target == CS_FOCUS_TRUE ? t->yb[j] : am;
            loss_sum += loss;
            correct += ok;
            if (t->record) {
                t->rec.err[i] = err;
                t->rec.conf[i] = conf;
                t->rec.margin[i] = margin;
                t->rec.entropy[i] = ent;
                t->rec.loss[i] = loss;
                t->rec.correct[i] = ok;
            }
        }
        /* Which samples this batch learns from: the dropout rule's candidates first
         * (focus draws no random numbers, so this order leaves the RNG stream as it was),
         * then the ERTS filter on their focus. */
        if (drop) {
            double tau = cfg->dropout.tau;
            int k = 0;
            for (int j = 0; j < bs; j++) {
                t->keep[j] = tau > 0 ? t->bconf[j] < tau : !t->bcorrect[j];
                k += t->keep[j];
            }
            if (cfg->dropout.method == CS_DROP_SMRD)
                pick_random(t, bs, k, t->keep);
            else if (cfg->dropout.method == CS_DROP_SRD)
                pick_random(t, bs, (int)floor(pow(cfg->dropout.gamma, ep - 1) * bs), t->keep);
        } else {
            memset(t->keep, 1, (size_t)bs);
        }
        if (focus_now || erts_now) {
            double f0 = now();
            if ((rc = focus_of_batch(t, bs, focus_now ? NULL : t->keep)))
                return rc;
            t->focus_seconds += now() - f0;
            if (t->record)
                for (int j = 0; j < bs; j++)
                    t->rec.focus[t->perm[start + j]] = t->bfocus[j];
        }
        if (erts_now)   /* NaN >= phi is false, but every candidate has its focus here */
            for (int j = 0; j < bs; j++)
                t->keep[j] &= t->bfocus[j] >= cfg->dropout.phi;
        int nkeep = 0;
        for (int j = 0; j < bs; j++)
            nkeep += t->keep[j];
        double lr = cfg->train.schedule == CS_SCHED_COSINE
                        ? cs_lr_cosine(t->iter, t->total_iters, t->warmup_iters, cfg->train.lr, 0.0)
                        : cfg->train.lr;
        /* backward and the step return the backend's errors (as Grad-CAM above does), so
         * the epoch ends in the batch that failed, before its caller writes a checkpoint
         * or a trajectory frame of it */
        if (nkeep == bs) {
            cs_model_zero_grad(t->model);
            if ((rc = cs_model_backward(t->model, cs_model_dlogits(t->model))) ||
                (rc = cs_optim_step(t->opt, (float)lr)))
                return rc;
        } else {
            /* The record pass must not count as a BN update: restore, then learn
             * from the subset alone (or from nothing). */
            cs_model_state_set(t->model, t->bn_backup, np, ns - np);
            if (nkeep > 0) {
                int m = 0;
                for (int j = 0; j < bs; j++)
                    if (t->keep[j]) {
                        memcpy(t->xsub + (size_t)m * (size_t)d->sample_elems,
                               t->xb + (size_t)j * (size_t)d->sample_elems, sizeof(float) * (size_t)d->sample_elems);
                        t->ysub[m++] = t->yb[j];
                    }
                if ((rc = cs_model_forward(t->model, t->xsub, nkeep, 1)))
                    return rc;
                cs_model_xent(t->model, t->ysub, (float)cfg->train.label_smoothing);
                cs_model_zero_grad(t->model);
                if ((rc = cs_model_backward(t->model, cs_model_dlogits(t->model))) ||
                    (rc = cs_optim_step(t->opt, (float)lr)))
                    return rc;
            }
        }
        if (t->record)
            for (int j = 0; j < bs; j++)
                t->rec.used[t->perm[start + j]] = t->keep[j];
        if (t->used_rows)
            for (int j = 0; j < bs; j++)
                t->used_rows[t->perm[start + j]] = t->keep[j];
        used += nkeep;
        t->iter++;
    }
    if (t->record && cfg->record.eval_pass && (rc = record_eval_pass(t, focus_now, embed_now)))
        return rc;
    if (embed_eval_only && (rc = embed_eval_pass(t)))
        return rc;
    if (embed_now)
        t->emb.epoch = ep;
    t->backprop += used;
    t->epoch = ep;
    st->loss = N ? loss_sum / (double)N : 0;
    st->accuracy = N ? (double)correct / (double)N : 0;
    st->used = N ? (double)used / (double)N : 0;
    st->seconds = now() - t0;
    return 0;
}

int cs_trainer_eval(cs_trainer *t, const cs_data *d, cs_metrics *m, double *mean_loss)
{
    int B = cs_model_max_batch(t->model), C = d->num_classes;
    int32_t pred[1024], truth[1024];
    double loss = 0;
    cs_metrics_reset(m);
    for (int64_t start = 0; start < d->n; start += B) {
        int bs = (int)(d->n - start < B ? d->n - start : B);
        int rc = cs_model_forward(t->model, d->x + start * d->sample_elems, bs, 0);
        if (rc)
            return rc;
        const float *z = cs_model_logits(t->model);
        for (int j0 = 0; j0 < bs; j0 += 1024) {
            int nb = bs - j0 < 1024 ? bs - j0 : 1024;
            for (int j = 0; j < nb; j++) {
                const float *zz = z + (int64_t)(j0 + j) * C;
                int y = d->y[start + j0 + j], am = 0;
                double mx = zz[0], s = 0;
                for (int k = 1; k < C; k++)
                    if (zz[k] > mx) {
                        mx = zz[k];
                        am = k;
                    }
                for (int k = 0; k < C; k++)
                    s += exp((double)zz[k] - mx);
                loss += mx + log(s) - zz[y];
                pred[j] = am;
                truth[j] = y;
            }
            cs_metrics_add(m, truth, pred, nb);
        }
    }
    cs_metrics_finish(m);
    if (mean_loss)
        *mean_loss = d->n ? loss / (double)d->n : 0;
    return 0;
}
