/* ds_idx.c - IDX datasets: a folder of <prefix>-images-idx3-ubyte[.gz] and
 * <prefix>-labels-idx1-ubyte[.gz] files (prefix train, t10k/test, val), or one
 * images file whose labels file is found by name.  Each images file is
 * loaded whole once (gzip inflated) and converted to host order; reads copy
 * from there. */
#include "ds_backend.h"
#include "../codecs/idx.h"

#include "../common/err.h"
#include "../common/fsio.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct idx_split {
    uint8_t *buf;
    idx_header h;
} idx_split;

typedef struct idx_ctx {
    idx_split sp[CS_MAX_SPLITS];
} idx_ctx;

static void idx_close(void *p)
{
    idx_ctx *c = p;
    if (!c)
        return;
    for (int i = 0; i < CS_MAX_SPLITS; i++)
        free(c->sp[i].buf);
    free(c);
}

static int idx_read(cs_dataset *ds, int s, int64_t start, int64_t count, void *x)
{
    idx_split *sp = &((idx_ctx *)ds->ctx)->sp[s];
    size_t elems = (size_t)cs_split_sample_elems(&ds->split[s]);
    const uint8_t *src = sp->buf + sp->h.data_offset + (size_t)start * elems * sp->h.elem_size;
    ds_convert(x, ds->split[s].dtype, src, sp->h.etype, (size_t)count * elems);
    return 0;
}

static const ds_ops idx_ops = {idx_read, idx_close, NULL};

static int load(const char *path, uint8_t **buf, idx_header *h)
{
    char what[4200];
    size_t len;
    snprintf(what, sizeof what, "'%s'", path);
    int rc = idx_load(path, buf, &len);
    if (!rc && !(rc = idx_parse(*buf, len, h, what))) {
        size_t n = 1;
        for (int i = 0; i < h->rank; i++)
            n *= (size_t)h->dims[i];
        idx_to_host(*buf + h->data_offset, h->etype, n);
    }
    if (rc) {
        free(*buf);
        *buf = NULL;
    }
    return rc;
}

static int add_split(cs_dataset *ds, const char *split, const char *ipath, const char *lpath)
{
    idx_split *sp = &((idx_ctx *)ds->ctx)->sp[ds->nsplits];
    uint8_t *lbuf = NULL;
    idx_header lh;
    int32_t *y = NULL;
    char what[4200];
    int rc = load(ipath, &sp->buf, &sp->h);
    if (rc || (rc = load(lpath, &lbuf, &lh)))
        goto out;
    snprintf(what, sizeof what, "'%s'", lpath);
    if (lh.rank != 1 && !(lh.rank == 2 && lh.dims[1] == 1)) {
        rc = cs_error(CS_EFORMAT, "%s: labels must have one dimension, not %d", what, lh.rank);
        goto out;
    }
    if ((rc = ds_labels_from(&y, lbuf + lh.data_offset, lh.etype, (size_t)lh.dims[0], what)))
        goto out;
    if (lh.dims[0] != sp->h.dims[0]) {
        free(y);
        rc = cs_error(CS_EFORMAT, "'%s': %lld labels in '%s' for %lld samples", ipath,
                      (long long)lh.dims[0], lpath, (long long)sp->h.dims[0]);
        goto out;
    }
    rc = ds_add_split(ds, split, sp->h.dims[0], sp->h.rank - 1, sp->h.dims + 1,
                      ds_dtype_for(sp->h.etype), y, lh.dims[0]);
out:
    free(lbuf);
    return rc;
}

/* The labels file for images file `ipath`: "images" -> "labels", idxN -> idx1,
 * with or without .gz.  0 if none exists (buf then holds the first try). */
static int labels_for(const char *ipath, char *buf, size_t cap)
{
    const char *slash = strrchr(ipath, '/');
    const char *base = slash ? slash + 1 : ipath;
    const char *img = strstr(base, "images");
    if (!img) {
        snprintf(buf, cap, "%s", ipath);
        return 0;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%.*slabels%s", (int)(img - ipath), ipath, img + 6);
    char *idx = strstr(tmp + (img - ipath), "idx");
    if (idx && idx[3] >= '0' && idx[3] <= '9')
        idx[3] = '1';
    size_t n = strlen(tmp);
    int gz = n > 3 && strcmp(tmp + n - 3, ".gz") == 0;
    snprintf(buf, cap, "%s", tmp);
    if (cs_path_exists(buf))
        return 1;
    if (gz)
        snprintf(buf, cap, "%.*s", (int)(n - 3), tmp);
    else
        snprintf(buf, cap, "%s.gz", tmp);
    if (cs_path_exists(buf))
        return 1;
    snprintf(buf, cap, "%s", tmp);
    return 0;
}

/* Split name from a file name "<prefix>-images...": train, test (t10k), val. */
static const char *split_of(const char *base)
{
    const char *dash = strchr(base, '-');
    const char *dot = strchr(base, '.');
    const char *end = dash && (!dot || dash < dot) ? dash : dot;
    return end ? ds_split_name(base, (size_t)(end - base)) : NULL;
}

static int open_file(cs_dataset *ds)
{
    char lpath[4096];
    if (!labels_for(ds->path, lpath, sizeof lpath))
        return cs_error(CS_EFORMAT, "'%s': no labels file found (tried '%s')", ds->path, lpath);
    const char *slash = strrchr(ds->path, '/');
    const char *split = split_of(slash ? slash + 1 : ds->path);
    return add_split(ds, split ? split : "train", ds->path, lpath);
}

static int open_dir(cs_dataset *ds)
{
    static const char *order[] = {"train", "val", "test"};
    char found[3][4096] = {{0}};
    DIR *d = opendir(ds->path);
    if (!d)
        return cs_error_errno(CS_EIO, "cannot open '%s'", ds->path);
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *split = split_of(e->d_name);
        if (!split || !strstr(e->d_name, "-images") || !strstr(e->d_name, "-ubyte"))
            continue;
        for (int k = 0; k < 3; k++)
            if (strcmp(split, order[k]) == 0 && !found[k][0])
                snprintf(found[k], sizeof found[k], "%s/%s", ds->path, e->d_name);
    }
    closedir(d);
    int rc = 0;
    for (int k = 0; k < 3 && !rc; k++) {
        if (!found[k][0])
            continue;
        char lpath[4096];
        if (!labels_for(found[k], lpath, sizeof lpath))
            return cs_error(CS_EFORMAT, "'%s': no labels file found (tried '%s')", found[k],
                            lpath);
        rc = add_split(ds, order[k], found[k], lpath);
    }
    if (!rc && ds->nsplits == 0)
        rc = cs_error(CS_EFORMAT,
                      "'%s': no IDX images files (like 'train-images-idx3-ubyte.gz') in folder",
                      ds->path);
    return rc;
}

int ds_open_idx(cs_dataset *ds, const cs_dataset_opts *o)
{
    (void)o;
    idx_ctx *c = cs_calloc(1, sizeof *c);
    if (!c)
        return CS_ENOMEM;
    ds->format = "idx";
    ds->ops = &idx_ops;
    ds->ctx = c;
    return cs_path_is_dir(ds->path) ? open_dir(ds) : open_file(ds);
}

/* An IDX file (its name says -ubyte), or any other folder: the folder kinds
 * before this one in the table had their say. */
int ds_probe_idx(const char *path)
{
    return cs_path_is_dir(path) || strstr(path, "-ubyte") != NULL;
}
