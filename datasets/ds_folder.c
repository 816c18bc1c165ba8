/* ds_folder.c - image folders as medical teams keep them (dataset.kind folder).
 *
 * Two layouts.  ImageFolder (torchvision's): one sub-folder per class, the
 * classes sorted by name, the files of a class found recursively and taken in
 * sorted order (torchvision's make_dataset); with sub-folders train/, val/
 * (or validation/) and test/ each is a split of that layout, else the whole
 * folder is the train split.  CSV: a table (dataset.csv) with a path column
 * relative to the folder and a label column holding integers or class names;
 * a path whose first folder is train/, val/ or test/ belongs to that split,
 * any other to train; rows keep the table's order.
 *
 * Every image (PNG or JPEG, told by its signature) is decoded once at open,
 * converted to dataset.channels and resized to dataset.size (codecs/image.h),
 * and kept in memory; reads copy from there.  With opts->cache the pixels
 * come from, or can be saved to, a checksummed HDF5 file (ds_folder_cache.c),
 * so later commands on a run never decode again. */
#include "ds_folder.h"

#include "../codecs/csv.h"
#include "../codecs/image.h"
#include "../common/err.h"
#include "../common/fsio.h"
#include "../common/log.h"
#include "../common/sha256.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* torchvision's IMG_EXTENSIONS: what ImageFolder would list.  We decode
 * PNG and JPEG; the others are refused by name rather than left out, so the
 * set read is never smaller than the one a user's loader sees. */
static const char *const listed_ext[] = {".png", ".jpg", ".jpeg", ".ppm", ".bmp", ".pgm",
                                         ".tif", ".tiff", ".webp", NULL};

static int is_listed(const char *name)
{
    for (int i = 0; listed_ext[i]; i++)
        if (ds_has_suffix(name, listed_ext[i]))
            return 1;
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* --- probing ------------------------------------------------------------- */

/* A folder holding a .csv, or one holding a sub-folder (or a split's
 * sub-folder) with an image file in it. */
static int sub_has_images(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char p[4096];
        if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p)
            continue;
        if (cs_path_is_dir(p))
            found = depth > 0 && sub_has_images(p, depth - 1);
        else
            found = depth < 2 && is_listed(e->d_name); /* not in the folder itself */
    }
    closedir(d);
    return found;
}

int ds_probe_folder(const char *path)
{
    return cs_path_is_dir(path) && (ds_folder_has_suffix(path, ".csv") || sub_has_images(path, 2));
}

/* --- listing ------------------------------------------------------------- */

typedef struct strv {
    char **v;
    int64_t n, cap;
} strv;

static int strv_push(strv *l, const char *s)
{
    if (l->n == l->cap) {
        int64_t cap = l->cap ? 2 * l->cap : 64;
        char **g = realloc(l->v, (size_t)cap * sizeof *g);
        if (!g)
            return cs_error(CS_ENOMEM, "out of memory listing files");
        l->v = g;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(s)))
        return cs_error(CS_ENOMEM, "out of memory listing files");
    l->n++;
    return 0;
}

static void strv_free(strv *l)
{
    for (int64_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Entries of root/rel that are folders (want_dirs) or listed image files,
 * as "rel/name", sorted; dot-names left out (as the dataset hash does). */
static int list_dir(const char *root, const char *rel, int want_dirs, strv *out)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s%s%s", root, rel[0] ? "/" : "", rel);
    DIR *d = opendir(dir);
    if (!d)
        return cs_error_errno(CS_EIO, "cannot open folder '%s'", dir);
    int rc = 0;
    int64_t first = out->n;
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char full[4096], sub[4096];
        if (snprintf(full, sizeof full, "%s/%s", dir, e->d_name) >= (int)sizeof full ||
            snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name) >= (int)sizeof sub) {
            rc = cs_error(CS_EINVAL, "path too long under '%s'", dir);
            break;
        }
        int isdir = cs_path_is_dir(full);
        if (want_dirs ? isdir : !isdir && is_listed(e->d_name))
            rc = strv_push(out, sub);
    }
    closedir(d);
    if (!rc && out->n > first) /* an empty folder: out->v may be NULL */
        qsort(out->v + first, (size_t)(out->n - first), sizeof *out->v, cmp_str);
    return rc;
}

/* The image files under root/rel, recursively, in the order torchvision's
 * sorted(os.walk(...)) gives: folders by path, the files of each sorted. */
static int walk_files(const char *root, const char *rel, strv *out, int depth)
{
    if (depth > 16)
        return cs_error(CS_EFORMAT, "'%s/%s' nests deeper than 16 levels", root, rel);
    int rc = list_dir(root, rel, 0, out);
    strv subs = {0};
    if (!rc)
        rc = list_dir(root, rel, 1, &subs);
    for (int64_t i = 0; !rc && i < subs.n; i++)
        rc = walk_files(root, subs.v[i], out, depth + 1);
    strv_free(&subs);
    return rc;
}

static int add_item(folder_ctx *c, int64_t *cap, const char *rel, int split, int32_t label)
{
    if (c->n_items == *cap) {
        int64_t nc = *cap ? 2 * *cap : 256;
        folder_item *g = realloc(c->items, (size_t)nc * sizeof *g);
        if (!g)
            return cs_error(CS_ENOMEM, "out of memory listing files");
        c->items = g;
        *cap = nc;
    }
    folder_item *it = &c->items[c->n_items];
    if (!(it->rel = strdup(rel)))
        return cs_error(CS_ENOMEM, "out of memory listing files");
    it->split = split;
    it->label = label;
    c->n_items++;
    return 0;
}

/* Class names from dataset.classes ("a,b,c"), or none. */
static int parse_classes(const char *spec, strv *out)
{
    if (!spec || !*spec)
        return 0;
    const char *p = spec;
    while (1) {
        size_t n = strcspn(p, ",");
        char name[512];
        while (n && *p == ' ')
            p++, n--;
        while (n && p[n - 1] == ' ')
            n--;
        if (n == 0 || n >= sizeof name)
            return cs_error(CS_EINVAL, "dataset.classes '%s': an empty or overlong name", spec);
        snprintf(name, sizeof name, "%.*s", (int)n, p);
        for (int64_t i = 0; i < out->n; i++)
            if (!strcmp(out->v[i], name))
                return cs_error(CS_EINVAL, "dataset.classes '%s': '%s' twice", spec, name);
        int rc = strv_push(out, name);
        if (rc)
            return rc;
        p += strcspn(p, ",");
        if (!*p)
            return 0;
        p++;
    }
}

static int find_name(const strv *names, const char *s)
{
    for (int64_t i = 0; i < names->n; i++)
        if (!strcmp(names->v[i], s))
            return (int)i;
    return -1;
}

/* The splits of the folder: its train/ val/ test/ sub-folders where there
 * are any (names[i] the folder, canon[i] the split), else the folder itself
 * as train (names[0] = ""). */
static int find_splits(const char *root, char names[CS_MAX_SPLITS][32], const char *canon[CS_MAX_SPLITS])
{
    static const char *const order[] = {"train", "val", "validation", "test", NULL};
    int n = 0;
    for (int i = 0; order[i]; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s", root, order[i]);
        if (!cs_path_is_dir(p))
            continue;
        const char *cn = ds_split_name(order[i], strlen(order[i]));
        for (int k = 0; k < n; k++)
            if (!strcmp(canon[k], cn))
                return cs_error(CS_EFORMAT, "'%s' holds both val/ and validation/", root);
        snprintf(names[n], 32, "%s", order[i]);
        canon[n++] = cn;
    }
    if (n && strcmp(canon[0], "train"))
        return cs_error(CS_EFORMAT, "'%s' has %s/ but no train/ folder", root, names[0]);
    if (!n) {
        names[0][0] = 0;
        canon[0] = "train";
        n = 1;
    }
    return n;
}

static int list_imagefolder(const char *root, folder_ctx *c, strv *classes, const char *canon[CS_MAX_SPLITS],
                            int *nsplits)
{
    char names[CS_MAX_SPLITS][32];
    int ns = find_splits(root, names, canon);
    if (ns < 0)
        return ns;
    *nsplits = ns;
    int fixed = classes->n > 0, rc = 0;
    int64_t cap = 0;
    for (int s = 0; !rc && s < ns; s++) {
        strv dirs = {0};
        if ((rc = list_dir(root, names[s], 1, &dirs)))
            break;
        if (dirs.n == 0)
            rc = cs_error(CS_EFORMAT, "'%s%s%s': no class folders", root, names[s][0] ? "/" : "", names[s]);
        /* The train split's folders are the classes (unless given); the
         * other splits' folders must be among them. */
        for (int64_t k = 0; !rc && k < dirs.n; k++) {
            const char *cls = strrchr(dirs.v[k], '/') ? strrchr(dirs.v[k], '/') + 1 : dirs.v[k];
            if (s == 0 && !fixed)
                rc = strv_push(classes, cls);
            else if (find_name(classes, cls) < 0)
                rc = cs_error(CS_EFORMAT, "'%s/%s': class '%s' is not one of the %s classes", root, dirs.v[k],
                              cls, fixed ? "dataset.classes" : "train split's");
        }
        for (int64_t k = 0; !rc && k < dirs.n; k++) {
            const char *cls = strrchr(dirs.v[k], '/') ? strrchr(dirs.v[k], '/') + 1 : dirs.v[k];
            int label = find_name(classes, cls);
            strv files = {0};
            rc = walk_files(root, dirs.v[k], &files, 0);
            if (!rc && files.n == 0)
                rc = cs_error(CS_EFORMAT, "'%s/%s': empty class folder (no .png or .jpg files)", root, dirs.v[k]);
            for (int64_t f = 0; !rc && f < files.n; f++)
                rc = add_item(c, &cap, files.v[f], s, label);
            strv_free(&files);
        }
        strv_free(&dirs);
    }
    return rc;
}

/* An integer label ("0", "12"), or -1. */
static long int_label(const char *s)
{
    if (!*s)
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    return *end || errno || v < 0 || v > 1 << 20 ? -1 : v;
}

static int list_csv(const char *root, const cs_dataset_opts *o, folder_ctx *c, strv *classes,
                    const char *canon[CS_MAX_SPLITS], int *nsplits)
{
    char path[4200];
    if (o->csv[0] == '/')
        snprintf(path, sizeof path, "%s", o->csv);
    else
        snprintf(path, sizeof path, "%s/%s", root, o->csv);
    const char *pcol = o->csv_path_column && *o->csv_path_column ? o->csv_path_column : "path";
    const char *lcol = o->csv_label_column && *o->csv_label_column ? o->csv_label_column : "label";
    cs_csv t;
    strv labels = {0};
    int64_t *rows = NULL, cap = 0, rcap = 0;
    int rc = cs_csv_open(&t, path), ip, il, fixed = classes->n > 0, all_int = 1;
    if (rc)
        return rc;
    if ((rc = cs_csv_next(&t)) <= 0) {
        rc = rc < 0 ? rc : cs_error(CS_EFORMAT, "'%s': empty CSV (no header row)", path);
        goto out;
    }
    if ((ip = cs_csv_column(&t, pcol)) < 0 || (il = cs_csv_column(&t, lcol)) < 0) {
        rc = cs_error(CS_EFORMAT, "'%s': no column '%s' in the header (dataset.csv_%s_column)", path,
                      ip < 0 ? pcol : lcol, ip < 0 ? "path" : "label");
        goto out;
    }
    int ns = 1;
    canon[0] = "train";
    while ((rc = cs_csv_next(&t)) > 0) {
        if (t.nfields <= ip || t.nfields <= il) {
            rc = cs_error(CS_EFORMAT, "'%s' line %lld: %d fields, the header has more", path, (long long)t.line,
                          t.nfields);
            goto out;
        }
        const char *rel = t.field[ip];
        char full[8400];
        snprintf(full, sizeof full, "%s/%s", root, rel);
        struct stat st;
        if (!*rel || rel[0] == '/' || strstr(rel, "..") || stat(full, &st) || !S_ISREG(st.st_mode)) {
            rc = cs_error(CS_EFORMAT, "'%s' line %lld: '%s' %s", path, (long long)t.line, rel,
                          !*rel ? "is empty" : rel[0] == '/' || strstr(rel, "..") ? "leaves the dataset folder"
                                                                                  : "is no file in the dataset folder");
            goto out;
        }
        /* The split: a first folder named like one. */
        const char *sn = "train";
        size_t fl = strcspn(rel, "/");
        if (rel[fl] == '/' && ds_split_name(rel, fl))
            sn = ds_split_name(rel, fl);
        int s = 0;
        while (s < ns && strcmp(canon[s], sn))
            s++;
        if (s == ns) {
            if (ns == CS_MAX_SPLITS) {
                rc = cs_error(CS_EFORMAT, "'%s': too many splits", path);
                goto out;
            }
            canon[ns++] = sn;
        }
        if ((rc = add_item(c, &cap, rel, s, -1)) || (rc = strv_push(&labels, t.field[il])))
            goto out;
        if (c->n_items > rcap) {
            rcap = 2 * c->n_items;
            int64_t *g = realloc(rows, (size_t)rcap * sizeof *g);
            if (!g) {
                rc = cs_error(CS_ENOMEM, "out of memory reading '%s'", path);
                goto out;
            }
            rows = g;
        }
        rows[c->n_items - 1] = t.line;
        all_int &= int_label(t.field[il]) >= 0;
    }
    if (rc < 0)
        goto out;
    rc = 0;
    if (c->n_items == 0) {
        rc = cs_error(CS_EFORMAT, "'%s': no rows", path);
        goto out;
    }
    /* Integers are labels as they are; names index the class list, which is
     * dataset.classes or the distinct names sorted (as torchvision sorts). */
    if (!fixed && !all_int) {
        for (int64_t i = 0; !rc && i < labels.n; i++)
            if (find_name(classes, labels.v[i]) < 0)
                rc = strv_push(classes, labels.v[i]);
        if (!rc && classes->n > 0)
            qsort(classes->v, (size_t)classes->n, sizeof *classes->v, cmp_str);
    }
    for (int64_t i = 0; !rc && i < labels.n; i++) {
        int k = find_name(classes, labels.v[i]);
        long v = int_label(labels.v[i]);
        if (k < 0 && v >= 0 && (!fixed || v < classes->n) && (fixed || all_int))
            k = (int)v;
        if (k < 0)
            rc = cs_error(CS_EFORMAT, "'%s' line %lld: label '%s' of '%s' is not a class (%s)", path,
                          (long long)rows[i], labels.v[i], c->items[i].rel,
                          fixed ? "dataset.classes" : "integers and names mixed");
        else
            c->items[i].label = k;
    }
    if (rc)
        goto out;
    /* Items split by split, rows in table order within each. */
    folder_item *sorted = malloc((size_t)c->n_items * sizeof *sorted);
    if (!sorted) {
        rc = cs_error(CS_ENOMEM, "out of memory reading '%s'", path);
        goto out;
    }
    int64_t k = 0;
    for (int s = 0; s < ns; s++)
        for (int64_t i = 0; i < c->n_items; i++)
            if (c->items[i].split == s)
                sorted[k++] = c->items[i];
    free(c->items);
    c->items = sorted;
    *nsplits = ns;
out:
    free(rows);
    strv_free(&labels);
    cs_csv_release(&t);
    return rc;
}

/* --- decoding ------------------------------------------------------------ */

typedef struct shape_seen {
    int w, h, c, depth;
    const char *rel; /* the first file, for messages */
} shape_seen;

/* Decode item i into img as the options want it; a mismatch with the first
 * file's shape, channels or depth is an error naming both. */
static int decode_one(const char *root, const folder_item *it, const cs_dataset_opts *o, shape_seen *first,
                      cs_image *img, int *bad)
{
    char full[8400], what[8500];
    snprintf(full, sizeof full, "%s/%s", root, it->rel);
    snprintf(what, sizeof what, "'%s'", full);
    uint8_t *buf = NULL;
    size_t len = 0;
    *bad = 0;
    int rc = cs_read_file(full, &buf, &len);
    if (!rc)
        rc = cs_image_decode(img, buf, len, what);
    free(buf);
    if (rc) {
        *bad = rc == CS_EFORMAT;
        return rc;
    }
    if (o->channels && (rc = cs_image_to_channels(img, o->channels)))
        return rc;
    if (o->size && (rc = cs_image_resize(img, o->size, o->size)))
        return rc;
    if (!first->rel) {
        *first = (shape_seen){img->w, img->h, img->c, img->depth, it->rel};
        return 0;
    }
    if (img->c != first->c)
        return cs_error(CS_EFORMAT, "%s: %d channel(s), '%s' has %d: set dataset.channels", what, img->c, first->rel,
                        first->c);
    if (img->w != first->w || img->h != first->h)
        return cs_error(CS_EFORMAT, "%s: %dx%d pixels, '%s' is %dx%d: mixed sizes (set dataset.size)", what, img->w,
                        img->h, first->rel, first->w, first->h);
    if (img->depth != first->depth)
        return cs_error(CS_EFORMAT, "%s: %d-bit samples, '%s' has %d-bit: mixed bit depths", what, img->depth,
                        first->rel, first->depth);
    return 0;
}

static int push_pixels(uint16_t **px, int64_t *cap, int64_t n, const cs_image *img)
{
    size_t elems = (size_t)img->w * (size_t)img->h * (size_t)img->c;
    if (n == *cap) {
        int64_t nc = *cap ? 2 * *cap : 64;
        uint16_t *g = realloc(*px, (size_t)nc * elems * sizeof *g);
        if (!g)
            return cs_error(CS_ENOMEM, "out of memory holding decoded images");
        *px = g;
        *cap = nc;
    }
    memcpy(*px + (size_t)n * elems, img->px, elems * sizeof *img->px);
    return 0;
}

static int decode_all(cs_dataset *ds, folder_ctx *c, const cs_dataset_opts *o, int ns, shape_seen *first)
{
    int rc = 0;
    int64_t done = 0, kept_cap[CS_MAX_SPLITS] = {0}, px_cap[CS_MAX_SPLITS] = {0}, n[CS_MAX_SPLITS] = {0};
    const char *first_bad = NULL;
    for (int s = 0; s < ns; s++)
        if (!(c->kept[s] = malloc(sizeof(int64_t) * (size_t)(c->n_items + 1))))
            return cs_error(CS_ENOMEM, "out of memory");
    (void)kept_cap;
    for (int64_t i = 0; !rc && i < c->n_items; i++) {
        cs_image img = {0};
        int bad, s = c->items[i].split;
        rc = decode_one(ds->path, &c->items[i], o, first, &img, &bad);
        if (rc && bad && o->skip_bad) {
            c->skipped++;
            if (!first_bad)
                first_bad = c->items[i].rel;
            cs_verbose("%s (skipped)", cs_errmsg());
            rc = 0;
        } else if (!rc && !(rc = push_pixels(&c->px[s], &px_cap[s], n[s], &img))) {
            c->kept[s][n[s]++] = i;
        }
        cs_image_release(&img);
        if (++done % 500 == 0 || done == c->n_items)
            cs_progress("decoding '%s': %lld/%lld images", ds->path, (long long)done, (long long)c->n_items);
    }
    cs_progress_done();
    if (rc)
        return rc;
    if (c->skipped)
        cs_warn("'%s': %lld file(s) failed to decode and were left out (dataset.on_bad_file skip; first '%s')",
                ds->path, (long long)c->skipped, first_bad);
    if (!first->rel)
        return cs_error(CS_EFORMAT, "'%s': no image could be decoded", ds->path);
    for (int s = 0; s < ns; s++)
        ds->split[s].n = n[s];
    return 0;
}

/* --- the dataset interface ----------------------------------------------- */

static void folder_close(void *p)
{
    folder_ctx *c = p;
    if (!c)
        return;
    for (int64_t i = 0; i < c->n_items; i++)
        free(c->items[i].rel);
    free(c->items);
    for (int s = 0; s < CS_MAX_SPLITS; s++) {
        free(c->kept[s]);
        free(c->px[s]);
    }
    free(c);
}

static int folder_read(cs_dataset *ds, int s, int64_t start, int64_t count, void *x)
{
    folder_ctx *c = ds->ctx;
    size_t elems = (size_t)cs_split_sample_elems(&ds->split[s]), n = (size_t)count * elems;
    const uint16_t *src = c->px[s] + (size_t)start * elems;
    if (ds->split[s].dtype == CS_U8)
        for (size_t i = 0; i < n; i++)
            ((uint8_t *)x)[i] = (uint8_t)src[i];
    else
        for (size_t i = 0; i < n; i++)
            ((float *)x)[i] = (float)src[i];
    return 0;
}

static const char *folder_sample_id(cs_dataset *ds, int s, int64_t i, char *buf, size_t cap)
{
    folder_ctx *c = ds->ctx;
    snprintf(buf, cap, "%s", c->items[c->kept[s][i]].rel);
    return buf;
}

static const ds_ops folder_ops = {folder_read, folder_close, folder_sample_id};

/* What a cache must have been made from: every listed file (path, size,
 * mtime, split, label) and the options that change pixels. */
static void listing_key(const cs_dataset *ds, const folder_ctx *c, const cs_dataset_opts *o, char hex[65])
{
    cs_sha256 h;
    cs_sha256_init(&h);
    char line[256];
    snprintf(line, sizeof line, "coreset-folder-cache 1 channels=%d size=%d skip=%d\n", o->channels, o->size,
             o->skip_bad);
    cs_sha256_update(&h, line, strlen(line));
    for (int64_t i = 0; i < c->n_items; i++) {
        char full[8400];
        struct stat st;
        snprintf(full, sizeof full, "%s/%s", ds->path, c->items[i].rel);
        memset(&st, 0, sizeof st);
        stat(full, &st);
        cs_sha256_update(&h, c->items[i].rel, strlen(c->items[i].rel) + 1);
        snprintf(line, sizeof line, "%lld %lld.%09ld %d %d\n", (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                 st.st_mtim.tv_nsec, c->items[i].split, (int)c->items[i].label);
        cs_sha256_update(&h, line, strlen(line));
    }
    uint8_t d[32];
    cs_sha256_final(&h, d);
    cs_sha256_hex(d, hex);
}

int ds_open_folder(cs_dataset *ds, const cs_dataset_opts *o)
{
    if (o->channels != 0 && o->channels != 1 && o->channels != 3)
        return cs_error(CS_EINVAL, "dataset.channels is %d (0, 1 or 3)", o->channels);
    folder_ctx *c = cs_calloc(1, sizeof *c);
    if (!c)
        return CS_ENOMEM;
    strv classes = {0};
    const char *canon[CS_MAX_SPLITS] = {0};
    int ns = 0, rc = parse_classes(o->classes, &classes);
    ds->format = "folder";
    ds->ops = &folder_ops;
    ds->save_cache = ds_folder_cache_save;
    ds->ctx = c;
    if (!rc)
        rc = o->csv && *o->csv ? list_csv(ds->path, o, c, &classes, canon, &ns)
                               : list_imagefolder(ds->path, c, &classes, canon, &ns);
    if (rc)
        goto out;
    listing_key(ds, c, o, c->key);
    /* Splits with labels first (counts are fixed after decoding or the cache). */
    shape_seen first = {0};
    int from_cache = 0;
    for (int s = 0; s < ns; s++)
        snprintf(ds->split[s].name, sizeof ds->split[s].name, "%s", canon[s]);
    ds->nsplits = ns;
    if (o->cache && (from_cache = ds_folder_cache_load(ds, c, o->cache)) < 0) {
        rc = from_cache;
        goto out;
    }
    if (!from_cache) {
        if ((rc = decode_all(ds, c, o, ns, &first)))
            goto out;
        for (int s = 0; s < ns; s++) {
            cs_split_info *si = &ds->split[s];
            si->rank = first.c == 1 ? 2 : 3;
            si->shape[0] = first.h;
            si->shape[1] = first.w;
            si->shape[2] = first.c;
            si->dtype = first.depth == 8 ? CS_U8 : CS_F32;
        }
    }
    ds->skipped = c->skipped;
    for (int s = 0; s < ns && !rc; s++) {
        int32_t *y = malloc(sizeof *y * (size_t)(ds->split[s].n + 1));
        if (!y) {
            rc = cs_error(CS_ENOMEM, "out of memory");
            break;
        }
        for (int64_t i = 0; i < ds->split[s].n; i++)
            y[i] = c->items[c->kept[s][i]].label;
        /* ds_add_split appends: rebuild the split list in place. */
        cs_split_info si = ds->split[s];
        ds->nsplits = s;
        rc = ds_add_split(ds, si.name, si.n, si.rank, si.shape, si.dtype, y, si.n);
        ds->nsplits = ns;
    }
    if (!rc && classes.n)
        rc = ds_set_class_names(ds, (const char *const *)classes.v, (int)classes.n);
out:
    strv_free(&classes);
    return rc;
}
