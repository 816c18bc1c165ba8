/* import.c - `coreset import`: check a file of training dynamics against the
 * config's dataset, then write a run folder as `coreset score` does (see
 * import.h). */
#include "import.h"

#include "../common/err.h"
#include "../common/fsio.h"
#include "../common/log.h"
#include "../common/outguard.h"
#include "../common/sha256.h"
#include "../common/tmpfiles.h"
#include "../common/version.h"
#include "../formats/traj.h"
#include "../run/run_data.h"
#include "../run/run_dir.h"
#include "../formats/embed_file.h"
#include "import_file.h"
#include "import_scan.h"
#include "surrogate.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The files an import writes; on failure the ones it created go again. */
static const char *const run_files[] = {CS_RUN_YAML, CS_RUN_TRAJ, CS_RUN_SCORES, CS_RUN_EMBED, CS_RUN_LOCK};
#define NUM_RUN_FILES ((int)(sizeof run_files / sizeof run_files[0]))

typedef struct folder {
    int made;               /* this process made the folder */
    int was[NUM_RUN_FILES]; /* the file was there before */
    int slot[NUM_RUN_FILES + 1]; /* registered for removal on a signal (the folder last); -1: not */
    cs_run_lock lock;
} folder;

/* Refuse outputs that are inputs and a folder that holds a run; make the
 * folder, lock it, sweep dead writers' temporaries. */
static int take_folder(const char *run_dir, folder *fo)
{
    char path[4200];
    int rc;
    for (int i = 0; i < NUM_RUN_FILES; i++) {
        cs_run_path(path, sizeof path, run_dir, run_files[i]);
        if ((rc = cs_guard_output(path)))
            return rc;
    }
    fo->made = mkdir(run_dir, 0755) == 0;
    if (!fo->made && (rc = cs_mkdir(run_dir)))
        return rc;
    for (int i = 0; i < NUM_RUN_FILES; i++) {
        cs_run_path(path, sizeof path, run_dir, run_files[i]);
        fo->was[i] = cs_path_exists(path);
    }
    if ((rc = cs_run_lock_take(&fo->lock, run_dir))) {
        if (fo->made)
            rmdir(run_dir);
        fo->made = 0;
        return rc;
    }
    /* Until the import is done, SIGINT/SIGTERM/SIGHUP remove what it creates
     * (common/tmpfiles.h), as a failure does: no half-written run is left.
     * Only under the lock: no other writer's files are in the folder then. */
    for (int i = 0; i < NUM_RUN_FILES; i++) {
        cs_run_path(path, sizeof path, run_dir, run_files[i]);
        fo->slot[i] = fo->was[i] ? -1 : cs_tmp_register(path, 0);
    }
    fo->slot[NUM_RUN_FILES] = fo->made ? cs_tmp_register(run_dir, 1) : -1;
    cs_tmp_sweep(run_dir, NULL);
    cs_run_path(path, sizeof path, run_dir, CS_RUN_TRAJ);
    if (cs_path_exists(path))
        return cs_error(CS_EINVAL, "'%s' already holds a run; choose another -o", run_dir);
    return 0;
}

/* After a failure: remove what this process created (nothing was written
 * before the lock was held, so without the lock only the folder can be ours). */
static void drop_folder(const char *run_dir, folder *fo, int failed)
{
    char path[4200];
    if (failed && fo->lock.fd < 0 && fo->made)
        rmdir(run_dir);
    if (failed && fo->lock.fd >= 0) {
        for (int i = 0; i < NUM_RUN_FILES; i++)
            if (!fo->was[i]) {
                cs_run_path(path, sizeof path, run_dir, run_files[i]);
                unlink(path);
            }
        if (fo->made)
            rmdir(run_dir);
    }
    for (int i = 0; i <= NUM_RUN_FILES; i++)
        cs_tmp_forget(fo->slot[i]);
    cs_run_lock_release(&fo->lock);
}

/* The dataset must be the one the dynamics describe: same split size, classes
 * and labels in the same order. */
static int match_dataset(const cs_config *cfg, const char *file, const cs_import_info *info, const cs_run_data *rd)
{
    const cs_data *d = &rd->data;
    const char *ds = cfg->dataset.path, *split = cfg->dataset.train_split;
    if (d->n != info->n)
        return cs_error(CS_EFORMAT, "'%s' holds N = %lld samples, split '%s' of '%s' has %lld: the dynamics must cover "
                        "the training split, in its order", file, (long long)info->n, split, ds, (long long)d->n);
    if (d->num_classes != info->C)
        return cs_error(CS_EFORMAT, "'%s': '%s' has C = %d classes, '%s' has %d", file, info->outputs, info->C, ds,
                        d->num_classes);
    for (int64_t i = 0; i < d->n; i++)
        if (d->y[i] != info->labels[i])
            return cs_error(CS_EFORMAT, "'%s': labels[%lld] = %d, sample %lld of split '%s' of '%s' has label %d: the "
                            "dynamics must list the samples in the split's order", file, (long long)i,
                            (int)info->labels[i], (long long)i, split, ds, (int)d->y[i]);
    return 0;
}

/* The trajectory's metadata, as surrogate.c's make_meta writes it, plus the
 * imported file: inspect and --rescore read the same keys. */
static void make_meta(const cs_config *cfg, const char *sha, const char *file, int64_t n, char *buf, size_t len)
{
    snprintf(buf, len,
             "dataset=%s\ndataset_sha256=%s\nsplit=%s\nn=%lld\nmodel=imported\nepochs=%d\nruns=1\nseed=%d\n"
             "batch_size=%d\ndropout=none\ntool=coreset %s\nimported=%s\n",
             cfg->dataset.path, sha, cfg->dataset.train_split, (long long)n, cfg->train.epochs, cfg->train.seed,
             cfg->train.batch_size, CS_VERSION, file);
}

typedef struct import_prov {
    const char *file;
    char file_sha[65];
    char sha[65];
    double wall, ee;
    const cs_import_info *info;
    const cs_dataset *ds;
} import_prov;

static int write_run_yaml(const cs_config *cfg, const char *run_dir, const import_prov *pv)
{
    char path[4200];
    cs_run_path(path, sizeof path, run_dir, CS_RUN_YAML);
    cs_afile af;
    int rc = cs_afile_open(&af, path);
    if (rc)
        return rc;
    FILE *fp = af.fp;
    fprintf(fp, "# coreset run imported from training dynamics recorded elsewhere (coreset import):\n"
                "# the resolved config, then what the import recorded about itself.\n");
    if ((rc = cs_config_write(cfg, fp))) {
        cs_afile_abort(&af);
        return rc;
    }
    fprintf(fp, "provenance:\n  tool_version: \"%s (%s)\"\n  dataset: ", CS_VERSION, CS_GIT_DESC);
    cs_yaml_put_string(cfg->dataset.path, fp);
    fprintf(fp, "\n  dataset_sha256: %s\n  split: ", pv->sha);
    cs_yaml_put_string(cfg->dataset.train_split, fp);
    fprintf(fp, "\n  seed: %d\n  runs: 1\n  runs_done: 1\n  imported: ", cfg->train.seed);
    cs_yaml_put_string(pv->file, fp);
    fprintf(fp, "\n  imported_sha256: %s\n  imported_arrays: [labels, %s%s%s%s]\n", pv->file_sha, pv->info->outputs,
            pv->info->focus_of ? (strcmp(pv->info->focus_of, "cam") ? ", focus" : ", cam") : "",
            pv->info->have_used ? ", used" : "", pv->info->emb_d ? ", embeddings" : "");
    int nc = pv->ds ? cs_dataset_num_classes(pv->ds) : 0;
    if (nc > 0 && cs_dataset_class_name(pv->ds, nc - 1)) {
        fputs("  class_names: [", fp);
        for (int c = 0; c < nc; c++) {
            fputs(c ? ", " : "", fp);
            cs_yaml_put_string(cs_dataset_class_name(pv->ds, c), fp);
        }
        fputs("]\n", fp);
    }
    fprintf(fp, "  wall_seconds: %.1f\n  effective_epochs: [%.4f]\n", pv->wall, pv->ee);
    return cs_afile_commit(&af);
}

/* Every epoch of the file into a new trajectory; *ee gets the effective
 * epochs (samples used / N, summed over epochs). */
static int write_trajectory(const cs_config *cfg, cs_dyn_file *f, const cs_import_info *info, const char *tpath,
                            const char *meta, double *ee)
{
    uint32_t fields = CS_TRAJ_SCALARS;
    if (cfg->record.probs == CS_YES || (cfg->record.probs == CS_AUTO && info->C <= 16))
        fields |= CS_TRAJ_PROBS;
    cs_traj_header_info hi = {info->n, info->C, fields, info->labels, meta, strlen(meta), 0};
    size_t n = (size_t)info->n;
    cs_epoch_record rec = {0};
    float *cols = cs_malloc(sizeof *cols * n * 6);
    uint8_t *bytes = cs_malloc(2 * n);
    float *probs = fields & CS_TRAJ_PROBS ? cs_malloc(sizeof *probs * n * (size_t)info->C) : NULL;
    cs_import_buf b = {0};
    cs_traj_writer *w = NULL;
    int rc = !cols || !bytes || ((fields & CS_TRAJ_PROBS) && !probs) ? CS_ENOMEM : cs_import_buf_alloc(&b, info);
    if (rc || (rc = cs_traj_writer_create(&w, tpath, &hi)))
        goto out;
    rec.err = cols;
    rec.conf = cols + n;
    rec.margin = cols + 2 * n;
    rec.entropy = cols + 3 * n;
    rec.loss = cols + 4 * n;
    rec.focus = cols + 5 * n;
    rec.correct = bytes;
    rec.used = bytes + n;
    rec.probs = probs;
    *ee = 0;
    for (int t = 0; t < info->T; t++) {
        if ((rc = cs_import_epoch(f, info, t, &b, &rec)) || (rc = cs_traj_writer_append(w, &rec)))
            goto out;
        int64_t used = 0;
        for (size_t i = 0; i < n; i++)
            used += rec.used[i];
        *ee += (double)used / (double)n;
    }
    rc = cs_traj_writer_close(w);
    w = NULL;
out:
    if (w)
        cs_traj_writer_close(w);
    cs_import_buf_release(&b);
    free(cols);
    free(bytes);
    free(probs);
    return rc;
}

/* embeddings.h5 through the writer coreset score uses (formats/embed_file.h): one
 * epoch, float32 as given, any file there replaced (the run folder is new). */
static int write_embeddings(const char *path, int epoch, const float *emb, int64_t n, int d, const cs_kv *attrs,
                            int nattrs)
{
    return cs_embed_write_epoch(path, epoch, emb, n, d, CS_EMBED_F32, 0, attrs, nattrs);
}

static int import_embeddings(cs_dyn_file *f, const cs_import_info *info, const char *run_dir, const import_prov *pv,
                             const cs_config *cfg)
{
    char path[4200], tepoch[16];
    cs_run_path(path, sizeof path, run_dir, CS_RUN_EMBED);
    float *emb = cs_malloc(sizeof *emb * (size_t)(info->n * info->emb_d));
    if (!emb)
        return CS_ENOMEM;
    int rc = cs_dyn_read_rows(f, "embeddings", 0, info->n, emb);
    snprintf(tepoch, sizeof tepoch, "%d", info->T);
    cs_kv attrs[] = {{"dataset", cfg->dataset.path}, {"dataset_sha256", pv->sha}, {"split", cfg->dataset.train_split},
                     {"imported", pv->file},         {"tool_version", CS_VERSION}};
    if (!rc)
        rc = write_embeddings(path, info->T, emb, info->n, (int)info->emb_d, attrs, (int)(sizeof attrs / sizeof attrs[0]));
    free(emb);
    return rc;
}

int cs_import_run(const cs_config *cfg_in, const char *file, const char *run_dir)
{
    static cs_config cfg; /* large */
    cfg = *cfg_in;
    double t0 = now();
    cs_dyn_file *f = NULL;
    cs_import_info info = {0};
    cs_run_data rd = {0};
    folder fo = {.lock = {-1}};
    for (int i = 0; i <= NUM_RUN_FILES; i++)
        fo.slot[i] = -1;
    import_prov pv = {.file = file, .info = &info};
    int rc;
    if ((rc = cs_guard_input(file)) || (rc = cs_guard_input(cfg.dataset.path)) || (rc = cs_dyn_open(&f, file)))
        goto out;
    cs_score_params p;
    cs_score_params_from_config(&p, &cfg.score);
    if ((rc = cs_import_scan(f, &p, &info)))
        goto out;
    cfg.train.epochs = info.T;
    cfg.score.runs = 1;
    if ((rc = cs_run_data_load(&rd, &cfg, NULL, NULL, -1)) || (rc = match_dataset(&cfg, file, &info, &rd)) ||
        (rc = cs_sha256_file(file, pv.file_sha)))
        goto out;
    memcpy(pv.sha, rd.sha, sizeof pv.sha);
    pv.ds = rd.ds;
    cs_info("import: %lld samples, %d epochs, %d classes from '%s' (%s%s%s%s)", (long long)info.n, info.T, info.C,
            file, info.outputs, info.focus_of ? ", " : "", info.focus_of ? info.focus_of : "",
            info.emb_d ? ", embeddings" : "");
    /* Checked: now the folder. */
    if ((rc = take_folder(run_dir, &fo)))
        goto out;
    char tpath[4200], meta[8192];
    cs_run_path(tpath, sizeof tpath, run_dir, CS_RUN_TRAJ);
    make_meta(&cfg, pv.sha, file, info.n, meta, sizeof meta);
    if ((rc = write_trajectory(&cfg, f, &info, tpath, meta, &pv.ee)) || (rc = cs_rescore(&cfg, run_dir)) ||
        (info.emb_d && (rc = import_embeddings(f, &info, run_dir, &pv, &cfg))))
        goto out;
    pv.wall = now() - t0;
    if ((rc = write_run_yaml(&cfg, run_dir, &pv)))
        goto out;
    cs_info("wrote %s/{run.yaml,trajectory.cst,scores.h5%s} in %.1f s", run_dir, info.emb_d ? ",embeddings.h5" : "",
            pv.wall);
out:
    drop_folder(run_dir, &fo, rc != 0);
    cs_run_data_release(&rd);
    cs_import_info_release(&info);
    cs_dyn_close(f);
    return rc;
}
