/* embed_file.c - write and read embeddings.h5 (see embed_file.h for the layout). */
#include "embed_file.h"

#include "../codecs/h5_err.h"
#include "../common/err.h"
#include "../common/fsio.h"

#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

uint16_t cs_f32_to_f16(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    uint32_t sign = (x >> 16) & 0x8000u, a = x & 0x7fffffffu;
    if (a >= 0x7f800000u) /* inf stays inf; a NaN keeps its top payload bits and stays a NaN */
        return (uint16_t)(sign | 0x7c00u | (a > 0x7f800000u ? 0x200u | ((a >> 13) & 0x3ffu) : 0));
    if (a >= 0x477ff000u) /* 65520 and up round to inf (65504 is odd: the tie goes up) */
        return (uint16_t)(sign | 0x7c00u);
    if (a >= 0x38800000u) { /* normal half */
        uint32_t h = ((a >> 23) - 112u) << 10 | ((a >> 13) & 0x3ffu), rem = a & 0x1fffu;
        if (rem > 0x1000u || (rem == 0x1000u && (h & 1u)))
            h++; /* a carry into the exponent is the right result */
        return (uint16_t)(sign | h);
    }
    if (a <= 0x33000000u) /* at most half the smallest subnormal: the tie goes to even, 0 */
        return (uint16_t)sign;
    uint32_t m = (a & 0x7fffffu) | 0x800000u, shift = 126u - (a >> 23); /* 14..24 */
    uint32_t h = m >> shift, rem = m & ((1u << shift) - 1u), halfway = 1u << (shift - 1u);
    if (rem > halfway || (rem == halfway && (h & 1u)))
        h++;
    return (uint16_t)(sign | h);
}

float cs_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu, x;
    if (e == 0) {
        float v = ldexpf((float)m, -24);
        return sign ? -v : v;
    }
    x = e == 31 ? sign | 0x7f800000u | m << 13 : sign | (e + 112u) << 23 | m << 13;
    float f;
    memcpy(&f, &x, sizeof f);
    return f;
}

/* IEEE binary16, little-endian: HDF5 1.10 has no predefined one; h5py and
 * NumPy read this as float16. */
static hid_t f16_type(void)
{
    hid_t t = H5Tcopy(H5T_IEEE_F32LE);
    if (t < 0 || H5Tset_fields(t, 15, 10, 5, 0, 10) < 0 || H5Tset_size(t, 2) < 0 || H5Tset_ebias(t, 15) < 0) {
        if (t >= 0)
            H5Tclose(t);
        return -1;
    }
    return t;
}

static size_t elem_size(int dtype) { return dtype == CS_EMBED_F16 ? 2 : 4; }

/* The file type for dtype (close it after use). */
static hid_t file_type(int dtype) { return dtype == CS_EMBED_F16 ? f16_type() : H5Tcopy(H5T_IEEE_F32LE); }

static int put_str_attr(hid_t obj, const char *key, const char *value)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, strlen(value) + 1);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, key, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = a < 0 ? -1 : H5Awrite(a, type, value);
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
    return st < 0 ? -1 : 0;
}

/* An open embeddings file and what its datasets say. */
typedef struct efile {
    hid_t file, ds;
    int dtype;
    cs_embed info;
} efile;

static void efile_close(efile *f)
{
    if (f->ds >= 0)
        H5Dclose(f->ds);
    if (f->file >= 0)
        H5Fclose(f->file);
    cs_embed_release(&f->info);
    f->ds = f->file = -1;
}

static int efile_open(efile *f, const char *path)
{
    memset(f, 0, sizeof *f);
    f->file = f->ds = -1;
    cs_h5_quiet();
    if (access(path, R_OK) != 0)
        return cs_error_errno(CS_EIO, "cannot open '%s'", path);
    if ((f->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
        return cs_error(CS_EFORMAT, "'%s' is not an HDF5 file", path);
    int rc = 0;
    hid_t eds = -1, space = -1, type = -1;
    if ((f->ds = H5Dopen2(f->file, "embeddings", H5P_DEFAULT)) < 0) {
        rc = cs_error(CS_EFORMAT, "'%s' has no 'embeddings' dataset: not a coreset embeddings file", path);
        goto out;
    }
    hsize_t dim[3] = {0, 0, 0}, edim = 0;
    space = H5Dget_space(f->ds);
    type = H5Dget_type(f->ds);
    if (H5Sget_simple_extent_ndims(space) != 3 || H5Sget_simple_extent_dims(space, dim, NULL) < 0 ||
        dim[2] < 1 || dim[2] > (1u << 24)) {
        rc = cs_error(CS_EFORMAT, "'%s': 'embeddings' is not an [epochs][samples][dims] array", path);
        goto out;
    }
    if (H5Tget_class(type) != H5T_FLOAT || (H5Tget_size(type) != 2 && H5Tget_size(type) != 4)) {
        rc = cs_error(CS_EFORMAT, "'%s': 'embeddings' is neither float16 nor float32", path);
        goto out;
    }
    f->dtype = H5Tget_size(type) == 2 ? CS_EMBED_F16 : CS_EMBED_F32;
    f->info.n = (int64_t)dim[1];
    f->info.d = (int)dim[2];
    H5Sclose(space);
    space = -1;
    if ((eds = H5Dopen2(f->file, "epochs", H5P_DEFAULT)) < 0 || (space = H5Dget_space(eds)) < 0 ||
        H5Sget_simple_extent_ndims(space) != 1 || H5Sget_simple_extent_dims(space, &edim, NULL) < 0 ||
        edim != dim[0]) {
        rc = cs_error(CS_EFORMAT, "'%s': 'epochs' is missing or does not match 'embeddings' (%llu epochs)",
                      path, (unsigned long long)dim[0]);
        goto out;
    }
    f->info.num_epochs = (int)edim;
    if (!(f->info.epochs = cs_malloc(sizeof *f->info.epochs * (edim ? edim : 1)))) {
        rc = CS_ENOMEM;
        goto out;
    }
    if (edim && H5Dread(eds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, f->info.epochs) < 0) {
        rc = cs_error(CS_EFORMAT, "'%s': cannot read 'epochs'", path);
        goto out;
    }
    for (hsize_t k = 0; k < edim; k++)
        if (f->info.epochs[k] < 1 || (k && f->info.epochs[k] <= f->info.epochs[k - 1])) {
            rc = cs_error(CS_EFORMAT, "'%s': 'epochs' is not ascending 1-based epoch numbers", path);
            goto out;
        }
out:
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    if (eds >= 0)
        H5Dclose(eds);
    if (rc)
        efile_close(f);
    return rc;
}

/* The stored elements of epoch slot k (n*d of elem_size(dtype) bytes, as stored) into buf. */
static int slab_io(hid_t ds, int k, int64_t n, int d, hid_t mtype, void *buf, int write)
{
    hsize_t start[3] = {(hsize_t)k, 0, 0}, count[3] = {1, (hsize_t)n, (hsize_t)d};
    hid_t fs = H5Dget_space(ds), ms = H5Screate_simple(3, count, NULL);
    herr_t st = fs < 0 || ms < 0 ? -1 : H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
    if (st >= 0 && n > 0)
        st = write ? H5Dwrite(ds, mtype, ms, fs, H5P_DEFAULT, buf) : H5Dread(ds, mtype, ms, fs, H5P_DEFAULT, buf);
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    return st < 0 ? -1 : 0;
}

void cs_embed_release(cs_embed *info)
{
    free(info->epochs);
    memset(info, 0, sizeof *info);
}

int cs_embed_stat(const char *path, cs_embed *info)
{
    memset(info, 0, sizeof *info);
    efile f;
    int rc = efile_open(&f, path);
    if (rc)
        return rc;
    *info = f.info;
    f.info.epochs = NULL;
    efile_close(&f);
    return 0;
}

int cs_embed_dtype(const char *path, int *dtype)
{
    efile f;
    int rc = efile_open(&f, path);
    if (rc)
        return rc;
    *dtype = f.dtype;
    efile_close(&f);
    return 0;
}

/* "3, 6, 10" into buf. */
static void list_epochs(const cs_embed *e, char *buf, size_t len)
{
    buf[0] = 0;
    for (int k = 0; k < e->num_epochs; k++) {
        size_t l = strlen(buf);
        snprintf(buf + l, len - l, "%s%d", k ? ", " : "", (int)e->epochs[k]);
    }
}

int cs_embed_read(const char *path, int epoch, float **out, int64_t *n, int *d)
{
    *out = NULL;
    efile f;
    int rc = efile_open(&f, path);
    if (rc)
        return rc;
    int k = -1;
    if (epoch == 0)
        k = f.info.num_epochs - 1;
    else
        for (int j = 0; j < f.info.num_epochs; j++)
            if (f.info.epochs[j] == epoch)
                k = j;
    if (k < 0) {
        char list[512];
        list_epochs(&f.info, list, sizeof list);
        if (f.info.num_epochs == 0)
            rc = cs_error(CS_EFORMAT, "'%s' stores no epoch", path);
        else
            rc = cs_error(CS_EINVAL, "'%s' has no embeddings of epoch %d (it has epochs: %s)", path, epoch, list);
        goto out;
    }
    size_t cnt = (size_t)f.info.n * (size_t)f.info.d;
    float *v = cs_malloc(sizeof *v * (cnt ? cnt : 1));
    if (!v) {
        rc = CS_ENOMEM;
        goto out;
    }
    if (f.dtype == CS_EMBED_F32) {
        rc = slab_io(f.ds, k, f.info.n, f.info.d, H5T_NATIVE_FLOAT, v, 0);
    } else {
        /* Raw halves, converted here: HDF5's soft float conversion is slow. */
        uint16_t *h = cs_malloc(sizeof *h * (cnt ? cnt : 1));
        hid_t t = f16_type();
        rc = !h || t < 0 ? -1 : slab_io(f.ds, k, f.info.n, f.info.d, t, h, 0);
        for (size_t i = 0; !rc && i < cnt; i++)
            v[i] = cs_f16_to_f32(h[i]);
        if (t >= 0)
            H5Tclose(t);
        free(h);
    }
    if (rc) {
        free(v);
        rc = cs_error(CS_EFORMAT, "'%s': cannot read the embeddings of epoch %d", path, (int)f.info.epochs[k]);
        goto out;
    }
    *out = v;
    *n = f.info.n;
    *d = f.info.d;
out:
    efile_close(&f);
    return rc;
}

static hid_t put_1d(hid_t loc, const char *name, hid_t ftype, hid_t mtype, int64_t n, const void *data)
{
    hsize_t dim = (hsize_t)n;
    hid_t space = H5Screate_simple(1, &dim, NULL);
    /* No modification times in object headers: the same data give the same bytes. */
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);
    hid_t ds = H5Dcreate2(loc, name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    herr_t st = ds < 0 ? -1 : n ? H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) : 0;
    H5Sclose(space);
    if (ds >= 0 && H5Dclose(ds) < 0)
        st = -1;
    return st < 0 ? -1 : 0;
}

int cs_embed_write_epoch(const char *path, int epoch, const float *emb, int64_t n, int d, int dtype,
                         int keep_earlier, const cs_kv *attrs, int nattrs)
{
    if (epoch < 1 || n < 0 || d < 1 || (dtype != CS_EMBED_F16 && dtype != CS_EMBED_F32))
        return cs_error(CS_EINVAL, "'%s': bad embeddings to store (epoch %d, %lld x %d)", path, epoch,
                        (long long)n, d);
    cs_h5_quiet();
    efile old = {.file = -1, .ds = -1};
    int rc = 0, keep = 0;
    if (keep_earlier && cs_path_exists(path)) {
        if ((rc = efile_open(&old, path)))
            return rc;
        if (old.info.n != n || old.info.d != d || old.dtype != dtype) {
            rc = cs_error(CS_EFORMAT, "'%s' holds %lld x %d %s embeddings, this run records %lld x %d %s",
                          path, (long long)old.info.n, old.info.d, old.dtype == CS_EMBED_F16 ? "float16" : "float32",
                          (long long)n, d, dtype == CS_EMBED_F16 ? "float16" : "float32");
            efile_close(&old);
            return rc;
        }
        while (keep < old.info.num_epochs && old.info.epochs[keep] < epoch)
            keep++;
    }
    size_t cnt = (size_t)n * (size_t)d, es = elem_size(dtype);
    int32_t *epochs = cs_malloc(sizeof *epochs * (size_t)(keep + 1));
    int64_t *index = cs_malloc(sizeof *index * (size_t)(n ? n : 1));
    void *buf = cs_malloc(es * (cnt ? cnt : 1));
    hid_t ftype = file_type(dtype), file = -1, ds = -1, space = -1, dcpl = -1;
    cs_afile af = {0};
    int af_open = 0;
    if (!epochs || !index || !buf) {
        rc = CS_ENOMEM;
        goto out;
    }
    if ((rc = cs_afile_open(&af, path)))
        goto out;
    af_open = 1;
    /* HDF5 writes the temporary file cs_afile made; the commit fsyncs and renames it. */
    if ((file = H5Fcreate(af.tmp_path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)) < 0) {
        rc = cs_h5_error(CS_EIO, "cannot create '%s'", path);
        goto out;
    }
    hsize_t dim[3] = {(hsize_t)keep + 1, (hsize_t)n, (hsize_t)d};
    space = H5Screate_simple(3, dim, NULL);
    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);
    ds = ftype < 0 || space < 0 ? -1 : H5Dcreate2(file, "embeddings", ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (ds < 0 || put_str_attr(ds, "dtype", dtype == CS_EMBED_F16 ? "float16" : "float32")) {
        rc = cs_h5_error(CS_EIO, "cannot write '%s'", path);
        goto out;
    }
    /* Earlier epochs are copied as stored, one epoch in memory at a time. */
    for (int k = 0; k < keep; k++) {
        if (slab_io(old.ds, k, n, d, ftype, buf, 0)) {
            rc = cs_h5_error(CS_EFORMAT, "'%s': cannot read the embeddings of epoch %d", path, (int)old.info.epochs[k]);
            goto out;
        }
        if (slab_io(ds, k, n, d, ftype, buf, 1)) {
            rc = cs_h5_error(CS_EIO, "cannot write '%s'", path);
            goto out;
        }
        epochs[k] = old.info.epochs[k];
    }
    if (dtype == CS_EMBED_F16) {
        uint16_t *h = buf;
        for (size_t i = 0; i < cnt; i++)
            h[i] = cs_f32_to_f16(emb[i]);
    } else {
        memcpy(buf, emb, cnt * es);
    }
    epochs[keep] = epoch;
    for (int64_t i = 0; i < n; i++)
        index[i] = i;
    if (slab_io(ds, keep, n, d, ftype, buf, 1) ||
        put_1d(file, "epochs", H5T_STD_I32LE, H5T_NATIVE_INT32, keep + 1, epochs) ||
        put_1d(file, "index", H5T_STD_I64LE, H5T_NATIVE_INT64, n, index)) {
        rc = cs_h5_error(CS_EIO, "cannot write '%s'", path);
        goto out;
    }
    for (int i = 0; i < nattrs; i++)
        if (put_str_attr(file, attrs[i].key, attrs[i].value)) {
            rc = cs_h5_error(CS_EIO, "cannot write attribute '%s' to '%s'", attrs[i].key, path);
            goto out;
        }
out:
    if (ds >= 0 && H5Dclose(ds) < 0 && !rc)
        rc = cs_h5_error(CS_EIO, "cannot write '%s'", path);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    if (ftype >= 0)
        H5Tclose(ftype);
    if (file >= 0 && H5Fclose(file) < 0 && !rc)
        rc = cs_h5_error(CS_EIO, "cannot write '%s'", path);
    efile_close(&old);
    if (af_open) {
        if (rc)
            cs_afile_abort(&af);
        else
            rc = cs_afile_commit(&af);
    }
    free(buf);
    free(index);
    free(epochs);
    return rc;
}
