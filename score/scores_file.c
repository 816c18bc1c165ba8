/* scores_file.c - write and read scores.h5 (see scores_file.h for the layout). */
#include "scores_file.h"

#include "../common/err.h"
#include "../codecs/h5_err.h"
#include "../common/fsio.h"
#include "../common/log.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static int get_str_attr(hid_t obj, const char *key, char *out, size_t len)
{
    out[0] = 0;
    if (H5Aexists(obj, key) <= 0)
        return 0;
    hid_t a = H5Aopen(obj, key, H5P_DEFAULT);
    if (a < 0)
        return -1;
    hid_t ft = H5Aget_type(a);
    size_t sz = H5Tget_size(ft);
    int rc = 0;
    if (H5Tget_class(ft) != H5T_STRING || H5Tis_variable_str(ft) > 0) {
        rc = -1;
    } else {
        char *buf = calloc(sz + 1, 1);
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, sz);
        if (!buf || H5Aread(a, mt, buf) < 0)
            rc = -1;
        else
            snprintf(out, len, "%s", buf);
        H5Tclose(mt);
        free(buf);
    }
    H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

static hid_t put_1d(hid_t loc, const char *name, hid_t ftype, hid_t mtype, int64_t n, const void *data)
{
    hsize_t dim = (hsize_t)n;
    hid_t space = H5Screate_simple(1, &dim, NULL);
    /* No modification times in object headers: the same scores give the same bytes. */
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);
    hid_t ds = H5Dcreate2(loc, name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    herr_t st = ds < 0 ? -1 : H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    H5Sclose(space);
    if (st < 0) {
        if (ds >= 0)
            H5Dclose(ds);
        return -1;
    }
    return ds;
}

int cs_scores_write(const char *path, const cs_score_acc *acc, const cs_score_params *p,
                    int total_epochs, int64_t n, const int32_t *labels, const cs_kv *attrs,
                    int nattrs)
{
    cs_h5_quiet();
    /* HDF5 writes the temporary file cs_afile made (registered for the signal
     * handler); the commit fsyncs it and renames it into place. */
    cs_afile af;
    int rc = cs_afile_open(&af, path);
    if (rc)
        return rc;
    const char *tmp = af.tmp_path;
    hid_t file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0) {
        rc = cs_h5_error(CS_EIO, "cannot create '%s'", path);
        cs_afile_abort(&af);
        return rc;
    }
    int64_t *index = cs_malloc(sizeof *index * (size_t)(n ? n : 1));
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_obj_track_times(gcpl, 0);
    hid_t grp = H5Gcreate2(file, "scores", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    if (!index || grp < 0) {
        rc = index ? cs_h5_error(CS_EIO, "cannot write '%s'", path) : CS_ENOMEM;
        goto out;
    }
    for (int64_t i = 0; i < n; i++)
        index[i] = i;
    hid_t d;
    if ((d = put_1d(file, "labels", H5T_STD_I32LE, H5T_NATIVE_INT32, n, labels)) < 0 ||
        H5Dclose(d) < 0 || (d = put_1d(file, "index", H5T_STD_I64LE, H5T_NATIVE_INT64, n, index)) < 0 ||
        H5Dclose(d) < 0) {
        rc = cs_h5_error(CS_EIO, "cannot write '%s'", path);
        goto out;
    }
    for (int id = 0; id < CS_SCORE_COUNT; id++) {
        const cs_score_info *info = cs_score_info_at(id);
        if (!(p->enable & (1u << id)))
            continue;
        const double *s = cs_score_get(acc, info->name);
        if (!s) {
            cs_warn("score '%s' not written: %s", info->name, cs_errmsg());
            continue;
        }
        char params[512];
        if (cs_score_params_describe(p, total_epochs, info->name, params, sizeof params))
            params[0] = 0;
        if ((d = put_1d(grp, info->name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, s)) < 0 ||
            put_str_attr(d, "direction", info->dir == CS_SCORE_HIGH ? "high" : "low") ||
            put_str_attr(d, "params", params) || put_str_attr(d, "helper", info->helper ? "1" : "0") ||
            H5Dclose(d) < 0) {
            rc = cs_h5_error(CS_EIO, "cannot write score '%s' to '%s'", info->name, path);
            goto out;
        }
    }
    for (int i = 0; i < nattrs; i++)
        if (put_str_attr(file, attrs[i].key, attrs[i].value)) {
            rc = cs_h5_error(CS_EIO, "cannot write attribute '%s' to '%s'", attrs[i].key, path);
            goto out;
        }
out:
    free(index);
    if (grp >= 0)
        H5Gclose(grp);
    if (H5Fclose(file) < 0 && !rc)
        rc = cs_h5_error(CS_EIO, "cannot write '%s'", path);
    if (rc)
        cs_afile_abort(&af);
    else
        rc = cs_afile_commit(&af);
    return rc;
}

/* List the names in a group; H5Gget_info + H5Lget_name_by_idx exist in every
 * HDF5 from 1.8 on, unlike H5Literate2. */
static int list_names(hid_t grp, cs_scores_file *f)
{
    H5G_info_t gi;
    if (H5Gget_info(grp, &gi) < 0)
        return -1;
    f->names = calloc(gi.nlinks ? gi.nlinks : 1, sizeof *f->names);
    if (!f->names)
        return -1;
    for (hsize_t i = 0; i < gi.nlinks; i++) {
        char name[256];
        if (H5Lget_name_by_idx(grp, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT) < 0)
            return -1;
        if (!(f->names[f->count] = strdup(name)))
            return -1;
        f->count++;
    }
    return 0;
}

int cs_scores_open(cs_scores_file *f, const char *path)
{
    memset(f, 0, sizeof *f);
    cs_h5_quiet();
    if (access(path, R_OK) != 0)
        return cs_error_errno(CS_EIO, "cannot open '%s'", path);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        return cs_error(CS_EFORMAT, "'%s' is not an HDF5 file", path);
    int rc = 0;
    hid_t ds = H5Dopen2(file, "labels", H5P_DEFAULT), grp = -1;
    if (ds < 0) {
        rc = cs_error(CS_EFORMAT, "'%s' has no 'labels' dataset: not a coreset scores file", path);
        goto out;
    }
    hid_t space = H5Dget_space(ds);
    hsize_t dim = 0;
    if (H5Sget_simple_extent_ndims(space) == 1)
        H5Sget_simple_extent_dims(space, &dim, NULL);
    H5Sclose(space);
    f->n = (int64_t)dim;
    f->labels = cs_malloc(sizeof *f->labels * (size_t)(dim ? dim : 1));
    if (!f->labels || H5Dread(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, f->labels) < 0) {
        rc = f->labels ? cs_error(CS_EFORMAT, "'%s': cannot read 'labels'", path) : CS_ENOMEM;
        goto out;
    }
    grp = H5Gopen2(file, "scores", H5P_DEFAULT);
    if (grp < 0 || list_names(grp, f) < 0)
        rc = cs_error(CS_EFORMAT, "'%s': cannot list the 'scores' group", path);
out:
    if (grp >= 0)
        H5Gclose(grp);
    if (ds >= 0)
        H5Dclose(ds);
    H5Fclose(file);
    if (rc)
        cs_scores_release(f);
    return rc;
}

void cs_scores_release(cs_scores_file *f)
{
    for (int i = 0; i < f->count; i++)
        free(f->names[i]);
    free(f->names);
    free(f->labels);
    memset(f, 0, sizeof *f);
}

int cs_scores_read(const cs_scores_file *f, const char *path, const char *name, double **out,
                   int *dir, char *params, size_t params_len)
{
    *out = NULL;
    int found = 0;
    for (int i = 0; i < f->count; i++)
        found |= strcmp(f->names[i], name) == 0;
    if (!found) {
        char list[1024] = "";
        for (int i = 0; i < f->count; i++) {
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", f->names[i]);
        }
        return cs_error(CS_EINVAL, "'%s' has no score '%s' (it has: %s)", path, name, list);
    }
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        return cs_error(CS_EFORMAT, "cannot open '%s' as HDF5", path);
    char dpath[256];
    snprintf(dpath, sizeof dpath, "scores/%s", name);
    hid_t ds = H5Dopen2(file, dpath, H5P_DEFAULT);
    int rc = 0;
    double *v = cs_malloc(sizeof *v * (size_t)(f->n ? f->n : 1));
    char dirs[16];
    if (ds < 0 || !v || H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0 ||
        get_str_attr(ds, "direction", dirs, sizeof dirs) ||
        (params && get_str_attr(ds, "params", params, params_len))) {
        rc = v ? cs_error(CS_EFORMAT, "'%s': cannot read score '%s'", path, name) : CS_ENOMEM;
        free(v);
        v = NULL;
    } else {
        *dir = strcmp(dirs, "low") == 0 ? CS_SCORE_LOW : CS_SCORE_HIGH;
    }
    if (ds >= 0)
        H5Dclose(ds);
    H5Fclose(file);
    *out = v;
    return rc;
}

int cs_scores_attr(const char *path, const char *key, char *out, size_t len)
{
    cs_h5_quiet();
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        return cs_error(CS_EFORMAT, "cannot open '%s' as HDF5", path);
    int rc = get_str_attr(file, key, out, len) ? cs_error(CS_EFORMAT, "'%s': cannot read attribute '%s'", path, key) : 0;
    H5Fclose(file);
    return rc;
}
