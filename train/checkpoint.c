/* checkpoint.c - write and verify training checkpoints (layout in checkpoint.h). */
#include "checkpoint.h"

#include "../common/err.h"
#include "../common/fsio.h"
#include "../formats/checksum.h"
#include "../formats/traj.h"

#include <stdlib.h>
#include <string.h>

#define MAGIC "CSCKPT\r\n"
#define HEADER_SIZE 128

/* A byte sink that hashes what it writes (XXH64 over the whole stream is
 * computed at the end from a copy: files are at most a few hundred MB). */
typedef struct sink {
    uint8_t *buf;
    size_t len, cap;
    int oom;
} sink;

static void put(sink *s, const void *p, size_t n)
{
    if (s->oom)
        return;
    if (s->len + n > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + n)
            cap *= 2;
        uint8_t *nb = realloc(s->buf, cap);
        if (!nb) {
            s->oom = 1;
            return;
        }
        s->buf = nb;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
}

static void put_u32(sink *s, uint32_t v) { put(s, &v, 4); }
static void put_u64(sink *s, uint64_t v) { put(s, &v, 8); }

/* Columns of a record in a fixed order: six float columns, two byte columns, probs. */
static size_t record_bytes(uint32_t fields, int64_t n, int32_t c)
{
    size_t b = 0;
    for (int i = 0; i < 6; i++)
        if (fields & (1u << i))
            b += 4 * (size_t)n;
    for (int i = 6; i < 8; i++)
        if (fields & (1u << i))
            b += (size_t)n;
    if (fields & CS_TRAJ_PROBS)
        b += 4 * (size_t)n * (size_t)c;
    return b;
}

static float **float_col(cs_epoch_record *r, int i)
{
    float **cols[6] = {&r->err, &r->conf, &r->margin, &r->entropy, &r->loss, &r->focus};
    return cols[i];
}

static uint8_t **byte_col(cs_epoch_record *r, int i) { return i == 6 ? &r->correct : &r->used; }

int cs_ckpt_write(const char *path, const cs_ckpt *c)
{
    sink s = {0};
    cs_epoch_record rec = c->rec;
    put(&s, MAGIC, 8);
    put_u32(&s, CS_CKPT_VERSION);
    put_u32(&s, HEADER_SIZE);
    put(&s, &c->run, 4);
    put(&s, &c->epoch, 4);
    put(&s, &c->iter, 8);
    put(&s, &c->backprop, 8);
    put(&s, c->rng, 32);
    put_u64(&s, c->num_state);
    put_u64(&s, c->num_moments);
    put(&s, &c->optim_steps, 8);
    put(&s, &c->wall_seconds, 8);
    put_u32(&s, c->rec_fields);
    put(&s, &rec.epoch, 4);
    put(&s, &rec.run, 4);
    put(&s, &rec.num_classes, 4);
    int64_t rn = c->rec_fields ? rec.n : 0;
    put(&s, &rn, 8);
    uint8_t zero[HEADER_SIZE] = {0};
    put(&s, zero, HEADER_SIZE - s.len);
    put(&s, c->state, 4 * c->num_state);
    put(&s, c->moments, 4 * c->num_moments);
    for (int i = 0; i < 6; i++)
        if (c->rec_fields & (1u << i))
            put(&s, *float_col(&rec, i), 4 * (size_t)rn);
    for (int i = 6; i < 8; i++)
        if (c->rec_fields & (1u << i))
            put(&s, *byte_col(&rec, i), (size_t)rn);
    if (c->rec_fields & CS_TRAJ_PROBS)
        put(&s, rec.probs, 4 * (size_t)rn * (size_t)rec.num_classes);
    if (s.oom) {
        free(s.buf);
        return cs_error(CS_ENOMEM, "out of memory writing '%s'", path);
    }
    uint64_t h = cs_xxh64(s.buf, s.len, 0);
    put_u64(&s, h);
    cs_afile af;
    int rc = cs_afile_open(&af, path);
    if (!rc && fwrite(s.buf, 1, s.len, af.fp) != s.len) {
        rc = cs_error_errno(CS_EIO, "cannot write '%s'", path);
        cs_afile_abort(&af);
    } else if (!rc) {
        rc = cs_afile_commit(&af);
    }
    free(s.buf);
    return rc;
}

void cs_ckpt_release(cs_ckpt *c)
{
    free(c->state);
    free(c->moments);
    for (int i = 0; i < 6; i++)
        free(*float_col(&c->rec, i));
    for (int i = 6; i < 8; i++)
        free(*byte_col(&c->rec, i));
    free(c->rec.probs);
    memset(c, 0, sizeof *c);
}

int cs_ckpt_read(const char *path, cs_ckpt *c)
{
    memset(c, 0, sizeof *c);
    uint8_t *b;
    size_t len;
    int rc = cs_read_file(path, &b, &len);
    if (rc)
        return rc;
    const uint8_t *p = b + 16;
    uint32_t version;
    int64_t rn;
    if (len < HEADER_SIZE + 8 || memcmp(b, MAGIC, 8) != 0) {
        rc = cs_error(CS_EFORMAT, "'%s' is not a coreset checkpoint (bad magic or too short)", path);
        goto out;
    }
    memcpy(&version, b + 8, 4);
    if (version != CS_CKPT_VERSION) {
        rc = cs_error(CS_EFORMAT, "'%s': checkpoint version %u, this coreset reads version %d", path, version,
                      CS_CKPT_VERSION);
        goto out;
    }
    uint64_t want;
    memcpy(&want, b + len - 8, 8);
    if (cs_xxh64(b, len - 8, 0) != want) {
        rc = cs_error(CS_EFORMAT, "'%s': checksum mismatch (damaged checkpoint)", path);
        goto out;
    }
#define GET(dst, n) (memcpy((dst), p, (n)), p += (n))
    GET(&c->run, 4);
    GET(&c->epoch, 4);
    GET(&c->iter, 8);
    GET(&c->backprop, 8);
    GET(c->rng, 32);
    GET(&c->num_state, 8);
    GET(&c->num_moments, 8);
    GET(&c->optim_steps, 8);
    GET(&c->wall_seconds, 8);
    GET(&c->rec_fields, 4);
    GET(&c->rec.epoch, 4);
    GET(&c->rec.run, 4);
    GET(&c->rec.num_classes, 4);
    GET(&rn, 8);
    p = b + HEADER_SIZE;
    if (rn < 0 || c->rec.num_classes < 0 || c->num_state > len || c->num_moments > len ||
        HEADER_SIZE + 4 * (c->num_state + c->num_moments) +
                record_bytes(c->rec_fields, rn, c->rec.num_classes) + 8 != len) {
        rc = cs_error(CS_EFORMAT, "'%s': sizes in the header do not match the file length", path);
        goto out;
    }
    c->rec.n = rn;
    c->state = cs_malloc(4 * c->num_state);
    c->moments = cs_malloc(4 * c->num_moments);
    if (!c->state || !c->moments) {
        rc = CS_ENOMEM;
        goto out;
    }
    GET(c->state, 4 * c->num_state);
    GET(c->moments, 4 * c->num_moments);
    for (int i = 0; i < 6; i++)
        if (c->rec_fields & (1u << i)) {
            if (!(*float_col(&c->rec, i) = cs_malloc(4 * (size_t)rn))) {
                rc = CS_ENOMEM;
                goto out;
            }
            GET(*float_col(&c->rec, i), 4 * (size_t)rn);
        }
    for (int i = 6; i < 8; i++)
        if (c->rec_fields & (1u << i)) {
            if (!(*byte_col(&c->rec, i) = cs_malloc((size_t)rn))) {
                rc = CS_ENOMEM;
                goto out;
            }
            GET(*byte_col(&c->rec, i), (size_t)rn);
        }
    if (c->rec_fields & CS_TRAJ_PROBS) {
        size_t n = 4 * (size_t)rn * (size_t)c->rec.num_classes;
        if (!(c->rec.probs = cs_malloc(n))) {
            rc = CS_ENOMEM;
            goto out;
        }
        GET(c->rec.probs, n);
    }
#undef GET
out:
    free(b);
    if (rc)
        cs_ckpt_release(c);
    return rc;
}
