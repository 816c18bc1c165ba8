/* inspect_index.c - `coreset inspect FILE.idx`: the header of an index file
 * and the class histogram of the samples it selects (labels from its source). */
#include "inspect.h"

#include "../common/err.h"
#include "../formats/index_file.h"

#include <stdlib.h>
#include <string.h>

int inspect_is_index(const char *path)
{
    size_t l = strlen(path);
    return l > 4 && strcmp(path + l - 4, ".idx") == 0;
}

int inspect_index(FILE *out, const char *path)
{
    cs_index_file ix;
    cs_dataset *ds = NULL;
    int32_t *y = NULL;
    int64_t *hist = NULL;
    cs_index_file_init(&ix);
    int rc = cs_index_read(path, &ix);
    if (rc)
        goto out;
    fprintf(out, "index file '%s'\n", path);
    fprintf(out, "  n: %lld\n  m: %lld\n", (long long)ix.n, (long long)ix.m);
    for (int i = 0; i < ix.num_keys; i++)
        fprintf(out, "  %s: %s\n", ix.kv[i].key, ix.kv[i].value);
    const char *source = cs_index_file_get(&ix, "source");
    const char *split = cs_index_file_get(&ix, "split");
    split = split ? split : "train";
    if (!source) {
        fprintf(out, "no source dataset in the header: no class histogram\n");
        goto out;
    }
    cs_dataset_opts opts = {0};
    opts.images_name = cs_index_file_get(&ix, "images");
    opts.labels_name = cs_index_file_get(&ix, "labels");
    const char *nc = cs_index_file_get(&ix, "num-classes");
    opts.num_classes = nc ? atoi(nc) : 0;
    if ((rc = cs_dataset_open(&ds, source, &opts)))
        goto out;
    const cs_split_info *info = cs_dataset_split(ds, split);
    if (!info || info->n != ix.n) {
        rc = cs_error(CS_EFORMAT, "index '%s': split '%s' of '%s' has %lld samples, the index says %lld",
                      path, split, source, info ? (long long)info->n : 0LL, (long long)ix.n);
        goto out;
    }
    int classes = cs_dataset_num_classes(ds);
    y = cs_malloc(sizeof *y * (size_t)(ix.n ? ix.n : 1));
    hist = cs_calloc((size_t)classes * 2, sizeof *hist);
    if (!y || !hist) {
        rc = CS_ENOMEM;
        goto out;
    }
    if ((rc = cs_dataset_read(ds, split, 0, ix.n, NULL, y)))
        goto out;
    for (int64_t i = 0; i < ix.n; i++)
        hist[2 * y[i]]++;
    for (int64_t k = 0; k < ix.m; k++)
        hist[2 * y[ix.idx[k]] + 1]++;
    fprintf(out, "selected samples by class (%s split of '%s'):\n", split, source);
    fprintf(out, "  %-8s %10s %10s %8s\n", "class", "N_c", "n_c", "kept%");
    for (int c = 0; c < classes; c++)
        fprintf(out, "  %-8d %10lld %10lld %8.2f\n", c, (long long)hist[2 * c],
                (long long)hist[2 * c + 1], hist[2 * c] ? 100.0 * (double)hist[2 * c + 1] / (double)hist[2 * c] : 0.0);
out:
    free(y);
    free(hist);
    cs_dataset_free(ds);
    cs_index_file_release(&ix);
    return rc;
}
