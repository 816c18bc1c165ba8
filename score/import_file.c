/* import_file.c - named arrays from an HDF5 file or an npz archive (see
 * import_file.h). */
#include "import_file.h"

#include "../codecs/h5_err.h"
#include "../codecs/npy.h"
#include "../codecs/zip.h"
#include "../common/err.h"

#include <fcntl.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CACHED 16

/* One npz member, parsed once: where its bytes are and what they hold. */
typedef struct npz_entry {
    char name[64];
    npy_header h;
    npy_src src;
    uint8_t *inflated; /* owned: a deflated member, inflated whole */
} npz_entry;

struct cs_dyn_file {
    char *path;
    hid_t h5;     /* >= 0: an HDF5 file */
    cs_zip *zip;  /* else an npz archive */
    npz_entry ent[MAX_CACHED];
    int nent;
};

const char *cs_dyn_path(const cs_dyn_file *f) { return f->path; }

void cs_dyn_close(cs_dyn_file *f)
{
    if (!f)
        return;
    if (f->h5 >= 0)
        H5Fclose(f->h5);
    for (int i = 0; i < f->nent; i++)
        free(f->ent[i].inflated);
    zip_free(f->zip);
    free(f->path);
    free(f);
}

static cs_dyn_file *new_file(const char *path)
{
    cs_dyn_file *f = cs_calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->h5 = -1;
    f->path = strdup(path);
    if (!f->path) {
        free(f);
        cs_error(CS_ENOMEM, "out of memory");
        return NULL;
    }
    return f;
}

int cs_dyn_open(cs_dyn_file **out, const char *path)
{
    *out = NULL;
    uint8_t magic[8] = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cs_error_errno(CS_EIO, "cannot open '%s'", path);
    ssize_t got = read(fd, magic, sizeof magic);
    close(fd);
    cs_dyn_file *f = new_file(path);
    if (!f)
        return CS_ENOMEM;
    int rc = 0;
    if (got == 8 && memcmp(magic, "\x89HDF\r\n\x1a\n", 8) == 0) {
        cs_h5_quiet();
        f->h5 = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (f->h5 < 0)
            rc = cs_h5_error(CS_EFORMAT, "cannot read '%s' as HDF5", path);
    } else if (got >= 4 && memcmp(magic, "PK\x03\x04", 4) == 0) {
        rc = zip_open_file(&f->zip, path);
    } else {
        rc = cs_error(CS_EFORMAT, "'%s' is neither HDF5 nor npz (a file of training dynamics: see coreset-import(1))",
                      path);
    }
    if (rc) {
        cs_dyn_close(f);
        return rc;
    }
    *out = f;
    return 0;
}

int cs_dyn_open_mem(cs_dyn_file **out, const uint8_t *buf, size_t len, const char *name)
{
    *out = NULL;
    cs_dyn_file *f = new_file(name);
    if (!f)
        return CS_ENOMEM;
    int rc = zip_open_mem(&f->zip, buf, len, name);
    if (rc) {
        cs_dyn_close(f);
        return rc;
    }
    *out = f;
    return 0;
}

/* --- npz ---------------------------------------------------------------------- */

/* The member NAME.npy, parsed (cached); NULL with *rc = 0 when absent. */
static npz_entry *npz_get(cs_dyn_file *f, const char *name, int *rc)
{
    *rc = 0;
    for (int i = 0; i < f->nent; i++)
        if (strcmp(f->ent[i].name, name) == 0)
            return &f->ent[i];
    char member[80];
    snprintf(member, sizeof member, "%s.npy", name);
    int k = zip_find(f->zip, member);
    if (k < 0)
        return NULL;
    if (f->nent == MAX_CACHED) {
        *rc = cs_error(CS_EINTERNAL, "'%s': too many arrays", f->path);
        return NULL;
    }
    npz_entry *e = &f->ent[f->nent];
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    const zip_member *m = zip_member_at(f->zip, k);
    char what[200];
    snprintf(what, sizeof what, "'%s': member '%s'", f->path, member);
    if (m->method == 0 && zip_fd(f->zip) >= 0) {
        uint64_t off;
        if ((*rc = zip_member_offset(f->zip, k, &off)))
            return NULL;
        e->src = (npy_src){zip_fd(f->zip), off, NULL, m->size};
    } else {
        size_t len;
        if ((*rc = zip_extract(f->zip, k, &e->inflated, &len)))
            return NULL;
        e->src = (npy_src){-1, 0, e->inflated, len};
    }
    if ((*rc = npy_src_header(&e->src, &e->h, what))) {
        free(e->inflated);
        return NULL;
    }
    f->nent++;
    return e;
}

static void npy_to_f32(float *dst, const uint8_t *src, npy_etype t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (t) {
        case NPY_F32: { float v; memcpy(&v, src + 4 * i, 4); dst[i] = v; break; }
        case NPY_F64: { double v; memcpy(&v, src + 8 * i, 8); dst[i] = (float)v; break; }
        case NPY_U8: dst[i] = src[i]; break;
        case NPY_I8: dst[i] = (int8_t)src[i]; break;
        case NPY_U16: { uint16_t v; memcpy(&v, src + 2 * i, 2); dst[i] = v; break; }
        case NPY_I16: { int16_t v; memcpy(&v, src + 2 * i, 2); dst[i] = v; break; }
        case NPY_U32: { uint32_t v; memcpy(&v, src + 4 * i, 4); dst[i] = (float)v; break; }
        case NPY_I32: { int32_t v; memcpy(&v, src + 4 * i, 4); dst[i] = (float)v; break; }
        case NPY_U64: { uint64_t v; memcpy(&v, src + 8 * i, 8); dst[i] = (float)v; break; }
        case NPY_I64: { int64_t v; memcpy(&v, src + 8 * i, 8); dst[i] = (float)v; break; }
        }
    }
}

/* Integers only (the caller checked); uint64 above INT64_MAX saturates, which
 * every range check then refuses. */
static void npy_to_i64(int64_t *dst, const uint8_t *src, npy_etype t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (t) {
        case NPY_U8: dst[i] = src[i]; break;
        case NPY_I8: dst[i] = (int8_t)src[i]; break;
        case NPY_U16: { uint16_t v; memcpy(&v, src + 2 * i, 2); dst[i] = v; break; }
        case NPY_I16: { int16_t v; memcpy(&v, src + 2 * i, 2); dst[i] = v; break; }
        case NPY_U32: { uint32_t v; memcpy(&v, src + 4 * i, 4); dst[i] = v; break; }
        case NPY_I32: { int32_t v; memcpy(&v, src + 4 * i, 4); dst[i] = v; break; }
        case NPY_U64: { uint64_t v; memcpy(&v, src + 8 * i, 8); dst[i] = v > INT64_MAX ? INT64_MAX : (int64_t)v; break; }
        case NPY_I64: memcpy(&dst[i], src + 8 * i, 8); break;
        default: dst[i] = 0; break;
        }
    }
}

/* Elements per row of the first axis (1 for rank 1); -1 on overflow. */
static int64_t row_elems(const cs_dyn_array *a)
{
    int64_t e = 1;
    for (int k = 1; k < a->rank; k++) {
        if (a->shape[k] < 0 || (a->shape[k] && e > INT64_MAX / a->shape[k]))
            return -1;
        e *= a->shape[k];
    }
    return e;
}

/* --- HDF5 --------------------------------------------------------------------- */

static int h5_shape(cs_dyn_file *f, const char *name, hid_t d, cs_dyn_array *a)
{
    hid_t sp = H5Dget_space(d), ty = H5Dget_type(d);
    int rc = 0;
    int r = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
    if (ty < 0 || r < 0 || r > CS_DYN_MAX_RANK) {
        rc = cs_error(CS_EFORMAT, "'%s': dataset '%s' has an unreadable or too deep shape", f->path, name);
    } else {
        hsize_t dims[CS_DYN_MAX_RANK];
        H5Sget_simple_extent_dims(sp, dims, NULL);
        a->rank = r;
        for (int k = 0; k < r; k++)
            a->shape[k] = (int64_t)dims[k];
        H5T_class_t cls = H5Tget_class(ty);
        size_t sz = H5Tget_size(ty);
        if (cls == H5T_INTEGER) {
            int sgn = H5Tget_sign(ty) == H5T_SGN_2;
            static const char *const it[2][9] = {{"", "uint8", "uint16", "", "uint32", "", "", "", "uint64"},
                                                 {"", "int8", "int16", "", "int32", "", "", "", "int64"}};
            a->is_int = 1;
            a->type = sz <= 8 && it[sgn][sz][0] ? it[sgn][sz] : "integer";
        } else if (cls == H5T_FLOAT) {
            a->is_int = 0;
            a->type = sz == 4 ? "float32" : sz == 8 ? "float64" : sz == 2 ? "float16" : "float";
        } else {
            rc = cs_error(CS_EFORMAT, "'%s': dataset '%s' holds neither integers nor floats (HDF5 type class %d)",
                          f->path, name, (int)cls);
        }
    }
    if (sp >= 0)
        H5Sclose(sp);
    if (ty >= 0)
        H5Tclose(ty);
    return rc;
}

static hid_t h5_open(cs_dyn_file *f, const char *name)
{
    if (H5Lexists(f->h5, name, H5P_DEFAULT) <= 0)
        return -1;
    return H5Dopen2(f->h5, name, H5P_DEFAULT);
}

static int h5_read(cs_dyn_file *f, const char *name, hid_t mtype, int64_t row, int64_t count, void *out)
{
    hid_t d = h5_open(f, name);
    if (d < 0)
        return cs_h5_error(CS_EFORMAT, "'%s': cannot open dataset '%s'", f->path, name);
    cs_dyn_array a;
    int rc = h5_shape(f, name, d, &a);
    hid_t fs = -1, ms = -1;
    if (!rc) {
        hsize_t off[CS_DYN_MAX_RANK] = {0}, cnt[CS_DYN_MAX_RANK];
        for (int k = 0; k < a.rank; k++)
            cnt[k] = (hsize_t)a.shape[k];
        if (a.rank > 0) {
            off[0] = (hsize_t)row;
            cnt[0] = (hsize_t)count;
        }
        fs = H5Dget_space(d);
        if (fs < 0 || (a.rank > 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, off, NULL, cnt, NULL) < 0) ||
            (ms = H5Screate_simple(a.rank > 0 ? a.rank : 1, cnt, NULL)) < 0 ||
            H5Dread(d, mtype, ms, fs, H5P_DEFAULT, out) < 0)
            rc = cs_h5_error(CS_EFORMAT, "'%s': cannot read dataset '%s'", f->path, name);
    }
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    H5Dclose(d);
    return rc;
}

/* --- both --------------------------------------------------------------------- */

int cs_dyn_find(cs_dyn_file *f, const char *name, cs_dyn_array *a)
{
    memset(a, 0, sizeof *a);
    if (f->h5 >= 0) {
        hid_t d = h5_open(f, name);
        if (d < 0)
            return 0;
        int rc = h5_shape(f, name, d, a);
        H5Dclose(d);
        return rc ? rc : 1;
    }
    int rc;
    npz_entry *e = npz_get(f, name, &rc);
    if (!e)
        return rc;
    a->rank = e->h.rank;
    for (int k = 0; k < e->h.rank; k++)
        a->shape[k] = e->h.shape[k];
    a->is_int = npy_etype_is_int(e->h.etype);
    a->type = npy_etype_name(e->h.etype);
    return 1;
}

/* Where rows [row, row + count) of an npz member lie, after checking them. */
static int npz_rows(cs_dyn_file *f, const char *name, int64_t row, int64_t count, npz_entry **out, size_t *n,
                    uint64_t *off)
{
    int rc;
    npz_entry *e = npz_get(f, name, &rc);
    if (!e)
        return rc ? rc : cs_error(CS_EFORMAT, "'%s': no array '%s'", f->path, name);
    cs_dyn_array a = {.rank = e->h.rank};
    for (int k = 0; k < e->h.rank; k++)
        a.shape[k] = e->h.shape[k];
    int64_t per = row_elems(&a), rows = a.rank ? a.shape[0] : 1;
    if (per < 0 || row < 0 || count < 0 || row + count > rows || (per && count > INT64_MAX / per / 8))
        return cs_error(CS_EFORMAT, "'%s': rows %lld..%lld of '%s' are outside its shape", f->path, (long long)row,
                        (long long)(row + count), name);
    *out = e;
    *n = (size_t)(count * per);
    *off = e->h.data_offset + (uint64_t)(row * per) * e->h.elem_size;
    return 0;
}

int cs_dyn_read_rows(cs_dyn_file *f, const char *name, int64_t row, int64_t count, float *out)
{
    if (f->h5 >= 0)
        return h5_read(f, name, H5T_NATIVE_FLOAT, row, count, out);
    npz_entry *e;
    size_t n;
    uint64_t off;
    int rc = npz_rows(f, name, row, count, &e, &n, &off);
    if (rc)
        return rc;
    char what[200];
    snprintf(what, sizeof what, "'%s': array '%s'", f->path, name);
    if (e->h.etype == NPY_F32)
        return npy_src_read(&e->src, off, out, n * 4, what);
    uint8_t *tmp = cs_malloc(n * e->h.elem_size + 1);
    if (!tmp)
        return CS_ENOMEM;
    if (!(rc = npy_src_read(&e->src, off, tmp, n * e->h.elem_size, what)))
        npy_to_f32(out, tmp, e->h.etype, n);
    free(tmp);
    return rc;
}

int cs_dyn_read_int(cs_dyn_file *f, const char *name, int64_t *out)
{
    cs_dyn_array a;
    int rc = cs_dyn_find(f, name, &a);
    if (rc <= 0)
        return rc ? rc : cs_error(CS_EFORMAT, "'%s': no array '%s'", f->path, name);
    if (!a.is_int)
        return cs_error(CS_EFORMAT, "'%s': '%s' must hold integers, it holds %s", f->path, name, a.type);
    int64_t rows = a.rank ? a.shape[0] : 1;
    if (f->h5 >= 0)
        return h5_read(f, name, H5T_NATIVE_INT64, 0, rows, out);
    npz_entry *e;
    size_t n;
    uint64_t off;
    if ((rc = npz_rows(f, name, 0, rows, &e, &n, &off)))
        return rc;
    char what[200];
    snprintf(what, sizeof what, "'%s': array '%s'", f->path, name);
    uint8_t *tmp = cs_malloc(n * e->h.elem_size + 1);
    if (!tmp)
        return CS_ENOMEM;
    if (!(rc = npy_src_read(&e->src, off, tmp, n * e->h.elem_size, what)))
        npy_to_i64(out, tmp, e->h.etype, n);
    free(tmp);
    return rc;
}
