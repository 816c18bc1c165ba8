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

static int sha256_folder(const char *path, char hex[65])
{
    DIR *d = opendir(path);
    if (!d)
        return cs_error_errno(CS_EIO, "cannot open folder '%s'", path);
    char **names = NULL;
    size_t count = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char full[4096];
        struct stat st;
        snprintf(full, sizeof full, "%s/%s", path, e->d_name);
        if (stat(full, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (count == cap) {
            cap = cap ? 2 * cap : 16;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown) {
                rc = cs_error(CS_ENOMEM, "out of memory listing '%s'", path);
                goto out;
            }
            names = grown;
        }
        if (!(names[count] = strdup(e->d_name))) {
            rc = cs_error(CS_ENOMEM, "out of memory listing '%s'", path);
            goto out;
        }
        count++;
    }
    if (count == 0) {
        rc = cs_error(CS_EFORMAT, "folder '%s' holds no files", path);
        goto out;
    }
    qsort(names, count, sizeof *names, cmp_str);
    cs_sha256 s;
    cs_sha256_init(&s);
    for (size_t i = 0; i < count; i++) {
        char full[4096], fhex[65];
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        if ((rc = cs_sha256_file(full, fhex)))
            goto out;
        cs_sha256_update(&s, fhex, 64);
        cs_sha256_update(&s, "  ", 2);
        cs_sha256_update(&s, names[i], strlen(names[i]));
        cs_sha256_update(&s, "\n", 1);
    }
    uint8_t dig[32];
    cs_sha256_final(&s, dig);
    cs_sha256_hex(dig, hex);
out:
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

int cs_dataset_sha256(const char *path, char hex[65])
{
    hex[0] = 0;
    if (cs_path_is_dir(path))
        return sha256_folder(path, hex);
    return cs_sha256_file(path, hex);
}
