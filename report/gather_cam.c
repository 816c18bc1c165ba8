/* gather_cam.c - the shown samples' pixels (or signal) and their Grad-CAM
 * maps, recomputed for that handful of samples from the run's checkpoint:
 * the dataset is opened as run.yaml says (its sha256 must still be the one
 * the run recorded), normalised as the run trained, and one eval-mode
 * forward pass of the final weights feeds cs_cam_maps at record.focus_layer.
 *
 * Every way this can fail (no run.yaml or checkpoint, the dataset moved or
 * changed, a checkpoint of another model) leaves a note for the page rather
 * than an error: the rest of the report stands without the maps. */
#include "report_data.h"
#include "../run/run_data.h"

#include "../common/err.h"
#include "../run/run_dir.h"
#include "../common/fsio.h"
#include "../common/outguard.h"
#include "../config/dataset_opts.h"
#include "../datasets/dataset_sha.h"
#include "../train/focus.h"
#include "../train/cam_layer.h"
#include "../train/checkpoint.h"
#include "../train/data.h"
#include "../train/trainer.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void note(cs_report_data *d, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void note(cs_report_data *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->cam_note, sizeof d->cam_note, fmt, ap);
    va_end(ap);
}

/* Linear interpolation with half-pixel centres, clamped (the convention of
 * train/focus.h): the source coordinate of output k of `out` over `in`. */
static void src_coord(int k, int in, int out, int *i0, int *i1, float *t)
{
    float x = ((float)k + 0.5f) * (float)in / (float)out - 0.5f;
    x = x < 0 ? 0 : x > (float)(in - 1) ? (float)(in - 1) : x;
    *i0 = (int)x;
    *i1 = *i0 + 1 < in ? *i0 + 1 : *i0;
    *t = x - (float)*i0;
}

/* map (h, w) -> out (H, W), then min-max to [0, 1] (a constant map is 0). */
static void resize_map(const float *map, int h, int w, int H, int W, float *out)
{
    for (int y = 0; y < H; y++) {
        int y0, y1;
        float ty;
        src_coord(y, h, H, &y0, &y1, &ty);
        for (int x = 0; x < W; x++) {
            int x0, x1;
            float tx;
            src_coord(x, w, W, &x0, &x1, &tx);
            float a = map[y0 * w + x0] * (1 - tx) + map[y0 * w + x1] * tx;
            float b = map[y1 * w + x0] * (1 - tx) + map[y1 * w + x1] * tx;
            out[y * W + x] = a * (1 - ty) + b * ty;
        }
    }
    float lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < H * W; k++) {
        lo = out[k] < lo ? out[k] : lo;
        hi = out[k] > hi ? out[k] : hi;
    }
    for (int k = 0; k < H * W; k++)
        out[k] = hi > lo ? (out[k] - lo) / (hi - lo) : 0;
}

/* The run's training split, normalised as it trained; rows of the shown
 * samples copied raw into d->samples[].x first. */
static int load_samples(cs_report_data *d, const cs_config *cfg, cs_data *shown)
{
    cs_run_data rd;
    int rc = cs_run_data_load(&rd, cfg, d->dataset[0] ? d->dataset : NULL, d->sha, d->n);
    if (rc)
        goto out;
    const char *path = d->dataset[0] ? d->dataset : cfg->dataset.path;
    cs_data *all = &rd.data;
    d->is_signal = all->rank == 1;
    d->channels = all->channels;
    d->dims[0] = all->dims[0];
    d->dims[1] = all->rank == 1 ? 1 : all->dims[1];
    size_t per = (size_t)all->sample_elems;
    for (int s = 0; s < d->nsamples; s++) {
        cs_report_sample *x = &d->samples[s];
        if (all->y[x->sample] != x->label) {
            rc = cs_error(CS_EFORMAT, "sample %lld of '%s' has label %d, the run recorded %d", (long long)x->sample, path,
                          all->y[x->sample], x->label);
            goto out;
        }
        /* the raw sample, for the thumbnail */
        if (!(x->x = cs_malloc(sizeof *x->x * per))) {
            rc = CS_ENOMEM;
            goto out;
        }
        memcpy(x->x, all->x + (size_t)x->sample * per, sizeof *x->x * per);
    }
    /* Keep only the shown rows, then normalise them as the run did (with the
     * whole split's statistics). */
    float *x = cs_malloc(sizeof *x * per * (size_t)(d->nsamples ? d->nsamples : 1));
    if (!x) {
        rc = CS_ENOMEM;
        goto out;
    }
    for (int s = 0; s < d->nsamples; s++)
        memcpy(x + (size_t)s * per, all->x + (size_t)d->samples[s].sample * per, sizeof *x * per);
    *shown = *all;
    shown->n = d->nsamples;
    shown->x = x;
    if (!(shown->y = cs_malloc(sizeof *shown->y * (size_t)(d->nsamples ? d->nsamples : 1)))) {
        free(x);
        *shown = (cs_data){0};
        rc = CS_ENOMEM;
        goto out;
    }
    for (int s = 0; s < d->nsamples; s++)
        shown->y[s] = all->y[d->samples[s].sample];
    cs_run_data_normalise(&rd, cfg, shown);
out:
    cs_run_data_release(&rd);
    return rc;
}

/* The final weights on the shown samples: predictions and maps. */
static int compute_maps(cs_report_data *d, const cs_config *cfg, const cs_data *shown, const char *ckpt_path)
{
    cs_model_spec spec;
    cs_model *m = NULL;
    cs_ckpt ck = {0};
    cs_cam cam = {0};
    int32_t *target = NULL;
    float *maps = NULL;
    double *scratch = NULL;
    int B = d->nsamples, rc;
    if ((rc = cs_trainer_spec(cfg, shown, &spec)) || (rc = cs_model_create(&m, &spec, B, NULL)) ||
        (rc = cs_ckpt_read(ckpt_path, &ck)))
        goto out;
    if (ck.num_state != cs_model_num_state(m)) {
        rc = cs_error(CS_EFORMAT, "'%s' holds %llu state floats, the run's model has %zu", ckpt_path,
                      (unsigned long long)ck.num_state, cs_model_num_state(m));
        goto out;
    }
    cs_model_state_set(m, ck.state, 0, ck.num_state);
    if ((rc = cs_model_forward(m, shown->x, B, 0)) || (rc = cs_cam_init(&cam, m, cfg->record.focus_layer, 0)))
        goto out;
    int64_t P = cs_cam_positions(&cam);
    int C = cs_model_num_classes(m);
    int64_t H = d->dims[0], W = d->is_signal ? 1 : d->dims[1];
    target = cs_malloc(sizeof *target * (size_t)B);
    maps = cs_malloc(sizeof *maps * (size_t)B * (size_t)P);
    scratch = cs_malloc(sizeof *scratch * (size_t)(H * W > P ? H * W : P));
    if (!target || !maps || !scratch) {
        rc = CS_ENOMEM;
        goto out;
    }
    const float *logits = cs_model_logits(m);
    for (int s = 0; s < B; s++) {
        int am = 0;
        for (int c = 1; c < C; c++)
            am = logits[s * C + c] > logits[s * C + am] ? c : am;
        d->samples[s].predicted = am;
        target[s] = cfg->record.focus_target == CS_FOCUS_TRUE ? d->samples[s].label : am;
    }
    if ((rc = cs_cam_maps(&cam, target, B, maps)))
        goto out;
    for (int s = 0; s < B; s++) {
        cs_report_sample *x = &d->samples[s];
        const float *map = maps + (size_t)s * (size_t)P;
        x->target = target[s];
        /* the focus as the run computed it, on this map */
        if (!cfg->record.focus_resize)
            rc = cs_focus(map, P, scratch, &x->map_focus);
        else if (d->is_signal)
            rc = cs_focus_resized_1d(map, cam.w, (int)H, scratch, &x->map_focus);
        else
            rc = cs_focus_resized_2d(map, cam.h, cam.w, (int)H, (int)W, scratch, &x->map_focus);
        if (rc)
            goto out;
        if (!(x->map = cs_malloc(sizeof *x->map * (size_t)(H * W)))) {
            rc = CS_ENOMEM;
            goto out;
        }
        resize_map(map, cam.h, cam.w, d->is_signal ? 1 : (int)H, d->is_signal ? (int)H : (int)W, x->map);
    }
out:
    cs_cam_release(&cam);
    cs_ckpt_release(&ck);
    cs_model_free(m);
    free(target);
    free(maps);
    free(scratch);
    return rc;
}

int cs_report_gather_cam(cs_report_data *d)
{
    char yaml[4200], ckpt[4200];
    cs_run_path(yaml, sizeof yaml, d->run, CS_RUN_YAML);
    cs_run_path(ckpt, sizeof ckpt, d->run, CS_RUN_CKPT);
    if (!d->nsamples)
        return 0;
    if (!cs_path_exists(yaml)) {
        note(d, "The run has no run.yaml: the dataset and model are unknown, so no samples or Grad-CAM maps.");
        return 0;
    }
    static cs_config cfg; /* large (paths are fixed arrays); static keeps it off the stack */
    cs_config_init(&cfg);
    cs_data shown = {0};
    int rc = cs_config_load_run(&cfg, yaml);
    /* The dataset is read for the thumbnails: no output may replace it. */
    if (!rc && ((rc = cs_guard_input(cfg.dataset.path)) || (d->dataset[0] && (rc = cs_guard_input(d->dataset)))))
        goto out_hard;
    if (!rc)
        rc = load_samples(d, &cfg, &shown);
    if (rc) {
        note(d, "The samples could not be loaded: %s.", cs_errmsg());
        goto out;
    }
    snprintf(d->cam_layer, sizeof d->cam_layer, "%s", cfg.record.focus_layer);
    if (!cs_path_exists(ckpt)) {
        note(d, "The run has no checkpoint.bin (removed, or the run never finished an epoch): the Grad-CAM maps cannot be recomputed.");
        goto out;
    }
    if (compute_maps(d, &cfg, &shown, ckpt)) {
        note(d, "The Grad-CAM maps could not be computed: %s.", cs_errmsg());
        for (int s = 0; s < d->nsamples; s++) {
            free(d->samples[s].map);
            d->samples[s].map = NULL;
        }
    }
out:
    cs_data_release(&shown);
    cs_config_release(&cfg);
    return 0;
out_hard:
    cs_config_release(&cfg);
    return rc;
}
