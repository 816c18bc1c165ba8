/* embed_dump.c - embeddings.h5 as HDF5 (float32, with labels), .npy or CSV
 * (see embed_dump.h). */
#include "embed_dump.h"

#include "../codecs/h5_err.h"
#include "../common/err.h"
#include "../common/fsio.h"
#include "../formats/embed_file.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

/* The stored epochs inside the range into sel (indices into e->epochs). */
static int select_epochs(const char *path, const cs_embed *e, const cs_embed_dump_opts *o, int *sel, int *nsel)
{
    *nsel = 0;
    for (int k = 0; k < e->num_epochs; k++)
        if ((!o->first_epoch || e->epochs[k] >= o->first_epoch) && (!o->last_epoch || e->epochs[k] <= o->last_epoch))
            sel[(*nsel)++] = k;
    if (o->format == CS_EMBED_DUMP_NPY && !o->first_epoch && !o->last_epoch && e->num_epochs) {
        sel[0] = e->num_epochs - 1; /* npy: the last epoch unless one is named */
        *nsel = 1;
    }
    if (*nsel == 0 || (o->format == CS_EMBED_DUMP_NPY && *nsel > 1)) {
        char list[512] = "";
        for (int k = 0; k < e->num_epochs; k++) {
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s%d", k ? ", " : "", (int)e->epochs[k]);
        }
        if (*nsel == 0)
            return cs_error(CS_EINVAL, "'%s' stores no embeddings in the epochs asked for (it has epochs: %s)", path,
                            e->num_epochs ? list : "none");
        return cs_error(CS_EINVAL, "--npy writes one epoch and '%s' stores %d in the range (epochs: %s); "
                        "hint: --epochs E", path, *nsel, list);
    }
    return 0;
}

/* An .npy version 1.0 header for C-order float32 (n, d), padded so the data starts at 64. */
static size_t npy_header_f32(char *buf, size_t cap, int64_t n, int d)
{
    char dict[256];
    int dl = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (%lld, %d), }",
                      (long long)n, d);
    size_t total = (10 + (size_t)dl + 1 + 63) / 64 * 64;
    if (total > cap)
        return 0;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (char)((total - 10) & 0xff);
    buf[9] = (char)((total - 10) >> 8);
    memcpy(buf + 10, dict, (size_t)dl);
    memset(buf + 10 + dl, ' ', total - 10 - (size_t)dl - 1);
    buf[total - 1] = '\n';
    return total;
}

static int dump_npy(const char *path, int epoch, const cs_embed_dump_opts *o)
{
    float *v = NULL;
    int64_t n;
    int d;
    int rc = cs_embed_read(path, epoch, &v, &n, &d);
    if (rc)
        return rc;
    cs_afile af;
    char hdr[256];
    size_t hl = npy_header_f32(hdr, sizeof hdr, n, d);
    if ((rc = cs_check_output_dir(o->out)) || (rc = cs_afile_open(&af, o->out))) {
        free(v);
        return rc;
    }
    /* The host is little-endian (x86-64, aarch64), as '<f4' says. */
    if (fwrite(hdr, 1, hl, af.fp) != hl || fwrite(v, sizeof *v, (size_t)(n * d), af.fp) != (size_t)(n * d)) {
        rc = cs_error_errno(CS_EIO, "cannot write '%s'", o->out);
        cs_afile_abort(&af);
    } else {
        rc = cs_afile_commit(&af);
    }
    free(v);
    return rc;
}

static int dump_csv(const char *path, const cs_embed *e, const int *sel, int nsel, const cs_embed_dump_opts *o)
{
    cs_afile af;
    FILE *fp = o->stdout_fp ? o->stdout_fp : stdout;
    int rc;
    if (o->out) {
        if ((rc = cs_check_output_dir(o->out)) || (rc = cs_afile_open(&af, o->out)))
            return rc;
        fp = af.fp;
    }
    fputs("epoch,index,label", fp);
    for (int j = 0; j < e->d; j++)
        fprintf(fp, ",e%d", j);
    fputc('\n', fp);
    rc = 0;
    for (int s = 0; s < nsel && !rc; s++) {
        float *v = NULL;
        int64_t n;
        int d;
        if ((rc = cs_embed_read(path, e->epochs[sel[s]], &v, &n, &d)))
            break;
        for (int64_t i = 0; i < n; i++) {
            fprintf(fp, "%d,%lld,", (int)e->epochs[sel[s]], (long long)i);
            if (o->labels && i < o->nlabels)
                fprintf(fp, "%d", (int)o->labels[i]);
            for (int j = 0; j < d; j++)
                fprintf(fp, ",%.9g", (double)v[i * d + j]); /* round-trips every float32 */
            fputc('\n', fp);
        }
        free(v);
    }
    if (o->out) {
        if (rc)
            cs_afile_abort(&af);
        else
            rc = cs_afile_commit(&af);
    } else if (!rc && (fflush(fp) || ferror(fp))) {
        rc = cs_error_errno(CS_EIO, "cannot write to standard output");
    }
    return rc;
}

static hid_t untimed_dcpl(void)
{
    hid_t p = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(p, 0);
    return p;
}

static int put_1d(hid_t file, const char *name, hid_t ftype, hid_t mtype, int64_t n, const void *data)
{
    hsize_t dim = (hsize_t)n;
    hid_t sp = H5Screate_simple(1, &dim, NULL), dcpl = untimed_dcpl();
    hid_t ds = H5Dcreate2(file, name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    herr_t st = ds < 0 ? -1 : n ? H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) : 0;
    if (ds >= 0 && H5Dclose(ds) < 0)
        st = -1;
    H5Pclose(dcpl);
    H5Sclose(sp);
    return st < 0 ? -1 : 0;
}

static int dump_h5(const char *path, const cs_embed *e, const int *sel, int nsel, const cs_embed_dump_opts *o)
{
    cs_h5_quiet();
    cs_afile af;
    int rc;
    if ((rc = cs_check_output_dir(o->out)) || (rc = cs_afile_open(&af, o->out)))
        return rc;
    hid_t file = H5Fcreate(af.tmp_path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), sp = -1, ds = -1, dcpl = -1;
    int32_t ep[64];
    int64_t *index = cs_malloc(sizeof *index * (size_t)(e->n ? e->n : 1));
    if (file < 0 || !index) {
        rc = index ? cs_h5_error(CS_EIO, "cannot create '%s'", o->out) : CS_ENOMEM;
        goto out;
    }
    hsize_t dims[3] = {(hsize_t)nsel, (hsize_t)e->n, (hsize_t)e->d};
    sp = H5Screate_simple(3, dims, NULL);
    dcpl = untimed_dcpl();
    if ((ds = H5Dcreate2(file, "embeddings", H5T_IEEE_F32LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT)) < 0) {
        rc = cs_h5_error(CS_EIO, "cannot write '%s'", o->out);
        goto out;
    }
    for (int s = 0; s < nsel; s++) {
        float *v = NULL;
        int64_t n;
        int d;
        if ((rc = cs_embed_read(path, e->epochs[sel[s]], &v, &n, &d)))
            goto out;
        hsize_t start[3] = {(hsize_t)s, 0, 0}, count[3] = {1, (hsize_t)n, (hsize_t)d};
        hid_t fs = H5Dget_space(ds), ms = H5Screate_simple(3, count, NULL);
        herr_t st = H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
        if (st >= 0 && n)
            st = H5Dwrite(ds, H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, v);
        H5Sclose(ms);
        H5Sclose(fs);
        free(v);
        if (st < 0) {
            rc = cs_h5_error(CS_EIO, "cannot write '%s'", o->out);
            goto out;
        }
        ep[s] = e->epochs[sel[s]];
    }
    for (int64_t i = 0; i < e->n; i++)
        index[i] = i;
    if (put_1d(file, "epochs", H5T_STD_I32LE, H5T_NATIVE_INT32, nsel, ep) ||
        put_1d(file, "index", H5T_STD_I64LE, H5T_NATIVE_INT64, e->n, index) ||
        (o->labels && o->nlabels == e->n && put_1d(file, "labels", H5T_STD_I32LE, H5T_NATIVE_INT32, e->n, o->labels)))
        rc = cs_h5_error(CS_EIO, "cannot write '%s'", o->out);
out:
    free(index);
    if (ds >= 0)
        H5Dclose(ds);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (sp >= 0)
        H5Sclose(sp);
    if (file >= 0 && H5Fclose(file) < 0 && !rc)
        rc = cs_h5_error(CS_EIO, "cannot write '%s'", o->out);
    if (rc)
        cs_afile_abort(&af);
    else
        rc = cs_afile_commit(&af);
    return rc;
}

int cs_embed_dump(const char *path, const cs_embed_dump_opts *o)
{
    cs_embed e;
    int rc = cs_embed_stat(path, &e);
    if (rc)
        return rc;
    int sel[64], nsel = 0; /* record.embed_epochs stores at most 32 */
    if (e.num_epochs > 64)
        rc = cs_error(CS_EUNSUP, "'%s' stores %d epochs; dump handles at most 64", path, e.num_epochs);
    if (!rc)
        rc = select_epochs(path, &e, o, sel, &nsel);
    if (!rc) {
        if (o->format == CS_EMBED_DUMP_NPY)
            rc = dump_npy(path, e.epochs[sel[0]], o);
        else if (o->format == CS_EMBED_DUMP_CSV)
            rc = dump_csv(path, &e, sel, nsel, o);
        else
            rc = dump_h5(path, &e, sel, nsel, o);
    }
    cs_embed_release(&e);
    return rc;
}
