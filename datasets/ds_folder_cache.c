/* ds_folder_cache.c - the decoded pixels of an image folder in one HDF5
 * file, so that a run's later commands (rescore, report, export, resume)
 * never decode the images again.
 *
 * Layout: root attributes `key` (SHA-256 of the listing and the options the
 * pixels were made with: paths, sizes, mtimes, labels, channels, size,
 * skip), `layout` ("H W C DEPTH SKIPPED") and `sha256` (of every kept_<s>
 * and px_<s> array in split order, bytes as stored); per split s the
 * int64 array kept_<s> (which listed files the samples are) and the uint16
 * array px_<s> (n * H * W * C values).  A cache whose key differs is
 * stale and ignored; one whose checksum fails is ignored with a warning. */
#include "ds_folder.h"

#include "../codecs/h5_err.h"
#include "../common/err.h"
#include "../common/fsio.h"
#include "../common/log.h"
#include "../common/sha256.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_str_attr(hid_t f, const char *name, char *buf, size_t cap)
{
    if (H5Aexists(f, name) <= 0)
        return -1;
    hid_t a = H5Aopen(f, name, H5P_DEFAULT), t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, cap);
    memset(buf, 0, cap);
    int ok = a >= 0 && H5Aread(a, t, buf) >= 0;
    buf[cap - 1] = 0;
    H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    return ok ? 0 : -1;
}

static int write_str_attr(hid_t f, const char *name, const char *v)
{
    hid_t t = H5Tcopy(H5T_C_S1), sp = H5Screate(H5S_SCALAR), a = -1;
    H5Tset_size(t, strlen(v) + 1);
    int ok = (a = H5Acreate2(f, name, t, sp, H5P_DEFAULT, H5P_DEFAULT)) >= 0 && H5Awrite(a, t, v) >= 0;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    return ok ? 0 : -1;
}

/* A 1-D array's length, or -1. */
static int64_t arr_len(hid_t f, const char *name)
{
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0)
        return -1;
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d < 0)
        return -1;
    hid_t sp = H5Dget_space(d);
    hsize_t dim = 0;
    int64_t n = H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, &dim, NULL) == 1 ? (int64_t)dim : -1;
    H5Sclose(sp);
    H5Dclose(d);
    return n;
}

static int read_arr(hid_t f, const char *name, hid_t type, void *buf)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    int ok = d >= 0 && H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
    if (d >= 0)
        H5Dclose(d);
    return ok ? 0 : -1;
}

static int write_arr(hid_t f, const char *name, hid_t type, const void *buf, int64_t n)
{
    hsize_t dim = (hsize_t)n;
    hid_t sp = H5Screate_simple(1, &dim, NULL), d = -1;
    int ok = (d = H5Dcreate2(f, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
             (n == 0 || H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    if (d >= 0)
        H5Dclose(d);
    H5Sclose(sp);
    return ok ? 0 : -1;
}

static void checksum(const cs_dataset *ds, int64_t *const kept[], uint16_t *const px[], size_t elems, char hex[65])
{
    cs_sha256 h;
    cs_sha256_init(&h);
    for (int s = 0; s < ds->nsplits; s++) {
        int64_t n = ds->split[s].n;
        if (n) {
            cs_sha256_update(&h, kept[s], (size_t)n * sizeof(int64_t));
            cs_sha256_update(&h, px[s], (size_t)n * elems * sizeof(uint16_t));
        }
    }
    uint8_t d[32];
    cs_sha256_final(&h, d);
    cs_sha256_hex(d, hex);
}

int ds_folder_cache_load(cs_dataset *ds, folder_ctx *c, const char *path)
{
    if (!cs_path_exists(path))
        return 0;
    cs_h5_quiet();
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    char key[80], layout[128], sha[80], got[65];
    int h, w, ch, depth, ok = 0;
    long long skipped;
    int64_t *kept[CS_MAX_SPLITS] = {0};
    uint16_t *px[CS_MAX_SPLITS] = {0};
    if (f < 0) {
        cs_warn("'%s': not a readable image cache; decoding the images again", path);
        return 0;
    }
    if (read_str_attr(f, "key", key, sizeof key) || strcmp(key, c->key)) {
        cs_verbose("'%s' was made from other files or options; decoding the images again", path);
        goto out;
    }
    if (read_str_attr(f, "layout", layout, sizeof layout) || read_str_attr(f, "sha256", sha, sizeof sha) ||
        sscanf(layout, "%d %d %d %d %lld", &h, &w, &ch, &depth, &skipped) != 5 || h <= 0 || w <= 0 ||
        (ch != 1 && ch != 3) || (depth != 8 && depth != 16))
        goto bad;
    size_t elems = (size_t)h * (size_t)w * (size_t)ch;
    for (int s = 0; s < ds->nsplits; s++) {
        char kn[32], pn[32];
        snprintf(kn, sizeof kn, "kept_%d", s);
        snprintf(pn, sizeof pn, "px_%d", s);
        int64_t n = arr_len(f, kn);
        if (n < 0 || n > c->n_items || arr_len(f, pn) != n * (int64_t)elems)
            goto bad;
        kept[s] = malloc(sizeof(int64_t) * (size_t)(n + 1));
        px[s] = malloc(sizeof(uint16_t) * (elems * (size_t)n + 1));
        if (!kept[s] || !px[s] || (n && (read_arr(f, kn, H5T_NATIVE_INT64, kept[s]) ||
                                         read_arr(f, pn, H5T_NATIVE_UINT16, px[s]))))
            goto bad;
        for (int64_t i = 0; i < n; i++)
            if (kept[s][i] < 0 || kept[s][i] >= c->n_items || c->items[kept[s][i]].split != s)
                goto bad;
        ds->split[s].n = n;
    }
    checksum(ds, kept, px, elems, got);
    if (strcmp(got, sha))
        goto bad;
    for (int s = 0; s < ds->nsplits; s++) {
        cs_split_info *si = &ds->split[s];
        si->rank = ch == 1 ? 2 : 3;
        si->shape[0] = h;
        si->shape[1] = w;
        si->shape[2] = ch;
        si->dtype = depth == 8 ? CS_U8 : CS_F32;
        c->kept[s] = kept[s];
        c->px[s] = px[s];
        kept[s] = NULL;
        px[s] = NULL;
    }
    c->skipped = skipped;
    c->from_cache = ok = 1;
    cs_verbose("'%s': decoded images from the cache '%s'", ds->path, path);
    goto out;
bad:
    cs_warn("'%s': image cache damaged (checksum or layout); decoding the images again", path);
out:
    for (int s = 0; s < CS_MAX_SPLITS; s++) {
        free(kept[s]);
        free(px[s]);
    }
    H5Fclose(f);
    return ok;
}

int ds_folder_cache_save(cs_dataset *ds, const char *path)
{
    folder_ctx *c = ds->ctx;
    if (c->from_cache)
        return 0;
    const cs_split_info *s0 = &ds->split[0];
    int ch = s0->rank == 2 ? 1 : (int)s0->shape[2];
    size_t elems = (size_t)cs_split_sample_elems(s0);
    char layout[128], sha[65];
    snprintf(layout, sizeof layout, "%lld %lld %d %d %lld", (long long)s0->shape[0], (long long)s0->shape[1], ch,
             s0->dtype == CS_U8 ? 8 : 16, (long long)c->skipped);
    checksum(ds, c->kept, c->px, elems, sha);
    cs_h5_quiet();
    cs_afile af;
    int rc = cs_afile_open(&af, path);
    if (rc)
        return rc;
    hid_t f = H5Fcreate(af.tmp_path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    int ok = f >= 0 && !write_str_attr(f, "key", c->key) && !write_str_attr(f, "layout", layout) &&
             !write_str_attr(f, "sha256", sha);
    for (int s = 0; ok && s < ds->nsplits; s++) {
        char kn[32], pn[32];
        snprintf(kn, sizeof kn, "kept_%d", s);
        snprintf(pn, sizeof pn, "px_%d", s);
        ok = !write_arr(f, kn, H5T_NATIVE_INT64, c->kept[s], ds->split[s].n) &&
             !write_arr(f, pn, H5T_NATIVE_UINT16, c->px[s], ds->split[s].n * (int64_t)elems);
    }
    if (f >= 0 && H5Fclose(f) < 0)
        ok = 0;
    if (!ok) {
        rc = cs_h5_error(CS_EIO, "cannot write the image cache '%s'", path);
        cs_afile_abort(&af);
        return rc;
    }
    return cs_afile_commit(&af);
}
