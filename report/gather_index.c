/* gather_index.c - the index file the report shows: read and verified
 * (formats/index_file.c), then held against the run, since an index selected
 * from another dataset or split would be drawn over the wrong samples
 * without any visible sign. */
#include "report_data.h"

#include "../common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "reliability tau=T phi=P" */
static void read_filter(cs_report_data *d)
{
    const char *f = cs_index_file_get(&d->index, "filter");
    double tau, phi;
    if (f && sscanf(f, "reliability tau=%lf phi=%lf", &tau, &phi) == 2) {
        d->filter_on = 1;
        d->tau = tau;
        d->phi = phi;
    }
}

int cs_report_gather_index(cs_report_data *d, const char *path)
{
    snprintf(d->index_path, sizeof d->index_path, "%s", path);
    int rc = cs_index_read(path, &d->index);
    if (rc)
        return rc;
    const cs_index_file *x = &d->index;
    const char *sha = cs_index_file_get(x, "source-sha256");
    const char *split = cs_index_file_get(x, "split");
    const char *ncls = cs_index_file_get(x, "num-classes");
    if (sha && d->sha[0] && strcmp(sha, d->sha))
        return cs_error(CS_EINVAL,
                        "'%s' was selected from another dataset (sha256 %.16s...) than run '%s' scored (%.16s...)\n"
                        "hint: give an index that 'coreset select' wrote from this run",
                        path, sha, d->run, d->sha);
    if (x->n != d->n)
        return cs_error(CS_EINVAL,
                        "'%s' indexes %lld samples but run '%s' scored %lld: it belongs to another dataset or split",
                        path, (long long)x->n, d->run, (long long)d->n);
    if (split && d->split[0] && strcmp(split, d->split))
        return cs_error(CS_EINVAL, "'%s' indexes split '%s' but run '%s' scored split '%s'", path, split, d->run,
                        d->split);
    if (ncls && strtol(ncls, NULL, 10) != d->num_classes)
        return cs_error(CS_EINVAL, "'%s' has %s classes but run '%s' has %d", path, ncls, d->run, d->num_classes);
    d->kept = cs_calloc((size_t)(d->n ? d->n : 1), 1);
    d->class_kept = cs_calloc((size_t)d->num_classes, sizeof *d->class_kept);
    if (!d->kept || !d->class_kept)
        return CS_ENOMEM;
    for (int64_t k = 0; k < x->m; k++) {
        d->kept[x->idx[k]] = 1;
        d->class_kept[d->labels[x->idx[k]]]++;
    }
    d->have_index = 1;
    read_filter(d);
    return 0;
}
