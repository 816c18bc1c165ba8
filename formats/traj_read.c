/* traj_read.c - read and verify a trajectory file (man/coreset-trajectory.5).
 *
 * Frames stream one at a time through three reader-owned buffers (compressed
 * payload, shuffled payload, columns), so memory is O(N).  Every frame is
 * checked three ways before its columns are handed out: the frame header's
 * own checksum (so sizes are trusted only once verified), the compressed
 * payload's checksum, and the decompressed payload's checksum.  A file that
 * ends inside a frame is reported as torn, distinct from damage, because
 * cs_traj_writer_open_append can repair the former. */
#include "traj.h"
#include "traj_columns.h"

#include "../common/err.h"
#include "checksum.h"
#include "../codecs/shuffle.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "trajectory columns are stored little-endian; add byte swaps for this host"
#endif

struct cs_traj_reader {
    int fd;               /* -1 for an in-memory reader */
    const uint8_t *mem;   /* in-memory bytes */
    char *path;
    int64_t size;
    uint32_t version;
    cs_traj_header_info hdr;
    int32_t *labels;
    char *meta;
    uint64_t usize;       /* payload bytes of every frame */
    int64_t pos;          /* offset of the next frame */
    int64_t frame;        /* index of the next frame */
    int64_t nframes;      /* -1 until known */
    cs_traj_frame_info *index;
    int64_t nindex, index_cap;
    uint8_t *cbuf, *shuf, *cols;
    size_t ccap;
    ZSTD_DCtx *dctx;
    int torn;
    int64_t good_end;
};

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

uint64_t cs_traj_payload_size(int64_t n, int32_t num_classes, uint32_t fields)
{
    if (n < 0 || num_classes < 0 || n > ((int64_t)1 << 40) || num_classes > CS_TRAJ_MAX_CLASSES)
        return 0;
    uint64_t total = 0;
    for (int k = 0; k < CS_TRAJ_NUM_COLUMNS; k++) {
        const cs_traj_column *c = &cs_traj_columns[k];
        if (!(fields & c->bit))
            continue;
        uint64_t elems = cs_traj_column_elems(c, n, num_classes), bytes;
        if (__builtin_mul_overflow(elems, (uint64_t)c->width, &bytes) ||
            __builtin_add_overflow(total, bytes, &total))
            return 0;
    }
    return total;
}

uint64_t cs_traj_header_size(int64_t n, size_t meta_len)
{
    uint64_t meta_pad = ((uint64_t)meta_len + 7) & ~(uint64_t)7;
    return CS_TRAJ_FIXED_SIZE + meta_pad + 4 * (uint64_t)n + 8;
}

#define COL_ALIGN 16 /* bytes; the columns' starts in cols */

/* Read exactly len bytes at off (the caller has checked off + len <= size). */
static int read_at(cs_traj_reader *r, int64_t off, void *buf, size_t len)
{
    if (r->fd < 0) {
        memcpy(buf, r->mem + off, len);
        return 0;
    }
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t got = pread(r->fd, p, len, (off_t)off);
        if (got < 0)
            return cs_error_errno(CS_EIO, "cannot read '%s' at offset %lld", r->path, (long long)off);
        if (got == 0)
            return cs_error(CS_EIO, "cannot read '%s' at offset %lld: file shrank while reading", r->path,
                            (long long)off);
        p += got;
        off += got;
        len -= (size_t)got;
    }
    return 0;
}

static int parse_header(cs_traj_reader *r)
{
    uint8_t fixed[CS_TRAJ_FIXED_SIZE];
    uint8_t *buf = NULL;
    int rc;
    size_t have = (size_t)(r->size < CS_TRAJ_FIXED_SIZE ? r->size : CS_TRAJ_FIXED_SIZE);
    memset(fixed, 0, sizeof fixed);
    if ((rc = read_at(r, 0, fixed, have)))
        return rc;
    if (have < 8 || memcmp(fixed, CS_TRAJ_MAGIC, 8))
        return cs_error(CS_EFORMAT, "'%s': not a coreset trajectory file (bad magic)", r->path);
    if (have < CS_TRAJ_FIXED_SIZE)
        return cs_error(CS_EFORMAT, "'%s': header truncated (file is %lld bytes)", r->path, (long long)r->size);
    r->version = get32(fixed + 8);
    if (r->version != CS_TRAJ_VERSION) {
        if (r->version > CS_TRAJ_VERSION)
            return cs_error(CS_EUNSUP,
                            "'%s': trajectory format version %u is newer than this coreset reads (%d)\n"
                            "hint: upgrade coreset to read it",
                            r->path, r->version, CS_TRAJ_VERSION);
        return cs_error(CS_EUNSUP,
                        "'%s': trajectory format version %u is not supported (this coreset reads %d)\n"
                        "hint: the header is damaged or the file was not written by coreset",
                        r->path, r->version, CS_TRAJ_VERSION);
    }
    uint64_t header_size = get32(fixed + 12);
    uint64_t n = get64(fixed + 16);
    uint32_t c = get32(fixed + 24);
    uint32_t fields = get32(fixed + 28);
    uint32_t meta_len = get32(fixed + 32);
    /* Bound n and meta_len by the file size before computing anything from them. */
    if (n > (uint64_t)r->size / 4 || meta_len > CS_TRAJ_MAX_META ||
        header_size != cs_traj_header_size((int64_t)n, meta_len))
        return cs_error(CS_EFORMAT, "'%s': header is damaged (inconsistent sizes)", r->path);
    if (header_size > (uint64_t)r->size)
        return cs_error(CS_EFORMAT, "'%s': header truncated: needs %llu bytes, file is %lld", r->path,
                        (unsigned long long)header_size, (long long)r->size);
    buf = malloc(header_size);
    if (!buf)
        return cs_error(CS_ENOMEM, "'%s': out of memory for the header", r->path);
    if ((rc = read_at(r, 0, buf, header_size)))
        goto out;
    if (cs_xxh64(buf, header_size - 8, 0) != get64(buf + header_size - 8)) {
        rc = cs_error(CS_EFORMAT, "'%s': header checksum mismatch (the file is damaged)", r->path);
        goto out;
    }
    if (n < 1 || c < 1 || c > CS_TRAJ_MAX_CLASSES) {
        rc = cs_error(CS_EFORMAT, "'%s': header says %llu samples and %u classes", r->path,
                      (unsigned long long)n, c);
        goto out;
    }
    if (fields == 0 || (fields & ~(uint32_t)CS_TRAJ_KNOWN)) {
        rc = cs_error(CS_EUNSUP, "'%s': unknown field mask 0x%x\nhint: the file may come from a newer coreset",
                      r->path, fields);
        goto out;
    }
    r->usize = cs_traj_payload_size((int64_t)n, (int32_t)c, fields);
    if (r->usize == 0) {
        rc = cs_error(CS_EFORMAT, "'%s': frames of %llu samples x %u classes are too large", r->path,
                      (unsigned long long)n, c);
        goto out;
    }
    r->meta = malloc(meta_len + 1);
    r->labels = malloc(4 * n);
    if (!r->meta || !r->labels) {
        rc = cs_error(CS_ENOMEM, "'%s': out of memory for the header", r->path);
        goto out;
    }
    memcpy(r->meta, buf + CS_TRAJ_FIXED_SIZE, meta_len);
    r->meta[meta_len] = 0;
    uint64_t lab = CS_TRAJ_FIXED_SIZE + (((uint64_t)meta_len + 7) & ~(uint64_t)7);
    memcpy(r->labels, buf + lab, 4 * n);
    r->hdr.n = (int64_t)n;
    r->hdr.num_classes = (int32_t)c;
    r->hdr.fields = fields;
    r->hdr.labels = r->labels;
    r->hdr.meta = r->meta;
    r->hdr.meta_len = meta_len;
    r->pos = (int64_t)header_size;
    r->good_end = r->pos;
out:
    free(buf);
    return rc;
}

static int reader_new(cs_traj_reader **out, const char *name)
{
    cs_traj_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(name))) {
        free(r);
        return cs_error(CS_ENOMEM, "out of memory");
    }
    r->fd = -1;
    r->nframes = -1;
    *out = r;
    return 0;
}

int cs_traj_reader_open(cs_traj_reader **out, const char *path)
{
    cs_traj_reader *r = NULL;
    struct stat st;
    int rc;
    *out = NULL;
    if ((rc = reader_new(&r, path)))
        return rc;
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        rc = cs_error_errno(CS_EIO, "cannot open '%s'", path);
        goto out;
    }
    if (fstat(r->fd, &st) != 0) {
        rc = cs_error_errno(CS_EIO, "cannot stat '%s'", path);
        goto out;
    }
    r->size = st.st_size;
    rc = parse_header(r);
out:
    if (rc)
        cs_traj_reader_free(r);
    else
        *out = r;
    return rc;
}

int cs_traj_reader_open_mem(cs_traj_reader **out, const void *buf, size_t len, const char *name)
{
    cs_traj_reader *r = NULL;
    int rc;
    *out = NULL;
    if ((rc = reader_new(&r, name)))
        return rc;
    r->mem = buf;
    r->size = (int64_t)len;
    if ((rc = parse_header(r)))
        cs_traj_reader_free(r);
    else
        *out = r;
    return rc;
}

void cs_traj_reader_free(cs_traj_reader *r)
{
    if (!r)
        return;
    if (r->fd >= 0)
        close(r->fd);
    ZSTD_freeDCtx(r->dctx);
    free(r->path);
    free(r->labels);
    free(r->meta);
    free(r->index);
    free(r->cbuf);
    free(r->shuf);
    free(r->cols);
    free(r);
}

const cs_traj_header_info *cs_traj_reader_header(const cs_traj_reader *r)
{
    return &r->hdr;
}

const char *cs_traj_reader_path(const cs_traj_reader *r)
{
    return r->path;
}

int64_t cs_traj_reader_frames(const cs_traj_reader *r)
{
    return r->nframes;
}

int cs_traj_reader_torn(const cs_traj_reader *r, int64_t *good_end)
{
    if (good_end)
        *good_end = r->good_end;
    return r->torn;
}

const cs_traj_frame_info *cs_traj_reader_frame(const cs_traj_reader *r, int64_t k)
{
    return k >= 0 && k < r->nindex ? &r->index[k] : NULL;
}

static int all_zero_from(cs_traj_reader *r, int64_t off)
{
    uint8_t buf[4096];
    while (off < r->size) {
        size_t len = (size_t)(r->size - off < (int64_t)sizeof buf ? r->size - off : (int64_t)sizeof buf);
        if (read_at(r, off, buf, len))
            return 0;
        for (size_t i = 0; i < len; i++)
            if (buf[i])
                return 0;
        off += (int64_t)len;
    }
    return 1;
}

static int torn_error(cs_traj_reader *r, int64_t k, int64_t off, const char *what)
{
    r->torn = 1;
    r->good_end = off;
    return cs_error(CS_EFORMAT,
                    "'%s': file ends inside frame %lld at offset %lld (%s; %lld complete frames before it)\n"
                    "hint: 'coreset score --resume' repairs it by cutting the torn frame",
                    r->path, (long long)k, (long long)off, what, (long long)k);
}

/* Read and verify the header of frame k at off.  1: *fi and sums[] filled;
 * 0: clean end of file; negative: error (torn or damaged). */
static int frame_header(cs_traj_reader *r, int64_t k, int64_t off, cs_traj_frame_info *fi, uint64_t sums[2])
{
    uint8_t h[CS_TRAJ_FRAME_HEADER_SIZE];
    int rc;
    r->torn = 0;
    if (off == r->size) {
        r->good_end = off;
        return 0;
    }
    if (r->size - off < CS_TRAJ_FRAME_HEADER_SIZE)
        return torn_error(r, k, off, "partial frame header");
    if ((rc = read_at(r, off, h, sizeof h)))
        return rc;
    if (memcmp(h, CS_TRAJ_FRAME_MAGIC, 4) || cs_xxh64(h, 48, 0) != get64(h + 48)) {
        /* Unwritten blocks after a power loss read as zeros: that is a torn append too. */
        if (all_zero_from(r, off))
            return torn_error(r, k, off, "zero-filled tail");
        return cs_error(CS_EFORMAT, "'%s': frame %lld at offset %lld: %s", r->path, (long long)k,
                        (long long)off,
                        memcmp(h, CS_TRAJ_FRAME_MAGIC, 4) ? "bad frame magic (damaged or not a frame)"
                                                          : "frame header checksum mismatch");
    }
    fi->offset = off;
    fi->run = (int32_t)get32(h + 8);
    fi->epoch = (int32_t)get32(h + 12);
    fi->usize = get64(h + 16);
    fi->csize = get64(h + 24);
    sums[0] = get64(h + 32);
    sums[1] = get64(h + 40);
    uint32_t seq = get32(h + 4);
    if (seq != (uint64_t)k)
        return cs_error(CS_EFORMAT, "'%s': frame %lld (run %d, epoch %d) at offset %lld: numbered %u, out of sequence",
                        r->path, (long long)k, fi->run, fi->epoch, (long long)off, seq);
    if (fi->usize != r->usize || fi->csize > ZSTD_compressBound(r->usize))
        return cs_error(CS_EFORMAT,
                        "'%s': frame %lld (run %d, epoch %d) at offset %lld: sizes %llu/%llu do not fit "
                        "the header's %lld samples (expected %llu payload bytes)",
                        r->path, (long long)k, fi->run, fi->epoch, (long long)off,
                        (unsigned long long)fi->usize, (unsigned long long)fi->csize, (long long)r->hdr.n,
                        (unsigned long long)r->usize);
    if (fi->csize > (uint64_t)(r->size - off - CS_TRAJ_FRAME_HEADER_SIZE)) {
        char what[96];
        snprintf(what, sizeof what, "run %d, epoch %d: %lld of %llu payload bytes present", fi->run, fi->epoch,
                 (long long)(r->size - off - CS_TRAJ_FRAME_HEADER_SIZE), (unsigned long long)fi->csize);
        return torn_error(r, k, off, what);
    }
    return 1;
}

static int add_index(cs_traj_reader *r, int64_t k, const cs_traj_frame_info *fi)
{
    if (k != r->nindex)
        return 0;
    if (r->nindex == r->index_cap) {
        int64_t cap = r->index_cap ? 2 * r->index_cap : 64;
        cs_traj_frame_info *p = realloc(r->index, (size_t)cap * sizeof *p);
        if (!p)
            return cs_error(CS_ENOMEM, "'%s': out of memory for the frame index", r->path);
        r->index = p;
        r->index_cap = cap;
    }
    r->index[r->nindex++] = *fi;
    return 0;
}

static int ensure_buffers(cs_traj_reader *r, size_t csize, int decode)
{
    if (csize > r->ccap || !r->cbuf) {
        uint8_t *p = realloc(r->cbuf, csize ? csize : 1);
        if (!p)
            return cs_error(CS_ENOMEM, "'%s': out of memory for a frame", r->path);
        r->cbuf = p;
        r->ccap = csize;
    }
    if (decode && !r->cols) {
        r->shuf = malloc(r->usize);
        r->cols = malloc(r->usize + COL_ALIGN * 16); /* room to align every column */
        r->dctx = ZSTD_createDCtx();
        if (!r->shuf || !r->cols || !r->dctx)
            return cs_error(CS_ENOMEM, "'%s': out of memory for a frame of %llu bytes", r->path,
                            (unsigned long long)r->usize);
    }
    return 0;
}

/* Unshuffle the payload into columns and point rec at them.  The payload packs the
 * columns back to back, so a float column after the N-byte correct/used columns can
 * start at an odd offset; each column gets an aligned start in cols instead. */
static void fill_record(cs_traj_reader *r, const cs_traj_frame_info *fi, cs_epoch_record *rec)
{
    memset(rec, 0, sizeof *rec);
    rec->epoch = fi->epoch;
    rec->run = fi->run;
    rec->n = r->hdr.n;
    rec->num_classes = r->hdr.num_classes;
    uint64_t off = 0, dst = 0;
    for (int k = 0; k < CS_TRAJ_NUM_COLUMNS; k++) {
        const cs_traj_column *c = &cs_traj_columns[k];
        if (!(r->hdr.fields & c->bit))
            continue;
        uint64_t elems = cs_traj_column_elems(c, r->hdr.n, r->hdr.num_classes);
        dst = (dst + COL_ALIGN - 1) & ~(uint64_t)(COL_ALIGN - 1);
        if (c->width == 4)
            cs_unshuffle4(r->cols + dst, r->shuf + off, elems);
        else
            memcpy(r->cols + dst, r->shuf + off, elems);
        cs_traj_column_set(rec, c, r->cols + dst);
        off += elems * (uint64_t)c->width;
        dst += elems * (uint64_t)c->width;
    }
}

static int step(cs_traj_reader *r, cs_epoch_record *rec)
{
    cs_traj_frame_info fi;
    uint64_t sums[2];
    int64_t k = r->frame;
    int rc = frame_header(r, k, r->pos, &fi, sums);
    if (rc <= 0) {
        if (rc == 0)
            r->nframes = k;
        return rc;
    }
    if ((rc = ensure_buffers(r, fi.csize, rec != NULL)))
        return rc;
    if ((rc = read_at(r, fi.offset + CS_TRAJ_FRAME_HEADER_SIZE, r->cbuf, fi.csize)))
        return rc;
    if (cs_xxh64(r->cbuf, fi.csize, 0) != sums[1])
        return cs_error(CS_EFORMAT, "'%s': frame %lld (run %d, epoch %d) at offset %lld: checksum mismatch "
                        "(compressed payload)", r->path, (long long)k, fi.run, fi.epoch, (long long)fi.offset);
    if (rec) {
        size_t got = ZSTD_decompressDCtx(r->dctx, r->shuf, r->usize, r->cbuf, fi.csize);
        if (ZSTD_isError(got))
            return cs_error(CS_EFORMAT, "'%s': frame %lld (run %d, epoch %d) at offset %lld: zstd: %s", r->path,
                            (long long)k, fi.run, fi.epoch, (long long)fi.offset, ZSTD_getErrorName(got));
        if (got != r->usize || cs_xxh64(r->shuf, r->usize, 0) != sums[0])
            return cs_error(CS_EFORMAT, "'%s': frame %lld (run %d, epoch %d) at offset %lld: checksum mismatch "
                            "(decompressed payload)", r->path, (long long)k, fi.run, fi.epoch,
                            (long long)fi.offset);
        fill_record(r, &fi, rec);
    }
    if ((rc = add_index(r, k, &fi)))
        return rc;
    r->pos = fi.offset + CS_TRAJ_FRAME_HEADER_SIZE + (int64_t)fi.csize;
    r->good_end = r->pos;
    r->frame = k + 1;
    return 1;
}

int cs_traj_reader_next(cs_traj_reader *r, cs_epoch_record *rec)
{
    return step(r, rec);
}

int cs_traj_reader_skip(cs_traj_reader *r)
{
    return step(r, NULL);
}

int cs_traj_reader_scan(cs_traj_reader *r, int64_t *frames)
{
    int64_t k = r->nindex;
    int64_t off = k ? r->index[k - 1].offset + CS_TRAJ_FRAME_HEADER_SIZE + (int64_t)r->index[k - 1].csize
                    : (int64_t)cs_traj_header_size(r->hdr.n, r->hdr.meta_len);
    for (;; k++) {
        cs_traj_frame_info fi;
        uint64_t sums[2];
        int rc = frame_header(r, k, off, &fi, sums);
        if (rc < 0)
            return rc;
        if (rc == 0)
            break;
        if ((rc = add_index(r, k, &fi)))
            return rc;
        off += CS_TRAJ_FRAME_HEADER_SIZE + (int64_t)fi.csize;
    }
    r->nframes = k;
    if (frames)
        *frames = k;
    return 0;
}

int cs_traj_reader_seek(cs_traj_reader *r, int64_t k)
{
    int rc;
    if (k >= r->nindex && r->nframes < 0 && (rc = cs_traj_reader_scan(r, NULL)))
        return rc;
    if (k < 0 || k > r->nindex)
        return cs_error(CS_EINVAL, "'%s': no frame %lld (the file has %lld)", r->path, (long long)k,
                        (long long)r->nindex);
    r->frame = k;
    r->pos = k < r->nindex ? r->index[k].offset
                           : (r->nindex ? r->index[k - 1].offset + CS_TRAJ_FRAME_HEADER_SIZE +
                                              (int64_t)r->index[k - 1].csize
                                        : (int64_t)cs_traj_header_size(r->hdr.n, r->hdr.meta_len));
    return 0;
}

int cs_traj_bytes_per_sample(const char *path, double *bytes)
{
    cs_traj_reader *r = NULL;
    int64_t frames = 0;
    int rc = cs_traj_reader_open(&r, path);
    if (rc)
        return rc;
    if ((rc = cs_traj_reader_scan(r, &frames)))
        goto out;
    if (frames == 0) {
        rc = cs_error(CS_EINVAL, "'%s': no frames to measure", path);
        goto out;
    }
    double total = 0;
    for (int64_t k = 0; k < frames; k++)
        total += CS_TRAJ_FRAME_HEADER_SIZE + (double)r->index[k].csize;
    *bytes = total / ((double)frames * (double)r->hdr.n);
out:
    cs_traj_reader_free(r);
    return rc;
}
