/* index_source.c - an index file's header against the dataset it is applied to. */
#include "index_source.h"

#include "../common/err.h"
#include "../datasets/dataset_sha.h"

#include <stdlib.h>
#include <string.h>

int cs_index_check_sha(const char *idx_path, const cs_index_file *ix, const char *source_path)
{
    const char *want = cs_index_file_get(ix, "source-sha256");
    if (!want)
        return cs_error(CS_EFORMAT, "index '%s' has no 'source-sha256' header: cannot verify '%s'", idx_path,
                        source_path);
    char hex[65];
    int rc = cs_dataset_sha256(source_path, hex);
    if (rc)
        return rc;
    if (strcmp(hex, want) != 0)
        return cs_error(CS_EFORMAT,
                        "index '%s' was made from a dataset with sha256 %.12s..., but '%s' has "
                        "%.12s...; hint: the dataset changed since selection: score and select again",
                        idx_path, want, source_path, hex);
    return 0;
}

int cs_index_check_source(const char *idx_path, const cs_index_file *ix, const char *source_path,
                          const cs_dataset *ds, const char *split)
{
    const char *hsplit = cs_index_file_get(ix, "split");
    if (hsplit && strcmp(hsplit, split) != 0)
        return cs_error(CS_EFORMAT, "index '%s' selects from split '%s', not '%s' of '%s'", idx_path, hsplit, split,
                        source_path);
    const cs_split_info *info = cs_dataset_split(ds, split);
    if (!info)
        return cs_error(CS_EFORMAT, "index '%s' refers to split '%s', which '%s' does not have", idx_path, split,
                        source_path);
    if (info->n != ix->n)
        return cs_error(CS_EFORMAT,
                        "index '%s' was made from a split of %lld samples, but split '%s' of '%s' "
                        "has %lld; hint: select again from a run of this dataset",
                        idx_path, (long long)ix->n, split, source_path, (long long)info->n);
    const char *nc = cs_index_file_get(ix, "num-classes");
    if (nc) {
        char *end;
        long v = strtol(nc, &end, 10);
        int have = cs_dataset_num_classes(ds);
        if (*end || end == nc || v < 1)
            return cs_error(CS_EFORMAT, "index '%s': num-classes '%s' is not a positive integer", idx_path, nc);
        if (v != have)
            return cs_error(CS_EFORMAT,
                            "index '%s' says num-classes %ld, but '%s' has %d classes; hint: where the run set "
                            "dataset.num_classes, keep the index beside its run (run.yaml holds the class count)",
                            idx_path, v, source_path, have);
    }
    return 0;
}
