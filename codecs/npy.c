/* npy.c - parse the .npy header dictionary and read array bytes by range.
 *
 * Format (NumPy NEP 1): "\x93NUMPY", major, minor, a little-endian header
 * length (2 bytes for v1, 4 for v2/v3), then a Python dict literal such as
 * {'descr': '<f4', 'fortran_order': False, 'shape': (3, 28, 28), }.
 * The dict is parsed with a tiny tokenizer that accepts keys in any order. */
#include "npy.h"

#include "../common/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const uint8_t npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

size_t npy_header_size(const uint8_t *buf, size_t len, const char *what)
{
    if (len < 10 || memcmp(buf, npy_magic, 6) != 0) {
        cs_error(CS_EFORMAT, "%s: not a .npy array (bad magic)", what);
        return 0;
    }
    int major = buf[6];
    if (major == 1)
        return 10 + (size_t)(buf[8] | buf[9] << 8);
    if (major == 2 || major == 3) {
        if (len < 12) {
            cs_error(CS_EFORMAT, "%s: truncated .npy header", what);
            return 0;
        }
        uint32_t hl = (uint32_t)buf[8] | (uint32_t)buf[9] << 8 | (uint32_t)buf[10] << 16 |
                      (uint32_t)buf[11] << 24;
        if (hl > (1u << 24)) {
            cs_error(CS_EFORMAT, "%s: .npy header length %u is implausible", what, hl);
            return 0;
        }
        return 12 + (size_t)hl;
    }
    cs_error(CS_EUNSUP, "%s: unsupported .npy version %d.%d", what, major, buf[7]);
    return 0;
}

typedef struct tok {
    const char *p, *end;
} tok;

static void skip_ws(tok *t)
{
    while (t->p < t->end && (*t->p == ' ' || *t->p == '\t' || *t->p == '\n' || *t->p == '\r'))
        t->p++;
}

static int accept(tok *t, char c)
{
    skip_ws(t);
    if (t->p < t->end && *t->p == c) {
        t->p++;
        return 1;
    }
    return 0;
}

/* A quoted string into out (truncated to cap-1); 0 if there is none. */
static int get_string(tok *t, char *out, size_t cap)
{
    skip_ws(t);
    if (t->p >= t->end || (*t->p != '\'' && *t->p != '"'))
        return 0;
    char q = *t->p++;
    size_t n = 0;
    while (t->p < t->end && *t->p != q) {
        if (n + 1 < cap)
            out[n++] = *t->p;
        t->p++;
    }
    out[n] = 0;
    if (t->p >= t->end)
        return 0;
    t->p++;
    return 1;
}

static int get_word(tok *t, const char *w)
{
    skip_ws(t);
    size_t n = strlen(w);
    if ((size_t)(t->end - t->p) >= n && memcmp(t->p, w, n) == 0) {
        t->p += n;
        return 1;
    }
    return 0;
}

static int parse_shape(tok *t, npy_header *h, const char *what)
{
    if (!accept(t, '('))
        return cs_error(CS_EFORMAT, "%s: .npy header: 'shape' is not a tuple", what);
    h->rank = 0;
    while (!accept(t, ')')) {
        skip_ws(t);
        if (t->p >= t->end || *t->p < '0' || *t->p > '9')
            return cs_error(CS_EFORMAT, "%s: .npy header: bad 'shape'", what);
        int64_t v = 0;
        while (t->p < t->end && *t->p >= '0' && *t->p <= '9') {
            if (v > (INT64_C(1) << 50))
                return cs_error(CS_EFORMAT, "%s: .npy header: shape too large", what);
            v = v * 10 + (*t->p++ - '0');
        }
        if (t->p < t->end && *t->p == 'L') /* Python 2 longs */
            t->p++;
        if (h->rank == NPY_MAX_RANK)
            return cs_error(CS_EUNSUP, "%s: .npy array has more than %d dimensions", what,
                            NPY_MAX_RANK);
        h->shape[h->rank++] = v;
        if (!accept(t, ',') && !(skip_ws(t), t->p < t->end && *t->p == ')'))
            return cs_error(CS_EFORMAT, "%s: .npy header: bad 'shape'", what);
    }
    return 0;
}

static int parse_descr(const char *d, npy_header *h, const char *what)
{
    static const struct {
        const char *name;
        npy_etype t;
        size_t size;
    } known[] = {{"|u1", NPY_U8, 1},  {"<u1", NPY_U8, 1},  {"|i1", NPY_I8, 1},  {"<i1", NPY_I8, 1},
                 {"<u2", NPY_U16, 2}, {"<i2", NPY_I16, 2}, {"<u4", NPY_U32, 4}, {"<i4", NPY_I32, 4},
                 {"<u8", NPY_U64, 8}, {"<i8", NPY_I64, 8}, {"<f4", NPY_F32, 4}, {"<f8", NPY_F64, 8}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(d, known[i].name) == 0) {
            h->etype = known[i].t;
            h->elem_size = known[i].size;
            return 0;
        }
    if (d[0] == '>')
        return cs_error(CS_EUNSUP, "%s: big-endian dtype '%s' is not supported", what, d);
    return cs_error(CS_EUNSUP, "%s: unsupported dtype '%s' (want |u1, <i4, <i8, <f4 or <f8)",
                    what, d);
}

int npy_parse_header(const uint8_t *buf, size_t len, npy_header *h, const char *what)
{
    memset(h, 0, sizeof *h);
    size_t hs = npy_header_size(buf, len, what);
    if (!hs)
        return len >= 10 && memcmp(buf, npy_magic, 6) == 0 && (buf[6] < 1 || buf[6] > 3)
                   ? CS_EUNSUP
                   : CS_EFORMAT;
    if (hs > len)
        return cs_error(CS_EFORMAT, "%s: truncated .npy header (%zu of %zu bytes)", what, len, hs);
    tok t = {(const char *)buf + (buf[6] == 1 ? 10 : 12), (const char *)buf + hs};
    int have_descr = 0, have_order = 0, have_shape = 0, rc;
    if (!accept(&t, '{'))
        return cs_error(CS_EFORMAT, "%s: .npy header is not a dictionary", what);
    while (!accept(&t, '}')) {
        char key[32], val[32];
        if (!get_string(&t, key, sizeof key) || !accept(&t, ':'))
            return cs_error(CS_EFORMAT, "%s: .npy header: bad dictionary", what);
        if (strcmp(key, "descr") == 0) {
            if (!get_string(&t, val, sizeof val))
                return cs_error(CS_EUNSUP, "%s: structured .npy dtypes are not supported", what);
            if ((rc = parse_descr(val, h, what)))
                return rc;
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (get_word(&t, "True"))
                return cs_error(CS_EUNSUP, "%s: fortran_order arrays are not supported", what);
            if (!get_word(&t, "False"))
                return cs_error(CS_EFORMAT, "%s: .npy header: bad 'fortran_order'", what);
            have_order = 1;
        } else if (strcmp(key, "shape") == 0) {
            if ((rc = parse_shape(&t, h, what)))
                return rc;
            have_shape = 1;
        } else {
            return cs_error(CS_EFORMAT, "%s: .npy header: unexpected key '%s'", what, key);
        }
        if (!accept(&t, ',') && !(skip_ws(&t), t.p < t.end && *t.p == '}'))
            return cs_error(CS_EFORMAT, "%s: .npy header: bad dictionary", what);
    }
    if (!have_descr || !have_order || !have_shape)
        return cs_error(CS_EFORMAT, "%s: .npy header lacks '%s'", what,
                        !have_descr ? "descr" : !have_order ? "fortran_order" : "shape");
    h->data_offset = hs;
    if (npy_data_bytes(h) < 0)
        return cs_error(CS_EFORMAT, "%s: .npy shape is too large", what);
    return 0;
}

int64_t npy_sample_elems(const npy_header *h)
{
    int64_t n = 1;
    for (int i = 1; i < h->rank; i++) {
        if (h->shape[i] && n > INT64_MAX / 16 / h->shape[i])
            return -1;
        n *= h->shape[i];
    }
    return n;
}

int64_t npy_data_bytes(const npy_header *h)
{
    int64_t n = (int64_t)h->elem_size;
    for (int i = 0; i < h->rank; i++) {
        if (h->shape[i] && n > INT64_MAX / 16 / h->shape[i])
            return -1;
        n *= h->shape[i];
    }
    return n;
}

const char *npy_etype_name(npy_etype t)
{
    static const char *names[] = {"?",      "uint8",  "int8",   "uint16",  "int16",  "uint32",
                                  "int32", "uint64", "int64", "float32", "float64"};
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

int npy_etype_is_int(npy_etype t) { return t >= NPY_U8 && t <= NPY_I64; }

int npy_src_read(const npy_src *s, uint64_t off, void *buf, size_t n, const char *what)
{
    if (off > s->len || n > s->len - off)
        return cs_error(CS_EFORMAT, "%s: truncated (want %zu bytes at %llu, have %llu)", what, n,
                        (unsigned long long)off, (unsigned long long)s->len);
    if (s->mem) {
        memcpy(buf, s->mem + off, n);
        return 0;
    }
    uint8_t *p = buf;
    while (n) {
        ssize_t r = pread(s->fd, p, n, (off_t)(s->base + off));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return cs_error_errno(CS_EIO, "%s: read failed", what);
        if (r == 0)
            return cs_error(CS_EFORMAT, "%s: truncated file", what);
        p += r, n -= (size_t)r, off += (uint64_t)r;
    }
    return 0;
}

int npy_src_header(const npy_src *s, npy_header *h, const char *what)
{
    uint8_t pre[12];
    size_t k = s->len < sizeof pre ? (size_t)s->len : sizeof pre;
    int rc = npy_src_read(s, 0, pre, k, what);
    if (rc)
        return rc;
    size_t hs = npy_header_size(pre, k, what);
    if (!hs)
        return CS_EFORMAT;
    if (hs > s->len)
        return cs_error(CS_EFORMAT, "%s: truncated .npy header", what);
    uint8_t *hb = cs_malloc(hs);
    if (!hb)
        return CS_ENOMEM;
    rc = npy_src_read(s, 0, hb, hs, what);
    if (!rc)
        rc = npy_parse_header(hb, hs, h, what);
    free(hb);
    if (rc)
        return rc;
    return npy_check_len(h, s->len, what);
}

int npy_check_len(const npy_header *h, uint64_t total_len, const char *what)
{
    if (h->rank < 1)
        return cs_error(CS_EFORMAT, "%s: .npy array is a scalar, want one row per sample", what);
    int64_t need = npy_data_bytes(h);
    int64_t have = total_len > h->data_offset ? (int64_t)(total_len - h->data_offset) : 0;
    if (have < need) {
        int64_t row = npy_sample_elems(h) * (int64_t)h->elem_size;
        return cs_error(CS_EFORMAT, "%s: header says %lld samples, file holds %lld", what,
                        (long long)h->shape[0], (long long)(row ? have / row : 0));
    }
    return 0;
}
