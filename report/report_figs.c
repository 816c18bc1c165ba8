/* report_figs.c - draw the figures the gathered data allows. */
#include "report_figs.h"

#include "figures.h"

#include <math.h>
#include <string.h>

void cs_report_figs_release(cs_report_figs *f)
{
    for (int k = 0; k < CS_RFIG_COUNT; k++)
        cs_fig_release(&f->fig[k]);
    memset(f, 0, sizeof *f);
}

static int plane_drawable(const cs_report_data *d)
{
    if (!d->late_conf || !d->focus)
        return 0;
    for (int64_t i = 0; i < d->n; i++)
        if (!isnan(d->focus[i]) && !isnan(d->late_conf[i]))
            return 1;
    return 0;
}

static int samples_drawable(const cs_report_data *d)
{
    for (int i = 0; i < d->nsamples; i++)
        if (d->samples[i].x)
            return 1;
    return 0;
}

int cs_report_figs_build(cs_report_figs *f, const cs_report_data *d)
{
    memset(f, 0, sizeof *f);
    int rc = 0;
    if (d->nepochs && !(rc = cs_fig_epochs(&f->fig[CS_RFIG_EPOCHS], d)))
        f->have[CS_RFIG_EPOCHS] = 1;
    if (!rc && !(rc = cs_fig_classes(&f->fig[CS_RFIG_CLASSES], d)))
        f->have[CS_RFIG_CLASSES] = 1;
    if (!rc && !(rc = cs_fig_scores(&f->fig[CS_RFIG_SCORES], d)))
        f->have[CS_RFIG_SCORES] = 1;
    if (!rc && plane_drawable(d) && !(rc = cs_fig_plane(&f->fig[CS_RFIG_PLANE], d, &f->plane_drawn)))
        f->have[CS_RFIG_PLANE] = 1;
    if (!rc && d->nepochs && d->ntraces && !(rc = cs_fig_traces(&f->fig[CS_RFIG_TRACES], d)))
        f->have[CS_RFIG_TRACES] = 1;
    if (!rc && samples_drawable(d) && !(rc = cs_fig_samples(&f->fig[CS_RFIG_SAMPLES], d)))
        f->have[CS_RFIG_SAMPLES] = 1;
    return rc;
}
