/* ds_npy.c - a bare .npy sample array plus a labels .npy as one "train" split.
 *
 * The labels file is the options' labels name taken as a path (relative to
 * the samples' folder unless it exists as given), else a sibling found by
 * name: "images" replaced by "labels" (train_images.npy -> train_labels.npy),
 * then X_labels.npy for X.npy, then y.npy beside x.npy.  Samples are read by
 * range from the file; labels are read whole at open. */
#include "ds_backend.h"

#include "../common/err.h"
#include "../common/fsio.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct npy_ctx {
    int fd;
    npy_src src;
    npy_header h;
    char what[300];
} npy_ctx;

static void npy_close(void *p)
{
    npy_ctx *c = p;
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    free(c);
}

static int npy_read(cs_dataset *ds, int s, int64_t start, int64_t count, void *x)
{
    npy_ctx *c = ds->ctx;
    return ds_read_npy(&c->src, &c->h, start, count, x, ds->split[s].dtype, c->what);
}

static const ds_ops npy_ops = {npy_read, npy_close, NULL};

/* The labels path for samples path p into buf; 0 if none was found. */
static int find_labels(const char *p, const char *given, char *buf, size_t cap)
{
    const char *slash = strrchr(p, '/');
    int dirlen = slash ? (int)(slash - p + 1) : 0;
    const char *base = p + dirlen;
    if (given) {
        if (given[0] == '/' || cs_path_exists(given))
            snprintf(buf, cap, "%s", given);
        else
            snprintf(buf, cap, "%.*s%s", dirlen, p, given);
        return 1;
    }
    const char *img = strstr(base, "images");
    if (img) {
        snprintf(buf, cap, "%.*slabels%s", (int)(img - p), p, img + 6);
        if (cs_path_exists(buf))
            return 1;
    }
    size_t stem = strlen(p) - 4; /* without ".npy" */
    snprintf(buf, cap, "%.*s_labels.npy", (int)stem, p);
    if (cs_path_exists(buf))
        return 1;
    if (strcasecmp(base, "x.npy") == 0) {
        snprintf(buf, cap, "%.*sy.npy", dirlen, p);
        if (cs_path_exists(buf))
            return 1;
    }
    snprintf(buf, cap, "%.*s_labels.npy", (int)stem, p);
    return 0;
}

static int load_labels(const char *path, int32_t **y, int64_t *n)
{
    char what[4200];
    snprintf(what, sizeof what, "'%s'", path);
    uint8_t *buf = NULL;
    size_t len;
    npy_header h;
    int rc = cs_read_file(path, &buf, &len);
    if (rc)
        return rc;
    if ((rc = npy_parse_header(buf, len, &h, what)) || (rc = npy_check_len(&h, len, what)))
        goto out;
    if (h.rank > 2 || (h.rank == 2 && h.shape[1] != 1)) {
        rc = cs_error(CS_EFORMAT, "%s: labels must have shape (N,) or (N,1)", what);
        goto out;
    }
    *n = h.shape[0];
    rc = ds_labels_from(y, buf + h.data_offset, h.etype, (size_t)h.shape[0], what);
out:
    free(buf);
    return rc;
}

int ds_open_npy(cs_dataset *ds, const cs_dataset_opts *o)
{
    npy_ctx *c = cs_calloc(1, sizeof *c);
    if (!c)
        return CS_ENOMEM;
    c->fd = -1;
    ds->format = "npy";
    ds->ops = &npy_ops;
    ds->ctx = c;
    snprintf(c->what, sizeof c->what, "'%s'", ds->path);
    char lpath[4096];
    if (!find_labels(ds->path, o->labels_name, lpath, sizeof lpath))
        return cs_error(CS_EFORMAT,
                        "'%s': no labels file found (tried '%s'); name one with --labels PATH",
                        ds->path, lpath);
    struct stat st;
    c->fd = open(ds->path, O_RDONLY);
    if (c->fd < 0)
        return cs_error_errno(CS_EIO, "cannot open '%s'", ds->path);
    if (fstat(c->fd, &st) != 0 || !S_ISREG(st.st_mode))
        return cs_error(CS_EIO, "cannot read '%s': not a regular file", ds->path);
    c->src = (npy_src){c->fd, 0, NULL, (uint64_t)st.st_size};
    int rc = npy_src_header(&c->src, &c->h, c->what);
    if (rc)
        return rc;
    int32_t *y = NULL;
    int64_t ny = 0;
    if ((rc = load_labels(lpath, &y, &ny)))
        return rc;
    return ds_add_split(ds, "train", c->h.shape[0], c->h.rank - 1, c->h.shape + 1,
                        ds_dtype_for(c->h.etype), y, ny);
}

int ds_probe_npy(const char *path) { return !cs_path_is_dir(path) && ds_has_suffix(path, ".npy"); }
