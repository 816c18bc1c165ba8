/* index_file.c - write, read and verify coreset index files; write their
 * .npy companion.  The reader is strict (one canonical spelling of every
 * line) so that reading and rewriting a file gives the same bytes. */
#include "index_file.h"

#include "../common/err.h"
#include "../common/fsio.h"
#include "../common/outguard.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cs_index_file_init(cs_index_file *f) { memset(f, 0, sizeof *f); }

void cs_index_file_release(cs_index_file *f)
{
    for (int i = 0; i < f->num_keys; i++) {
        free(f->kv[i].key);
        free(f->kv[i].value);
    }
    free(f->kv);
    free(f->idx);
    memset(f, 0, sizeof *f);
}

static int key_ok(const char *k, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '-' ||
              k[i] == '_'))
            return 0;
    return 1;
}

/* Printable ASCII or UTF-8 bytes, no control characters (so one line). */
static int value_ok(const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return 0;
    return 1;
}

static int is_reserved(const char *k, size_t len)
{
    return len == 1 && (k[0] == 'n' || k[0] == 'm');
}

static int set_kv(cs_index_file *f, const char *key, size_t klen, const char *value, size_t vlen)
{
    for (int i = 0; i < f->num_keys; i++)
        if (strlen(f->kv[i].key) == klen && memcmp(f->kv[i].key, key, klen) == 0) {
            char *v = strndup(value, vlen);
            if (!v)
                return cs_error(CS_ENOMEM, "out of memory");
            free(f->kv[i].value);
            f->kv[i].value = v;
            return 0;
        }
    cs_index_kv *kv = realloc(f->kv, sizeof *kv * (size_t)(f->num_keys + 1));
    if (!kv)
        return cs_error(CS_ENOMEM, "out of memory");
    f->kv = kv;
    char *k = strndup(key, klen), *v = strndup(value, vlen);
    if (!k || !v) {
        free(k);
        free(v);
        return cs_error(CS_ENOMEM, "out of memory");
    }
    f->kv[f->num_keys++] = (cs_index_kv){k, v};
    return 0;
}

int cs_index_file_set(cs_index_file *f, const char *key, const char *value)
{
    size_t klen = strlen(key), vlen = strlen(value);
    if (!key_ok(key, klen) || is_reserved(key, klen))
        return cs_error(CS_EINVAL, "index header key '%s': use [a-z0-9_-], not n or m", key);
    if (!value_ok(value, vlen))
        return cs_error(CS_EINVAL, "index header '%s': value holds a control character", key);
    return set_kv(f, key, klen, value, vlen);
}

const char *cs_index_file_get(const cs_index_file *f, const char *key)
{
    for (int i = 0; i < f->num_keys; i++)
        if (strcmp(f->kv[i].key, key) == 0)
            return f->kv[i].value;
    return NULL;
}

static int check_indices(const int64_t *idx, int64_t m, int64_t n, const char *what)
{
    if (n < 0 || m < 0 || m > n)
        return cs_error(CS_EINVAL, "%s: %" PRId64 " indices of %" PRId64 " samples", what, m, n);
    for (int64_t j = 0; j < m; j++) {
        if (idx[j] < 0 || idx[j] >= n)
            return cs_error(CS_EINVAL, "%s: index %" PRId64 " outside [0, %" PRId64 ")", what,
                            idx[j], n);
        if (j && idx[j] <= idx[j - 1])
            return cs_error(CS_EINVAL, "%s: index %" PRId64 " after %" PRId64
                            ": not strictly ascending", what, idx[j], idx[j - 1]);
    }
    return 0;
}

int cs_index_file_set_indices(cs_index_file *f, const int64_t *idx, int64_t m, int64_t n)
{
    int rc = check_indices(idx, m, n, "index list");
    if (rc)
        return rc;
    int64_t *c = cs_malloc(sizeof *c * (size_t)(m > 0 ? m : 1));
    if (!c)
        return CS_ENOMEM;
    if (m)
        memcpy(c, idx, sizeof *c * (size_t)m);
    free(f->idx);
    f->idx = c;
    f->m = m;
    f->n = n;
    return 0;
}

static void put_index(FILE *fp, const cs_index_file *f)
{
    fprintf(fp, "# %s %d\n# n: %" PRId64 "\n# m: %" PRId64 "\n", CS_INDEX_MARKER, CS_INDEX_VERSION, f->n, f->m);
    for (int i = 0; i < f->num_keys; i++)
        fprintf(fp, "# %s: %s\n", f->kv[i].key, f->kv[i].value);
    for (int64_t j = 0; j < f->m; j++)
        fprintf(fp, "%" PRId64 "\n", f->idx[j]);
}

int cs_index_write(const char *path, const cs_index_file *f)
{
    int rc = check_indices(f->idx, f->m, f->n, path);
    if (rc)
        return rc;
    cs_afile af;
    rc = cs_afile_open(&af, path);
    if (rc)
        return rc;
    put_index(af.fp, f);
    return cs_afile_commit(&af);
}

/* 1 when the file at path holds exactly the bytes f would be written as. */
static int same_bytes(const char *path, const cs_index_file *f)
{
    uint8_t *old = NULL;
    size_t old_len = 0, len = 0;
    char *buf = NULL;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        return 0;
    put_index(mem, f);
    int same = fclose(mem) == 0 && cs_read_file(path, &old, &old_len) == 0 && old_len == len &&
               memcmp(old, buf, len) == 0;
    cs_error_clear();
    free(old);
    free(buf);
    return same;
}

int cs_index_write_new(const char *path, const cs_index_file *f, int force)
{
    int rc = cs_guard_output(path); /* an input is refused as such, --force or not */
    if (rc)
        return rc;
    if (!force && cs_path_exists(path) && !same_bytes(path, f))
        return cs_error(CS_EINVAL, "'%s' exists and holds another selection: not replaced; "
                                   "hint: choose another -o, or --force to replace it", path);
    return cs_index_write(path, f);
}

/* A canonical non-negative decimal (no sign, no leading zero) into *v. */
static int parse_u63(const char *s, size_t len, int64_t *v)
{
    if (len == 0 || len > 19 || (len > 1 && s[0] == '0'))
        return -1;
    int64_t x = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        int d = s[i] - '0';
        if (x > (INT64_MAX - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    *v = x;
    return 0;
}

/* One "# key: value" header line (after the marker) into f. */
static int read_header(const char *path, int64_t ln, const char *s, size_t len, cs_index_file *f,
                       int *have_n, int *have_m)
{
    if (len < 2 || s[1] != ' ')
        return cs_error(CS_EFORMAT, "'%s':%" PRId64 ": header lines are '# key: value'", path, ln);
    const char *k = s + 2, *colon = memchr(k, ':', len - 2);
    if (!colon || colon + 1 >= s + len || colon[1] != ' ' || !key_ok(k, (size_t)(colon - k)))
        return cs_error(CS_EFORMAT, "'%s':%" PRId64 ": header lines are '# key: value'", path, ln);
    size_t klen = (size_t)(colon - k);
    const char *v = colon + 2;
    size_t vlen = len - (size_t)(v - s);
    if (!value_ok(v, vlen))
        return cs_error(CS_EFORMAT, "'%s':%" PRId64 ": header value holds a control character",
                        path, ln);
    if (is_reserved(k, klen)) {
        int *have = k[0] == 'n' ? have_n : have_m;
        int64_t *dst = k[0] == 'n' ? &f->n : &f->m;
        if (*have)
            return cs_error(CS_EFORMAT, "'%s':%" PRId64 ": header key '%c' given twice", path, ln,
                            k[0]);
        if (parse_u63(v, vlen, dst))
            return cs_error(CS_EFORMAT, "'%s':%" PRId64 ": header '%c': '%.*s' is not a count", path,
                            ln, k[0], (int)vlen, v);
        *have = 1;
        return 0;
    }
    for (int i = 0; i < f->num_keys; i++)
        if (strlen(f->kv[i].key) == klen && memcmp(f->kv[i].key, k, klen) == 0)
            return cs_error(CS_EFORMAT, "'%s':%" PRId64 ": header key '%.*s' given twice", path, ln,
                            (int)klen, k);
    return set_kv(f, k, klen, v, vlen);
}

static int check_marker(const char *path, const char *s, size_t len)
{
    size_t ml = strlen(CS_INDEX_MARKER);
    if (len < ml + 3 || memcmp(s, "# ", 2) != 0 || memcmp(s + 2, CS_INDEX_MARKER, ml) != 0 ||
        s[2 + ml] != ' ')
        return cs_error(CS_EFORMAT, "'%s':1: not a coreset index file (first line must be '# %s %d')",
                        path, CS_INDEX_MARKER, CS_INDEX_VERSION);
    int64_t ver;
    const char *v = s + 3 + ml;
    if (parse_u63(v, len - 3 - ml, &ver))
        return cs_error(CS_EFORMAT, "'%s':1: bad version '%.*s'", path, (int)(len - 3 - ml), v);
    if (ver != CS_INDEX_VERSION)
        return cs_error(CS_EUNSUP, "'%s':1: index file version %" PRId64 ", this coreset reads %d; "
                        "hint: use a newer coreset", path, ver, CS_INDEX_VERSION);
    return 0;
}

int cs_index_read(const char *path, cs_index_file *f)
{
    cs_index_file_init(f);
    uint8_t *buf;
    size_t len;
    int rc = cs_read_file(path, &buf, &len);
    if (rc)
        return rc;
    rc = cs_index_parse(path, buf, len, f);
    free(buf);
    return rc;
}

int cs_index_parse(const char *path, const void *data, size_t len, cs_index_file *f)
{
    cs_index_file_init(f);
    int rc = 0;
    const char *p = (const char *)data, *end = p + len;
    int64_t ln = 0, cap = 0, got = 0;
    int have_n = 0, have_m = 0, in_body = 0;
    if (len == 0) {
        rc = cs_error(CS_EFORMAT, "'%s': empty file, not a coreset index file", path);
        goto out;
    }
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t n = (size_t)(le - p);
        ln++;
        if (ln == 1) {
            rc = check_marker(path, p, n);
        } else if (n > 0 && p[0] == '#') {
            if (in_body)
                rc = cs_error(CS_EFORMAT, "'%s':%" PRId64 ": header line after the indices", path,
                              ln);
            else
                rc = read_header(path, ln, p, n, f, &have_n, &have_m);
        } else {
            if (!in_body) {
                in_body = 1;
                if (!have_n || !have_m) {
                    rc = cs_error(CS_EFORMAT, "'%s':%" PRId64 ": header lacks '%s'", path, ln,
                                  !have_n ? "n" : "m");
                    goto out;
                }
                if (f->m > f->n) {
                    rc = cs_error(CS_EFORMAT, "'%s': header says m = %" PRId64 " of n = %" PRId64, path,
                                  f->m, f->n);
                    goto out;
                }
                /* Each index takes at least two bytes ("0\n"): a header
                 * claiming more than the file can hold is caught here, before
                 * it turns into an allocation. */
                if ((uint64_t)f->m > (uint64_t)(end - p) / 2 + 1) {
                    rc = cs_error(CS_EFORMAT, "'%s':%" PRId64 ": header says m = %" PRId64
                                  " but the file is too short to hold them (truncated?)", path, ln, f->m);
                    goto out;
                }
                cap = f->m;
                f->idx = cs_malloc(sizeof *f->idx * (size_t)(cap > 0 ? cap : 1));
                if (!f->idx) {
                    rc = CS_ENOMEM;
                    goto out;
                }
            }
            int64_t v;
            if (parse_u63(p, n, &v))
                rc = cs_error(CS_EFORMAT, "'%s':%" PRId64 ": '%.*s' is not an index", path, ln,
                              (int)(n > 40 ? 40 : n), p);
            else if (v >= f->n)
                rc = cs_error(CS_EFORMAT, "'%s':%" PRId64 ": index %" PRId64
                              " out of range (n = %" PRId64 ")", path, ln, v, f->n);
            else if (got > 0 && v <= f->idx[got - 1])
                rc = cs_error(CS_EFORMAT, "'%s':%" PRId64 ": index %" PRId64 " %s", path, ln, v,
                              v == f->idx[got - 1] ? "repeated" : "out of order (not ascending)");
            else if (got == cap)
                rc = cs_error(CS_EFORMAT, "'%s':%" PRId64 ": more indices than m = %" PRId64,
                              path, ln, f->m);
            else
                f->idx[got++] = v;
        }
        if (rc)
            goto out;
        p = nl ? nl + 1 : end;
    }
    if (!have_n || !have_m)
        rc = cs_error(CS_EFORMAT, "'%s':%" PRId64 ": header lacks '%s'", path, ln,
                      !have_n ? "n" : "m");
    else if (got != f->m)
        rc = cs_error(CS_EFORMAT, "'%s':%" PRId64 ": file ends after %" PRId64
                      " indices, header says m = %" PRId64, path, ln, got, f->m);
    else if (f->m > f->n)
        rc = cs_error(CS_EFORMAT, "'%s': header says m = %" PRId64 " of n = %" PRId64, path, f->m,
                      f->n);
out:
    if (rc)
        cs_index_file_release(f);
    return rc;
}

int cs_index_write_npy(const char *path, const int64_t *idx, int64_t m)
{
    if (m < 0)
        return cs_error(CS_EINVAL, "'%s': %" PRId64 " indices", path, m);
    char hdr[128];
    int hl = snprintf(hdr, sizeof hdr,
                      "{'descr': '<i8', 'fortran_order': False, 'shape': (%" PRId64 ",), }", m);
    /* Magic (6) + version (2) + length (2) + header, padded with spaces and
     * ended by a newline to a multiple of 64 bytes, as NumPy writes it. */
    int total = (10 + hl + 1 + 63) / 64 * 64;
    int pad = total - 10 - hl - 1;
    cs_afile af;
    int rc = cs_afile_open(&af, path);
    if (rc)
        return rc;
    unsigned hlen = (unsigned)(total - 10);
    fwrite("\x93NUMPY\x01\x00", 1, 8, af.fp);
    fputc((int)(hlen & 0xff), af.fp);
    fputc((int)(hlen >> 8), af.fp);
    fprintf(af.fp, "%s%*s\n", hdr, pad, "");
    for (int64_t j = 0; j < m; j++) {
        uint64_t v = (uint64_t)idx[j];
        unsigned char b[8];
        for (int k = 0; k < 8; k++)
            b[k] = (unsigned char)(v >> (8 * k));
        fwrite(b, 1, 8, af.fp);
    }
    return cs_afile_commit(&af);
}
