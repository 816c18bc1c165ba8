/* dump_raw.c - a trajectory as a directory of raw columns, the layout
 * tests/ref_scores.py reads: DIR/<field>_<r>.f32 (little-endian float32,
 * T x N, epoch-major; correct and used as 0.0/1.0), DIR/probs_<r>.f32
 * (T x N x C), DIR/labels.i32 (N) and DIR/params.json (shape, epochs, runs,
 * fields).  r counts the selected runs from 0 (params.json's run_ids maps it
 * back).  Every file is written into DIR.tmp, synced, and DIR.tmp renamed to
 * DIR: the directory-sized version of cs_afile, so DIR appears complete or
 * not at all. */
#include "traj_dump_int.h"

#include "../common/err.h"
#include "../formats/traj_columns.h"
#include "../common/fsio.h"
#include "../common/outguard.h"
#include "../common/tmpfiles.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "raw dumps are little-endian; add byte swaps for this host"
#endif

static int sync_file(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return cs_error_errno(CS_EIO, "cannot open '%s'", path);
    int rc = fsync(fd) != 0 ? cs_error_errno(CS_EIO, "cannot sync '%s'", path) : 0;
    close(fd);
    return rc;
}

static int sync_parent(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return cs_error(CS_ENOMEM, "out of memory");
    int rc = cs_fsync_dir(dirname(copy));
    free(copy);
    return rc;
}

typedef struct raw_ctx {
    char *dir, *tmp; /* tmp: DIR.tmp.<pid>.XXXXXX */
    int slots[1200]; /* the signal handler's entries for tmp and its files */
    int nslots;
    int nruns;
    uint32_t fields;
    float *buf; /* n values: a byte column as floats */
} raw_ctx;

static void member(char *buf, size_t len, const char *dir, uint32_t bit, int r)
{
    snprintf(buf, len, "%s/%s_%d.f32", dir, cs_traj_field_name(bit), r);
}

/* Let the signal handler remove path (a member, or tmp itself) until commit. */
static void track(raw_ctx *c, const char *path, int is_dir)
{
    if (c->nslots < (int)(sizeof c->slots / sizeof c->slots[0]))
        c->slots[c->nslots++] = cs_tmp_register(path, is_dir);
}

static void raw_free(raw_ctx *c)
{
    for (int i = 0; i < c->nslots; i++)
        cs_tmp_forget(c->slots[i]);
    free(c->dir);
    free(c->tmp);
    free(c->buf);
    free(c);
}

/* Remove what begin and commit create in DIR.tmp, then DIR.tmp itself. */
static void raw_abort(void *ctx)
{
    raw_ctx *c = ctx;
    if (!c)
        return;
    size_t len = strlen(c->tmp) + 64;
    char *f = malloc(len);
    for (int r = 0; f && r < c->nruns; r++)
        for (uint32_t bit = 1; bit < 1u << CS_TRAJ_NUM_COLUMNS; bit <<= 1)
            if (c->fields & bit) {
                member(f, len, c->tmp, bit, r);
                unlink(f);
            }
    if (f) {
        snprintf(f, len, "%s/labels.i32", c->tmp);
        unlink(f);
        snprintf(f, len, "%s/params.json", c->tmp);
        unlink(f);
    }
    free(f);
    rmdir(c->tmp);
    raw_free(c);
}

/* DIR may be absent or an empty directory (rename replaces it); anything else is refused. */
static int check_target(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return errno == ENOENT ? 0 : cs_error_errno(CS_EIO, "cannot write '%s'", dir);
    if (!S_ISDIR(st.st_mode))
        return cs_error(CS_EIO, "cannot write '%s': it exists and is not a directory", dir);
    DIR *d = opendir(dir);
    if (!d)
        return cs_error_errno(CS_EIO, "cannot open directory '%s'", dir);
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            empty = 0;
    closedir(d);
    return empty ? 0
                 : cs_error(CS_EIO, "cannot write '%s': directory exists and is not empty\n"
                                    "hint: remove it or name a new directory",
                            dir);
}

static int create_member(const char *path, uint64_t bytes)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0)
        return cs_error_errno(CS_EIO, "cannot create '%s'", path);
    int rc = ftruncate(fd, (off_t)bytes) != 0 ? cs_error_errno(CS_EIO, "cannot size '%s'", path) : 0;
    close(fd);
    return rc;
}

static int raw_begin(void **out, const cs_dump_plan *p, const cs_dump_opts *o)
{
    raw_ctx *c = cs_calloc(1, sizeof *c);
    if (!c)
        return CS_ENOMEM;
    size_t len = strlen(o->out);
    while (len > 1 && o->out[len - 1] == '/')
        len--;
    c->dir = strndup(o->out, len);
    c->tmp = malloc(len + 40);
    c->buf = malloc(sizeof *c->buf * (size_t)p->hdr->n);
    if (!c->dir || !c->tmp || !c->buf) {
        raw_free(c);
        return cs_error(CS_ENOMEM, "out of memory");
    }
    int rc;
    if ((rc = cs_tmp_template(c->tmp, len + 40, c->dir)) || (rc = check_target(c->dir)) ||
        (rc = cs_check_output_dir(c->dir)) || (rc = cs_guard_output(c->dir))) {
        raw_free(c);
        return rc;
    }
    /* A dump killed with -9 left its folder: removed once its pid is gone. */
    char *parent = cs_dir_of(c->dir);
    const char *base = strrchr(c->dir, '/');
    if (parent)
        cs_tmp_sweep(parent, base ? base + 1 : c->dir);
    free(parent);
    if (!mkdtemp(c->tmp)) {
        rc = cs_error_errno(CS_EIO, "cannot create '%s'", c->tmp);
        raw_free(c);
        return rc;
    }
    chmod(c->tmp, 0755);
    track(c, c->tmp, 1);
    c->nruns = p->nruns;
    c->fields = p->fields;
    char path[4200];
    uint64_t plane = (uint64_t)p->ntimes * (uint64_t)p->hdr->n * sizeof(float);
    for (int r = 0; r < p->nruns; r++)
        for (uint32_t bit = 1; bit < 1u << CS_TRAJ_NUM_COLUMNS; bit <<= 1)
            if (p->fields & bit) {
                member(path, sizeof path, c->tmp, bit, r);
                track(c, path, 0);
                if ((rc = create_member(path, bit == CS_TRAJ_PROBS ? plane * (uint64_t)p->hdr->num_classes
                                                                   : plane))) {
                    raw_abort(c);
                    return rc;
                }
            }
    *out = c;
    return 0;
}

static int pwrite_file(const char *path, const void *data, size_t len, uint64_t off)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return cs_error_errno(CS_EIO, "cannot open '%s'", path);
    const char *s = data;
    int rc = 0;
    while (len && !rc) {
        ssize_t w = pwrite(fd, s, len, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = cs_error_errno(CS_EIO, "cannot write '%s'", path);
            break;
        }
        s += w, len -= (size_t)w, off += (uint64_t)w;
    }
    if (close(fd) != 0 && !rc)
        rc = cs_error_errno(CS_EIO, "cannot write '%s'", path);
    return rc;
}

static int raw_frame(void *ctx, const cs_dump_plan *p, int ri, int ti, const cs_epoch_record *rec)
{
    raw_ctx *c = ctx;
    char path[4200];
    uint64_t n = (uint64_t)p->hdr->n;
    for (uint32_t bit = 1; bit < 1u << CS_TRAJ_NUM_COLUMNS; bit <<= 1) {
        if (!(p->fields & bit))
            continue;
        const void *col = cs_dump_column(rec, bit);
        uint64_t per = bit == CS_TRAJ_PROBS ? n * (uint64_t)p->hdr->num_classes : n;
        if (bit == CS_TRAJ_CORRECT || bit == CS_TRAJ_USED) {
            for (uint64_t i = 0; i < n; i++)
                c->buf[i] = ((const uint8_t *)col)[i] ? 1.0f : 0.0f;
            col = c->buf;
        }
        member(path, sizeof path, c->tmp, bit, ri);
        int rc = pwrite_file(path, col, per * sizeof(float), (uint64_t)ti * per * sizeof(float));
        if (rc) {
            cs_error_prefix("'%s'", c->dir); /* the user's folder first: the member is in its temporary */
            return rc;
        }
    }
    return 0;
}

static int write_small(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0)
        return cs_error_errno(CS_EIO, "cannot create '%s'", path);
    close(fd);
    return pwrite_file(path, data, len, 0);
}

static int write_params(raw_ctx *c, const cs_dump_plan *p)
{
    size_t cap = 512 + 16 * (size_t)p->nruns + 9 * 12;
    char *s = malloc(cap);
    if (!s)
        return cs_error(CS_ENOMEM, "out of memory");
    int len = snprintf(s, cap, "{\"n\": %lld, \"num_classes\": %d, \"epochs\": %d, \"runs\": %d, \"first_epoch\": %d, "
                       "\"run_ids\": [", (long long)p->hdr->n, p->hdr->num_classes, p->ntimes, p->nruns, p->e0);
    for (int r = 0; r < p->nruns; r++)
        len += snprintf(s + len, cap - (size_t)len, "%s%d", r ? ", " : "", p->runs[r]);
    len += snprintf(s + len, cap - (size_t)len, "], \"fields\": [");
    int k = 0;
    for (uint32_t bit = 1; bit < 1u << CS_TRAJ_NUM_COLUMNS; bit <<= 1)
        if (p->fields & bit)
            len += snprintf(s + len, cap - (size_t)len, "%s\"%s\"", k++ ? ", " : "", cs_traj_field_name(bit));
    len += snprintf(s + len, cap - (size_t)len, "]}\n");
    char path[4200];
    snprintf(path, sizeof path, "%s/params.json", c->tmp);
    track(c, path, 0);
    int rc = write_small(path, s, (size_t)len);
    free(s);
    return rc;
}

/* Sync every member, then rename DIR.tmp to DIR and sync the parent. */
static int raw_commit_with(raw_ctx *c, const cs_dump_plan *p)
{
    char path[4200];
    int rc;
    snprintf(path, sizeof path, "%s/labels.i32", c->tmp);
    track(c, path, 0);
    if ((rc = write_small(path, p->hdr->labels, sizeof(int32_t) * (size_t)p->hdr->n)) ||
        (rc = write_params(c, p)))
        return rc;
    for (int r = 0; r < c->nruns; r++)
        for (uint32_t bit = 1; bit < 1u << CS_TRAJ_NUM_COLUMNS; bit <<= 1)
            if (c->fields & bit) {
                member(path, sizeof path, c->tmp, bit, r);
                if ((rc = sync_file(path)))
                    return rc;
            }
    snprintf(path, sizeof path, "%s/labels.i32", c->tmp);
    if ((rc = sync_file(path)))
        return rc;
    snprintf(path, sizeof path, "%s/params.json", c->tmp);
    if ((rc = sync_file(path)) || (rc = cs_fsync_dir(c->tmp)))
        return rc;
    if (rename(c->tmp, c->dir) != 0)
        return cs_error_errno(CS_EIO, "cannot rename '%s' to '%s'", c->tmp, c->dir);
    return sync_parent(c->dir);
}

static int raw_commit(void *ctx, const cs_dump_plan *p)
{
    raw_ctx *c = ctx;
    int rc = raw_commit_with(c, p);
    if (rc)
        raw_abort(c);
    else
        raw_free(c);
    return rc;
}

const cs_dump_writer cs_dump_raw_writer = {raw_begin, raw_frame, raw_commit, raw_abort};
