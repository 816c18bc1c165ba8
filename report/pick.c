/* pick.c - which samples the report shows of each class: for the traces the
 * highest, median and lowest trace score (EVA), for the thumbnails the
 * CS_REPORT_THUMBS most and least important by the drawn score.  Ties break
 * by sample index, so the same run always shows the same samples. */
#include "report_data.h"

#include "../common/err.h"
#include "../score/score.h"

#include <math.h>
#include <stdlib.h>

typedef struct keyed {
    double v;
    int64_t i;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* The samples of class c with a value (NaN left out), ascending. */
static int class_sorted(const cs_report_data *d, const double *v, int c, keyed **out, int64_t *k)
{
    keyed *s = cs_malloc(sizeof *s * (size_t)(d->class_n[c] ? d->class_n[c] : 1));
    if (!s)
        return CS_ENOMEM;
    int64_t m = 0;
    for (int64_t i = 0; i < d->n; i++)
        if (d->labels[i] == c && !isnan(v[i]))
            s[m++] = (keyed){v[i], i};
    qsort(s, (size_t)m, sizeof *s, cmp_keyed);
    *out = s;
    *k = m;
    return 0;
}

int cs_report_panels(const cs_report_data *d)
{
    return d->num_classes < CS_REPORT_MAX_PANELS ? d->num_classes : CS_REPORT_MAX_PANELS;
}

int cs_report_pick_traces(cs_report_data *d, const double *v)
{
    int nc = cs_report_panels(d);
    d->traces = cs_calloc((size_t)nc * CS_TRACE_KINDS, sizeof *d->traces);
    if (!d->traces)
        return CS_ENOMEM;
    for (int c = 0; c < nc; c++) {
        keyed *s;
        int64_t k;
        int rc = class_sorted(d, v, c, &s, &k);
        if (rc)
            return rc;
        int64_t at[CS_TRACE_KINDS] = {k - 1, (k - 1) / 2, 0};
        for (int kind = 0; kind < CS_TRACE_KINDS && k > 0; kind++) {
            /* a class of one or two samples shows each once */
            if ((kind == CS_TRACE_MEDIAN && (at[1] == at[0] || at[1] == at[2])) || (kind == CS_TRACE_LOWEST && at[2] == at[0]))
                continue;
            cs_report_trace *t = &d->traces[d->ntraces++];
            t->sample = s[at[kind]].i;
            t->label = c;
            t->kind = kind;
            t->score = s[at[kind]].v;
        }
        free(s);
    }
    return 0;
}

int cs_report_pick_samples(cs_report_data *d)
{
    int nc = cs_report_panels(d);
    d->samples = cs_calloc((size_t)nc * 2 * CS_REPORT_THUMBS, sizeof *d->samples);
    if (!d->samples)
        return CS_ENOMEM;
    for (int c = 0; c < nc; c++) {
        keyed *s;
        int64_t k;
        int rc = class_sorted(d, d->score_v, c, &s, &k);
        if (rc)
            return rc;
        int64_t top = k < CS_REPORT_THUMBS ? k : CS_REPORT_THUMBS;
        int64_t bottom = k - top < CS_REPORT_THUMBS ? k - top : CS_REPORT_THUMBS;
        /* The important end is the high one for a "high" score. */
        int high = d->score_dir == CS_SCORE_HIGH;
        for (int64_t r = 0; r < top + bottom; r++) {
            int is_top = r < top;
            int64_t pos = is_top ? r : k - bottom + (r - top); /* rank from the important end */
            const keyed *e = &s[high ? k - 1 - pos : pos];
            cs_report_sample *x = &d->samples[d->nsamples++];
            x->sample = e->i;
            x->label = c;
            x->top = is_top;
            x->score = e->v;
            x->target = -1;
            x->predicted = -1;
            x->map_focus = NAN;
            x->rec_focus = d->focus ? d->focus[e->i] : NAN;
        }
        free(s);
    }
    return 0;
}
