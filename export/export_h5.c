/* export_h5.c - the pruned dataset as HDF5, streamed block by block. */
#include "export.h"

#include "../common/err.h"
#include "../codecs/h5_err.h"
#include "../common/log.h"
#include "../common/fsio.h"
#include "../codecs/h5_zstd_filter.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A chunked, compressed dataset of `n` rows of one sample shape. */
static hid_t create_rows(hid_t file, const char *name, hid_t type, int rank, const int64_t *shape,
                         int64_t n, const cs_export_params *p)
{
    hsize_t dims[CS_MAX_RANK + 1], chunk[CS_MAX_RANK + 1];
    dims[0] = (hsize_t)n;
    size_t row_elems = 1;
    for (int i = 0; i < rank; i++) {
        dims[i + 1] = (hsize_t)shape[i];
        chunk[i + 1] = (hsize_t)shape[i];
        row_elems *= (size_t)shape[i];
    }
    /* About 1 MiB chunks along the sample axis. */
    size_t rows = (1u << 20) / (row_elems * H5Tget_size(type));
    chunk[0] = rows < 1 ? 1 : rows;
    if (chunk[0] > dims[0])
        chunk[0] = dims[0] ? dims[0] : 1;
    hid_t space = H5Screate_simple(rank + 1, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (n > 0 && p->comp != CS_COMP_NONE) {
        H5Pset_chunk(dcpl, rank + 1, chunk);
        H5Pset_shuffle(dcpl);
        if (p->comp == CS_COMP_GZIP) {
            H5Pset_deflate(dcpl, p->level ? (unsigned)p->level : 4);
        } else {
            unsigned level = p->level ? (unsigned)p->level : 3;
            H5Pset_filter(dcpl, CS_H5Z_FILTER_ZSTD, H5Z_FLAG_MANDATORY, 1, &level);
        }
    }
    /* Names such as "train/images" keep a source's group layout. */
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t ds = H5Dcreate2(file, name, type, space, lcpl, dcpl, H5P_DEFAULT);
    H5Pclose(lcpl);
    H5Pclose(dcpl);
    H5Sclose(space);
    if (ds < 0)
        cs_error(CS_EINTERNAL, "'%s': cannot create dataset '%s'", p->out_path, name);
    return ds;
}

/* Write rows [start, start+count) of a dataset created by create_rows. */
static int write_rows(hid_t ds, int64_t start, int64_t count, hid_t memtype, const void *buf,
                      const char *path, const char *name)
{
    if (count == 0)
        return 0;
    hid_t fspace = H5Dget_space(ds);
    int rank = H5Sget_simple_extent_ndims(fspace);
    hsize_t dims[CS_MAX_RANK + 1], off[CS_MAX_RANK + 1] = {0};
    H5Sget_simple_extent_dims(fspace, dims, NULL);
    off[0] = (hsize_t)start;
    dims[0] = (hsize_t)count;
    H5Sselect_hyperslab(fspace, H5S_SELECT_SET, off, NULL, dims, NULL);
    hid_t mspace = H5Screate_simple(rank, dims, NULL);
    herr_t st = H5Dwrite(ds, memtype, mspace, fspace, H5P_DEFAULT, buf);
    H5Sclose(mspace);
    H5Sclose(fspace);
    if (st < 0)
        return cs_h5_error(CS_EIO, "'%s': cannot write dataset '%s'", path, name);
    return 0;
}

static int write_attr(hid_t obj, const char *key, const char *value, const char *path)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, strlen(value) + 1);
    H5Tset_cset(type, H5T_CSET_UTF8);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = H5Acreate2(obj, key, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = attr < 0 ? -1 : H5Awrite(attr, type, value);
    if (attr >= 0)
        H5Aclose(attr);
    H5Sclose(space);
    H5Tclose(type);
    if (st < 0)
        return cs_h5_error(CS_EIO, "'%s': cannot write attribute '%s'", path, key);
    return 0;
}

static int export_split(hid_t file, const cs_export_params *p, const cs_export_split *s)
{
    const cs_split_info *info = cs_dataset_split(p->src, s->split);
    if (!info)
        return cs_error(CS_EINVAL, "'%s' has no split '%s'", cs_dataset_path(p->src), s->split);
    int64_t m = s->idx ? s->m : info->n;
    for (int64_t k = 0; s->idx && k < m; k++)
        if (s->idx[k] < 0 || s->idx[k] >= info->n || (k && s->idx[k] <= s->idx[k - 1]))
            return cs_error(CS_EINVAL, "index %lld (entry %lld) is out of order or beyond the %lld samples of split '%s'",
                            (long long)s->idx[k], (long long)k, (long long)info->n, s->split);
    hid_t xtype = info->dtype == CS_U8 ? H5T_NATIVE_UINT8 : H5T_NATIVE_FLOAT;
    hid_t xfile = info->dtype == CS_U8 ? H5T_STD_U8LE : H5T_IEEE_F32LE;
    size_t esize = info->dtype == CS_U8 ? 1 : 4;
    size_t row = (size_t)cs_split_sample_elems(info) * esize;
    int rc = 0;
    hid_t xds = -1, yds = -1;
    uint8_t *in = NULL, *out = NULL;
    int32_t *yin = NULL, *yout = NULL;

    xds = create_rows(file, s->images_name, xfile, info->rank, info->shape, m, p);
    yds = create_rows(file, s->labels_name, H5T_STD_I32LE, 0, NULL, m, p);
    if (xds < 0 || yds < 0) {
        rc = CS_EINTERNAL;
        goto out;
    }
    const int64_t block = cs_export_block_rows(row);
    in = cs_malloc(row * (size_t)block);
    out = cs_malloc(row * (size_t)block);
    yin = cs_malloc(sizeof *yin * (size_t)block);
    yout = cs_malloc(sizeof *yout * (size_t)block);
    if (!in || !out || !yin || !yout) {
        rc = CS_ENOMEM;
        goto out;
    }
    int64_t written = 0, k = 0;
    for (int64_t start = 0; start < info->n && written < m; start += block) {
        int64_t count = info->n - start < block ? info->n - start : block;
        /* Skip blocks holding no selected row without reading them. */
        if (s->idx && (k >= m || s->idx[k] >= start + count))
            continue;
        if ((rc = cs_dataset_read(p->src, s->split, start, count, in, yin)))
            goto out;
        int64_t nout = 0;
        if (!s->idx) {
            memcpy(out, in, row * (size_t)count);
            memcpy(yout, yin, sizeof *yin * (size_t)count);
            nout = count;
        } else {
            for (; k < m && s->idx[k] < start + count; k++, nout++) {
                int64_t r = s->idx[k] - start;
                memcpy(out + (size_t)nout * row, in + (size_t)r * row, row);
                yout[nout] = yin[r];
            }
        }
        if ((rc = write_rows(xds, written, nout, xtype, out, p->out_path, s->images_name)) ||
            (rc = write_rows(yds, written, nout, H5T_NATIVE_INT32, yout, p->out_path, s->labels_name)))
            goto out;
        written += nout;
    }
    if (s->idx) {
        char name[320];
        cs_export_aux_name(s, "source_index", name, sizeof name);
        hid_t ids = create_rows(file, name, H5T_STD_I64LE, 0, NULL, m, p);
        if (ids < 0 || (rc = write_rows(ids, 0, m, H5T_NATIVE_INT64, s->idx, p->out_path, name))) {
            rc = rc ? rc : CS_EINTERNAL;
            if (ids >= 0)
                H5Dclose(ids);
            goto out;
        }
        H5Dclose(ids);
        if (s->scores) {
            cs_export_aux_name(s, "score", name, sizeof name);
            hid_t sds = create_rows(file, name, H5T_IEEE_F32LE, 0, NULL, m, p);
            if (sds < 0 || (rc = write_rows(sds, 0, m, H5T_NATIVE_FLOAT, s->scores, p->out_path, name))) {
                rc = rc ? rc : CS_EINTERNAL;
                if (sds >= 0)
                    H5Dclose(sds);
                goto out;
            }
            H5Dclose(sds);
        }
    }
out:
    if (xds >= 0)
        H5Dclose(xds);
    if (yds >= 0)
        H5Dclose(yds);
    free(in);
    free(out);
    free(yin);
    free(yout);
    return rc;
}

/* The source's class names, when it has one for every class, as the root
 * attribute `class_names` (variable-length UTF-8 strings, as h5py writes
 * them), so the pruned file names its classes as the source did. */
static int write_class_names(hid_t file, const cs_dataset *src, const char *path)
{
    int nc = cs_dataset_num_classes(src);
    if (nc < 1 || !cs_dataset_class_name(src, nc - 1))
        return 0;
    /* An attribute is one object-header message, at most 64 KiB (about 16
     * bytes a variable-length string): past some thousands of classes the
     * names would not fit; such label sets are not what this tool serves. */
    if (nc > 2000) {
        cs_warn("'%s': %d class names are not copied (more than 2000)", path, nc);
        return 0;
    }
    const char **names = cs_calloc((size_t)nc, sizeof *names);
    if (!names)
        return cs_error(CS_ENOMEM, "'%s': out of memory for the class names", path);
    for (int c = 0; c < nc; c++)
        names[c] = cs_dataset_class_name(src, c) ? cs_dataset_class_name(src, c) : "";
    hsize_t dim = (hsize_t)nc;
    hid_t type = H5Tcopy(H5T_C_S1), space = H5Screate_simple(1, &dim, NULL), attr = -1;
    herr_t st = -1;
    if (type >= 0 && space >= 0 && H5Tset_size(type, H5T_VARIABLE) >= 0 && H5Tset_cset(type, H5T_CSET_UTF8) >= 0 &&
        (attr = H5Acreate2(file, "class_names", type, space, H5P_DEFAULT, H5P_DEFAULT)) >= 0)
        st = H5Awrite(attr, type, names);
    if (attr >= 0)
        H5Aclose(attr);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    free(names);
    return st < 0 ? cs_h5_error(CS_EIO, "'%s': cannot write attribute 'class_names'", path) : 0;
}

int cs_export_h5(const cs_export_params *p)
{
    cs_h5_quiet();
    int rc = 0;
    if (p->comp == CS_COMP_ZSTD && (rc = cs_h5_register_zstd()))
        return rc;
    /* HDF5 writes the temporary file cs_afile made; the commit fsyncs that
     * inode through the afile's descriptor and renames it into place. */
    cs_afile af;
    if ((rc = cs_afile_open(&af, p->out_path)))
        return rc;
    hid_t file = H5Fcreate(af.tmp_path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0) {
        rc = cs_h5_error(CS_EIO, "cannot create '%s'", p->out_path);
        cs_afile_abort(&af);
        return rc;
    }
    for (int i = 0; i < p->nsplits && !rc; i++)
        rc = export_split(file, p, &p->splits[i]);
    for (int i = 0; i < p->nattrs && !rc; i++)
        rc = write_attr(file, p->attrs[i].key, p->attrs[i].value, p->out_path);
    if (!rc)
        rc = write_class_names(file, p->src, p->out_path);
    if (H5Fclose(file) < 0 && !rc)
        rc = cs_h5_error(CS_EIO, "cannot write '%s'", p->out_path);
    if (rc)
        cs_afile_abort(&af);
    else
        rc = cs_afile_commit(&af);
    return rc;
}
