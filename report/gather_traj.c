/* gather_traj.c - RUN/trajectory.cst streamed once, frame by frame (memory
 * O(N)): the train-pass means of loss, accuracy and the fraction of samples
 * back-propagated for every (run, epoch), and the error norm of each traced
 * sample at every epoch of the first run (out of fold, score.folds K > 1:
 * from the first run's pass that held the sample out).  A torn last frame (a run still
 * going, or killed) ends the data with a note, as `coreset inspect` does. */
#include "report_data.h"

#include "../common/err.h"
#include "../run/run_dir.h"
#include "../common/fsio.h"
#include "../formats/traj.h"
#include "../formats/traj_meta.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for epochs 1..e in every trace (new slots NaN). */
static int grow_traces(cs_report_data *d, int *cap, int e)
{
    if (e <= *cap)
        return 0;
    int nc = *cap ? *cap : 16;
    while (nc < e)
        nc *= 2;
    for (int t = 0; t < d->ntraces; t++) {
        float *p = realloc(d->traces[t].err, sizeof *p * (size_t)nc);
        if (!p)
            return cs_error(CS_ENOMEM, "out of memory");
        for (int k = *cap; k < nc; k++)
            p[k] = NAN;
        d->traces[t].err = p;
    }
    *cap = nc;
    return 0;
}

static int add_epoch(cs_report_data *d, const cs_epoch_record *rec)
{
    if (!(d->nepochs & (d->nepochs - 1))) { /* grow at powers of two */
        cs_report_epoch *p = realloc(d->epochs, sizeof *p * (size_t)(d->nepochs ? 2 * d->nepochs : 1));
        if (!p)
            return cs_error(CS_ENOMEM, "out of memory");
        d->epochs = p;
    }
    cs_report_epoch *e = &d->epochs[d->nepochs++];
    e->run = rec->run;
    e->epoch = rec->epoch;
    cs_epoch_means mn = cs_epoch_record_means(rec);
    e->loss = mn.loss;
    e->accuracy = mn.accuracy;
    e->used = mn.used;
    if (rec->epoch > d->max_epoch)
        d->max_epoch = rec->epoch;
    /* Runs are written one after the other, so a new run starts where the run changes. */
    d->nruns += d->nepochs == 1 || d->epochs[d->nepochs - 2].run != rec->run;
    return 0;
}

int cs_report_gather_traj(cs_report_data *d)
{
    char path[4200];
    cs_run_path(path, sizeof path, d->run, CS_RUN_TRAJ);
    if (!cs_path_exists(path)) {
        snprintf(d->epochs_note, sizeof d->epochs_note, "The run has no trajectory.cst: nothing per epoch to show.");
        snprintf(d->trace_note, sizeof d->trace_note, "The run has no trajectory.cst: no error-norm traces.");
        return 0;
    }
    cs_traj_reader *r = NULL;
    uint8_t *fold = NULL;
    int rc = cs_traj_reader_open(&r, path);
    if (rc)
        return rc;
    const cs_traj_header_info *h = cs_traj_reader_header(r);
    if (h->n != d->n || memcmp(h->labels, d->labels, sizeof *d->labels * (size_t)d->n)) {
        rc = cs_error(CS_EFORMAT, "'%s' and '%s' disagree on the samples (%lld and %lld, or their labels): not one run",
                      path, d->scores_path, (long long)h->n, (long long)d->n);
        goto out;
    }
    if (!(h->fields & CS_TRAJ_ERR) && !d->trace_note[0])
        snprintf(d->trace_note, sizeof d->trace_note, "The trajectory holds no error norms (field err).");
    cs_epoch_record rec;
    int cap = 0, K = 1;
    fold = cs_malloc((size_t)(h->n ? h->n : 1));
    if (!fold || (rc = cs_traj_meta_folds(h, &K, fold))) {
        rc = fold ? rc : CS_ENOMEM;
        if (fold)
            cs_error_prefix("'%s'", path);
        goto out;
    }
    d->first_run = -1;
    while ((rc = cs_traj_reader_next(r, &rec)) == 1) {
        if (rec.epoch < 1) {
            rc = cs_error(CS_EFORMAT, "'%s': a frame of epoch %d", path, rec.epoch);
            goto out;
        }
        if ((rc = add_epoch(d, &rec)))
            goto out;
        if (d->first_run < 0)
            d->first_run = rec.run;
        if (rec.run / K != d->first_run / K || !rec.err)
            continue;
        if ((rc = grow_traces(d, &cap, rec.epoch)))
            goto out;
        for (int t = 0; t < d->ntraces; t++)
            if (fold[d->traces[t].sample] == rec.run % K)
                d->traces[t].err[rec.epoch - 1] = rec.err[d->traces[t].sample];
    }
    int64_t good_end;
    if (rc < 0 && cs_traj_reader_torn(r, &good_end)) {
        snprintf(d->epochs_note, sizeof d->epochs_note,
                 "The trajectory ends in an incomplete frame (a run in progress, or one that crashed): the complete %d frames are shown.",
                 d->nepochs);
        rc = 0;
    }
    if (rc < 0)
        goto out;
    rc = grow_traces(d, &cap, d->max_epoch);
    if (!d->nepochs && !d->epochs_note[0])
        snprintf(d->epochs_note, sizeof d->epochs_note, "The trajectory holds no complete epoch yet.");
out:
    free(fold);
    cs_traj_reader_free(r);
    return rc;
}
