/* idx.c - IDX header parsing and whole-file loading through zlib. */
#include "idx.h"

#include "../common/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int idx_parse(const uint8_t *buf, size_t len, idx_header *h, const char *what)
{
    memset(h, 0, sizeof *h);
    if (len < 4 || buf[0] != 0 || buf[1] != 0)
        return cs_error(CS_EFORMAT, "%s: not an IDX file (bad magic)", what);
    switch (buf[2]) {
    case 0x08: h->etype = NPY_U8, h->elem_size = 1; break;
    case 0x09: h->etype = NPY_I8, h->elem_size = 1; break;
    case 0x0B: h->etype = NPY_I16, h->elem_size = 2; break;
    case 0x0C: h->etype = NPY_I32, h->elem_size = 4; break;
    case 0x0D: h->etype = NPY_F32, h->elem_size = 4; break;
    case 0x0E: h->etype = NPY_F64, h->elem_size = 8; break;
    default:
        return cs_error(CS_EFORMAT, "%s: not an IDX file (bad magic: type code 0x%02x)", what,
                        buf[2]);
    }
    h->rank = buf[3];
    if (h->rank < 1 || h->rank > IDX_MAX_RANK)
        return cs_error(CS_EFORMAT, "%s: IDX rank %d out of range 1..%d", what, h->rank,
                        IDX_MAX_RANK);
    h->data_offset = 4 + 4 * (size_t)h->rank;
    if (len < h->data_offset)
        return cs_error(CS_EFORMAT, "%s: truncated IDX header", what);
    uint64_t bytes = h->elem_size;
    for (int i = 0; i < h->rank; i++) {
        const uint8_t *p = buf + 4 + 4 * i;
        h->dims[i] = (int64_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
                               (uint32_t)p[2] << 8 | p[3]);
        /* Checked before multiplying: the product of four 32-bit
         * dimensions can wrap around 64 bits to a small number. */
        if (h->dims[i] && bytes > (UINT64_C(1) << 48) / (uint64_t)h->dims[i])
            return cs_error(CS_EFORMAT, "%s: IDX dimensions are implausibly large", what);
        bytes *= (uint64_t)h->dims[i];
        if (bytes > (UINT64_C(1) << 48))
            return cs_error(CS_EFORMAT, "%s: IDX dimensions are implausibly large", what);
    }
    if (len - h->data_offset < bytes) {
        uint64_t row = bytes / (h->dims[0] ? (uint64_t)h->dims[0] : 1);
        return cs_error(CS_EFORMAT, "%s: truncated: header says %lld items, file holds %llu",
                        what, (long long)h->dims[0],
                        (unsigned long long)(row ? (len - h->data_offset) / row : 0));
    }
    return 0;
}

int idx_load(const char *path, uint8_t **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return cs_error_errno(CS_EIO, "cannot open '%s'", path);
    size_t cap = 1 << 20, n = 0;
    uint8_t *b = cs_malloc(cap);
    int rc = 0;
    if (!b) {
        rc = CS_ENOMEM;
        goto out;
    }
    for (;;) {
        if (n == cap) {
            uint8_t *nb = realloc(b, cap * 2);
            if (!nb) {
                rc = cs_error(CS_ENOMEM, "out of memory reading '%s'", path);
                goto out;
            }
            b = nb, cap *= 2;
        }
        size_t want = cap - n > (1u << 30) ? (1u << 30) : cap - n;
        int r = gzread(gz, b + n, (unsigned)want);
        if (r < 0) {
            int e;
            const char *m = gzerror(gz, &e);
            rc = e == Z_ERRNO ? cs_error_errno(CS_EIO, "cannot read '%s'", path)
                              : cs_error(CS_EFORMAT, "'%s': corrupt gzip data (%s)", path, m);
            goto out;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
out:
    gzclose(gz);
    if (rc) {
        free(b);
        return rc;
    }
    *buf = b;
    *len = n;
    return 0;
}

void idx_to_host(void *data, npy_etype t, size_t n)
{
    size_t es = t == NPY_I16 ? 2 : t == NPY_I32 || t == NPY_F32 ? 4 : t == NPY_F64 ? 8 : 1;
    uint8_t *p = data;
    for (size_t i = 0; i < n && es > 1; i++, p += es)
        for (size_t a = 0, b = es - 1; a < b; a++, b--) {
            uint8_t tmp = p[a];
            p[a] = p[b];
            p[b] = tmp;
        }
}
