/* dataset.c - the dataset opener: picks a reader by path, then applies the
 * checks every format shares (label range, NaN/Inf, read ranges). */
#include "ds_backend.h"

#include "../common/err.h"
#include "../common/fsio.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every reader, in the order dataset.kind auto tries them: the folder kinds
 * by what they hold (PTB-XL's tables, a WFDB RECORDS list or annotations,
 * CinC's .mat files, image sub-folders or a CSV beside images), IDX for any other folder or a -ubyte file, then files
 * by extension. */
static const ds_reader readers[] = {
    {"ptbxl", 1, ds_probe_ptbxl, ds_open_ptbxl},
    {"wfdb-beats", 1, ds_probe_beats, ds_open_beats},
    {"cinc", 1, ds_probe_cinc, ds_open_cinc},
    {"folder", 1, ds_probe_folder, ds_open_folder},
    {"idx", 0, ds_probe_idx, ds_open_idx},
    {"npz", 0, ds_probe_npz, ds_open_npz},
    {"npy", 0, ds_probe_npy, ds_open_npy},
    {"hdf5", 0, ds_probe_hdf5, ds_open_hdf5},
};
#define NUM_READERS ((int)(sizeof readers / sizeof readers[0]))

const char *cs_dataset_kind_at(int i) { return i >= 0 && i < NUM_READERS ? readers[i].kind : NULL; }

static const ds_reader *find_reader(const char *kind, const char *path)
{
    for (int i = 0; i < NUM_READERS; i++)
        if (kind ? strcmp(kind, readers[i].kind) == 0 : readers[i].probe(path))
            return &readers[i];
    return NULL;
}

static int pick_reader(cs_dataset *ds, const cs_dataset_opts *o)
{
    const char *p = ds->path;
    const char *kind = o->kind && strcmp(o->kind, "auto") ? o->kind : NULL;
    const ds_reader *r = find_reader(kind, p);
    if (!r && kind)
        return cs_error(CS_EINVAL, "unknown dataset kind '%s'", kind);
    if (!r)
        return cs_error(CS_EUNSUP,
                        "'%s': unknown dataset format (want .h5/.hdf5, .npz, .npy, IDX file or "
                        "folder, or a PTB-XL, WFDB or CinC folder)",
                        p);
    if (r->folder && !cs_path_is_dir(p))
        return cs_error(CS_EINVAL, "'%s': a %s dataset is a folder", p, r->kind);
    /* The ECG readers read their options from o->ecg: never NULL for them. */
    cs_dataset_opts with_ecg = *o;
    cs_ecg_opts ecg_default;
    if (!with_ecg.ecg) {
        cs_ecg_opts_default(&ecg_default);
        with_ecg.ecg = &ecg_default;
    }
    return r->open(ds, &with_ecg);
}

/* "28x28", "3x32x32": a sample's shape for messages. */
static void shape_text(const cs_split_info *si, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = 0;
    for (int d = 0; d < si->rank && k < n; d++)
        k += (size_t)snprintf(buf + k, n - k, "%s%lld", d ? "x" : "", (long long)si->shape[d]);
    if (si->rank == 0)
        snprintf(buf, n, "scalar");
}

/* Every split holds samples of one shape: a model trained on one split and
 * tested on another of other shape would report a number that means nothing. */
static int check_shapes(const cs_dataset *ds)
{
    const cs_split_info *a = &ds->split[0];
    for (int s = 1; s < ds->nsplits; s++) {
        const cs_split_info *b = &ds->split[s];
        int same = a->rank == b->rank;
        for (int d = 0; same && d < a->rank; d++)
            same = a->shape[d] == b->shape[d];
        if (!same) {
            char sa[64], sb[64];
            shape_text(a, sa, sizeof sa);
            shape_text(b, sb, sizeof sb);
            return cs_error(CS_EFORMAT, "'%s': split '%s' holds samples of shape %s, split '%s' of shape %s",
                            ds->path, a->name, sa, b->name, sb);
        }
    }
    return 0;
}

/* Labels must be in [0, num_classes); num_classes is given, or the class-name
 * count, or max label + 1. */
static int check_labels(cs_dataset *ds, int given)
{
    int32_t maxl = -1;
    for (int s = 0; s < ds->nsplits; s++)
        for (int64_t i = 0; i < ds->split[s].n; i++) {
            int32_t v = ds->labels[s][i];
            if (v < 0)
                return cs_error(CS_EFORMAT, "'%s': split '%s': label %d at index %lld is negative",
                                ds->path, ds->split[s].name, v, (long long)i);
            if (given > 0 && v >= given)
                return cs_error(CS_EFORMAT,
                                "'%s': split '%s': label %d at index %lld is out of range "
                                "(%d classes)",
                                ds->path, ds->split[s].name, v, (long long)i, given);
            if (v > maxl)
                maxl = v;
        }
    ds->num_classes = given > 0 ? given : maxl + 1;
    if (given <= 0 && ds->n_names > 0) {
        if (maxl >= ds->n_names)
            return cs_error(CS_EFORMAT, "'%s': label %d but only %d class names", ds->path, maxl,
                            ds->n_names);
        ds->num_classes = ds->n_names;
    }
    if (ds->n_names > 0 && ds->n_names != ds->num_classes)
        return cs_error(CS_EFORMAT, "'%s': %d class names for %d classes", ds->path, ds->n_names,
                        ds->num_classes);
    return 0;
}

int cs_dataset_open(cs_dataset **out, const char *path, const cs_dataset_opts *opts)
{
    static const cs_dataset_opts none = {0};
    const cs_dataset_opts *o = opts ? opts : &none;
    *out = NULL;
    if (o->num_classes < 0)
        return cs_error(CS_EINVAL, "number of classes %d is negative", o->num_classes);
    if (access(path, R_OK) != 0)
        return cs_error_errno(CS_EIO, "cannot open '%s'", path);
    cs_dataset *ds = cs_calloc(1, sizeof *ds);
    if (!ds)
        return CS_ENOMEM;
    int rc = 0;
    ds->path = strdup(path);
    if (!ds->path) {
        rc = cs_error(CS_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = pick_reader(ds, o)))
        goto out;
    if (ds->nsplits == 0) {
        rc = cs_error(CS_EFORMAT, "'%s': no splits found", path);
        goto out;
    }
    if (!(rc = check_shapes(ds)))
        rc = check_labels(ds, o->num_classes);
out:
    if (rc)
        cs_dataset_free(ds);
    else
        *out = ds;
    return rc;
}

void cs_dataset_free(cs_dataset *ds)
{
    if (!ds)
        return;
    if (ds->ops && ds->ops->close)
        ds->ops->close(ds->ctx);
    for (int s = 0; s < ds->nsplits; s++)
        free(ds->labels[s]);
    for (int c = 0; c < ds->n_names; c++)
        free(ds->class_names[c]);
    free(ds->class_names);
    free(ds->path);
    free(ds);
}

const char *cs_dataset_path(const cs_dataset *ds) { return ds->path; }
const char *cs_dataset_format(const cs_dataset *ds) { return ds->format; }
int cs_dataset_num_splits(const cs_dataset *ds) { return ds->nsplits; }
int cs_dataset_num_classes(const cs_dataset *ds) { return ds->num_classes; }

const cs_split_info *cs_dataset_split_at(const cs_dataset *ds, int i)
{
    return i >= 0 && i < ds->nsplits ? &ds->split[i] : NULL;
}

const cs_split_info *cs_dataset_split(const cs_dataset *ds, const char *name)
{
    for (int i = 0; i < ds->nsplits; i++)
        if (strcmp(ds->split[i].name, name) == 0)
            return &ds->split[i];
    return NULL;
}

const char *cs_dataset_class_name(const cs_dataset *ds, int c)
{
    return c >= 0 && c < ds->n_names ? ds->class_names[c] : NULL;
}

const char *cs_dataset_sample_id(cs_dataset *ds, const char *split, int64_t i, char *buf,
                                 size_t cap)
{
    for (int s = 0; s < ds->nsplits; s++)
        if (!strcmp(ds->split[s].name, split))
            return i >= 0 && i < ds->split[s].n && ds->ops->sample_id
                       ? ds->ops->sample_id(ds, s, i, buf, cap)
                       : NULL;
    return NULL;
}

int64_t cs_dataset_skipped(const cs_dataset *ds) { return ds->skipped; }

int cs_dataset_save_cache(cs_dataset *ds, const char *path)
{
    return ds->save_cache ? ds->save_cache(ds, path) : 0;
}

int64_t cs_split_sample_elems(const cs_split_info *s)
{
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= s->shape[i];
    return n;
}

static int find_split(cs_dataset *ds, const char *split, int64_t start, int64_t count)
{
    int s = 0;
    while (s < ds->nsplits && strcmp(ds->split[s].name, split) != 0)
        s++;
    if (s == ds->nsplits)
        return cs_error(CS_EINVAL, "'%s': no split '%s'", ds->path, split);
    if (start < 0 || count < 0 || start > ds->split[s].n || count > ds->split[s].n - start)
        return cs_error(CS_EINVAL, "'%s': split '%s': samples %lld..%lld out of range (%lld)",
                        ds->path, split, (long long)start, (long long)(start + count),
                        (long long)ds->split[s].n);
    return s;
}

static int check_finite(const cs_dataset *ds, int s, int64_t start, int64_t count, const float *x)
{
    int64_t elems = cs_split_sample_elems(&ds->split[s]);
    for (int64_t i = 0; i < count; i++)
        for (int64_t k = 0; k < elems; k++) {
            float v = x[i * elems + k];
            if (!isfinite(v))
                return cs_error(CS_EFORMAT, "'%s': split '%s': sample %lld holds %s", ds->path,
                                ds->split[s].name, (long long)(start + i),
                                isnan(v) ? "NaN" : "Inf");
        }
    return 0;
}

int cs_dataset_read(cs_dataset *ds, const char *split, int64_t start, int64_t count, void *x,
                    int32_t *y)
{
    int s = find_split(ds, split, start, count);
    if (s < 0)
        return s;
    if (x && count > 0) {
        int rc = ds->ops->read(ds, s, start, count, x);
        if (!rc && ds->split[s].dtype == CS_F32)
            rc = check_finite(ds, s, start, count, x);
        if (rc)
            return rc;
    }
    if (y && count > 0)
        memcpy(y, ds->labels[s] + start, (size_t)count * sizeof *y);
    return 0;
}

int cs_dataset_read_f32(cs_dataset *ds, const char *split, int64_t start, int64_t count, float *x,
                        int32_t *y)
{
    int s = find_split(ds, split, start, count);
    if (s < 0)
        return s;
    if (ds->split[s].dtype == CS_F32 || !x)
        return cs_dataset_read(ds, split, start, count, x, y);
    /* Read the bytes into the last quarter of x and widen them front to back:
     * float i ends at byte 4i+3, before byte 3n+i+1 where the next unread byte lies. */
    size_t n = (size_t)count * (size_t)cs_split_sample_elems(&ds->split[s]);
    unsigned char *u8 = (unsigned char *)x + 3 * n;
    int rc = cs_dataset_read(ds, split, start, count, u8, y);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        x[i] = (float)u8[i];
    return 0;
}
