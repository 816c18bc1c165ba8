/* dump_h5.c - a trajectory as one HDF5 file (layout: man/coreset-dump.1):
 *   /<field>   (R, T, N) float32, correct and used uint8
 *   /probs     (R, T, N, C) float32
 *   /labels    (N) int32
 *   /fold      (N) uint8, an out-of-fold run's (score.folds K > 1) fold of
 *              each sample; its runs are then passes, run * K + fold
 *   root attributes N, C, fields, runs (R), epochs (T), trajectory;
 *   /provenance: the trajectory's "key=value" metadata as string attributes.
 * Each frame is written as one (1, 1, N) hyperslab into chunks of one epoch,
 * so memory stays O(N * C).  The file is created under cs_afile's temporary
 * name (HDF5 truncates and reuses that inode), so the commit's fsync and
 * rename make it appear complete or not at all. */
#include "traj_dump_int.h"

#include "../common/err.h"
#include "../formats/traj_columns.h"
#include "../formats/traj_meta.h"
#include "../codecs/h5_err.h"
#include "../common/fsio.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHUNK_ELEMS (1 << 18)

typedef struct h5_ctx {
    cs_afile af;
    hid_t file;
    hid_t ds[CS_TRAJ_NUM_COLUMNS]; /* by field bit number */
} h5_ctx;

/* No modification times in object headers: the same trajectory dumps to the same bytes. */
static hid_t untimed(hid_t cls)
{
    hid_t pl = H5Pcreate(cls);
    H5Pset_obj_track_times(pl, 0);
    return pl;
}

static hid_t make_dataset(h5_ctx *c, const char *name, hid_t type, int rank, const hsize_t *dims)
{
    hsize_t chunk[4] = {1, 1, 1, 1};
    hsize_t row = rank == 4 ? dims[3] : 1;
    hsize_t rows = MAX_CHUNK_ELEMS / row ? MAX_CHUNK_ELEMS / row : 1;
    chunk[2] = dims[2] < rows ? dims[2] : rows;
    if (rank == 4)
        chunk[3] = dims[3];
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = untimed(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, rank, chunk);
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, 4);
    hid_t ds = H5Dcreate2(c->file, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    if (ds < 0)
        cs_h5_error(CS_EIO, "'%s': cannot create dataset '%s'", c->af.path, name);
    return ds;
}

static int write_labels(h5_ctx *c, const cs_dump_plan *p)
{
    hsize_t n = (hsize_t)p->hdr->n;
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t dcpl = untimed(H5P_DATASET_CREATE);
    hid_t ds = H5Dcreate2(c->file, "labels", H5T_STD_I32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    herr_t st = ds < 0 ? -1 : H5Dwrite(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, p->hdr->labels);
    if (ds >= 0)
        H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(space);
    return st < 0 ? cs_h5_error(CS_EIO, "'%s': cannot write dataset 'labels'", c->af.path) : 0;
}

/* score.folds K > 1: the fold of every sample (the metadata's fold_of, one
 * digit a sample, is too long for an attribute on large sets). */
static int write_folds(h5_ctx *c, const cs_dump_plan *p)
{
    int K = 1;
    uint8_t *fold = cs_malloc((size_t)(p->hdr->n ? p->hdr->n : 1));
    int rc = fold ? cs_traj_meta_folds(p->hdr, &K, fold) : CS_ENOMEM;
    if (rc || K == 1) {
        if (rc && fold)
            cs_error_prefix("'%s'", p->path);
        free(fold);
        return rc;
    }
    hsize_t n = (hsize_t)p->hdr->n;
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t dcpl = untimed(H5P_DATASET_CREATE);
    hid_t ds = H5Dcreate2(c->file, "fold", H5T_STD_U8LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    herr_t st = ds < 0 ? -1 : H5Dwrite(ds, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, fold);
    if (ds >= 0)
        H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(space);
    free(fold);
    return st < 0 ? cs_h5_error(CS_EIO, "'%s': cannot write dataset 'fold'", c->af.path) : 0;
}

static int str_attr(h5_ctx *c, hid_t obj, const char *key, const char *value, size_t len)
{
    if (H5Aexists(obj, key) > 0)
        return 0; /* the first occurrence of a metadata key wins */
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, len + 1);
    H5Tset_cset(type, H5T_CSET_UTF8);
    char *v = malloc(len + 1);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = v ? H5Acreate2(obj, key, type, space, H5P_DEFAULT, H5P_DEFAULT) : -1;
    herr_t st = -1;
    if (attr >= 0) {
        memcpy(v, value, len);
        v[len] = 0;
        st = H5Awrite(attr, type, v);
        H5Aclose(attr);
    }
    free(v);
    H5Sclose(space);
    H5Tclose(type);
    return st < 0 ? cs_h5_error(CS_EIO, "'%s': cannot write attribute '%s'", c->af.path, key) : 0;
}

/* An integer attribute: a scalar when count is 0, else a 1-D array. */
static int int_attr(h5_ctx *c, const char *key, hid_t ftype, hid_t mtype, const void *v, hsize_t count)
{
    hid_t space = count ? H5Screate_simple(1, &count, NULL) : H5Screate(H5S_SCALAR);
    hid_t attr = H5Acreate2(c->file, key, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = attr < 0 ? -1 : H5Awrite(attr, mtype, v);
    if (attr >= 0)
        H5Aclose(attr);
    H5Sclose(space);
    return st < 0 ? cs_h5_error(CS_EIO, "'%s': cannot write attribute '%s'", c->af.path, key) : 0;
}

/* N, C, fields, runs, epochs and the trajectory's path on the root. */
static int write_shape(h5_ctx *c, const cs_dump_plan *p)
{
    char fields[128] = "";
    for (uint32_t bit = 1; bit < 1u << CS_TRAJ_NUM_COLUMNS; bit <<= 1)
        if (p->fields & bit) {
            size_t l = strlen(fields);
            snprintf(fields + l, sizeof fields - l, "%s%s", l ? "," : "", cs_traj_field_name(bit));
        }
    int32_t *epochs = cs_malloc(sizeof *epochs * (size_t)p->ntimes);
    if (!epochs)
        return CS_ENOMEM;
    for (int t = 0; t < p->ntimes; t++)
        epochs[t] = p->e0 + t;
    int64_t n = p->hdr->n;
    int32_t C = p->hdr->num_classes;
    int rc;
    if (!(rc = int_attr(c, "N", H5T_STD_I64LE, H5T_NATIVE_INT64, &n, 0)) &&
        !(rc = int_attr(c, "C", H5T_STD_I32LE, H5T_NATIVE_INT32, &C, 0)) &&
        !(rc = str_attr(c, c->file, "fields", fields, strlen(fields))) &&
        !(rc = int_attr(c, "runs", H5T_STD_I32LE, H5T_NATIVE_INT32, p->runs, (hsize_t)p->nruns)) &&
        !(rc = int_attr(c, "epochs", H5T_STD_I32LE, H5T_NATIVE_INT32, epochs, (hsize_t)p->ntimes)))
        rc = str_attr(c, c->file, "trajectory", p->path, strlen(p->path));
    free(epochs);
    return rc;
}

/* Each "key=value" metadata line becomes a string attribute of /provenance;
 * other lines are skipped (inspect --json shows the metadata verbatim). */

/* One metadata line as a string attribute of /provenance (keys past 255
 * bytes are left out, as HDF5 attribute names of that length are no use). */
typedef struct prov_ctx {
    h5_ctx *c;
    hid_t g;
} prov_ctx;

static int prov_attr(void *ctx, const char *key, size_t klen, const char *val, size_t vlen)
{
    prov_ctx *pc = ctx;
    char name[256];
    if (klen >= sizeof name || (klen == 7 && !memcmp(key, "fold_of", 7))) /* fold_of: the /fold dataset */
        return 0;
    memcpy(name, key, klen);
    name[klen] = 0;
    return str_attr(pc->c, pc->g, name, val, vlen);
}

static int write_provenance(h5_ctx *c, const cs_dump_plan *p)
{
    hid_t gcpl = untimed(H5P_GROUP_CREATE);
    hid_t g = H5Gcreate2(c->file, "provenance", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    if (g < 0)
        return cs_h5_error(CS_EIO, "'%s': cannot create group 'provenance'", c->af.path);
    prov_ctx pc = {c, g};
    int rc = cs_traj_meta_each(p->hdr, prov_attr, &pc);
    H5Gclose(g);
    return rc;
}

static void h5_close_all(h5_ctx *c)
{
    for (int b = 0; b < CS_TRAJ_NUM_COLUMNS; b++)
        if (c->ds[b] >= 0)
            H5Dclose(c->ds[b]);
    for (int b = 0; b < CS_TRAJ_NUM_COLUMNS; b++)
        c->ds[b] = -1;
    if (c->file >= 0)
        H5Fclose(c->file);
    c->file = -1;
}

static void h5_abort(void *ctx)
{
    h5_ctx *c = ctx;
    if (!c)
        return;
    h5_close_all(c);
    cs_afile_abort(&c->af);
    free(c);
}

static int h5_begin(void **out, const cs_dump_plan *p, const cs_dump_opts *o)
{
    cs_h5_quiet();
    h5_ctx *c = cs_calloc(1, sizeof *c);
    if (!c)
        return CS_ENOMEM;
    c->file = -1;
    for (int b = 0; b < CS_TRAJ_NUM_COLUMNS; b++)
        c->ds[b] = -1;
    int rc = cs_afile_open(&c->af, o->out);
    if (rc) {
        free(c);
        return rc;
    }
    hid_t fcpl = untimed(H5P_FILE_CREATE);
    c->file = H5Fcreate(c->af.tmp_path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    H5Pclose(fcpl);
    if (c->file < 0) {
        rc = cs_h5_error(CS_EIO, "cannot create HDF5 file '%s'", c->af.path);
        goto out;
    }
    hsize_t dims[4] = {(hsize_t)p->nruns, (hsize_t)p->ntimes, (hsize_t)p->hdr->n, (hsize_t)p->hdr->num_classes};
    for (int b = 0; b < CS_TRAJ_NUM_COLUMNS; b++) {
        uint32_t bit = 1u << b;
        if (!(p->fields & bit))
            continue;
        int byte = bit == CS_TRAJ_CORRECT || bit == CS_TRAJ_USED;
        c->ds[b] = make_dataset(c, cs_traj_field_name(bit), byte ? H5T_STD_U8LE : H5T_IEEE_F32LE,
                                bit == CS_TRAJ_PROBS ? 4 : 3, dims);
        if (c->ds[b] < 0) {
            rc = CS_EIO;
            goto out;
        }
    }
    if (!(rc = write_labels(c, p)) && !(rc = write_folds(c, p)) && !(rc = write_shape(c, p)))
        rc = write_provenance(c, p);
out:
    if (rc) {
        h5_abort(c);
        return rc;
    }
    *out = c;
    return 0;
}

static int h5_frame(void *ctx, const cs_dump_plan *p, int ri, int ti, const cs_epoch_record *rec)
{
    h5_ctx *c = ctx;
    for (int b = 0; b < CS_TRAJ_NUM_COLUMNS; b++) {
        if (c->ds[b] < 0)
            continue;
        uint32_t bit = 1u << b;
        int rank = bit == CS_TRAJ_PROBS ? 4 : 3;
        hsize_t off[4] = {(hsize_t)ri, (hsize_t)ti, 0, 0};
        hsize_t cnt[4] = {1, 1, (hsize_t)p->hdr->n, (hsize_t)p->hdr->num_classes};
        hid_t fspace = H5Dget_space(c->ds[b]);
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, off, NULL, cnt, NULL);
        hid_t mspace = H5Screate_simple(rank, cnt, NULL);
        hid_t mtype = bit == CS_TRAJ_CORRECT || bit == CS_TRAJ_USED ? H5T_NATIVE_UINT8 : H5T_NATIVE_FLOAT;
        herr_t st = H5Dwrite(c->ds[b], mtype, mspace, fspace, H5P_DEFAULT, cs_dump_column(rec, bit));
        H5Sclose(mspace);
        H5Sclose(fspace);
        if (st < 0)
            return cs_h5_error(CS_EIO, "'%s': cannot write run %d epoch %d of dataset '%s'", c->af.path,
                            rec->run, rec->epoch, cs_traj_field_name(bit));
    }
    return 0;
}

static int h5_commit(void *ctx, const cs_dump_plan *p)
{
    h5_ctx *c = ctx;
    (void)p;
    int rc = 0;
    for (int b = 0; b < CS_TRAJ_NUM_COLUMNS; b++)
        if (c->ds[b] >= 0 && H5Dclose(c->ds[b]) < 0 && !rc)
            rc = cs_h5_error(CS_EIO, "cannot write '%s'", c->af.path);
    for (int b = 0; b < CS_TRAJ_NUM_COLUMNS; b++)
        c->ds[b] = -1;
    if (H5Fclose(c->file) < 0 && !rc)
        rc = cs_h5_error(CS_EIO, "cannot write '%s'", c->af.path);
    c->file = -1;
    if (rc) {
        h5_abort(c);
        return rc;
    }
    rc = cs_afile_commit(&c->af); /* fsync (the same inode HDF5 wrote), rename, fsync the directory */
    free(c);
    return rc;
}

const cs_dump_writer cs_dump_h5_writer = {h5_begin, h5_frame, h5_commit, h5_abort};
