/* traj_write.c - create, resume and append to a trajectory file
 * (man/coreset-trajectory.5).
 *
 * The header is written once through cs_afile (temp + fsync + rename), so a
 * trajectory either exists with a whole header or not at all.  Each frame is
 * then built in memory and written with one pwrite at the end of the last
 * complete frame, then fdatasync'd: a crash can only leave a torn tail after
 * intact frames, which open_append cuts off.  Frames are deterministic in
 * their inputs, so a resumed file is byte-identical to an uninterrupted one. */
#include "traj.h"
#include "traj_columns.h"

#include "../common/err.h"
#include "../common/fsio.h"
#include "checksum.h"
#include "../codecs/shuffle.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#define DEFAULT_LEVEL 3

struct cs_traj_writer {
    int fd;
    char *path;
    int64_t n;
    int32_t num_classes;
    uint32_t fields;
    uint64_t usize;
    int level;
    int64_t frames;
    int64_t end; /* offset just past the last complete frame */
    int broken;  /* a failed append: refuse more */
    uint8_t *shuf, *fbuf;
    size_t fcap;
    ZSTD_CCtx *cctx;
};

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static int check_info(const char *path, const cs_traj_header_info *info)
{
    if (info->n < 1 || info->num_classes < 1 || info->num_classes > CS_TRAJ_MAX_CLASSES)
        return cs_error(CS_EINVAL, "'%s': cannot write a trajectory of %lld samples and %d classes", path,
                        (long long)info->n, info->num_classes);
    if (info->fields == 0 || (info->fields & ~(uint32_t)CS_TRAJ_KNOWN))
        return cs_error(CS_EINVAL, "'%s': bad field mask 0x%x", path, info->fields);
    if (!info->labels || (info->meta_len && !info->meta) || info->meta_len > CS_TRAJ_MAX_META)
        return cs_error(CS_EINVAL, "'%s': header needs labels and at most %u bytes of metadata", path,
                        CS_TRAJ_MAX_META);
    if (cs_traj_payload_size(info->n, info->num_classes, info->fields) == 0)
        return cs_error(CS_EINVAL, "'%s': frames of %lld samples x %d classes are too large", path,
                        (long long)info->n, info->num_classes);
    if (info->zstd_level && (info->zstd_level < ZSTD_minCLevel() || info->zstd_level > ZSTD_maxCLevel()))
        return cs_error(CS_EINVAL, "zstd level %d is out of range [%d, %d]", info->zstd_level, ZSTD_minCLevel(),
                        ZSTD_maxCLevel());
    return 0;
}

/* A writer positioned at `end` of an existing file. */
static int writer_new(cs_traj_writer **out, const char *path, const cs_traj_header_info *info, int level,
                      int64_t end, int64_t frames)
{
    int rc = 0;
    cs_traj_writer *w = calloc(1, sizeof *w);
    if (!w)
        return cs_error(CS_ENOMEM, "out of memory");
    w->fd = -1;
    w->path = strdup(path);
    w->n = info->n;
    w->num_classes = info->num_classes;
    w->fields = info->fields;
    w->usize = cs_traj_payload_size(info->n, info->num_classes, info->fields);
    w->level = level ? level : DEFAULT_LEVEL;
    w->end = end;
    w->frames = frames;
    w->fcap = CS_TRAJ_FRAME_HEADER_SIZE + ZSTD_compressBound(w->usize);
    w->shuf = malloc(w->usize);
    w->fbuf = malloc(w->fcap);
    w->cctx = ZSTD_createCCtx();
    if (!w->path || !w->shuf || !w->fbuf || !w->cctx) {
        rc = cs_error(CS_ENOMEM, "'%s': out of memory for frames of %llu bytes", path,
                      (unsigned long long)w->usize);
        goto out;
    }
    w->fd = open(path, O_WRONLY | O_CLOEXEC);
    if (w->fd < 0)
        rc = cs_error_errno(CS_EIO, "cannot open '%s' for writing", path);
out:
    if (rc)
        cs_traj_writer_close(w);
    else
        *out = w;
    return rc;
}

int cs_traj_writer_create(cs_traj_writer **out, const char *path, const cs_traj_header_info *info)
{
    cs_afile af = {0};
    uint8_t *buf = NULL;
    int rc;
    *out = NULL;
    if ((rc = check_info(path, info)))
        return rc;
    if (cs_path_exists(path))
        return cs_error(CS_EINVAL, "'%s' already exists\nhint: resume it, or remove it to start over", path);
    uint64_t size = cs_traj_header_size(info->n, info->meta_len);
    buf = calloc(1, size);
    if (!buf)
        return cs_error(CS_ENOMEM, "'%s': out of memory for the header", path);
    memcpy(buf, CS_TRAJ_MAGIC, 8);
    put32(buf + 8, CS_TRAJ_VERSION);
    put32(buf + 12, (uint32_t)size);
    put64(buf + 16, (uint64_t)info->n);
    put32(buf + 24, (uint32_t)info->num_classes);
    put32(buf + 28, info->fields);
    put32(buf + 32, (uint32_t)info->meta_len);
    if (info->meta_len)
        memcpy(buf + CS_TRAJ_FIXED_SIZE, info->meta, info->meta_len);
    uint8_t *lab = buf + CS_TRAJ_FIXED_SIZE + ((info->meta_len + 7) & ~(size_t)7);
    for (int64_t i = 0; i < info->n; i++)
        put32(lab + 4 * i, (uint32_t)info->labels[i]);
    put64(buf + size - 8, cs_xxh64(buf, size - 8, 0));
    if ((rc = cs_afile_open(&af, path)))
        goto out;
    if (fwrite(buf, 1, size, af.fp) != size) {
        rc = cs_error_errno(CS_EIO, "cannot write '%s'", path);
        cs_afile_abort(&af);
        goto out;
    }
    if ((rc = cs_afile_commit(&af)))
        goto out;
    rc = writer_new(out, path, info, info->zstd_level, (int64_t)size, 0);
out:
    free(buf);
    return rc;
}

static int same_header(const char *path, const cs_traj_header_info *have, const cs_traj_header_info *want)
{
    if (have->n != want->n || have->num_classes != want->num_classes || have->fields != want->fields)
        return cs_error(CS_EINVAL,
                        "'%s': holds %lld samples, %d classes, fields 0x%x; this run has %lld, %d, 0x%x\n"
                        "hint: resume with the same dataset and settings, or start a new trajectory",
                        path, (long long)have->n, have->num_classes, have->fields, (long long)want->n,
                        want->num_classes, want->fields);
    if (memcmp(have->labels, want->labels, (size_t)want->n * sizeof *want->labels))
        return cs_error(CS_EINVAL, "'%s': labels differ from this run's\nhint: resume with the same dataset", path);
    if (have->meta_len != want->meta_len || (want->meta_len && memcmp(have->meta, want->meta, want->meta_len)))
        return cs_error(CS_EINVAL,
                        "'%s': run metadata differs from this run's (dataset, seed, model or config changed)\n"
                        "hint: resume with the same settings, or start a new trajectory",
                        path);
    return 0;
}

int cs_traj_writer_open_append(cs_traj_writer **out, const char *path, const cs_traj_header_info *expect,
                               cs_traj_resume *res)
{
    cs_traj_reader *r = NULL;
    cs_traj_writer *w = NULL;
    int64_t end = 0, size = 0;
    int rc;
    *out = NULL;
    if (expect && (rc = check_info(path, expect)))
        return rc;
    if ((rc = cs_traj_reader_open(&r, path)))
        return rc;
    const cs_traj_header_info *have = cs_traj_reader_header(r);
    if (expect && (rc = same_header(path, have, expect)))
        goto out;
    while ((rc = cs_traj_reader_skip(r)) == 1)
        ;
    if (rc < 0 && !cs_traj_reader_torn(r, NULL))
        goto out;
    cs_traj_reader_torn(r, &end);
    int64_t frames = 0;
    while (cs_traj_reader_frame(r, frames))
        frames++;
    cs_traj_header_info info = *have;
    info.zstd_level = expect ? expect->zstd_level : 0;
    if ((rc = writer_new(&w, path, &info, info.zstd_level, end, frames)))
        goto out;
    size = lseek(w->fd, 0, SEEK_END);
    if (size > end) {
        if (ftruncate(w->fd, end) != 0 || fsync(w->fd) != 0) {
            rc = cs_error_errno(CS_EIO, "cannot cut the torn last frame of '%s' at offset %lld", path,
                                (long long)end);
            goto out;
        }
    }
    if (res) {
        const cs_traj_frame_info *last = cs_traj_reader_frame(r, frames - 1);
        res->frames = frames;
        res->last_run = last ? last->run : -1;
        res->last_epoch = last ? last->epoch : 0;
        res->truncated_bytes = size > end ? size - end : 0;
    }
    *out = w;
    w = NULL;
    rc = 0;
out:
    cs_traj_writer_close(w);
    cs_traj_reader_free(r);
    return rc;
}

static int check_record(const cs_traj_writer *w, const cs_epoch_record *rec)
{
    if (rec->n != w->n || rec->num_classes != w->num_classes)
        return cs_error(CS_EINVAL, "'%s': record has %lld samples and %d classes, the file %lld and %d", w->path,
                        (long long)rec->n, rec->num_classes, (long long)w->n, w->num_classes);
    if (rec->epoch < 1 || rec->run < 0)
        return cs_error(CS_EINVAL, "'%s': bad record: run %d, epoch %d (epochs count from 1)", w->path, rec->run,
                        rec->epoch);
    for (int k = 0; k < CS_TRAJ_NUM_COLUMNS; k++) {
        const cs_traj_column *c = &cs_traj_columns[k];
        if ((w->fields & c->bit) && !cs_traj_column_get(rec, c))
            return cs_error(CS_EINVAL, "'%s': record for epoch %d lacks column '%s'", w->path, rec->epoch,
                            c->name);
    }
    return 0;
}

static int write_all(int fd, const uint8_t *p, size_t len, off_t off)
{
    while (len > 0) {
        ssize_t put = pwrite(fd, p, len, off);
        if (put < 0)
            return -1;
        p += put;
        off += put;
        len -= (size_t)put;
    }
    return 0;
}

int cs_traj_writer_append(cs_traj_writer *w, const cs_epoch_record *rec)
{
    int rc;
    if (w->broken)
        return cs_error(CS_EIO, "'%s': an earlier append failed; reopen the file to resume", w->path);
    if ((rc = check_record(w, rec)))
        return rc;
    uint64_t off = 0;
    for (int k = 0; k < CS_TRAJ_NUM_COLUMNS; k++) {
        const cs_traj_column *c = &cs_traj_columns[k];
        if (!(w->fields & c->bit))
            continue;
        uint64_t elems = cs_traj_column_elems(c, w->n, w->num_classes);
        if (c->width == 1) {
            memcpy(w->shuf + off, cs_traj_column_get(rec, c), elems);
            off += elems;
        } else {
            cs_shuffle4(w->shuf + off, cs_traj_column_get(rec, c), elems);
            off += 4 * elems;
        }
    }
    size_t csize = ZSTD_compressCCtx(w->cctx, w->fbuf + CS_TRAJ_FRAME_HEADER_SIZE,
                                     w->fcap - CS_TRAJ_FRAME_HEADER_SIZE, w->shuf, w->usize, w->level);
    if (ZSTD_isError(csize))
        return cs_error(CS_EINTERNAL, "'%s': zstd cannot compress epoch %d: %s", w->path, rec->epoch,
                        ZSTD_getErrorName(csize));
    uint8_t *h = w->fbuf;
    memcpy(h, CS_TRAJ_FRAME_MAGIC, 4);
    put32(h + 4, (uint32_t)w->frames);
    put32(h + 8, (uint32_t)rec->run);
    put32(h + 12, (uint32_t)rec->epoch);
    put64(h + 16, w->usize);
    put64(h + 24, csize);
    put64(h + 32, cs_xxh64(w->shuf, w->usize, 0));
    put64(h + 40, cs_xxh64(h + CS_TRAJ_FRAME_HEADER_SIZE, csize, 0));
    put64(h + 48, cs_xxh64(h, 48, 0));
    size_t len = CS_TRAJ_FRAME_HEADER_SIZE + csize;
    if (write_all(w->fd, w->fbuf, len, (off_t)w->end) != 0 || fdatasync(w->fd) != 0) {
        rc = cs_error_errno(CS_EIO, "cannot append epoch %d to '%s'", rec->epoch, w->path);
        /* Leave only complete frames behind; if even this fails, open_append cuts it later. */
        if (ftruncate(w->fd, (off_t)w->end) == 0)
            fdatasync(w->fd);
        w->broken = 1;
        return rc;
    }
    w->end += (int64_t)len;
    w->frames++;
    return 0;
}

int64_t cs_traj_writer_frames(const cs_traj_writer *w)
{
    return w->frames;
}

int cs_traj_writer_close(cs_traj_writer *w)
{
    int rc = 0;
    if (!w)
        return 0;
    if (w->fd >= 0 && close(w->fd) != 0)
        rc = cs_error_errno(CS_EIO, "cannot close '%s'", w->path);
    ZSTD_freeCCtx(w->cctx);
    free(w->shuf);
    free(w->fbuf);
    free(w->path);
    free(w);
    return rc;
}
