/* record_overhead_bench.c - what recording costs the surrogate pass: epoch time of
 * the same training (model, data, seed, threads) four ways, interleaved so load
 * drifts hit all alike:
 *   plain   record = 0: training only
 *   record  per-sample METHODS section 1 statistics + a trajectory frame appended
 *   focus   as record, plus the Grad-CAM focus of every sample (fast path)
 *   embed   as record, plus every sample's embedding captured and embeddings.h5
 *           rewritten (float16) after EVERY epoch: the worst case of record.embed,
 *           whose default stores two or three epochs of a run
 *
 *   record_overhead_bench CONFIG N EPOCHS REPS TRAJ_PATH   (built and run by bench/record_overhead) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/err.h"
#include "../config/config.h"
#include "../datasets/dataset.h"
#include "../formats/embed_file.h"
#include "../formats/traj.h"
#include "../train/data.h"
#include "../train/trainer.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
    fprintf(stderr, "record_overhead_bench: error: %s: %s\n", what, cs_errmsg());
    exit(1);
}

/* Seconds per epoch of one fresh training run, variant 0 plain, 1 record, 2 focus:
 * wall time, and the process's CPU time (every thread).  On a shared machine the CPU
 * time is the steadier of the two: time spent waiting for a core is not in it, and
 * OpenMP's waits sleep (common/omp_wait.h), so idle threads add nothing. */
/* In-run shares of the focus variant, per repetition: trajectory appends and Grad-CAM
 * focus as fractions of the rest of the epoch, timed inside the same epochs, so that
 * load drift between runs cannot enter them (the direct cost only: not what the extra
 * work does to caches). */
static double share_append[64], share_focus[64], share_embed[64];
static int nshare, nshare_embed;

static double run_variant(cs_config *cfg, cs_data *d, int epochs, int variant, const char *traj, double *cpu)
{
    cfg->record.focus_every = variant == 2 ? 1 : 0;
    cfg->record.embed = variant == 3;
    /* every epoch of this run stores embeddings */
    int el = 0;
    for (int e = 1; e <= epochs && el < (int)sizeof cfg->record.embed_epochs - 8; e++)
        el += snprintf(cfg->record.embed_epochs + el, sizeof cfg->record.embed_epochs - (size_t)el, "%s%d",
                       e > 1 ? "," : "", e);
    char epath[4200];
    snprintf(epath, sizeof epath, "%s.embeddings.h5", traj);
    remove(epath);
    cs_trainer t = {0};
    if (cs_trainer_init(&t, cfg, d, 0, variant > 0))
        die("trainer");
    cs_traj_writer *w = NULL;
    cs_traj_header_info hi = {d->n, d->num_classes, t.fields, d->y, "bench=1\n", 8, 0};
    remove(traj);
    if (variant > 0 && cs_traj_writer_create(&w, traj, &hi))
        die("trajectory");
    double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), app = 0, emb = 0;
    for (int e = 0; e < epochs; e++) {
        cs_epoch_stats st;
        if (cs_trainer_epoch(&t, &st))
            die("epoch");
        double a0 = clock_s(CLOCK_MONOTONIC);
        if (t.emb.epoch && cs_embed_write_epoch(epath, t.emb.epoch, t.emb.emb, t.emb.n, t.emb.d, t.emb.dtype, 1,
                                                NULL, 0))
            die("embeddings");
        emb += clock_s(CLOCK_MONOTONIC) - a0;
        a0 = clock_s(CLOCK_MONOTONIC);
        if (w && cs_traj_writer_append(w, &t.rec))
            die("append");
        app += clock_s(CLOCK_MONOTONIC) - a0;
    }
    if (variant == 3 && nshare_embed < 64) {
        double rest = clock_s(CLOCK_MONOTONIC) - t0 - app - emb - t.emb.seconds;
        share_embed[nshare_embed++] = (emb + t.emb.seconds) / rest;
    }
    remove(epath);
    if (variant == 2 && nshare < 64) {
        double rest = clock_s(CLOCK_MONOTONIC) - t0 - app - t.focus_seconds;
        share_append[nshare] = app / rest;
        share_focus[nshare++] = t.focus_seconds / rest;
    }
    double s = (clock_s(CLOCK_MONOTONIC) - t0) / epochs;
    *cpu = (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0) / epochs;
    if (w && cs_traj_writer_close(w))
        die("close");
    remove(traj);
    cs_trainer_release(&t);
    return s;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: record_overhead_bench CONFIG N EPOCHS REPS TRAJ_PATH\n");
        return 2;
    }
    int64_t n = atoll(argv[2]);
    int epochs = atoi(argv[3]), reps = atoi(argv[4]);
    static cs_config cfg;
    cs_config_init(&cfg);
    if (cs_config_load(&cfg, argv[1]) || cs_config_validate(&cfg))
        die(argv[1]);
    cs_dataset_opts o = {.num_classes = cfg.dataset.num_classes};
    cs_dataset *ds = NULL;
    cs_data d = {0};
    if (cs_dataset_open(&ds, cfg.dataset.path, &o) || cs_data_load(&d, ds, cfg.dataset.train_split, 0))
        die(cfg.dataset.path);
    if (n > 0 && n < d.n) {
        int64_t *idx = malloc(sizeof *idx * n);
        for (int64_t i = 0; i < n; i++)
            idx[i] = i;
        if (cs_data_subset(&d, idx, n))
            die("subset");
        free(idx);
    }
    cs_norm nm;
    if (cs_norm_compute(&nm, &d))
        die("norm");
    cs_norm_apply(&nm, &d);
    double *s[4], *c[4], dummy;
    for (int v = 0; v < 4; v++) {
        s[v] = calloc(reps, sizeof(double));
        c[v] = calloc(reps, sizeof(double));
    }
    /* A discarded warm-up: thread pool start, page faults, caches. */
    run_variant(&cfg, &d, 1, 2, argv[5], &dummy);
    nshare = nshare_embed = 0;
    for (int r = 0; r < reps; r++)
        for (int v = 0; v < 4; v++) {
            /* Rotate the order each repetition: no variant always runs first. */
            int vv = (v + r) % 4;
            s[vv][r] = run_variant(&cfg, &d, epochs, vv, argv[5], &c[vv][r]);
        }
    static const char *name[4] = {"plain", "record", "focus", "embed"};
    double med[4], cmed[4];
    for (int v = 0; v < 4; v++) {
        qsort(s[v], reps, sizeof(double), cmp);
        qsort(c[v], reps, sizeof(double), cmp);
        med[v] = s[v][reps / 2];
        cmed[v] = c[v][reps / 2];
        printf("%-7s wall median %.3f s/epoch (min %.3f, max %.3f), cpu median %.3f s/epoch (min %.3f, max %.3f); "
               "%d runs of %d epochs, %lld samples\n", name[v], med[v], s[v][0], s[v][reps - 1], cmed[v], c[v][0],
               c[v][reps - 1], reps, epochs, (long long)d.n);
    }
    qsort(share_append, nshare, sizeof(double), cmp);
    qsort(share_focus, nshare, sizeof(double), cmp);
    printf("in-run shares (focus variant, median of %d; min-max): trajectory append %.2f%% (%.2f-%.2f), "
           "Grad-CAM focus %.2f%% (%.2f-%.2f) of the rest of the epoch\n", nshare, 100 * share_append[nshare / 2],
           100 * share_append[0], 100 * share_append[nshare - 1], 100 * share_focus[nshare / 2], 100 * share_focus[0],
           100 * share_focus[nshare - 1]);
    printf("recording overhead: %+.1f%% of plain epoch CPU time (wall: %+.1f%%; required <= 2%%)\n",
           100 * (cmed[1] / cmed[0] - 1), 100 * (med[1] / med[0] - 1));
    printf("focus overhead:     %+.1f%% of plain epoch CPU time on top of recording (wall: %+.1f%%; required <= 5%%)\n",
           100 * (cmed[2] - cmed[1]) / cmed[0], 100 * (med[2] - med[1]) / med[0]);
    qsort(share_embed, nshare_embed, sizeof(double), cmp);
    printf("embedding overhead: %+.1f%% of plain epoch CPU time on top of recording (wall: %+.1f%%), every epoch "
           "storing; in-run share (capture + embeddings.h5 rewrite) %.2f%% (%.2f-%.2f) of the rest of the epoch "
           "(required <= 2%%)\n", 100 * (cmed[3] - cmed[1]) / cmed[0], 100 * (med[3] - med[1]) / med[0],
           100 * share_embed[nshare_embed / 2], 100 * share_embed[0], 100 * share_embed[nshare_embed - 1]);
    cs_data_release(&d);
    cs_dataset_free(ds);
    return 0;
}
