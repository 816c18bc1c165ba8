/* ecg_records.c - what the WFDB-based ECG readers share about records: the
 * list of a database folder, and the stratified random split. */
#include "ds_ecg.h"

#include "../common/err.h"
#include "../common/fsio.h"
#include "../common/rng.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }


int ecg_list_records(const char *root, char ***names, int *n)
{
    char path[4200];
    int cap = 0, rc = 0;
    *names = NULL;
    *n = 0;
    snprintf(path, sizeof path, "%s/RECORDS", root);
    uint8_t *text = NULL;
    size_t len;
    DIR *d = NULL;
    if (cs_path_exists(path)) {
        if ((rc = cs_read_file(path, &text, &len)))
            return rc;
    } else if (!(d = opendir(root))) {
        return cs_error_errno(CS_EIO, "cannot open '%s'", root);
    }
    char *save = NULL, *line = text ? strtok_r((char *)text, "\r\n", &save) : NULL;
    struct dirent *e = d ? readdir(d) : NULL;
    while (text ? line != NULL : e != NULL) {
        char name[1024] = "";
        if (text) {
            snprintf(name, sizeof name, "%s", line);
            size_t k = strlen(name);
            while (k && (name[k - 1] == ' ' || name[k - 1] == '\t'))
                name[--k] = 0;
            line = strtok_r(NULL, "\r\n", &save);
        } else {
            size_t k = strlen(e->d_name);
            if (k > 4 && !strcmp(e->d_name + k - 4, ".hea"))
                snprintf(name, sizeof name, "%.*s", (int)(k - 4), e->d_name);
            e = readdir(d);
        }
        if (!name[0] || name[0] == '#')
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            char **g = realloc(*names, (size_t)cap * sizeof *g);
            if (!g) {
                rc = cs_error(CS_ENOMEM, "out of memory");
                break;
            }
            *names = g;
        }
        if (!((*names)[*n] = strdup(name))) {
            rc = cs_error(CS_ENOMEM, "out of memory");
            break;
        }
        (*n)++;
    }
    free(text);
    if (d) {
        closedir(d);
        if (*names)
            qsort(*names, (size_t)*n, sizeof **names, cmp_str);
    }
    return rc;
}

int ecg_split_stratified(const int32_t *cls, int64_t n, int ncls, const cs_ecg_opts *o, uint8_t *split)
{
    int64_t *idx = cs_malloc((size_t)(n ? n : 1) * sizeof *idx);
    if (!idx)
        return CS_ENOMEM;
    cs_rng rng;
    cs_rng_seed(&rng, o->split_seed);
    for (int c = 0; c < ncls; c++) {
        int64_t m = 0;
        for (int64_t i = 0; i < n; i++)
            if (cls[i] == c)
                idx[m++] = i;
        cs_rng_shuffle_i64(&rng, idx, m);
        int64_t ntest = llround(o->test_fraction * (double)m), nval = llround(o->val_fraction * (double)m);
        for (int64_t k = 0; k < m; k++)
            split[idx[k]] = k < ntest ? 2 : k < ntest + nval ? 1 : 0;
    }
    free(idx);
    return 0;
}

int ecg_record_split(const cs_ecg_opts *o, const char *name, int *which)
{
    const char *lists[3] = {o->train_records, o->val_records, o->test_records};
    const char *keys[3] = {"ecg.train_records", "ecg.val_records", "ecg.test_records"};
    *which = -1;
    for (int s = 0; s < 3; s++)
        if (ecg_name_listed(name, lists[s])) {
            if (*which >= 0)
                return cs_error(CS_EINVAL, "record '%s' is in both %s and %s", name, keys[*which], keys[s]);
            *which = s;
        }
    return 0;
}
