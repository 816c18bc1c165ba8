/* data.c - load a dataset split into float32 memory, reorder to channel-first,
 * normalise with training statistics, and subset by an index list. */
#include "data.h"

#include "../common/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOAD_BLOCK 4096

static int is_channel_count(int64_t v) { return v == 1 || v == 3 || v == 4; }

int cs_data_load(cs_data *d, cs_dataset *ds, const char *split, int one_d)
{
    memset(d, 0, sizeof *d);
    const cs_split_info *s = cs_dataset_split(ds, split);
    if (!s)
        return cs_error(CS_EINVAL, "'%s' has no split '%s'", cs_dataset_path(ds), split);
    int hwc = 0;
    if (one_d) {
        if (s->rank == 1) {
            d->channels = 1;
            d->dims[0] = s->shape[0];
        } else if (s->rank == 2) {
            d->channels = (int)s->shape[0];
            d->dims[0] = s->shape[1];
        } else {
            return cs_error(CS_EINVAL, "'%s': split '%s' has rank-%d samples; a 1-D model needs (leads, length)",
                            cs_dataset_path(ds), split, s->rank);
        }
        d->rank = 1;
        d->dims[1] = 1;
    } else {
        if (s->rank == 2) {
            d->channels = 1;
            d->dims[0] = s->shape[0];
            d->dims[1] = s->shape[1];
        } else if (s->rank == 3 && is_channel_count(s->shape[2]) && !is_channel_count(s->shape[0])) {
            hwc = 1;
            d->channels = (int)s->shape[2];
            d->dims[0] = s->shape[0];
            d->dims[1] = s->shape[1];
        } else if (s->rank == 3) {
            d->channels = (int)s->shape[0];
            d->dims[0] = s->shape[1];
            d->dims[1] = s->shape[2];
        } else {
            return cs_error(CS_EINVAL, "'%s': split '%s' has rank-%d samples; an image model needs (H,W), (H,W,C) or (C,H,W)",
                            cs_dataset_path(ds), split, s->rank);
        }
        d->rank = 2;
    }
    if (d->channels > 64)
        return cs_error(CS_EUNSUP, "'%s': %d channels; at most 64 are supported", cs_dataset_path(ds), d->channels);
    d->n = s->n;
    d->sample_elems = cs_split_sample_elems(s);
    d->num_classes = cs_dataset_num_classes(ds);
    d->x = cs_malloc(sizeof(float) * (size_t)(d->n * d->sample_elems));
    d->y = cs_malloc(sizeof(int32_t) * (size_t)(d->n ? d->n : 1));
    float *tmp = hwc ? cs_malloc(sizeof(float) * (size_t)d->sample_elems * LOAD_BLOCK) : NULL;
    if (!d->x || !d->y || (hwc && !tmp)) {
        free(tmp);
        cs_data_release(d);
        return CS_ENOMEM;
    }
    int rc = 0;
    for (int64_t start = 0; start < d->n && !rc; start += LOAD_BLOCK) {
        int64_t count = d->n - start < LOAD_BLOCK ? d->n - start : LOAD_BLOCK;
        float *dst = d->x + start * d->sample_elems;
        rc = cs_dataset_read_f32(ds, split, start, count, hwc ? tmp : dst, d->y + start);
        if (rc || !hwc)
            continue;
        int64_t hw = d->dims[0] * d->dims[1];
        for (int64_t i = 0; i < count; i++)
            for (int64_t p = 0; p < hw; p++)
                for (int c = 0; c < d->channels; c++)
                    dst[i * d->sample_elems + c * hw + p] = tmp[i * d->sample_elems + p * d->channels + c];
    }
    free(tmp);
    if (rc)
        cs_data_release(d);
    return rc;
}

void cs_data_release(cs_data *d)
{
    free(d->x);
    free(d->y);
    memset(d, 0, sizeof *d);
}

int cs_norm_compute(cs_norm *nm, const cs_data *d)
{
    memset(nm, 0, sizeof *nm);
    nm->channels = d->channels;
    int64_t per = d->sample_elems / d->channels;
    if (d->n == 0)
        return cs_error(CS_EINVAL, "cannot compute normalisation statistics of an empty split");
    for (int c = 0; c < d->channels; c++) {
        /* Two passes in double: exact enough for 10^8 values of 0..255. */
        double sum = 0, sq = 0;
        for (int64_t i = 0; i < d->n; i++) {
            const float *p = d->x + i * d->sample_elems + c * per;
            for (int64_t k = 0; k < per; k++)
                sum += p[k];
        }
        double mean = sum / ((double)d->n * (double)per);
        for (int64_t i = 0; i < d->n; i++) {
            const float *p = d->x + i * d->sample_elems + c * per;
            for (int64_t k = 0; k < per; k++)
                sq += (p[k] - mean) * (p[k] - mean);
        }
        double sd = sqrt(sq / ((double)d->n * (double)per));
        nm->mean[c] = (float)mean;
        nm->std[c] = (float)(sd < 1e-6 ? 1e-6 : sd);
    }
    return 0;
}

void cs_norm_apply(const cs_norm *nm, cs_data *d)
{
    int64_t per = d->sample_elems / d->channels;
    for (int64_t i = 0; i < d->n; i++)
        for (int c = 0; c < d->channels; c++) {
            float *p = d->x + i * d->sample_elems + c * per;
            float m = nm->mean[c], inv = 1.0f / nm->std[c];
            for (int64_t k = 0; k < per; k++)
                p[k] = (p[k] - m) * inv;
        }
}

void cs_norm_per_sample(cs_data *d)
{
    int64_t per = d->sample_elems / d->channels;
    for (int64_t i = 0; i < d->n; i++)
        for (int c = 0; c < d->channels; c++) {
            float *p = d->x + i * d->sample_elems + c * per;
            double sum = 0, sq = 0;
            for (int64_t k = 0; k < per; k++)
                sum += p[k];
            double mean = sum / (double)per;
            for (int64_t k = 0; k < per; k++)
                sq += (p[k] - mean) * (p[k] - mean);
            double sd = sqrt(sq / (double)per);
            float m = (float)mean, inv = (float)(1.0 / (sd < 1e-6 ? 1e-6 : sd));
            for (int64_t k = 0; k < per; k++)
                p[k] = (p[k] - m) * inv;
        }
}

int cs_data_subset(cs_data *d, const int64_t *idx, int64_t m)
{
    for (int64_t k = 0; k < m; k++) {
        if (idx[k] < 0 || idx[k] >= d->n || (k && idx[k] <= idx[k - 1]))
            return cs_error(CS_EINVAL, "index %lld (entry %lld) is out of order or beyond the %lld samples",
                            (long long)idx[k], (long long)k, (long long)d->n);
        /* idx[k] >= k, so moving rows forward never overwrites a row still needed. */
        if (idx[k] != k)
            memmove(d->x + k * d->sample_elems, d->x + idx[k] * d->sample_elems,
                    sizeof(float) * (size_t)d->sample_elems);
        d->y[k] = d->y[idx[k]];
    }
    d->n = m;
    return 0;
}
