/* ds_hdf5.c - HDF5 datasets (libhdf5 serial).
 *
 * Layout, tried for the names in the options, else images/labels, else x/y:
 *   /<split>/<images> + /<split>/<labels>   (groups train, val, test), or
 *   /<split>_<images> + /<split>_<labels>, or
 *   /<images> + /<labels>                   (one unsplit pair = "train").
 * Samples: any rank (first dimension = sample), uint8 read as uint8; every
 * other integer type and float32/float64 read as float32 (HDF5 converts).
 * Labels: any integer type, shape (N,) or (N,1).  Class names: a string-array
 * attribute `class_names` on the labels dataset, else on the root group.
 * Reads select a hyperslab of just the requested samples.  HDF5's own error
 * printing is switched off; its innermost message goes into ours. */
#include "ds_backend.h"

#include "../common/err.h"
#include "../codecs/h5_err.h"
#include "../common/fsio.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct h5_ctx {
    hid_t file;
    hid_t dset[CS_MAX_SPLITS];
    char name[CS_MAX_SPLITS][256];
} h5_ctx;

static herr_t walk_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    (void)n;
    if (e->desc && *e->desc)
        snprintf(data, 256, "%s", e->desc);
    return 0;
}

/* The innermost message on HDF5's error stack. */
static const char *h5_msg(char buf[256])
{
    snprintf(buf, 256, "unknown HDF5 error");
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_cb, buf);
    return buf;
}

static void h5_close(void *p)
{
    h5_ctx *c = p;
    if (!c)
        return;
    for (int i = 0; i < CS_MAX_SPLITS; i++)
        if (c->dset[i] > 0)
            H5Dclose(c->dset[i]);
    if (c->file > 0)
        H5Fclose(c->file);
    free(c);
}

static int h5_read(cs_dataset *ds, int s, int64_t start, int64_t count, void *x)
{
    h5_ctx *c = ds->ctx;
    const cs_split_info *si = &ds->split[s];
    hsize_t off[CS_MAX_RANK + 1] = {0}, cnt[CS_MAX_RANK + 1];
    off[0] = (hsize_t)start;
    cnt[0] = (hsize_t)count;
    for (int i = 0; i < si->rank; i++)
        cnt[i + 1] = (hsize_t)si->shape[i];
    char m[256];
    int rc = 0;
    hid_t fs = H5Dget_space(c->dset[s]), ms = -1;
    if (fs < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, off, NULL, cnt, NULL) < 0 ||
        (ms = H5Screate_simple(si->rank + 1, cnt, NULL)) < 0 ||
        H5Dread(c->dset[s], si->dtype == CS_U8 ? H5T_NATIVE_UCHAR : H5T_NATIVE_FLOAT, ms, fs,
                H5P_DEFAULT, x) < 0)
        rc = cs_error(CS_EFORMAT, "'%s': dataset '%s': cannot read samples %lld..%lld (HDF5: %s)",
                      ds->path, c->name[s], (long long)start, (long long)(start + count),
                      h5_msg(m));
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    return rc;
}

static const ds_ops h5_ops = {h5_read, h5_close, NULL};

static int link_exists(hid_t f, const char *path)
{
    /* H5Lexists wants every parent to exist, so test one level at a time. */
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; (p = strchr(p, '/')); p++) {
        *p = 0;
        if (H5Lexists(f, buf, H5P_DEFAULT) <= 0)
            return 0;
        *p = '/';
    }
    return H5Lexists(f, buf, H5P_DEFAULT) > 0;
}

/* Shape and type of dataset d; fills dims (rank r). */
static int describe(const cs_dataset *ds, hid_t d, const char *name, int *r, hsize_t *dims,
                    H5T_class_t *cls, size_t *size, H5T_sign_t *sign)
{
    char m[256];
    hid_t sp = H5Dget_space(d), ty = H5Dget_type(d);
    int rc = 0;
    if (sp < 0 || ty < 0) {
        rc = cs_error(CS_EFORMAT, "'%s': dataset '%s': %s", ds->path, name, h5_msg(m));
        goto out;
    }
    *r = H5Sget_simple_extent_ndims(sp);
    if (*r < 1 || *r > CS_MAX_RANK + 1) {
        rc = cs_error(CS_EUNSUP, "'%s': dataset '%s' has rank %d (want 1..%d)", ds->path, name,
                      *r, CS_MAX_RANK + 1);
        goto out;
    }
    H5Sget_simple_extent_dims(sp, dims, NULL);
    *cls = H5Tget_class(ty);
    *size = H5Tget_size(ty);
    *sign = *cls == H5T_INTEGER ? H5Tget_sign(ty) : H5T_SGN_NONE;
out:
    if (sp >= 0)
        H5Sclose(sp);
    if (ty >= 0)
        H5Tclose(ty);
    return rc;
}

static int read_labels(cs_dataset *ds, hid_t d, const char *name, int32_t **y, int64_t *n)
{
    int r;
    hsize_t dims[CS_MAX_RANK + 1];
    H5T_class_t cls;
    size_t size;
    H5T_sign_t sign;
    char what[600], m[256];
    snprintf(what, sizeof what, "'%s': dataset '%s'", ds->path, name);
    int rc = describe(ds, d, name, &r, dims, &cls, &size, &sign);
    if (rc)
        return rc;
    if (cls != H5T_INTEGER)
        return cs_error(CS_EFORMAT, "%s: labels must be integers", what);
    if (r > 2 || (r == 2 && dims[1] != 1))
        return cs_error(CS_EFORMAT, "%s: labels must have shape (N,) or (N,1)", what);
    int64_t *buf = cs_malloc((size_t)dims[0] * sizeof *buf);
    if (!buf)
        return CS_ENOMEM;
    if (H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        rc = cs_error(CS_EFORMAT, "%s: cannot read labels (HDF5: %s)", what, h5_msg(m));
    else
        rc = ds_labels_from(y, buf, NPY_I64, (size_t)dims[0], what);
    *n = (int64_t)dims[0];
    free(buf);
    return rc;
}

static int read_names(cs_dataset *ds, hid_t obj)
{
    char m[256];
    hid_t a = H5Aopen(obj, "class_names", H5P_DEFAULT), ty = -1, sp = -1, mt = -1;
    int rc = 0;
    char *fixed = NULL, **vl = NULL;
    if (a < 0 || (ty = H5Aget_type(a)) < 0 || (sp = H5Aget_space(a)) < 0) {
        rc = cs_error(CS_EFORMAT, "'%s': cannot read attribute 'class_names' (HDF5: %s)",
                      ds->path, h5_msg(m));
        goto out;
    }
    if (H5Tget_class(ty) != H5T_STRING) {
        rc = cs_error(CS_EFORMAT, "'%s': attribute 'class_names' is not a string array", ds->path);
        goto out;
    }
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    if (n < 1 || n > 100000) {
        rc = cs_error(CS_EFORMAT, "'%s': attribute 'class_names' holds %lld names", ds->path,
                      (long long)n);
        goto out;
    }
    ds->class_names = cs_calloc((size_t)n, sizeof *ds->class_names);
    mt = H5Tcopy(H5T_C_S1);
    if (!ds->class_names || mt < 0) {
        rc = CS_ENOMEM;
        goto out;
    }
    int var = H5Tis_variable_str(ty) > 0;
    size_t sz = H5Tget_size(ty);
    H5Tset_cset(mt, H5Tget_cset(ty)); /* h5py writes UTF-8; HDF5 will not convert it to ASCII */
    if (var) {
        H5Tset_size(mt, H5T_VARIABLE);
        vl = cs_calloc((size_t)n, sizeof *vl);
    } else {
        H5Tset_size(mt, sz);
        H5Tset_strpad(mt, H5Tget_strpad(ty)); /* NULLPAD names may fill all sz bytes */
        fixed = cs_malloc((size_t)n * sz);
    }
    if (!vl && !fixed) {
        rc = CS_ENOMEM;
        goto out;
    }
    if (H5Aread(a, mt, var ? (void *)vl : (void *)fixed) < 0) {
        rc = cs_error(CS_EFORMAT, "'%s': cannot read attribute 'class_names' (HDF5: %s)",
                      ds->path, h5_msg(m));
        goto out;
    }
    for (hssize_t i = 0; i < n; i++) {
        char *s = var ? strdup(vl[i] ? vl[i] : "") : strndup(fixed + (size_t)i * sz, sz);
        if (!s) {
            rc = cs_error(CS_ENOMEM, "out of memory");
            break;
        }
        ds->class_names[ds->n_names++] = s;
    }
    if (var)
        H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, vl);
out:
    free(vl);
    free(fixed);
    if (mt >= 0)
        H5Tclose(mt);
    if (sp >= 0)
        H5Sclose(sp);
    if (ty >= 0)
        H5Tclose(ty);
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

static int add_split(cs_dataset *ds, h5_ctx *c, const char *split, const char *ipath,
                     const char *lpath)
{
    char m[256];
    int s = ds->nsplits, r, rc;
    hsize_t dims[CS_MAX_RANK + 1];
    H5T_class_t cls;
    size_t size;
    H5T_sign_t sign;
    snprintf(c->name[s], sizeof c->name[s], "%s", ipath);
    c->dset[s] = H5Dopen2(c->file, ipath, H5P_DEFAULT);
    if (c->dset[s] < 0)
        return cs_error(CS_EFORMAT, "'%s': cannot open dataset '%s' (HDF5: %s)", ds->path, ipath,
                        h5_msg(m));
    if ((rc = describe(ds, c->dset[s], ipath, &r, dims, &cls, &size, &sign)))
        return rc;
    if (cls != H5T_INTEGER && cls != H5T_FLOAT)
        return cs_error(CS_EUNSUP, "'%s': dataset '%s' holds neither integers nor floats",
                        ds->path, ipath);
    cs_dtype dt = cls == H5T_INTEGER && size == 1 && sign == H5T_SGN_NONE ? CS_U8 : CS_F32;
    int64_t shape[CS_MAX_RANK];
    for (int i = 1; i < r; i++)
        shape[i - 1] = (int64_t)dims[i];
    hid_t ld = H5Dopen2(c->file, lpath, H5P_DEFAULT);
    if (ld < 0)
        return cs_error(CS_EFORMAT, "'%s': cannot open dataset '%s' (HDF5: %s)", ds->path, lpath,
                        h5_msg(m));
    int32_t *y = NULL;
    int64_t ny = 0;
    rc = read_labels(ds, ld, lpath, &y, &ny);
    if (!rc && ds->n_names == 0 && H5Aexists(ld, "class_names") > 0)
        rc = read_names(ds, ld);
    H5Dclose(ld);
    if (rc) {
        free(y);
        return rc;
    }
    return ds_add_split(ds, split, (int64_t)dims[0], r - 1, shape, dt, y, ny);
}

/* Try one images/labels naming; 1 if it matched (rc holds the outcome). */
static int try_names(cs_dataset *ds, h5_ctx *c, const char *img, const char *lbl, int *rc)
{
    static const char *splits[] = {"train", "val", "test"};
    char ip[300], lp[300];
    int found = 0;
    *rc = 0;
    for (int k = 0; k < 3 && !*rc; k++) {
        for (int style = 0; style < 2; style++) {
            snprintf(ip, sizeof ip, style ? "/%s_%s" : "/%s/%s", splits[k], img);
            snprintf(lp, sizeof lp, style ? "/%s_%s" : "/%s/%s", splits[k], lbl);
            int hi = link_exists(c->file, ip), hl = link_exists(c->file, lp);
            if (!hi && !hl)
                continue;
            found = 1;
            *rc = hi && hl ? add_split(ds, c, splits[k], ip, lp)
                           : cs_error(CS_EFORMAT, "'%s': dataset '%s' has no partner '%s'",
                                      ds->path, hi ? ip : lp, hi ? lp : ip);
            break;
        }
    }
    if (found)
        return 1;
    snprintf(ip, sizeof ip, "/%s", img);
    snprintf(lp, sizeof lp, "/%s", lbl);
    int hi = link_exists(c->file, ip), hl = link_exists(c->file, lp);
    if (!hi && !hl)
        return 0;
    *rc = hi && hl ? add_split(ds, c, "train", ip, lp)
                   : cs_error(CS_EFORMAT, "'%s': dataset '%s' has no partner '%s'", ds->path,
                              hi ? ip : lp, hi ? lp : ip);
    return 1;
}

int ds_open_hdf5(cs_dataset *ds, const cs_dataset_opts *o)
{
    char m[256];
    cs_h5_quiet();
    h5_ctx *c = cs_calloc(1, sizeof *c);
    if (!c)
        return CS_ENOMEM;
    ds->format = "hdf5";
    ds->ops = &h5_ops;
    ds->ctx = c;
    if (H5Fis_hdf5(ds->path) <= 0)
        return cs_error(CS_EFORMAT, "'%s': not an HDF5 file (bad signature or truncated)",
                        ds->path);
    c->file = H5Fopen(ds->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (c->file < 0)
        return cs_error(CS_EFORMAT, "cannot open '%s' (HDF5: %s)", ds->path, h5_msg(m));
    int rc;
    if (o->images_name || o->labels_name) {
        const char *img = o->images_name ? o->images_name : "images";
        const char *lbl = o->labels_name ? o->labels_name : "labels";
        if (!try_names(ds, c, img, lbl, &rc))
            rc = cs_error(CS_EFORMAT, "'%s': no dataset '/%s', '/<split>/%s' or '/<split>_%s'",
                          ds->path, img, img, img);
    } else if (!try_names(ds, c, "images", "labels", &rc) && !try_names(ds, c, "x", "y", &rc)) {
        rc = cs_error(CS_EFORMAT,
                      "'%s': no sample datasets found (want '/train/images' and '/train/labels', "
                      "'/train_images', '/images', or the same with x and y)",
                      ds->path);
    }
    if (!rc && ds->n_names == 0 && H5Aexists(c->file, "class_names") > 0)
        rc = read_names(ds, c->file);
    return rc;
}

int ds_probe_hdf5(const char *path)
{
    return !cs_path_is_dir(path) && (ds_has_suffix(path, ".h5") || ds_has_suffix(path, ".hdf5") ||
                                     ds_has_suffix(path, ".hdf") || ds_has_suffix(path, ".he5"));
}
