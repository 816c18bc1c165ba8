/* export_folder.c - `coreset export --format folder|csv` (export_folder.h). */
#include "export_folder.h"

#include "../codecs/csv.h"
#include "../common/err.h"
#include "../common/fsio.h"
#include "../common/tmpfiles.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    remove(p);
    return 0;
}

/* mkdir -p of the folders above `rel` under root. */
static int make_parents(const char *root, const char *rel)
{
    char p[8400];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    for (char *q = p + strlen(root) + 1; (q = strchr(q, '/')); q++) {
        *q = 0;
        if (mkdir(p, 0777) && errno != EEXIST)
            return cs_error_errno(CS_EIO, "cannot create folder '%s'", p);
        *q = '/';
    }
    return 0;
}

static int copy_file(const char *from, const char *to)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = cs_read_file(from, &buf, &len);
    if (rc)
        return rc;
    FILE *f = fopen(to, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fflush(f) || fsync(fileno(f))) {
        rc = cs_error_errno(CS_EIO, "cannot write '%s'", to);
    }
    if (f && fclose(f) && !rc)
        rc = cs_error_errno(CS_EIO, "cannot write '%s'", to);
    free(buf);
    return rc;
}

/* One file into the tree: a hard link, else (another filesystem, no links) a copy. */
static int place(const char *src_root, const char *tmp, const char *rel, int64_t *linked)
{
    char from[8400], to[8400];
    snprintf(from, sizeof from, "%s/%s", src_root, rel);
    snprintf(to, sizeof to, "%s/%s", tmp, rel);
    int rc = make_parents(tmp, rel);
    if (rc)
        return rc;
    if (link(from, to) == 0) {
        (*linked)++;
        return 0;
    }
    if (errno != EXDEV && errno != EPERM && errno != EMLINK && errno != ENOTSUP)
        return cs_error_errno(CS_EIO, "cannot link '%s' to '%s'", from, to);
    return copy_file(from, to);
}

int cs_export_folder(cs_dataset *src, const char *split, const int64_t *idx, int64_t m, const cs_kv *attrs,
                     int nattrs, const char *out_dir)
{
    if (cs_path_exists(out_dir))
        return cs_error(CS_EINVAL, "'%s' exists: --format folder writes a new folder", out_dir);
    char tmp[4200], rel[4096];
    int rc = cs_tmp_template(tmp, sizeof tmp, out_dir);
    if (rc)
        return cs_error(CS_EINVAL, "'%s': path too long", out_dir);
    if (!mkdtemp(tmp))
        return cs_error_errno(CS_EIO, "cannot create a folder beside '%s'", out_dir);
    int slot = cs_tmp_register(tmp, 1);
    int64_t linked = 0, placed = 0;
    const char *root = cs_dataset_path(src);
    for (int s = 0; !rc && s < cs_dataset_num_splits(src); s++) {
        const cs_split_info *si = cs_dataset_split_at(src, s);
        int pruned = !strcmp(si->name, split);
        int64_t n = pruned ? m : si->n;
        for (int64_t k = 0; !rc && k < n; k++) {
            const char *id = cs_dataset_sample_id(src, si->name, pruned ? idx[k] : k, rel, sizeof rel);
            rc = id ? place(root, tmp, id, &linked) : cs_error(CS_EINTERNAL, "'%s': sample without a path", root);
            placed++;
        }
    }
    /* The manifest: provenance first, then the kept files. */
    if (!rc) {
        char mp[4300];
        snprintf(mp, sizeof mp, "%s/%s", tmp, CS_EXPORT_MANIFEST);
        FILE *f = fopen(mp, "w");
        if (!f) {
            rc = cs_error_errno(CS_EIO, "cannot write '%s'", mp);
        } else {
            fprintf(f, "# coreset export --format folder: the pruned split's kept files and the other splits whole\n");
            for (int i = 0; i < nattrs; i++)
                fprintf(f, "%s: %s\n", attrs[i].key, attrs[i].value);
            fprintf(f, "source-folder: %s\nfiles: %lld\nhard-linked: %lld\n", root, (long long)placed,
                    (long long)linked);
            for (int64_t k = 0; k < m; k++)
                fprintf(f, "kept: %s\n", cs_dataset_sample_id(src, split, idx[k], rel, sizeof rel));
            if (fflush(f) || fsync(fileno(f)))
                rc = cs_error_errno(CS_EIO, "cannot write '%s'", mp);
            if (fclose(f) && !rc)
                rc = cs_error_errno(CS_EIO, "cannot write '%s'", mp);
        }
    }
    if (!rc && rename(tmp, out_dir))
        rc = cs_error_errno(CS_EIO, "cannot rename '%s' to '%s'", tmp, out_dir);
    if (rc)
        nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    cs_tmp_forget(slot);
    if (!rc) {
        char *d = cs_dir_of(out_dir);
        if (d)
            cs_fsync_dir(d);
        free(d);
    }
    return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int cs_export_csv(cs_dataset *src, const char *split, const int64_t *idx, int64_t m, const char *csv_path,
                  const char *path_column, const char *out_path)
{
    /* Which paths stay: the kept ones of the pruned split, all of the others. */
    int64_t nkeep = 0, cap = m;
    for (int s = 0; s < cs_dataset_num_splits(src); s++)
        if (strcmp(cs_dataset_split_at(src, s)->name, split))
            cap += cs_dataset_split_at(src, s)->n;
    char **keep = calloc((size_t)cap + 1, sizeof *keep);
    uint8_t *raw = NULL;
    size_t rawlen = 0;
    cs_csv t = {0};
    cs_afile af = {0};
    int rc = keep ? 0 : cs_error(CS_ENOMEM, "out of memory"), open_af = 0;
    char rel[4096];
    for (int s = 0; !rc && s < cs_dataset_num_splits(src); s++) {
        const cs_split_info *si = cs_dataset_split_at(src, s);
        int pruned = !strcmp(si->name, split);
        for (int64_t k = 0; !rc && k < (pruned ? m : si->n); k++) {
            cs_dataset_sample_id(src, si->name, pruned ? idx[k] : k, rel, sizeof rel);
            if (!(keep[nkeep++] = strdup(rel)))
                rc = cs_error(CS_ENOMEM, "out of memory");
        }
    }
    if (rc)
        goto out;
    if (nkeep > 0)
        qsort(keep, (size_t)nkeep, sizeof *keep, cmp_str);
    /* The rows are copied from the raw bytes: the parser unquotes in place,
     * so a row's extent is taken from its positions, its text from raw. */
    if ((rc = cs_read_file(csv_path, &raw, &rawlen)) || (rc = cs_csv_open_mem(&t, (const char *)raw, rawlen, csv_path)))
        goto out;
    if ((rc = cs_afile_open(&af, out_path)))
        goto out;
    open_af = 1;
    int ip = -1;
    int64_t written = 0;
    for (int row = 0;; row++) {
        size_t from = t.pos;
        int r = cs_csv_next(&t);
        if (r < 0) {
            rc = r;
            goto out;
        }
        if (r == 0)
            break;
        size_t to = t.pos;
        /* Leading blank lines belong to no row. */
        while (from < to && (raw[from] == '\n' || raw[from] == '\r'))
            from++;
        if (row == 0)
            from = 0; /* a byte-order mark stays */
        int keep_row = 0;
        if (row == 0) {
            ip = cs_csv_column(&t, path_column);
            if (ip < 0) {
                rc = cs_error(CS_EFORMAT, "'%s': no column '%s'", csv_path, path_column);
                goto out;
            }
            keep_row = 1;
        } else if (ip < t.nfields) {
            const char *key = t.field[ip];
            keep_row = bsearch(&key, keep, (size_t)nkeep, sizeof *keep, cmp_str) != NULL;
        }
        if (keep_row) {
            fwrite(raw + from, 1, to - from, af.fp);
            /* A last row without a line end gets one, so the file stays a table. */
            if (to == rawlen && to > from && raw[to - 1] != '\n')
                fputc('\n', af.fp);
            written += row > 0;
        }
    }
    if (written != nkeep) {
        rc = cs_error(CS_EFORMAT, "'%s': %lld kept rows found for %lld kept files (a path listed twice?)", csv_path,
                      (long long)written, (long long)nkeep);
        goto out;
    }
    rc = cs_afile_commit(&af);
    open_af = 0;
out:
    if (open_af)
        cs_afile_abort(&af);
    cs_csv_release(&t);
    free(raw);
    for (int64_t i = 0; keep && i < nkeep; i++)
        free(keep[i]);
    free(keep);
    return rc;
}
