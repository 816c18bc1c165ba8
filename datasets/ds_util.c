/* ds_util.c - helpers the dataset readers share: splits, type conversion,
 * label conversion, and range reads from an .npy source. */
#include "ds_backend.h"

#include "../common/err.h"
#include "../common/fsio.h"

#include <dirent.h>
#include <strings.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ds_add_split(cs_dataset *ds, const char *name, int64_t n, int rank, const int64_t *shape,
                 cs_dtype dtype, int32_t *labels, int64_t n_labels)
{
    if (ds->nsplits == CS_MAX_SPLITS) {
        free(labels);
        return cs_error(CS_EUNSUP, "'%s': more than %d splits", ds->path, CS_MAX_SPLITS);
    }
    if (n_labels != n) {
        free(labels);
        return cs_error(CS_EFORMAT, "'%s': split '%s': %lld labels for %lld samples", ds->path,
                        name, (long long)n_labels, (long long)n);
    }
    if (rank > CS_MAX_RANK) {
        free(labels);
        return cs_error(CS_EUNSUP, "'%s': split '%s': samples have rank %d (at most %d)",
                        ds->path, name, rank, CS_MAX_RANK);
    }
    cs_split_info *s = &ds->split[ds->nsplits];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->n = n;
    s->rank = rank;
    for (int i = 0; i < rank; i++)
        s->shape[i] = shape[i];
    s->dtype = dtype;
    ds->labels[ds->nsplits++] = labels;
    return 0;
}

int ds_set_class_names(cs_dataset *ds, const char *const *names, int n)
{
    ds->class_names = cs_calloc((size_t)n, sizeof *ds->class_names);
    if (!ds->class_names)
        return CS_ENOMEM;
    for (int c = 0; c < n; c++) {
        if (!(ds->class_names[c] = strdup(names[c])))
            return cs_error(CS_ENOMEM, "out of memory");
        ds->n_names = c + 1;
    }
    return 0;
}

cs_dtype ds_dtype_for(npy_etype t) { return t == NPY_U8 ? CS_U8 : CS_F32; }
size_t ds_dtype_size(cs_dtype t) { return t == CS_U8 ? 1 : 4; }
const char *ds_dtype_name(cs_dtype t) { return t == CS_U8 ? "uint8" : "float32"; }

#define CONVERT_LOOP(T)                                                                            \
    do {                                                                                           \
        const T *s_ = src;                                                                         \
        for (size_t i = 0; i < n; i++) {                                                           \
            T v_;                                                                                  \
            memcpy(&v_, s_ + i, sizeof v_);                                                        \
            f[i] = (float)v_;                                                                      \
        }                                                                                          \
    } while (0)

void ds_convert(void *dst, cs_dtype dt, const void *src, npy_etype t, size_t n)
{
    if (dt == CS_U8 || t == NPY_F32) {
        memcpy(dst, src, n * (dt == CS_U8 ? 1 : 4));
        return;
    }
    float *f = dst;
    switch (t) {
    case NPY_U8: CONVERT_LOOP(uint8_t); break;
    case NPY_I8: CONVERT_LOOP(int8_t); break;
    case NPY_U16: CONVERT_LOOP(uint16_t); break;
    case NPY_I16: CONVERT_LOOP(int16_t); break;
    case NPY_U32: CONVERT_LOOP(uint32_t); break;
    case NPY_I32: CONVERT_LOOP(int32_t); break;
    case NPY_U64: CONVERT_LOOP(uint64_t); break;
    case NPY_I64: CONVERT_LOOP(int64_t); break;
    case NPY_F64: CONVERT_LOOP(double); break;
    case NPY_F32: break;
    }
}

static int64_t elem_i64(const uint8_t *p, npy_etype t, int *ok)
{
    *ok = 1;
    switch (t) {
    case NPY_U8: return *p;
    case NPY_I8: return (int8_t)*p;
    case NPY_U16: { uint16_t v; memcpy(&v, p, 2); return v; }
    case NPY_I16: { int16_t v; memcpy(&v, p, 2); return v; }
    case NPY_U32: { uint32_t v; memcpy(&v, p, 4); return v; }
    case NPY_I32: { int32_t v; memcpy(&v, p, 4); return v; }
    case NPY_I64: { int64_t v; memcpy(&v, p, 8); return v; }
    case NPY_U64: {
        uint64_t v;
        memcpy(&v, p, 8);
        if (v > INT64_MAX)
            *ok = 0;
        return (int64_t)v;
    }
    default: *ok = 0; return 0;
    }
}

int ds_labels_from(int32_t **out, const void *src, npy_etype t, size_t n, const char *what)
{
    *out = NULL;
    if (!npy_etype_is_int(t))
        return cs_error(CS_EFORMAT, "%s: labels must be integers, not %s", what, npy_etype_name(t));
    size_t es = t <= NPY_I8 ? 1 : t <= NPY_I16 ? 2 : t <= NPY_I32 ? 4 : 8;
    int32_t *y = cs_malloc(n * sizeof *y);
    if (!y)
        return CS_ENOMEM;
    const uint8_t *p = src;
    for (size_t i = 0; i < n; i++) {
        int ok;
        int64_t v = elem_i64(p + i * es, t, &ok);
        if (!ok || v < INT32_MIN || v > INT32_MAX) {
            free(y);
            return cs_error(CS_EFORMAT, "%s: label at index %zu is out of range", what, i);
        }
        y[i] = (int32_t)v;
    }
    *out = y;
    return 0;
}

int ds_read_npy(const npy_src *src, const npy_header *h, int64_t start, int64_t count, void *x,
                cs_dtype dt, const char *what)
{
    size_t elems = (size_t)npy_sample_elems(h), row = elems * h->elem_size;
    uint64_t off = h->data_offset + (uint64_t)start * row;
    if (ds_dtype_for(h->etype) == dt && (dt == CS_U8 || h->etype == NPY_F32))
        return npy_src_read(src, off, x, (size_t)count * row, what);
    /* Convert through a bounded buffer so a read never holds the range twice. */
    size_t per = row ? ((size_t)1 << 20) / row : 1;
    if (per < 1)
        per = 1;
    uint8_t *buf = cs_malloc(per * row);
    if (!buf)
        return CS_ENOMEM;
    int rc = 0;
    uint8_t *dst = x;
    for (int64_t done = 0; done < count && !rc;) {
        size_t k = (size_t)(count - done) < per ? (size_t)(count - done) : per;
        rc = npy_src_read(src, off + (uint64_t)done * row, buf, k * row, what);
        if (!rc)
            ds_convert(dst + (size_t)done * elems * ds_dtype_size(dt), dt, buf, h->etype, k * elems);
        done += (int64_t)k;
    }
    free(buf);
    return rc;
}

const char *ds_split_name(const char *p, size_t len)
{
    static const struct {
        const char *prefix, *name;
    } map[] = {{"train", "train"}, {"training", "train"}, {"val", "val"}, {"valid", "val"},
               {"validation", "val"}, {"test", "test"}, {"t10k", "test"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i].prefix) == len && strncmp(p, map[i].prefix, len) == 0)
            return map[i].name;
    return NULL;
}

int ds_has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

int ds_folder_has_file(const char *dir, const char *name)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return cs_path_exists(p);
}

int ds_folder_has_suffix(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d)))
        found = ds_has_suffix(e->d_name, suffix);
    closedir(d);
    return found;
}
