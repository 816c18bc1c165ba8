/* export_npz.c - the pruned dataset as a NumPy .npz (MedMNIST layout),
 * streamed block by block into stored zip members. */
#include "export.h"

#include "../common/err.h"
#include "../common/fsio.h"
#include "../codecs/zip_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An .npy version 1.0 header for a C-order array of `descr` with shape
 * (n, shape...), padded with spaces so the data starts at a multiple of 64. */
static size_t npy_header(char *buf, size_t cap, const char *descr, int64_t n, int rank,
                         const int64_t *shape)
{
    char dict[512], dims[256];
    int len = snprintf(dims, sizeof dims, "%lld,", (long long)n);
    for (int i = 0; i < rank; i++)
        len += snprintf(dims + len, sizeof dims - (size_t)len, "%s%lld", i ? ", " : " ",
                        (long long)shape[i]);
    int dl = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }",
                      descr, dims);
    size_t total = 10 + (size_t)dl + 1;
    total = (total + 63) / 64 * 64;
    if (total > cap)
        return 0;
    size_t hlen = total - 10;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (char)(hlen & 0xff);
    buf[9] = (char)(hlen >> 8);
    memcpy(buf + 10, dict, (size_t)dl);
    memset(buf + 10 + dl, ' ', total - 10 - (size_t)dl - 1);
    buf[total - 1] = '\n';
    return total;
}

/* Begin member `name` (.npy added) holding an array of `data_bytes` bytes. */
static int begin_array(cs_zipw *z, const char *name, const char *descr, int64_t n, int rank,
                       const int64_t *shape, uint64_t data_bytes)
{
    char hdr[1024], member[320];
    size_t hl = npy_header(hdr, sizeof hdr, descr, n, rank, shape);
    if (!hl)
        return cs_error(CS_EINTERNAL, "npy header for '%s' too long", name);
    snprintf(member, sizeof member, "%s.npy", name);
    int rc = cs_zipw_begin(z, member, hl + data_bytes);
    return rc ? rc : cs_zipw_write(z, hdr, hl);
}

/* A whole small array as one member. */
static int put_array(cs_zipw *z, const char *name, const char *descr, int64_t n, const void *data,
                     size_t esize)
{
    int rc = begin_array(z, name, descr, n, 0, NULL, (uint64_t)n * esize);
    if (!rc)
        rc = cs_zipw_write(z, data, (size_t)n * esize);
    return rc ? rc : cs_zipw_end(z);
}

/* Stream the kept rows of a split: samples (labels == 0) or labels (labels == 1). */
static int put_rows(cs_zipw *z, const cs_export_params *p, const cs_export_split *s,
                    const cs_split_info *info, int labels)
{
    int64_t m = s->idx ? s->m : info->n;
    size_t esize = labels ? 4 : (info->dtype == CS_U8 ? 1 : 4);
    size_t row = labels ? 4 : (size_t)cs_split_sample_elems(info) * esize;
    const char *descr = labels ? "<i4" : (info->dtype == CS_U8 ? "|u1" : "<f4");
    int rc = labels ? begin_array(z, s->labels_name, descr, m, 0, NULL, (uint64_t)m * row)
                    : begin_array(z, s->images_name, descr, m, info->rank, info->shape,
                                  (uint64_t)m * row);
    if (rc)
        return rc;
    const int64_t block = cs_export_block_rows(labels ? (size_t)cs_split_sample_elems(info) * esize : row);
    uint8_t *in = cs_malloc(labels ? sizeof(int32_t) * (size_t)block : row * (size_t)block);
    int32_t *y = cs_malloc(sizeof *y * (size_t)block);
    if (!in || !y) {
        rc = CS_ENOMEM;
        goto out;
    }
    int64_t k = 0;
    for (int64_t start = 0; start < info->n && (!s->idx || k < m); start += block) {
        int64_t count = info->n - start < block ? info->n - start : block;
        if (s->idx && s->idx[k] >= start + count)
            continue;
        if ((rc = cs_dataset_read(p->src, s->split, start, count, labels ? NULL : in, y)))
            goto out;
        if (labels)
            memcpy(in, y, sizeof *y * (size_t)count);
        if (!s->idx) {
            rc = cs_zipw_write(z, in, row * (size_t)count);
        } else {
            /* Runs of consecutive kept rows go out in one write. */
            while (!rc && k < m && s->idx[k] < start + count) {
                int64_t r0 = s->idx[k] - start, len = 1;
                while (k + len < m && s->idx[k + len] == s->idx[k] + len && s->idx[k + len] < start + count)
                    len++;
                rc = cs_zipw_write(z, in + (size_t)r0 * row, row * (size_t)len);
                k += len;
            }
        }
        if (rc)
            goto out;
    }
    rc = cs_zipw_end(z);
out:
    free(in);
    free(y);
    return rc;
}

static int check_split(const cs_export_params *p, const cs_export_split *s, const cs_split_info **info)
{
    *info = cs_dataset_split(p->src, s->split);
    if (!*info)
        return cs_error(CS_EINVAL, "'%s' has no split '%s'", cs_dataset_path(p->src), s->split);
    for (int64_t k = 0; s->idx && k < s->m; k++)
        if (s->idx[k] < 0 || s->idx[k] >= (*info)->n || (k && s->idx[k] <= s->idx[k - 1]))
            return cs_error(CS_EINVAL, "index %lld (entry %lld) is out of order or beyond the %lld samples of split '%s'",
                            (long long)s->idx[k], (long long)k, (long long)(*info)->n, s->split);
    return 0;
}

/* provenance.npy: "key: value" lines as fixed-width byte strings ('|S<w>'). */
static int put_provenance(cs_zipw *z, const cs_export_params *p)
{
    size_t w = 1;
    for (int i = 0; i < p->nattrs; i++) {
        size_t l = strlen(p->attrs[i].key) + 2 + strlen(p->attrs[i].value);
        w = l > w ? l : w;
    }
    char descr[32];
    snprintf(descr, sizeof descr, "|S%zu", w);
    char *buf = cs_calloc((size_t)(p->nattrs ? p->nattrs : 1), w + 1);
    if (!buf)
        return CS_ENOMEM;
    for (int i = 0; i < p->nattrs; i++) {
        char *row = buf + (size_t)i * w;
        size_t kl = strlen(p->attrs[i].key), vl = strlen(p->attrs[i].value);
        memcpy(row, p->attrs[i].key, kl);
        memcpy(row + kl, ": ", 2);
        memcpy(row + kl + 2, p->attrs[i].value, vl);
    }
    int rc = put_array(z, "provenance", descr, p->nattrs, buf, w);
    free(buf);
    return rc;
}

int cs_export_npz(const cs_export_params *p)
{
    cs_afile af = {0};
    cs_zipw *z = NULL;
    int rc = cs_check_output_dir(p->out_path);
    if (rc || (rc = cs_afile_open(&af, p->out_path)) || (rc = cs_zipw_create(&z, af.fp, p->out_path)))
        goto out;
    for (int i = 0; i < p->nsplits && !rc; i++) {
        const cs_export_split *s = &p->splits[i];
        const cs_split_info *info;
        if ((rc = check_split(p, s, &info)) || (rc = put_rows(z, p, s, info, 0)) ||
            (rc = put_rows(z, p, s, info, 1)))
            break;
        if (!s->idx)
            continue;
        char name[320];
        cs_export_aux_name(s, "source_index", name, sizeof name);
        if ((rc = put_array(z, name, "<i8", s->m, s->idx, 8)))
            break;
        if (s->scores) {
            cs_export_aux_name(s, "score", name, sizeof name);
            rc = put_array(z, name, "<f4", s->m, s->scores, 4);
        }
    }
    if (!rc && !(rc = put_provenance(z, p)) && !(rc = cs_zipw_finish(z)))
        rc = cs_afile_commit(&af);
out:
    cs_zipw_free(z);
    if (rc)
        cs_afile_abort(&af);
    return rc;
}
