/* surrogate.c - the surrogate pass: train, record, checkpoint, append frames;
 * then score the trajectory into scores.h5 and write run.yaml. */
#include "surrogate.h"

#include "../common/err.h"
#include "../common/fsio.h"
#include "../common/log.h"
#include "../common/outguard.h"
#include "../common/tmpfiles.h"
#include "../common/version.h"
#include "../config/dataset_opts.h"
#include "../datasets/dataset.h"
#include "../datasets/dataset_sha.h"
#include "../formats/embed_file.h"
#include "../formats/traj.h"
#include "../run/run_data.h"
#include "../formats/traj_meta.h"
#include "../train/checkpoint.h"
#include "../train/folds.h"
#include "../train/progress.h"
#include "../train/trainer.h"
#include "oof.h"
#include "scores_file.h"

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

/* What a run records about itself, beside the config. */
typedef struct provenance {
    char sha[65];
    int threads;
    double wall;
    double ee[128]; /* effective epochs per surrogate run */
    int runs_done;
    const cs_dataset *ds; /* its class names, when it has them */
} provenance;

static int write_run_yaml(const cs_config *cfg, const char *run_dir, const provenance *pv)
{
    char path[4200];
    cs_run_path(path, sizeof path, run_dir, "run.yaml");
    cs_afile af;
    int rc = cs_afile_open(&af, path);
    if (rc)
        return rc;
    FILE *fp = af.fp;
    fprintf(fp, "# coreset run: the resolved config, then what the run recorded about itself.\n");
    if ((rc = cs_config_write(cfg, fp))) {
        cs_afile_abort(&af);
        return rc;
    }
    /* Strings go through the config writer's quoting, so any path reads
     * back (run/run_prov.c is the reader). */
    fprintf(fp, "provenance:\n  tool_version: \"%s (%s)\"\n  dataset: ", CS_VERSION, CS_GIT_DESC);
    cs_yaml_put_string(cfg->dataset.path, fp);
    fprintf(fp, "\n  dataset_sha256: %s\n  split: ", pv->sha);
    cs_yaml_put_string(cfg->dataset.train_split, fp);
    fprintf(fp, "\n  seed: %d\n  threads: %d\n  device: ", cfg->train.seed, pv->threads);
    cs_yaml_put_string(cfg->train.device, fp);
    fprintf(fp, "\n  runs: %d\n  runs_done: %d\n", cfg->score.runs, pv->runs_done);
    /* The dataset's class names, for select's table and the report (the
     * trajectory and scores.h5 hold class numbers only). */
    int nc = pv->ds ? cs_dataset_num_classes(pv->ds) : 0;
    if (nc > 0 && cs_dataset_class_name(pv->ds, nc - 1)) {
        fputs("  class_names: [", fp);
        for (int c = 0; c < nc; c++) {
            fputs(c ? ", " : "", fp);
            cs_yaml_put_string(cs_dataset_class_name(pv->ds, c), fp);
        }
        fputs("]\n", fp);
    }
    fprintf(fp, "  wall_seconds: %.1f\n  effective_epochs: [", pv->wall);
    for (int r = 0; r < pv->runs_done; r++)
        fprintf(fp, "%s%.4f", r ? ", " : "", pv->ee[r]);
    fprintf(fp, "]\n");
    return cs_afile_commit(&af);
}

/* The trajectory's metadata: what must match for a resume to continue it.
 * Enumerations by name (dropout=dbpd), never by their C value, which a new
 * choice in the schema would renumber; `legacy` writes the C value, to resume
 * a trajectory begun by an earlier build. */
static void make_meta(const cs_config *cfg, const provenance *pv, int64_t n, int legacy, char *buf, size_t len)
{
    char dropout[32];
    if (legacy) /* as the builds up to bc416d5 wrote it: the C value */
        snprintf(dropout, sizeof dropout, "%d", (int)cfg->dropout.method);
    else
        snprintf(dropout, sizeof dropout, "%s", cs_config_find_key("dropout.method")->choices[cfg->dropout.method]);
    const char *const *models = cs_model_names;
    snprintf(buf, len,
             "dataset=%s\ndataset_sha256=%s\nsplit=%s\nn=%lld\nmodel=%s\nepochs=%d\nruns=%d\nseed=%d\n"
             "batch_size=%d\ndropout=%s\ntool=coreset %s\n",
             cfg->dataset.path, pv->sha, cfg->dataset.train_split, (long long)n, models[cfg->model.name],
             cfg->train.epochs, cfg->score.runs, cfg->train.seed, cfg->train.batch_size, dropout, CS_VERSION);
}

/* The root attributes of scores.h5 and embeddings.h5: the run's provenance. */
typedef struct run_attrs {
    char dataset[PATH_MAX], sha[65], ncls[16], nep[16], nruns[16], seed[16];
    cs_kv kv[16];
    int n;
} run_attrs;

static void run_attrs_fill(run_attrs *a, const cs_config *cfg, const char *sha, int num_classes)
{
    snprintf(a->sha, sizeof a->sha, "%s", sha);
    snprintf(a->ncls, sizeof a->ncls, "%d", num_classes);
    snprintf(a->nep, sizeof a->nep, "%d", cfg->train.epochs);
    snprintf(a->nruns, sizeof a->nruns, "%d", cfg->score.runs);
    snprintf(a->seed, sizeof a->seed, "%d", cfg->train.seed);
    /* An absolute dataset path, so that selection and export work from any
     * folder (the config's path is relative to where `coreset score` ran). */
    if (!realpath(cfg->dataset.path, a->dataset))
        snprintf(a->dataset, sizeof a->dataset, "%s", cfg->dataset.path);
    const cs_kv kv[] = {
        {"dataset", a->dataset}, {"dataset_sha256", a->sha},  {"split", cfg->dataset.train_split},
        {"num_classes", a->ncls},          {"images", cfg->dataset.images}, {"labels", cfg->dataset.labels},
        {"epochs", a->nep},                {"runs", a->nruns},          {"seed", a->seed},
        {"tool_version", CS_VERSION},
    };
    a->n = (int)(sizeof kv / sizeof kv[0]);
    memcpy(a->kv, kv, sizeof kv);
}

/* The epoch the trainer just recorded into RUN/embeddings.h5, with the provenance
 * of scores.h5 and what the embeddings are: the model, the surrogate run, the pass.
 * Written before the epoch's checkpoint: a run killed between the two recomputes
 * the epoch on --resume and rewrites it, dropping the stored epochs from it on. */
static int write_embeddings(const cs_config *cfg, const char *run_dir, const cs_trainer *t, const char *sha,
                            int num_classes, int keep_earlier)
{
    char path[4200];
    cs_run_path(path, sizeof path, run_dir, CS_RUN_EMBED);
    run_attrs ra;
    run_attrs_fill(&ra, cfg, sha, num_classes);
    ra.kv[ra.n++] = (cs_kv){"model", cs_trainer_spec_name(cfg)};
    ra.kv[ra.n++] = (cs_kv){"surrogate_run", "1"};
    int eval = cfg->record.eval_pass || cfg->record.embed_pass == CS_EMBED_PASS_EVAL;
    ra.kv[ra.n++] = (cs_kv){"pass", eval ? "eval" : "train"};
    ra.kv[ra.n++] = (cs_kv){"features", "global average pool output feeding the linear head 'fc'"};
    return cs_embed_write_epoch(path, t->emb.epoch, t->emb.emb, t->emb.n, t->emb.d, t->emb.dtype, keep_earlier,
                                ra.kv, ra.n);
}

int cs_rescore(const cs_config *cfg, const char *run_dir)
{
    char tpath[4200], spath[4200];
    cs_run_path(tpath, sizeof tpath, run_dir, "trajectory.cst");
    cs_run_path(spath, sizeof spath, run_dir, "scores.h5");
    cs_traj_reader *r = NULL;
    cs_score_acc *acc = NULL;
    int rc = cs_traj_reader_open(&r, tpath);
    if (rc)
        return rc;
    const cs_traj_header_info *h = cs_traj_reader_header(r);
    int T = cfg->train.epochs, R = cfg->score.runs;
    cs_score_params p;
    cs_score_params_from_config(&p, &cfg->score);
    /* A score whose epoch windows do not fit this run is left out, with a
     * warning, rather than failing the whole run. */
    unsigned all = p.enable;
    for (int id = 0; id < CS_SCORE_COUNT; id++) {
        if (!(all & (1u << id)))
            continue;
        p.enable = 1u << id;
        if (cs_score_params_check(&p, T)) {
            cs_warn("score '%s' left out: %s", cs_score_info_at(id)->name, cs_errmsg());
            all &= ~(1u << id);
        }
    }
    p.enable = all;
    if ((rc = cs_score_acc_create(&acc, h->n, h->num_classes, h->labels, T, R, &p)))
        goto out;
    cs_epoch_record rec;
    int64_t frames = 0;
    int K = 1;
    uint8_t *fold = cs_malloc((size_t)(h->n ? h->n : 1));
    if (!fold || (rc = cs_traj_meta_folds(h, &K, fold))) {
        rc = fold ? rc : CS_ENOMEM;
        if (fold)
            cs_error_prefix("'%s'", tpath);
        free(fold);
        goto out;
    }
    if (K > 1) { /* out-of-fold passes: merged per (run, epoch), counted there */
        rc = cs_oof_feed(r, fold, K, T, R, acc);
        frames = (int64_t)T * R;
    }
    free(fold);
    if (rc)
        goto out;
    while (K == 1 && (rc = cs_traj_reader_next(r, &rec)) == 1) {
        if ((rc = cs_score_acc_add(acc, &rec)))
            goto out;
        frames++;
    }
    if (rc < 0)
        goto out;
    if (frames != (int64_t)T * R) {
        rc = cs_error(CS_EFORMAT, "'%s' holds %lld epochs, the run has %d runs of %d epochs; hint: coreset score --resume %s",
                      tpath, (long long)frames, R, T, run_dir);
        goto out;
    }
    if ((rc = cs_score_acc_finish(acc)))
        goto out;
    char sha[65] = "";
    cs_traj_meta_get(h, "dataset_sha256", sha, sizeof sha);
    run_attrs ra;
    run_attrs_fill(&ra, cfg, sha, h->num_classes);
    rc = cs_scores_write(spath, acc, &p, T, h->n, h->labels, ra.kv, ra.n);
out:
    cs_score_acc_free(acc);
    cs_traj_reader_free(r);
    return rc;
}

/* Fill a checkpoint from the trainer's state: the record pointers borrowed, the slab and
 * the moments copied out of backend memory into new host buffers (the caller frees
 * c->state and c->moments). */
static int to_ckpt(cs_trainer *t, cs_ckpt *c, double wall)
{
    memset(c, 0, sizeof *c);
    c->run = t->run;
    c->epoch = t->epoch;
    c->iter = t->iter;
    c->backprop = t->backprop;
    memcpy(c->rng, t->rng.s, sizeof c->rng);
    c->num_state = cs_model_num_state(t->model);
    c->num_moments = cs_optim_num_moments(t->opt);
    c->state = cs_malloc(sizeof(float) * (c->num_state ? c->num_state : 1));
    c->moments = cs_malloc(sizeof(float) * (c->num_moments ? c->num_moments : 1));
    if (!c->state || !c->moments) {
        free(c->state);
        free(c->moments);
        return CS_ENOMEM;
    }
    cs_model_state_get(t->model, c->state, 0, c->num_state);
    cs_optim_moments_get(t->opt, c->moments);
    c->optim_steps = cs_optim_steps(t->opt);
    c->wall_seconds = wall;
    c->rec_fields = t->fields;
    c->rec = t->rec;
    return 0;
}

static int from_ckpt(cs_trainer *t, const cs_ckpt *c, const char *path)
{
    size_t nm = cs_optim_num_moments(t->opt);
    if (c->num_state != cs_model_num_state(t->model) || c->num_moments != nm)
        return cs_error(CS_EFORMAT, "'%s' does not fit this run's model (%llu state floats, the model has %zu)", path,
                        (unsigned long long)c->num_state, cs_model_num_state(t->model));
    cs_model_state_set(t->model, c->state, 0, c->num_state);
    cs_optim_moments_set(t->opt, c->moments);
    cs_optim_set_steps(t->opt, (long)c->optim_steps);
    memcpy(t->rng.s, c->rng, sizeof c->rng);
    t->epoch = c->epoch;
    t->iter = (long)c->iter;
    t->backprop = c->backprop;
    return 0;
}

/* What a failed start leaves: the files this process created and, when it
 * made the folder, the folder.  A file that was there before the run began
 * (a user's file of the same name, a config read from the folder) is never
 * removed.  A run that finished an epoch is kept for --resume instead. */
static const char *const run_files[] = {CS_RUN_YAML, CS_RUN_TRAJ, CS_RUN_CKPT, CS_RUN_SCORES, CS_RUN_LOCK,
                                        CS_RUN_EMBED, CS_RUN_IMAGES};
#define NUM_RUN_FILES ((int)(sizeof run_files / sizeof run_files[0]))

typedef struct created {
    int dir;                  /* this process made the folder */
    int was[NUM_RUN_FILES];   /* the file existed before this process took the folder */
    int locked;               /* this process holds the lock */
} created;

static void remove_created(const char *run_dir, const created *c)
{
    char path[4200];
    if (!c->locked)
        return;
    for (int i = 0; i < NUM_RUN_FILES; i++)
        if (!c->was[i]) {
            cs_run_path(path, sizeof path, run_dir, run_files[i]);
            unlink(path);
        }
    if (c->dir)
        rmdir(run_dir);
}

/* Take the run folder for writing: refuse names that are inputs of this
 * command, make the folder (a new run), lock it, sweep the temporaries of
 * writers that died, and refuse a folder that holds a run already (a new
 * run) or none (--resume, --rescore: before anything is created there). */
static int take_run_dir(const char *run_dir, int resume, cs_run_lock *lk, created *made)
{
    char path[4200];
    int rc;
    for (int i = 0; i < NUM_RUN_FILES; i++) {
        cs_run_path(path, sizeof path, run_dir, run_files[i]);
        if ((rc = cs_guard_output(path)))
            return rc;
    }
    cs_run_path(path, sizeof path, run_dir, CS_RUN_TRAJ);
    if (resume && !cs_path_is_dir(run_dir))
        return cs_error(CS_ENOTRUN, "'%s' is not a run directory (no such folder)", run_dir);
    if (resume && !cs_path_exists(path))
        return cs_error(CS_ENOTRUN, "'%s' is not a run directory (no %s)", run_dir, CS_RUN_TRAJ);
    if (!resume) {
        made->dir = mkdir(run_dir, 0755) == 0;
        if (!made->dir && (rc = cs_mkdir(run_dir)))
            return rc;
    }
    for (int i = 0; i < NUM_RUN_FILES; i++) {
        cs_run_path(path, sizeof path, run_dir, run_files[i]);
        made->was[i] = cs_path_exists(path);
    }
    if ((rc = cs_run_lock_take(lk, run_dir))) {
        if (made->dir)
            rmdir(run_dir); /* fails, as it should, once the other writer's lock file is there */
        made->dir = 0;
        return rc;
    }
    made->locked = 1;
    cs_tmp_sweep(run_dir, NULL);
    cs_run_path(path, sizeof path, run_dir, CS_RUN_TRAJ);
    if (!resume && cs_path_exists(path))
        return cs_error(CS_EINVAL, "'%s' already holds a run; hint: 'coreset score --resume %s' continues it, or choose another -o",
                        run_dir, run_dir);
    return 0;
}

int cs_rescore_run(const cs_config *cfg, const char *run_dir)
{
    cs_run_lock lk = {-1};
    created made = {0};
    int rc = take_run_dir(run_dir, 1, &lk, &made);
    if (!rc)
        rc = cs_rescore(cfg, run_dir);
    cs_run_lock_release(&lk);
    return rc;
}

int cs_surrogate_run(const cs_config *cfg, const char *run_dir, int resume)
{
    char tpath[4200], cpath[4200];
    cs_run_path(tpath, sizeof tpath, run_dir, CS_RUN_TRAJ);
    cs_run_path(cpath, sizeof cpath, run_dir, CS_RUN_CKPT);
    int rc;
    if (cfg->score.runs > 128)
        return cs_error(CS_EINVAL, "score.runs is at most 128");
    if (cfg->score.folds > 1 && cfg->score.runs * cfg->score.folds > 128) /* before anything is written */
        return cs_error(CS_EINVAL, "score.runs x score.folds is at most 128, got %d",
                        cfg->score.runs * cfg->score.folds);
    cs_run_data rd = {0};
    cs_data *data = &rd.data;
    cs_trainer t = {0};
    cs_traj_writer *w = NULL;
    cs_ckpt ck = {0};
    provenance pv = {0};
    cs_run_lock lk = {-1};
    created made = {0};
    int epochs_done = 0, embed_written = 0;
    char meta[8192];
    /* score.folds K > 1: pass p = run * K + fold trains on the other folds and
     * records fold p % K (train/folds.h); K = 1 is the plain pass, unchanged. */
    int K = cfg->score.folds > 1 ? cfg->score.folds : 1;
    uint8_t *fold = NULL;
    char *fmeta = NULL;
    int64_t *held = NULL;
    uint8_t *used_rows = NULL;
    cs_data fdata = {0};
    cs_epoch_record oof = {0};
    /* Everything that can be checked is checked before the first byte is
     * written: the dataset, the model against it, the device. */
    if ((rc = cs_guard_input(cfg->dataset.path)) || (rc = cs_run_data_load_in(&rd, cfg, run_dir, NULL, NULL, -1)))
        goto out;
    memcpy(pv.sha, rd.sha, sizeof pv.sha);
    cs_run_data_normalise(&rd, cfg, data);
    if ((rc = cs_trainer_check(cfg, data)) || (rc = cs_trainer_init(&t, cfg, data, 0, 1)))
        goto out;
    cs_trainer_release(&t);
    if ((rc = take_run_dir(run_dir, resume, &lk, &made)) || (rc = cs_run_data_save_cache(&rd, run_dir)))
        goto out;
    pv.ds = rd.ds;
    make_meta(cfg, &pv, data->n, 0, meta, sizeof meta);
    if (K > 1) {
        /* The passes record held-out folds only; the embedding rules want one model's
         * features of every sample, which no fold pass has. */
        if (cfg->record.embed)
            cs_warn("record.embed: no embeddings.h5 with score.folds %d (each pass records its held-out fold "
                    "only); the rules in embedding space need a run with score.folds 1", K);
        size_t len = strlen(meta), cap = len + 64 + (size_t)data->n;
        fold = cs_malloc((size_t)data->n);
        fmeta = cs_malloc(cap);
        held = cs_malloc(sizeof *held * (size_t)data->n);
        used_rows = cs_malloc((size_t)data->n);
        if (!fold || !fmeta || !held || !used_rows) {
            rc = CS_ENOMEM;
            goto out;
        }
        if ((rc = cs_folds_assign(data->y, data->n, data->num_classes, K, (uint64_t)cfg->train.seed, fold)))
            goto out;
        memcpy(fmeta, meta, len);
        cs_traj_meta_put_folds(fmeta + len, cap - len, K, fold, data->n);
    }
    int start_run = 0, have_ck = 0;
    if (resume && cs_path_exists(cpath)) {
        if ((rc = cs_ckpt_read(cpath, &ck)))
            goto out;
        have_ck = 1;
        start_run = ck.run;
        pv.wall = ck.wall_seconds;
    }
    /* The trajectory header: labels come from the data as loaded. */
    uint32_t fields = CS_TRAJ_SCALARS;
    if (cfg->record.probs == CS_YES || (cfg->record.probs == CS_AUTO && data->num_classes <= 16))
        fields |= CS_TRAJ_PROBS;
    else if (cfg->record.probs == CS_AUTO)
        cs_info("record.probs auto: %d classes > 16, probabilities not kept; tdds, least_confidence and margin "
                "will be left out (record.probs: yes keeps them)", data->num_classes);
    cs_traj_header_info hi = {data->n, data->num_classes, fields, data->y, fmeta ? fmeta : meta,
                              strlen(fmeta ? fmeta : meta), 0};
    int T = cfg->train.epochs;
    if (resume) {
        cs_traj_resume res;
        rc = cs_traj_writer_open_append(&w, tpath, &hi, &res);
        if (rc == CS_EINVAL) { /* perhaps begun by a build that numbered the dropout method */
            char legacy[8192];
            make_meta(cfg, &pv, data->n, 1, legacy, sizeof legacy);
            cs_traj_header_info old_hi = hi;
            old_hi.meta = legacy;
            old_hi.meta_len = strlen(legacy);
            char first[1024];
            snprintf(first, sizeof first, "%s", cs_errmsg());
            if ((rc = cs_traj_writer_open_append(&w, tpath, &old_hi, &res)))
                rc = cs_error(CS_EINVAL, "%s", first);
        }
        if (rc)
            goto out;
        if (res.truncated_bytes)
            cs_info("resume: dropped a torn last frame (%lld bytes) from '%s'", (long long)res.truncated_bytes, tpath);
        int64_t want = have_ck ? (int64_t)ck.run * T + ck.epoch : 0;
        if (have_ck && res.frames == want - 1 && ck.rec_fields) {
            if ((rc = cs_traj_writer_append(w, &ck.rec)))
                goto out;
        } else if (res.frames != want) {
            rc = cs_error(CS_EFORMAT, "'%s' holds %lld epochs but the checkpoint '%s' is at epoch %lld; the run cannot be resumed",
                          tpath, (long long)res.frames, cpath, (long long)want);
            goto out;
        }
        if (K > 1)
            cs_info("resuming '%s' at run %d fold %d, epoch %d", run_dir, start_run / K + 1, start_run % K + 1,
                    have_ck ? ck.epoch + 1 : 1);
        else
            cs_info("resuming '%s' at run %d, epoch %d", run_dir, start_run + 1, have_ck ? ck.epoch + 1 : 1);
    } else {
        if ((rc = write_run_yaml(cfg, run_dir, &pv)) || (rc = cs_traj_writer_create(&w, tpath, &hi)))
            goto out;
    }
    double t0 = now() - pv.wall;
    for (int p = start_run; p < cfg->score.runs * K; p++) {
        int r = p / K, nheld = 0;
        cs_data *train = data;
        if (K > 1) { /* this pass's training rows, and the held-out ones it records */
            cs_data_release(&fdata);
            cs_folds_record_release(&oof);
            if ((rc = cs_folds_train_data(data, fold, p % K, &fdata)) ||
                (rc = cs_folds_record_init(&oof, data->n, data->num_classes, fields)))
                goto out;
            train = &fdata;
            for (int64_t i = 0; i < data->n; i++)
                if (fold[i] == p % K)
                    held[nheld++] = i;
            oof.run = p;
        }
        if ((rc = cs_trainer_init(&t, cfg, train, p, K == 1)))
            goto out;
        t.used_rows = K > 1 ? used_rows : NULL;
        pv.threads = t.nthreads;
        if (have_ck && p == ck.run && (rc = from_ckpt(&t, &ck, cpath)))
            goto out;
        if (K > 1)
            cs_info("surrogate run %d/%d fold %d/%d: %s on %lld samples, recording the other %d, %d epochs, %d threads",
                    r + 1, cfg->score.runs, p % K + 1, K, cs_trainer_spec_name(cfg), (long long)train->n, nheld, T,
                    t.nthreads);
        else if (p == start_run)
            cs_info("surrogate run %d/%d: %s on %lld samples, %d epochs, %d threads", r + 1, cfg->score.runs,
                    cs_trainer_spec_name(cfg), (long long)data->n, T, t.nthreads);
        while (t.epoch < T) {
            cs_epoch_stats st;
            if ((rc = cs_trainer_epoch(&t, &st)))
                goto out;
            /* a new run's first write replaces a file of that name; later ones add to it */
            if (t.emb.epoch && (rc = write_embeddings(cfg, run_dir, &t, pv.sha, data->num_classes, resume || embed_written)))
                goto out;
            embed_written |= t.emb.epoch > 0;
            cs_ckpt c;
            if ((rc = to_ckpt(&t, &c, now() - t0)))
                goto out;
            if (K > 1) { /* the frame and the checkpoint's record: the held-out fold only */
                if ((rc = cs_trainer_record_rows(&t, data, held, nheld, &oof))) {
                    free(c.state);
                    free(c.moments);
                    goto out;
                }
                oof.epoch = t.epoch;
                /* `used` of the rows this pass trained on: the frame says which model saw what */
                for (int64_t i = 0, j = 0; i < data->n; i++)
                    if (fold[i] != p % K)
                        oof.used[i] = used_rows[j++];
                c.rec_fields = fields;
                c.rec = oof;
            }
            rc = cs_ckpt_write(cpath, &c);
            free(c.state);
            free(c.moments);
            if (rc || (rc = cs_traj_writer_append(w, K > 1 ? &oof : &t.rec)))
                goto out;
            epochs_done++;
            cs_progress_epoch(&t, &st, now() - t0 - (have_ck && p == ck.run ? ck.wall_seconds : 0), 1);
        }
        if (K > 1) /* the mean over the run's folds */
            pv.ee[r] += (double)t.backprop / (double)(train->n ? train->n : 1) / K;
        else
            pv.ee[r] = (double)t.backprop / (double)(data->n ? data->n : 1);
        cs_trainer_release(&t);
    }
    pv.runs_done = cfg->score.runs;
    pv.wall = now() - t0;
    if ((rc = cs_traj_writer_close(w)))
        goto out_nowriter;
    w = NULL;
    double bps;
    if (!cs_traj_bytes_per_sample(tpath, &bps))
        cs_verbose("trajectory: %.2f bytes per sample per epoch", bps);
    if ((rc = cs_rescore(cfg, run_dir)) || (rc = write_run_yaml(cfg, run_dir, &pv)))
        goto out;
    char epath[4200];
    cs_run_path(epath, sizeof epath, run_dir, CS_RUN_EMBED);
    cs_info("wrote %s/{run.yaml,trajectory.cst,scores.h5,checkpoint.bin%s} in %.1f s", run_dir,
            cs_path_exists(epath) ? ",embeddings.h5" : "", pv.wall);
out:
    if (w)
        cs_traj_writer_close(w);
out_nowriter:
    if (rc && !resume && !epochs_done)
        remove_created(run_dir, &made);
    cs_run_lock_release(&lk);
    cs_trainer_release(&t);
    cs_ckpt_release(&ck);
    cs_run_data_release(&rd);
    cs_data_release(&fdata);
    cs_folds_record_release(&oof);
    free(fold);
    free(fmeta);
    free(held);
    free(used_rows);
    return rc;
}
