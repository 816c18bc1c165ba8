/* dataset_sha.c - the provenance hash of a dataset file or folder. */
#include "dataset_sha.h"

#include "../common/err.h"
#include "../common/fsio.h"
#include "../common/sha256.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct name_list {
    char **v;
    size_t n, cap;
} name_list;

static int push_name(name_list *l, const char *rel, const char *root)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **grown = realloc(l->v, cap * sizeof *grown);
        if (!grown)
            return cs_error(CS_ENOMEM, "out of memory listing '%s'", root);
        l->v = grown;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(rel)))
        return cs_error(CS_ENOMEM, "out of memory listing '%s'", root);
    l->n++;
    return 0;
}

/* Every regular file under root/rel (rel "" for root itself), as paths
 * relative to root; names starting with '.' are left out at every level.
 * Datasets such as PTB-XL keep their records in subfolders (records100/00000/),
 * so the hash must reach them. */
static int list_files(const char *root, const char *rel, name_list *l, int depth)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s%s%s", root, rel[0] ? "/" : "", rel);
    if (depth > 16)
        return cs_error(CS_EFORMAT, "folder '%s' nests deeper than 16 levels", dir);
    DIR *d = opendir(dir);
    if (!d)
        return cs_error_errno(CS_EIO, "cannot open folder '%s'", dir);
    int rc = 0;
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char full[4096], sub[4096];
        struct stat st;
        if (snprintf(full, sizeof full, "%s/%s", dir, e->d_name) >= (int)sizeof full ||
            snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name) >= (int)sizeof sub) {
            rc = cs_error(CS_EINVAL, "path too long under '%s'", root);
            break;
        }
        if (stat(full, &st) != 0)
            continue;
        if (S_ISREG(st.st_mode))
            rc = push_name(l, sub, root);
        else if (S_ISDIR(st.st_mode))
            rc = list_files(root, sub, l, depth + 1);
    }
    closedir(d);
    return rc;
}

static int sha256_folder(const char *path, char hex[65])
{
    name_list l = {0};
    int rc = list_files(path, "", &l, 0);
    if (rc)
        goto out;
    if (l.n == 0) {
        rc = cs_error(CS_EFORMAT, "folder '%s' holds no files", path);
        goto out;
    }
    qsort(l.v, l.n, sizeof *l.v, cmp_str);
    cs_sha256 s;
    cs_sha256_init(&s);
    for (size_t i = 0; i < l.n; i++) {
        char full[8200], fhex[65];
        snprintf(full, sizeof full, "%s/%s", path, l.v[i]);
        if ((rc = cs_sha256_file(full, fhex)))
            goto out;
        cs_sha256_update(&s, fhex, 64);
        cs_sha256_update(&s, "  ", 2);
        cs_sha256_update(&s, l.v[i], strlen(l.v[i]));
        cs_sha256_update(&s, "\n", 1);
    }
    uint8_t dig[32];
    cs_sha256_final(&s, dig);
    cs_sha256_hex(dig, hex);
out:
    for (size_t i = 0; i < l.n; i++)
        free(l.v[i]);
    free(l.v);
    return rc;
}

int cs_dataset_sha256(const char *path, char hex[65])
{
    hex[0] = 0;
    if (cs_path_is_dir(path))
        return sha256_folder(path, hex);
    return cs_sha256_file(path, hex);
}
