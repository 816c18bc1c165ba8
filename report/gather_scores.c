/* gather_scores.c - what `coreset report` reads from RUN/scores.h5: labels
 * and class sizes, the dataset's path and sha256, the score drawn on the
 * histograms (the index's own where possible), late confidence and focus for
 * the confidence-focus plane, and EVA to choose the traced samples. */
#include "report_data.h"

#include "../common/err.h"
#include "../common/fsio.h"
#include "../score/score.h"
#include "../select/run_select.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cs_report_gather_run(cs_report_data *d, const char *run)
{
    int rc;
    snprintf(d->run, sizeof d->run, "%s", run);
    if (!cs_path_exists(run))
        return cs_error_errno(CS_EIO, "cannot open run '%s'", run);
    if ((rc = cs_run_scores_path(run, d->scores_path, sizeof d->scores_path)))
        return rc;
    if ((rc = cs_scores_open(&d->sf, d->scores_path)))
        return rc;
    d->n = d->sf.n;
    d->labels = d->sf.labels;
    char v[64];
    if ((rc = cs_scores_attr(d->scores_path, "num_classes", v, sizeof v)) ||
        (rc = cs_scores_attr(d->scores_path, "dataset", d->dataset, sizeof d->dataset)) ||
        (rc = cs_scores_attr(d->scores_path, "dataset_sha256", d->sha, sizeof d->sha)) ||
        (rc = cs_scores_attr(d->scores_path, "split", d->split, sizeof d->split)))
        return rc;
    int maxl = -1;
    for (int64_t i = 0; i < d->n; i++) {
        if (d->labels[i] < 0)
            return cs_error(CS_EFORMAT, "'%s': label %d of sample %lld is negative", d->scores_path, d->labels[i],
                            (long long)i);
        maxl = d->labels[i] > maxl ? d->labels[i] : maxl;
    }
    long c = v[0] ? strtol(v, NULL, 10) : maxl + 1;
    if (c < 1 || c <= maxl || c > 1000000)
        return cs_error(CS_EFORMAT, "'%s': num_classes '%s' does not fit labels up to %d", d->scores_path, v, maxl);
    d->num_classes = (int)c;
    if (!(d->class_n = cs_calloc((size_t)c, sizeof *d->class_n)))
        return CS_ENOMEM;
    for (int64_t i = 0; i < d->n; i++)
        d->class_n[d->labels[i]]++;
    return 0;
}

static int has_score(const cs_report_data *d, const char *name)
{
    for (int i = 0; i < d->sf.count; i++)
        if (!strcmp(d->sf.names[i], name))
            return 1;
    return 0;
}

/* The score to draw: asked for, else the index's (its base score when the
 * ranking was focus-weighted), else eva. */
static int choose_score(cs_report_data *d, const char *asked)
{
    const char *ix = d->have_index ? cs_index_file_get(&d->index, "score") : NULL;
    char base[64] = "";
    if (ix)
        snprintf(base, sizeof base, "%.*s", (int)strcspn(ix, "*"), ix);
    if (asked) {
        if (!has_score(d, asked)) {
            int dir;
            double *v;
            return cs_scores_read(&d->sf, d->scores_path, asked, &v, &dir, NULL, 0); /* the error lists them */
        }
        snprintf(d->score, sizeof d->score, "%s", asked);
    } else if (base[0] && has_score(d, base)) {
        snprintf(d->score, sizeof d->score, "%s", base);
    } else if (has_score(d, "eva")) {
        snprintf(d->score, sizeof d->score, "eva");
        if (ix)
            snprintf(d->score_note, sizeof d->score_note,
                     "The index ranked by '%s', which scores.h5 does not hold; the histograms show EVA instead.", ix);
    } else {
        return cs_error(CS_EFORMAT, "'%s' holds no 'eva' score; hint: name one with --score", d->scores_path);
    }
    if (ix && strcmp(ix, d->score) && !d->score_note[0])
        snprintf(d->score_note, sizeof d->score_note,
                 "The index ranked by '%s'; the histograms show '%s', so the kept samples need not lie beyond one cut on it.",
                 ix, d->score);
    return 0;
}

/* A helper array when scores.h5 holds it; NULL and a note otherwise. */
static int read_optional(cs_report_data *d, const char *name, double **out)
{
    int dir;
    *out = NULL;
    if (!has_score(d, name)) {
        size_t l = strlen(d->plane_note);
        snprintf(d->plane_note + l, sizeof d->plane_note - l, "%sscores.h5 holds no '%s'.", l ? " " : "", name);
        return 0;
    }
    return cs_scores_read(&d->sf, d->scores_path, name, out, &dir, NULL, 0);
}

/* "early=A..B late=C..D" of EVA's parameters. */
static void eva_windows(cs_report_data *d, const char *params)
{
    const char *e = strstr(params, "early="), *l = strstr(params, "late=");
    int a, b, c, x;
    if (e && l && sscanf(e, "early=%d..%d", &a, &b) == 2 && sscanf(l, "late=%d..%d", &c, &x) == 2) {
        d->eva_window[0] = a;
        d->eva_window[1] = b;
        d->eva_window[2] = c;
        d->eva_window[3] = x;
    }
}

int cs_report_gather_scores(cs_report_data *d, const char *asked)
{
    int rc = choose_score(d, asked);
    if (rc || (rc = cs_scores_read(&d->sf, d->scores_path, d->score, &d->score_v, &d->score_dir, d->score_params,
                                   sizeof d->score_params)))
        return rc;
    if ((rc = read_optional(d, "late_conf", &d->late_conf)) || (rc = read_optional(d, "focus", &d->focus)))
        return rc;
    if (d->focus) {
        int64_t have = 0;
        for (int64_t i = 0; i < d->n; i++)
            have += !isnan(d->focus[i]);
        if (!have)
            snprintf(d->plane_note, sizeof d->plane_note,
                     "The run computed no Grad-CAM focus (record.focus_every: 0), so there is no focus axis.");
    }
    /* The traces are the highest, median and lowest EVA of each class. */
    double *trace = NULL;
    int dir;
    char params[256] = "";
    if (has_score(d, "eva")) {
        snprintf(d->trace_score, sizeof d->trace_score, "eva");
        rc = cs_scores_read(&d->sf, d->scores_path, "eva", &trace, &dir, params, sizeof params);
        eva_windows(d, params);
    } else {
        snprintf(d->trace_score, sizeof d->trace_score, "%s", d->score);
        snprintf(d->trace_note, sizeof d->trace_note, "scores.h5 holds no EVA: the traced samples are chosen by '%s'.",
                 d->score);
        snprintf(params, sizeof params, "%s", d->score_params);
        eva_windows(d, params);
    }
    if (!rc)
        rc = cs_report_pick_traces(d, trace ? trace : d->score_v);
    free(trace);
    return rc ? rc : cs_report_pick_samples(d);
}
