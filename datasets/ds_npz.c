/* ds_npz.c - .npz datasets (numpy savez / savez_compressed), MedMNIST layout.
 *
 * Members <split>_images.npy + <split>_labels.npy for split train/val/test
 * (or the names given in the options, or x/y), else a single images.npy +
 * labels.npy pair as the train split.  Labels are extracted at open (small;
 * CRC checked).  Stored sample members are read by range straight from the
 * file, and their CRC is checked by one streaming pass at the first read of
 * the split.  Deflated sample members cannot be seeked, so the first read of a
 * split inflates the member once into memory (one copy, CRC checked) and later
 * reads copy from there. */
#include "ds_backend.h"
#include "../codecs/zip.h"

#include "../common/err.h"
#include "../common/fsio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct npz_split {
    int member;
    int deflated;
    int ready; /* CRC checked / inflated */
    npy_header h;
    npy_src src;
    uint8_t *mem;
    char what[320];
} npz_split;

typedef struct npz_ctx {
    cs_zip *z;
    npz_split sp[CS_MAX_SPLITS];
} npz_ctx;

static void npz_close(void *p)
{
    npz_ctx *c = p;
    if (!c)
        return;
    for (int i = 0; i < CS_MAX_SPLITS; i++)
        free(c->sp[i].mem);
    zip_free(c->z);
    free(c);
}

static int npz_read(cs_dataset *ds, int s, int64_t start, int64_t count, void *x)
{
    npz_ctx *c = ds->ctx;
    npz_split *sp = &c->sp[s];
    int rc;
    if (!sp->ready) {
        if (sp->deflated) {
            size_t len;
            if ((rc = zip_extract(c->z, sp->member, &sp->mem, &len)))
                return rc;
            sp->src.mem = sp->mem;
            sp->src.len = len;
        } else if ((rc = zip_verify(c->z, sp->member))) {
            return rc;
        }
        sp->ready = 1;
    }
    return ds_read_npy(&sp->src, &sp->h, start, count, x, ds->split[s].dtype, sp->what);
}

static const ds_ops npz_ops = {npz_read, npz_close, NULL};

static int member_name(char *buf, size_t cap, const char *split, const char *name)
{
    int n = split ? snprintf(buf, cap, "%s_%s.npy", split, name) : snprintf(buf, cap, "%s.npy", name);
    return n > 0 && (size_t)n < cap;
}

/* Read and convert one labels member. */
static int load_labels(cs_dataset *ds, npz_ctx *c, int m, int32_t **y, int64_t *n)
{
    char what[320];
    snprintf(what, sizeof what, "'%s': member '%s'", ds->path, zip_member_at(c->z, m)->name);
    uint8_t *buf = NULL;
    size_t len;
    npy_header h;
    int rc = zip_extract(c->z, m, &buf, &len);
    if (rc)
        goto out;
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

static int open_images(cs_dataset *ds, npz_ctx *c, int s, int m)
{
    npz_split *sp = &c->sp[s];
    const zip_member *zm = zip_member_at(c->z, m);
    snprintf(sp->what, sizeof sp->what, "'%s': member '%s'", ds->path, zm->name);
    sp->member = m;
    sp->deflated = zm->method != 0;
    uint64_t off;
    int rc = zip_member_offset(c->z, m, &off);
    if (rc)
        return rc;
    if (!sp->deflated) {
        sp->src = (npy_src){zip_fd(c->z), off, NULL, zm->size};
        return npy_src_header(&sp->src, &sp->h, sp->what);
    }
    uint8_t pre[12];
    size_t k = zm->size < sizeof pre ? (size_t)zm->size : sizeof pre;
    if ((rc = zip_read_prefix(c->z, m, pre, k)))
        return rc;
    size_t hs = npy_header_size(pre, k, sp->what);
    if (!hs)
        return CS_EFORMAT;
    if (hs > zm->size)
        return cs_error(CS_EFORMAT, "%s: truncated .npy header", sp->what);
    uint8_t *hb = cs_malloc(hs);
    if (!hb)
        return CS_ENOMEM;
    rc = zip_read_prefix(c->z, m, hb, hs);
    if (!rc)
        rc = npy_parse_header(hb, hs, &sp->h, sp->what);
    free(hb);
    sp->src = (npy_src){-1, 0, NULL, zm->size};
    return rc ? rc : npy_check_len(&sp->h, zm->size, sp->what);
}

static int add_pair(cs_dataset *ds, npz_ctx *c, const char *split, int mi, int ml)
{
    int32_t *y = NULL;
    int64_t ny = 0;
    int rc = open_images(ds, c, ds->nsplits, mi);
    if (!rc)
        rc = load_labels(ds, c, ml, &y, &ny);
    if (rc)
        return rc;
    const npy_header *h = &c->sp[ds->nsplits].h;
    return ds_add_split(ds, split, h->shape[0], h->rank - 1, h->shape + 1, ds_dtype_for(h->etype),
                        y, ny);
}

/* Try one images/labels naming; 1 if it matched (splits added or an error set in *rc). */
static int try_names(cs_dataset *ds, npz_ctx *c, const char *img, const char *lbl, int *rc)
{
    static const char *splits[] = {"train", "val", "test"};
    char mi_name[256], ml_name[256];
    int found = 0;
    *rc = 0;
    for (int k = 0; k < 3 && !*rc; k++) {
        if (!member_name(mi_name, sizeof mi_name, splits[k], img) ||
            !member_name(ml_name, sizeof ml_name, splits[k], lbl))
            continue;
        int mi = zip_find(c->z, mi_name), ml = zip_find(c->z, ml_name);
        if (mi < 0 && ml < 0)
            continue;
        found = 1;
        if (mi < 0 || ml < 0)
            *rc = cs_error(CS_EFORMAT, "'%s': member '%s' has no partner '%s'", ds->path,
                           mi < 0 ? ml_name : mi_name, mi < 0 ? mi_name : ml_name);
        else
            *rc = add_pair(ds, c, splits[k], mi, ml);
    }
    if (found)
        return 1;
    if (!member_name(mi_name, sizeof mi_name, NULL, img) ||
        !member_name(ml_name, sizeof ml_name, NULL, lbl))
        return 0;
    int mi = zip_find(c->z, mi_name), ml = zip_find(c->z, ml_name);
    if (mi < 0 && ml < 0)
        return 0;
    if (mi < 0 || ml < 0)
        *rc = cs_error(CS_EFORMAT, "'%s': member '%s' has no partner '%s'", ds->path,
                       mi < 0 ? ml_name : mi_name, mi < 0 ? mi_name : ml_name);
    else
        *rc = add_pair(ds, c, "train", mi, ml);
    return 1;
}

int ds_open_npz(cs_dataset *ds, const cs_dataset_opts *o)
{
    npz_ctx *c = cs_calloc(1, sizeof *c);
    if (!c)
        return CS_ENOMEM;
    ds->format = "npz";
    ds->ops = &npz_ops;
    ds->ctx = c;
    int rc = zip_open_file(&c->z, ds->path);
    if (rc)
        return rc;
    if (o->images_name || o->labels_name) {
        const char *img = o->images_name ? o->images_name : "images";
        const char *lbl = o->labels_name ? o->labels_name : "labels";
        if (!try_names(ds, c, img, lbl, &rc))
            rc = cs_error(CS_EFORMAT, "'%s': no member '%s.npy' or '<split>_%s.npy'", ds->path,
                          img, img);
        return rc;
    }
    if (try_names(ds, c, "images", "labels", &rc) || try_names(ds, c, "x", "y", &rc))
        return rc;
    return cs_error(CS_EFORMAT,
                    "'%s': no sample arrays found (want members like 'train_images.npy' and "
                    "'train_labels.npy', or 'images.npy'/'labels.npy', or 'x.npy'/'y.npy')",
                    ds->path);
}

int ds_probe_npz(const char *path) { return !cs_path_is_dir(path) && ds_has_suffix(path, ".npz"); }
