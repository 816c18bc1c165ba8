/* zip.c - central directory parsing and member extraction (zlib inflate).
 *
 * Every length and offset read from the archive is checked against the
 * archive's size before use, and a deflated member may not claim more than
 * the deflate format can expand to, so a hostile archive cannot make us read
 * out of bounds or allocate without limit. */
#include "zip.h"

#include "../common/err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

struct cs_zip {
    char *name;
    int fd;
    const uint8_t *mem;
    uint64_t len;
    int n;
    zip_member *m;
};

enum { MODE_PREFIX, MODE_WHOLE, MODE_VERIFY };
#define DEFLATE_MAX_RATIO 1032u /* deflate expands at most ~1032:1 */

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static int raw_read(const cs_zip *z, uint64_t off, void *buf, size_t n)
{
    if (off > z->len || n > z->len - off)
        return cs_error(CS_EFORMAT, "'%s': truncated zip archive", z->name);
    if (z->mem) {
        memcpy(buf, z->mem + off, n);
        return 0;
    }
    uint8_t *p = buf;
    while (n) {
        ssize_t r = pread(z->fd, p, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return cs_error_errno(CS_EIO, "cannot read '%s'", z->name);
        if (r == 0)
            return cs_error(CS_EFORMAT, "'%s': truncated zip archive", z->name);
        p += r, n -= (size_t)r, off += (uint64_t)r;
    }
    return 0;
}

/* Zip64 extra field: the 64-bit values of whichever fields were 0xffffffff. */
static int apply_zip64(cs_zip *z, zip_member *m, const uint8_t *ex, size_t elen, int want_u,
                       int want_c, int want_o)
{
    size_t i = 0;
    while (i + 4 <= elen) {
        uint16_t id = le16(ex + i), sz = le16(ex + i + 2);
        if (i + 4 + sz > elen)
            break;
        if (id == 1) {
            const uint8_t *p = ex + i + 4, *e = p + sz;
            if (want_u) {
                if (p + 8 > e)
                    break;
                m->size = le64(p), p += 8;
            }
            if (want_c) {
                if (p + 8 > e)
                    break;
                m->comp_size = le64(p), p += 8;
            }
            if (want_o) {
                if (p + 8 > e)
                    break;
                m->local_off = le64(p);
            }
            return 0;
        }
        i += 4 + (size_t)sz;
    }
    return cs_error(CS_EFORMAT, "'%s': member '%s': bad zip64 extra field", z->name, m->name);
}

static int parse_central(cs_zip *z, const uint8_t *cd, uint64_t cd_size, uint64_t count)
{
    if (count > cd_size / 46)
        return cs_error(CS_EFORMAT, "'%s': zip central directory claims %llu members in %llu bytes",
                        z->name, (unsigned long long)count, (unsigned long long)cd_size);
    z->m = cs_calloc((size_t)count, sizeof *z->m);
    if (!z->m)
        return CS_ENOMEM;
    uint64_t p = 0;
    for (uint64_t k = 0; k < count; k++) {
        if (p + 46 > cd_size || le32(cd + p) != 0x02014b50)
            return cs_error(CS_EFORMAT, "'%s': bad zip central directory signature", z->name);
        const uint8_t *h = cd + p;
        uint16_t flags = le16(h + 8), nlen = le16(h + 28), elen = le16(h + 30), clen = le16(h + 32);
        if (p + 46 + nlen + elen + clen > cd_size)
            return cs_error(CS_EFORMAT, "'%s': truncated zip central directory", z->name);
        zip_member *m = &z->m[z->n];
        m->name = cs_malloc((size_t)nlen + 1);
        if (!m->name)
            return CS_ENOMEM;
        memcpy(m->name, h + 46, nlen);
        m->name[nlen] = 0;
        z->n++;
        m->method = le16(h + 10);
        m->crc = le32(h + 16);
        m->comp_size = le32(h + 20);
        m->size = le32(h + 24);
        m->local_off = le32(h + 42);
        int wu = m->size == 0xffffffffu, wc = m->comp_size == 0xffffffffu,
            wo = m->local_off == 0xffffffffu;
        if ((wu || wc || wo) && apply_zip64(z, m, h + 46 + nlen, elen, wu, wc, wo))
            return CS_EFORMAT;
        if (flags & 1)
            return cs_error(CS_EUNSUP, "'%s': member '%s' is encrypted", z->name, m->name);
        p += 46u + nlen + elen + clen;
    }
    return 0;
}

static int zip_load(cs_zip *z)
{
    uint8_t *tail = NULL, *cd = NULL;
    int rc;
    if (z->len < 22) {
        rc = cs_error(CS_EFORMAT, "'%s': not a zip archive (too short)", z->name);
        goto out;
    }
    size_t tl = z->len < 65557 ? (size_t)z->len : 65557;
    uint64_t tail_off = z->len - tl;
    tail = cs_malloc(tl);
    if (!tail) {
        rc = CS_ENOMEM;
        goto out;
    }
    if ((rc = raw_read(z, tail_off, tail, tl)))
        goto out;
    size_t e = tl - 22 + 1;
    while (e-- > 0)
        if (le32(tail + e) == 0x06054b50)
            break;
    if (e == (size_t)-1) {
        rc = cs_error(CS_EFORMAT, "'%s': not a zip archive (no end of central directory)",
                      z->name);
        goto out;
    }
    uint64_t count = le16(tail + e + 10), cd_size = le32(tail + e + 12),
             cd_off = le32(tail + e + 16);
    if (count == 0xffff || cd_size == 0xffffffffu || cd_off == 0xffffffffu) {
        uint8_t loc[20], e64[56];
        uint64_t eo = tail_off + e;
        if (eo < 20 || (rc = raw_read(z, eo - 20, loc, 20)) || le32(loc) != 0x07064b50) {
            rc = cs_error(CS_EFORMAT, "'%s': bad zip64 end of central directory locator", z->name);
            goto out;
        }
        if ((rc = raw_read(z, le64(loc + 8), e64, 56)) || le32(e64) != 0x06064b50) {
            rc = cs_error(CS_EFORMAT, "'%s': bad zip64 end of central directory", z->name);
            goto out;
        }
        count = le64(e64 + 32), cd_size = le64(e64 + 40), cd_off = le64(e64 + 48);
    }
    if (cd_off > z->len || cd_size > z->len - cd_off) {
        rc = cs_error(CS_EFORMAT, "'%s': zip central directory lies outside the file (truncated?)",
                      z->name);
        goto out;
    }
    cd = cs_malloc((size_t)cd_size);
    if (!cd) {
        rc = CS_ENOMEM;
        goto out;
    }
    if ((rc = raw_read(z, cd_off, cd, (size_t)cd_size)))
        goto out;
    rc = parse_central(z, cd, cd_size, count);
out:
    free(tail);
    free(cd);
    return rc;
}

static int zip_new(cs_zip **out, const char *name)
{
    *out = NULL;
    cs_zip *z = cs_calloc(1, sizeof *z);
    if (!z)
        return CS_ENOMEM;
    z->fd = -1;
    z->name = strdup(name);
    if (!z->name) {
        free(z);
        return cs_error(CS_ENOMEM, "out of memory");
    }
    *out = z;
    return 0;
}

int zip_open_file(cs_zip **out, const char *path)
{
    cs_zip *z;
    int rc = zip_new(&z, path);
    if (rc)
        return rc;
    struct stat st;
    z->fd = open(path, O_RDONLY);
    if (z->fd < 0) {
        rc = cs_error_errno(CS_EIO, "cannot open '%s'", path);
        goto out;
    }
    if (fstat(z->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = cs_error(CS_EIO, "cannot read '%s': not a regular file", path);
        goto out;
    }
    z->len = (uint64_t)st.st_size;
    rc = zip_load(z);
out:
    if (rc)
        zip_free(z);
    else
        *out = z;
    return rc;
}

int zip_open_mem(cs_zip **out, const uint8_t *buf, size_t len, const char *name)
{
    cs_zip *z;
    int rc = zip_new(&z, name);
    if (rc)
        return rc;
    z->mem = buf;
    z->len = len;
    if ((rc = zip_load(z)))
        zip_free(z);
    else
        *out = z;
    return rc;
}

void zip_free(cs_zip *z)
{
    if (!z)
        return;
    for (int i = 0; i < z->n; i++)
        free(z->m[i].name);
    free(z->m);
    if (z->fd >= 0)
        close(z->fd);
    free(z->name);
    free(z);
}

int zip_count(const cs_zip *z) { return z->n; }
const zip_member *zip_member_at(const cs_zip *z, int i) { return &z->m[i]; }
int zip_fd(const cs_zip *z) { return z->mem ? -1 : z->fd; }

int zip_find(const cs_zip *z, const char *name)
{
    for (int i = 0; i < z->n; i++)
        if (strcmp(z->m[i].name, name) == 0)
            return i;
    return -1;
}

int zip_member_offset(cs_zip *z, int i, uint64_t *off)
{
    const zip_member *m = &z->m[i];
    uint8_t h[30];
    int rc = raw_read(z, m->local_off, h, sizeof h);
    if (rc || le32(h) != 0x04034b50)
        return cs_error(CS_EFORMAT, "'%s': member '%s': bad local header signature", z->name,
                        m->name);
    uint64_t o = m->local_off + 30 + le16(h + 26) + le16(h + 28);
    if (o > z->len || m->comp_size > z->len - o)
        return cs_error(CS_EFORMAT, "'%s': member '%s' is truncated", z->name, m->name);
    if (m->method == 0 && m->comp_size != m->size)
        return cs_error(CS_EFORMAT, "'%s': stored member '%s' has mismatched sizes", z->name,
                        m->name);
    if (m->method == 8 && m->size > m->comp_size * DEFLATE_MAX_RATIO + 1024)
        return cs_error(CS_EFORMAT, "'%s': member '%s' claims an implausible size", z->name,
                        m->name);
    if (m->method != 0 && m->method != 8)
        return cs_error(CS_EUNSUP, "'%s': member '%s' uses compression method %d (want stored or "
                        "deflated)", z->name, m->name, m->method);
    *off = o;
    return 0;
}

static int check_end(cs_zip *z, const zip_member *m, uint64_t total, uint32_t crc)
{
    if (total != m->size)
        return cs_error(CS_EFORMAT, "'%s': member '%s' holds %llu bytes, directory says %llu",
                        z->name, m->name, (unsigned long long)total, (unsigned long long)m->size);
    if (crc != m->crc)
        return cs_error(CS_EFORMAT, "'%s': member '%s': CRC mismatch (corrupt data)", z->name,
                        m->name);
    return 0;
}

static int run_stored(cs_zip *z, const zip_member *m, uint64_t off, uint8_t *out, size_t cap,
                      int mode)
{
    if (mode != MODE_VERIFY) {
        int rc = raw_read(z, off, out, cap);
        if (rc || mode == MODE_PREFIX)
            return rc;
        return check_end(z, m, cap, (uint32_t)crc32(0, out, (uInt)cap));
    }
    uLong crc = crc32(0, NULL, 0);
    for (uint64_t done = 0; done < m->size;) {
        size_t k = m->size - done < cap ? (size_t)(m->size - done) : cap;
        int rc = raw_read(z, off + done, out, k);
        if (rc)
            return rc;
        crc = crc32(crc, out, (uInt)k);
        done += k;
    }
    return check_end(z, m, m->size, (uint32_t)crc);
}

static int run_deflated(cs_zip *z, const zip_member *m, uint64_t off, uint8_t *out, size_t cap,
                        int mode)
{
    uint8_t inbuf[1 << 16], spare;
    z_stream s;
    memset(&s, 0, sizeof s);
    if (inflateInit2(&s, -15) != Z_OK)
        return cs_error(CS_EINTERNAL, "zlib: inflateInit2 failed");
    uint64_t in_left = m->comp_size, total = 0;
    uLong crc = crc32(0, NULL, 0);
    int rc = 0, overflow = 0;
    s.next_out = out;
    s.avail_out = (uInt)cap;
    for (;;) {
        if (s.avail_in == 0 && in_left) {
            size_t k = in_left < sizeof inbuf ? (size_t)in_left : sizeof inbuf;
            if ((rc = raw_read(z, off, inbuf, k)))
                goto out;
            off += k, in_left -= k;
            s.next_in = inbuf;
            s.avail_in = (uInt)k;
        }
        uint8_t *before = s.next_out;
        int r = inflate(&s, Z_NO_FLUSH);
        size_t produced = (size_t)(s.next_out - before);
        if (overflow && produced) {
            rc = cs_error(CS_EFORMAT, "'%s': member '%s' inflates to more than %llu bytes",
                          z->name, m->name, (unsigned long long)m->size);
            goto out;
        }
        crc = crc32(crc, before, (uInt)produced);
        total += produced;
        if (r == Z_STREAM_END)
            break;
        if (r != Z_OK && r != Z_BUF_ERROR) {
            rc = cs_error(CS_EFORMAT, "'%s': member '%s': corrupt deflate data (%s)", z->name,
                          m->name, s.msg ? s.msg : "inflate failed");
            goto out;
        }
        if (s.avail_out == 0) {
            if (mode == MODE_PREFIX)
                goto out;
            if (mode == MODE_VERIFY) {
                s.next_out = out;
                s.avail_out = (uInt)cap;
            } else {
                overflow = 1; /* the stream must end without more output */
                s.next_out = &spare;
                s.avail_out = 1;
            }
        } else if (r == Z_BUF_ERROR && s.avail_in == 0 && in_left == 0) {
            rc = cs_error(CS_EFORMAT, "'%s': member '%s': deflate data ends early (truncated)",
                          z->name, m->name);
            goto out;
        }
    }
    if (mode == MODE_PREFIX && total < cap)
        rc = cs_error(CS_EFORMAT, "'%s': member '%s' is shorter than %zu bytes", z->name, m->name,
                      cap);
    else if (mode != MODE_PREFIX)
        rc = check_end(z, m, total, (uint32_t)crc);
out:
    inflateEnd(&s);
    return rc;
}

static int run_member(cs_zip *z, int i, uint8_t *out, size_t cap, int mode)
{
    uint64_t off;
    int rc = zip_member_offset(z, i, &off);
    if (rc)
        return rc;
    const zip_member *m = &z->m[i];
    return m->method == 0 ? run_stored(z, m, off, out, cap, mode)
                          : run_deflated(z, m, off, out, cap, mode);
}

int zip_extract(cs_zip *z, int i, uint8_t **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    uint64_t off;
    int rc = zip_member_offset(z, i, &off);
    if (rc)
        return rc;
    const zip_member *m = &z->m[i];
    if (m->size > SIZE_MAX - 1)
        return cs_error(CS_EUNSUP, "'%s': member '%s' is too large", z->name, m->name);
    uint8_t *b = cs_malloc((size_t)m->size);
    if (!b)
        return CS_ENOMEM;
    if ((rc = run_member(z, i, b, (size_t)m->size, MODE_WHOLE))) {
        free(b);
        return rc;
    }
    *buf = b;
    *len = (size_t)m->size;
    return 0;
}

int zip_read_prefix(cs_zip *z, int i, uint8_t *buf, size_t n)
{
    if (n > z->m[i].size)
        return cs_error(CS_EFORMAT, "'%s': member '%s' is shorter than %zu bytes", z->name,
                        z->m[i].name, n);
    if (n == 0)
        return 0;
    return run_member(z, i, buf, n, MODE_PREFIX);
}

int zip_verify(cs_zip *z, int i)
{
    uint8_t *scratch = cs_malloc(1 << 16);
    if (!scratch)
        return CS_ENOMEM;
    int rc = run_member(z, i, scratch, 1 << 16, MODE_VERIFY);
    free(scratch);
    return rc;
}
