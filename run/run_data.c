/* run_data.c - load a run's training split as it was trained (run_data.h). */
#include "run_data.h"

#include "../common/err.h"
#include "../config/dataset_opts.h"
#include "../datasets/dataset_sha.h"
#include "run_dir.h"

#include <string.h>

int cs_run_data_load(cs_run_data *rd, const cs_config *cfg, const char *path, const char *want_sha, int64_t want_n)
{
    return cs_run_data_load_in(rd, cfg, NULL, path, want_sha, want_n);
}

int cs_run_data_save_cache(const cs_run_data *rd, const char *run_dir)
{
    char p[4200];
    cs_run_path(p, sizeof p, run_dir, CS_RUN_IMAGES);
    return cs_dataset_save_cache(rd->ds, p);
}

int cs_run_data_load_in(cs_run_data *rd, const cs_config *cfg, const char *run_dir, const char *path,
                        const char *want_sha, int64_t want_n)
{
    memset(rd, 0, sizeof *rd);
    path = path ? path : cfg->dataset.path;
    cs_dataset_opts dopts;
    cs_ecg_opts ecg;
    cs_config_dataset_opts(cfg, &dopts, &ecg);
    char cache[4200];
    if (run_dir) {
        cs_run_path(cache, sizeof cache, run_dir, CS_RUN_IMAGES);
        dopts.cache = cache;
    }
    int rc;
    if ((rc = cs_dataset_sha256(path, rd->sha)))
        return rc;
    if (want_sha && want_sha[0] && strcmp(rd->sha, want_sha))
        return cs_error(CS_EFORMAT, "the dataset '%s' changed since the run (sha256 %.16s..., the run recorded %.16s...)",
                        path, rd->sha, want_sha);
    if ((rc = cs_dataset_open(&rd->ds, path, &dopts)) ||
        (rc = cs_data_load(&rd->data, rd->ds, cfg->dataset.train_split, cs_model_is_1d(cfg->model.name))))
        return rc;
    if (rd->data.n == 0)
        return cs_error(CS_EFORMAT, "'%s': split '%s' holds no samples", path, cfg->dataset.train_split);
    if (want_n >= 0 && rd->data.n != want_n)
        return cs_error(CS_EFORMAT, "'%s' split '%s' holds %lld samples, the run scored %lld", path,
                        cfg->dataset.train_split, (long long)rd->data.n, (long long)want_n);
    if (cfg->dataset.normalize == CS_NORM_DATASET)
        return cs_norm_compute(&rd->norm, &rd->data);
    return 0;
}

int cs_run_data_load_val(cs_run_data *rd, const cs_config *cfg, cs_data *d)
{
    memset(d, 0, sizeof *d);
    const char *name = cfg->dataset.val_split;
    if (!name[0] || !cs_dataset_split(rd->ds, name))
        return 0;
    int rc = cs_data_load(d, rd->ds, name, cs_model_is_1d(cfg->model.name));
    if (rc)
        return rc;
    if (d->n == 0) {
        cs_data_release(d);
        return 0;
    }
    for (int64_t i = 0; i < d->n; i++)
        if (d->y[i] >= rd->data.num_classes) {
            rc = cs_error(CS_EFORMAT, "'%s': split '%s' has label %d, the training split %d classes",
                          cs_dataset_path(rd->ds), name, d->y[i], rd->data.num_classes);
            cs_data_release(d);
            return rc;
        }
    return 1;
}

void cs_run_data_normalise(const cs_run_data *rd, const cs_config *cfg, cs_data *d)
{
    if (cfg->dataset.normalize == CS_NORM_DATASET)
        cs_norm_apply(&rd->norm, d);
    else if (cfg->dataset.normalize == CS_NORM_SAMPLE)
        cs_norm_per_sample(d);
}

void cs_run_data_release(cs_run_data *rd)
{
    cs_data_release(&rd->data);
    cs_dataset_free(rd->ds);
    memset(rd, 0, sizeof *rd);
}
