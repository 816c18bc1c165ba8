/* export_idx.c - `coreset export`: verify an index against its source
 * dataset, gather names, scores and provenance, and write the pruned copy. */
#include "export_idx.h"

#include "../common/err.h"
#include "../common/fsio.h"
#include "../common/log.h"
#include "../config/dataset_opts.h"
#include "../datasets/dataset_sha.h"
#include "../formats/index_file.h"
#include "../formats/index_source.h"
#include "../common/outguard.h"
#include "../run/run_dir.h"
#include "../score/scores_file.h"
#include "export_folder.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NAME_LEN 512

void cs_export_default_path(const cs_export_idx_args *a, char *buf, size_t len)
{
    if (a->out_path) {
        snprintf(buf, len, "%s", a->out_path);
        return;
    }
    /* Beside the index, same stem: run/coreset-eva-0.10.idx -> run/coreset-eva-0.10.h5 */
    size_t l = strlen(a->idx_path);
    if (l > 4 && strcmp(a->idx_path + l - 4, ".idx") == 0)
        l -= 4;
    static const char *const ext[] = {".h5", ".npz", "", ".csv"};
    snprintf(buf, len, "%.*s%s", (int)l, a->idx_path, ext[a->format]);
}

/* scores.h5 of the run the index names, else beside the index; "" if neither. */
static void find_scores(const char *idx_path, const cs_index_file *ix, char *path, size_t len)
{
    const char *run = cs_index_file_get(ix, "run");
    if (run) {
        cs_run_path(path, len, run, CS_RUN_SCORES);
        if (cs_path_exists(path))
            return;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", idx_path);
    cs_run_path(path, len, dirname(dir), CS_RUN_SCORES);
    if (!cs_path_exists(path))
        path[0] = 0;
}

/* Scores of the kept samples from the run's scores.h5, or NULL (with a
 * warning saying why) when there is none that fits the index. */
static int kept_scores(const char *idx_path, const cs_index_file *ix, float **out)
{
    *out = NULL;
    char path[4200], sha[80];
    const char *score = cs_index_file_get(ix, "score");
    const char *want = cs_index_file_get(ix, "source-sha256");
    find_scores(idx_path, ix, path, sizeof path);
    if (!score || !want || !path[0]) {
        cs_warn("no scores.h5 found for '%s': the export holds no score array", idx_path);
        return 0;
    }
    /* The base score of a focus-weighted ranking ("eva*focus^1" -> eva); the
     * random baseline's keys are not stored. */
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)strcspn(score, "*"), score);
    if (strcmp(name, "random") == 0)
        return 0;
    cs_scores_file f;
    double *s = NULL;
    int dir_unused, rc = cs_scores_open(&f, path);
    if (rc)
        return rc;
    if ((rc = cs_scores_attr(path, "dataset_sha256", sha, sizeof sha)))
        goto out;
    if (f.n != ix->n || strcmp(sha, want) != 0) {
        cs_warn("'%s' belongs to another dataset than '%s': the export holds no score array", path,
                idx_path);
        goto out;
    }
    if ((rc = cs_scores_read(&f, path, name, &s, &dir_unused, NULL, 0)))
        goto out;
    if (!(*out = cs_malloc(sizeof **out * (size_t)(ix->m ? ix->m : 1)))) {
        rc = CS_ENOMEM;
        goto out;
    }
    for (int64_t k = 0; k < ix->m; k++)
        (*out)[k] = (float)s[ix->idx[k]];
out:
    free(s);
    cs_scores_release(&f);
    return rc;
}

int cs_export_index(const cs_export_idx_args *a, char *written, size_t len, int64_t *m)
{
    cs_index_file ix;
    cs_dataset *src = NULL;
    float *scores = NULL;
    cs_export_split splits[CS_MAX_SPLITS];
    char names[CS_MAX_SPLITS][2][NAME_LEN];
    cs_kv *attrs = NULL;
    char nbuf[32], mbuf[32], when[64], out_path[4096];
    int rc;
    cs_index_file_init(&ix);
    cs_export_default_path(a, out_path, sizeof out_path);
    if ((rc = cs_check_output_dir(out_path)) || (rc = cs_guard_input(a->idx_path)) ||
        (rc = cs_index_read(a->idx_path, &ix)))
        goto out;
    const char *source = cs_index_file_get(&ix, "source");
    const char *split = cs_index_file_get(&ix, "split");
    split = split ? split : "train";
    if (!source || !*source) {
        rc = cs_error(CS_EFORMAT, "index '%s' has no 'source' header: which dataset?", a->idx_path);
        goto out;
    }
    /* Nothing this export reads may be replaced by what it writes: the index,
     * the source, and the files of the run the index came from (and of the
     * folder holding the index, where that is a run). */
    char idx_dir[4096];
    snprintf(idx_dir, sizeof idx_dir, "%s", a->idx_path);
    const char *run_named = cs_index_file_get(&ix, "run");
    if ((rc = cs_guard_input(source)) || (run_named && (rc = cs_run_check_idle(run_named))) ||
        (run_named && (rc = cs_run_guard(run_named, 1))) ||
        (rc = cs_run_guard(dirname(idx_dir), 1)) || (rc = cs_guard_output(out_path)))
        goto out;
    if ((rc = cs_index_check_sha(a->idx_path, &ix, source)))
        goto out;
    /* Reopen the source as the run opened it: the ECG kinds cut their samples by
     * options (beat window, length, leads, split) that the source's sha256 cannot see,
     * so they come from the run's run.yaml when the index names a run that has one. */
    cs_dataset_opts opts = {0};
    cs_ecg_opts ecg;
    static cs_config rcfg; /* large; strings in opts point into it */
    const char *run = cs_index_file_get(&ix, "run");
    char yaml[4200] = "";
    if (run)
        cs_run_path(yaml, sizeof yaml, run, CS_RUN_YAML);
    if (yaml[0] && cs_path_exists(yaml)) {
        cs_config_init(&rcfg);
        if ((rc = cs_config_load_run(&rcfg, yaml)))
            goto out;
        cs_config_dataset_opts(&rcfg, &opts, &ecg);
    } else {
        /* The class count comes from the data and is checked against the
         * header below: a header is never trusted for a fact the source holds. */
        opts.images_name = cs_index_file_get(&ix, "images");
        opts.labels_name = cs_index_file_get(&ix, "labels");
        cs_verbose("'%s': the run's run.yaml is not at hand; dataset options from the index header only "
                   "(ECG beat and record options at their defaults)", a->idx_path);
    }
    /* An image folder's pixels come from the run's cache when it has one. */
    char cache[4200];
    if (run && !opts.cache) {
        cs_run_path(cache, sizeof cache, run, CS_RUN_IMAGES);
        opts.cache = cache;
    }
    if ((a->format == CS_FMT_FOLDER || a->format == CS_FMT_CSV) && opts.kind && strcmp(opts.kind, "folder") &&
        strcmp(opts.kind, "auto")) {
        rc = cs_error(CS_EINVAL, "--format folder and csv export image folders (dataset.kind folder), not %s", opts.kind);
        goto out;
    }
    if ((rc = cs_dataset_open(&src, source, &opts)))
        goto out;
    if ((a->format == CS_FMT_FOLDER || a->format == CS_FMT_CSV) && strcmp(cs_dataset_format(src), "folder")) {
        rc = cs_error(CS_EINVAL, "'%s' is a %s dataset: --format folder and csv export image folders", source,
                      cs_dataset_format(src));
        goto out;
    }
    if (a->format == CS_FMT_CSV && !(opts.csv && *opts.csv)) {
        rc = cs_error(CS_EINVAL, "'%s' was read as ImageFolder folders, not from a CSV: use --format folder", source);
        goto out;
    }
    if ((rc = cs_index_check_source(a->idx_path, &ix, source, src, split)))
        goto out;
    if ((rc = kept_scores(a->idx_path, &ix, &scores)))
        goto out;
    /* The pruned split first, then every other split whole. */
    int ns = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < cs_dataset_num_splits(src); i++) {
            const char *name = cs_dataset_split_at(src, i)->name;
            if ((strcmp(name, split) == 0) != (pass == 0))
                continue;
            if ((rc = cs_export_source_names(src, name, opts.images_name, opts.labels_name,
                                             names[ns][0], names[ns][1], NAME_LEN)))
                goto out;
            splits[ns] = (cs_export_split){.split = name, .images_name = names[ns][0],
                                           .labels_name = names[ns][1]};
            if (pass == 0) {
                splits[ns].idx = ix.idx;
                splits[ns].m = ix.m;
                splits[ns].scores = scores;
            }
            ns++;
        }
    /* Provenance: the whole index header, the index file, and the time. */
    int na = 0;
    if (!(attrs = cs_calloc((size_t)ix.num_keys + 4, sizeof *attrs))) {
        rc = CS_ENOMEM;
        goto out;
    }
    snprintf(nbuf, sizeof nbuf, "%lld", (long long)ix.n);
    snprintf(mbuf, sizeof mbuf, "%lld", (long long)ix.m);
    attrs[na++] = (cs_kv){"n", nbuf};
    attrs[na++] = (cs_kv){"m", mbuf};
    for (int i = 0; i < ix.num_keys; i++)
        if (strcmp(ix.kv[i].key, "index") != 0 && strcmp(ix.kv[i].key, "exported") != 0)
            attrs[na++] = (cs_kv){ix.kv[i].key, ix.kv[i].value}; /* those two are this export's */
    char idx_abs[PATH_MAX];
    attrs[na++] = (cs_kv){"index", realpath(a->idx_path, idx_abs) ? idx_abs : a->idx_path};
    if (a->exported) {
        snprintf(when, sizeof when, "%s", a->exported);
    } else {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    attrs[na++] = (cs_kv){"exported", when};
    cs_export_params p = {.src = src, .splits = splits, .nsplits = ns, .attrs = attrs,
                          .nattrs = na, .out_path = out_path, .comp = a->comp};
    if (a->format == CS_FMT_FOLDER) {
        rc = cs_export_folder(src, split, ix.idx, ix.m, attrs, na, out_path);
    } else if (a->format == CS_FMT_CSV) {
        char csv[8400];
        if (opts.csv[0] == '/')
            snprintf(csv, sizeof csv, "%s", opts.csv);
        else
            snprintf(csv, sizeof csv, "%s/%s", source, opts.csv);
        rc = cs_export_csv(src, split, ix.idx, ix.m, csv,
                           opts.csv_path_column && *opts.csv_path_column ? opts.csv_path_column : "path", out_path);
    } else {
        rc = a->format == CS_FMT_NPZ ? cs_export_npz(&p) : cs_export_h5(&p);
    }
    if (!rc) {
        snprintf(written, len, "%s", out_path);
        *m = ix.m;
    }
out:
    free(attrs);
    free(scores);
    cs_dataset_free(src);
    cs_index_file_release(&ix);
    return rc;
}
