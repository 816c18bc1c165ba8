/* import_embed.c - write RUN/embeddings.h5 for `coreset import` (see
 * import_embed.h). */
#include "import_embed.h"

#include "../codecs/h5_err.h"
#include "../common/err.h"
#include "../common/fsio.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

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

/* One dataset of rank r; no modification times, so equal inputs give equal bytes. */
static int put(hid_t file, const char *name, hid_t ftype, hid_t mtype, int r, const hsize_t *dims,
               const void *data, hid_t *out)
{
    hid_t space = H5Screate_simple(r, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);
    hid_t d = H5Dcreate2(file, name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    if (d < 0 || H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
        if (d >= 0)
            H5Dclose(d);
        return -1;
    }
    if (out)
        *out = d;
    else
        H5Dclose(d);
    return 0;
}

int cs_import_embed_write(const char *path, int epoch, const float *emb, int64_t n, int d, const cs_kv *attrs,
                          int nattrs)
{
    cs_h5_quiet();
    cs_afile af;
    int rc = cs_afile_open(&af, path);
    if (rc)
        return rc;
    hid_t file = H5Fcreate(af.tmp_path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), ds = -1;
    int64_t *index = cs_malloc(sizeof *index * (size_t)(n ? n : 1));
    if (file < 0 || !index) {
        rc = index ? cs_h5_error(CS_EIO, "cannot create '%s'", path) : CS_ENOMEM;
        goto out;
    }
    for (int64_t i = 0; i < n; i++)
        index[i] = i;
    int32_t ep = epoch;
    hsize_t dims3[3] = {1, (hsize_t)n, (hsize_t)d}, one = 1, dn = (hsize_t)n;
    if (put(file, "embeddings", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 3, dims3, emb, &ds) ||
        put_str_attr(ds, "dtype", "float32") || put(file, "epochs", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, &one, &ep, NULL) ||
        put(file, "index", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &dn, index, NULL)) {
        rc = cs_h5_error(CS_EIO, "cannot write '%s'", path);
        goto out;
    }
    for (int i = 0; i < nattrs; i++)
        if (put_str_attr(file, attrs[i].key, attrs[i].value)) {
            rc = cs_h5_error(CS_EIO, "cannot write attribute '%s' to '%s'", attrs[i].key, path);
            goto out;
        }
out:
    free(index);
    if (ds >= 0)
        H5Dclose(ds);
    if (file >= 0 && H5Fclose(file) < 0 && !rc)
        rc = cs_h5_error(CS_EIO, "cannot write '%s'", path);
    if (rc)
        cs_afile_abort(&af);
    else
        rc = cs_afile_commit(&af);
    return rc;
}
