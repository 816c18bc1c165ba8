/* zip_write.c - streaming writer of stored zip members (see zip_write.h). */
#include "zip_write.h"

#include "../common/err.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define U32_MAX_FIELD 0xffffffffu
/* 1980-01-01 00:00 in DOS format: a fixed time keeps the archive's bytes a
 * function of its contents. */
#define DOS_TIME 0
#define DOS_DATE ((0 << 9) | (1 << 5) | 1)

typedef struct zipw_member {
    char *name;
    uint32_t crc;
    uint64_t size;
    uint64_t off; /* of the local header */
} zipw_member;

struct cs_zipw {
    FILE *fp;
    const char *path;
    zipw_member *m;
    int count, cap;
    int open;          /* a member is being written */
    uint64_t pos;      /* bytes written so far */
    uint64_t written;  /* bytes of the open member */
    uint32_t crc;
};

typedef struct bytes {
    uint8_t b[128];
    size_t n;
} bytes;

static void put16(bytes *o, unsigned v)
{
    o->b[o->n++] = (uint8_t)v;
    o->b[o->n++] = (uint8_t)(v >> 8);
}

static void put32(bytes *o, uint32_t v)
{
    put16(o, v & 0xffff);
    put16(o, v >> 16);
}

static void put64(bytes *o, uint64_t v)
{
    put32(o, (uint32_t)v);
    put32(o, (uint32_t)(v >> 32));
}

static int emit(cs_zipw *z, const void *buf, size_t n)
{
    if (n && fwrite(buf, 1, n, z->fp) != n)
        return cs_error_errno(CS_EIO, "cannot write '%s'", z->path);
    z->pos += n;
    return 0;
}

int cs_zipw_create(cs_zipw **out, FILE *fp, const char *path)
{
    cs_zipw *z = cs_calloc(1, sizeof *z);
    if (!z)
        return CS_ENOMEM;
    z->fp = fp;
    z->path = path;
    *out = z;
    return 0;
}

void cs_zipw_free(cs_zipw *z)
{
    if (!z)
        return;
    for (int i = 0; i < z->count; i++)
        free(z->m[i].name);
    free(z->m);
    free(z);
}

int cs_zipw_begin(cs_zipw *z, const char *name, uint64_t size)
{
    size_t nlen = strlen(name);
    if (z->open || nlen == 0 || nlen > 0xffff)
        return cs_error(CS_EINVAL, "'%s': bad zip member '%s'", z->path, name);
    if (z->count == z->cap) {
        int cap = z->cap ? 2 * z->cap : 16;
        zipw_member *grown = realloc(z->m, (size_t)cap * sizeof *grown);
        if (!grown)
            return cs_error(CS_ENOMEM, "out of memory writing '%s'", z->path);
        z->m = grown;
        z->cap = cap;
    }
    zipw_member *m = &z->m[z->count];
    if (!(m->name = strdup(name)))
        return cs_error(CS_ENOMEM, "out of memory writing '%s'", z->path);
    z->count++;
    m->size = size;
    m->off = z->pos;
    m->crc = 0;
    int big = size >= U32_MAX_FIELD;
    bytes h = {.n = 0};
    put32(&h, 0x04034b50);
    put16(&h, big ? 45 : 20);
    put16(&h, 0);
    put16(&h, 0);
    put16(&h, DOS_TIME);
    put16(&h, DOS_DATE);
    put32(&h, 0); /* CRC, patched by cs_zipw_end */
    put32(&h, big ? U32_MAX_FIELD : (uint32_t)size);
    put32(&h, big ? U32_MAX_FIELD : (uint32_t)size);
    put16(&h, (unsigned)nlen);
    put16(&h, big ? 20 : 0);
    bytes x = {.n = 0};
    if (big) {
        put16(&x, 1);
        put16(&x, 16);
        put64(&x, size);
        put64(&x, size);
    }
    int rc;
    if ((rc = emit(z, h.b, h.n)) || (rc = emit(z, name, nlen)) || (rc = emit(z, x.b, x.n)))
        return rc;
    z->open = 1;
    z->written = 0;
    z->crc = (uint32_t)crc32(0L, Z_NULL, 0);
    return 0;
}

int cs_zipw_write(cs_zipw *z, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    if (!z->open || z->written + n > z->m[z->count - 1].size)
        return cs_error(CS_EINTERNAL, "'%s': member '%s': more bytes than announced", z->path,
                        z->count ? z->m[z->count - 1].name : "?");
    for (size_t done = 0; done < n;) {
        size_t step = n - done > (1u << 30) ? (1u << 30) : n - done;
        z->crc = (uint32_t)crc32(z->crc, p + done, (uInt)step);
        done += step;
    }
    z->written += n;
    return emit(z, buf, n);
}

int cs_zipw_end(cs_zipw *z)
{
    zipw_member *m = &z->m[z->count - 1];
    if (!z->open || z->written != m->size)
        return cs_error(CS_EINTERNAL, "'%s': member '%s': %llu bytes written, %llu announced",
                        z->path, m->name, (unsigned long long)z->written,
                        (unsigned long long)m->size);
    m->crc = z->crc;
    z->open = 0;
    bytes c = {.n = 0};
    put32(&c, m->crc);
    if (fseeko(z->fp, (off_t)(m->off + 14), SEEK_SET) != 0 || fwrite(c.b, 1, 4, z->fp) != 4 ||
        fseeko(z->fp, (off_t)z->pos, SEEK_SET) != 0)
        return cs_error_errno(CS_EIO, "cannot write '%s'", z->path);
    return 0;
}

int cs_zipw_finish(cs_zipw *z)
{
    if (z->open)
        return cs_error(CS_EINTERNAL, "'%s': a member is still open", z->path);
    uint64_t cd_off = z->pos;
    int rc;
    for (int i = 0; i < z->count; i++) {
        const zipw_member *m = &z->m[i];
        int big = m->size >= U32_MAX_FIELD, far = m->off >= U32_MAX_FIELD;
        bytes x = {.n = 0};
        if (big || far) {
            put16(&x, 1);
            put16(&x, (big ? 16 : 0) + (far ? 8 : 0));
            if (big) {
                put64(&x, m->size);
                put64(&x, m->size);
            }
            if (far)
                put64(&x, m->off);
        }
        int v = big || far ? 45 : 20;
        bytes h = {.n = 0};
        put32(&h, 0x02014b50);
        put16(&h, (3u << 8) | (unsigned)v); /* made by: unix */
        put16(&h, (unsigned)v);
        put16(&h, 0);
        put16(&h, 0);
        put16(&h, DOS_TIME);
        put16(&h, DOS_DATE);
        put32(&h, m->crc);
        put32(&h, big ? U32_MAX_FIELD : (uint32_t)m->size);
        put32(&h, big ? U32_MAX_FIELD : (uint32_t)m->size);
        put16(&h, (unsigned)strlen(m->name));
        put16(&h, (unsigned)x.n);
        put16(&h, 0);
        put16(&h, 0);
        put16(&h, 0);
        put32(&h, 0100644u << 16);
        put32(&h, far ? U32_MAX_FIELD : (uint32_t)m->off);
        if ((rc = emit(z, h.b, h.n)) || (rc = emit(z, m->name, strlen(m->name))) ||
            (rc = emit(z, x.b, x.n)))
            return rc;
    }
    uint64_t cd_size = z->pos - cd_off;
    int z64 = z->count >= 0xffff || cd_off >= U32_MAX_FIELD || cd_size >= U32_MAX_FIELD;
    bytes e = {.n = 0};
    if (z64) {
        uint64_t rec = z->pos;
        put32(&e, 0x06064b50);
        put64(&e, 44);
        put16(&e, 45);
        put16(&e, 45);
        put32(&e, 0);
        put32(&e, 0);
        put64(&e, (uint64_t)z->count);
        put64(&e, (uint64_t)z->count);
        put64(&e, cd_size);
        put64(&e, cd_off);
        put32(&e, 0x07064b50);
        put32(&e, 0);
        put64(&e, rec);
        put32(&e, 1);
    }
    put32(&e, 0x06054b50);
    put16(&e, 0);
    put16(&e, 0);
    put16(&e, z64 ? 0xffff : (unsigned)z->count);
    put16(&e, z64 ? 0xffff : (unsigned)z->count);
    put32(&e, cd_size >= U32_MAX_FIELD ? U32_MAX_FIELD : (uint32_t)cd_size);
    put32(&e, cd_off >= U32_MAX_FIELD ? U32_MAX_FIELD : (uint32_t)cd_off);
    put16(&e, 0);
    return emit(z, e.b, e.n);
}
