/* html_numbers.c - one table per figure, one row per plotted thing, every
 * number in a data-* attribute and again as text. */
#include "html_numbers.h"

#include "../common/err.h"
#include "../common/numtext.h"
#include "stats.h"
#include "svg_write.h"

#include <math.h>
#include <stdlib.h>

void cs_html_attr_num(FILE *fp, const char *name, double v)
{
    if (isnan(v))
        fprintf(fp, " data-%s=\"nan\"", name);
    else if (isinf(v))
        fprintf(fp, " data-%s=\"%s\"", name, v > 0 ? "inf" : "-inf");
    else {
        char t[32];
        fprintf(fp, " data-%s=\"%s\"", name, cs_double_text(v, t, sizeof t));
    }
}

/* A class's cell: its number, and its name where the run recorded one. */
static void class_cell(FILE *fp, const cs_report_data *d, int c)
{
    char name[40];
    fputs("<td>", fp);
    cs_html_escape(fp, cs_report_class(d, c, CS_CLASS_SHORT, name, sizeof name));
    fputs("</td>", fp);
}

static void open_table(FILE *fp, const char *name, const char *header)
{
    fprintf(fp, "<details><summary>numbers</summary>\n<table class=\"numbers\" data-table=\"%s\">\n<tr>%s</tr>\n", name,
            header);
}

static void close_table(FILE *fp) { fputs("</table></details>\n", fp); }

int cs_html_numbers_epochs(FILE *fp, const cs_report_data *d)
{
    double *ee = cs_malloc(sizeof *ee * (size_t)(d->nepochs ? d->nepochs : 1));
    if (!ee)
        return CS_ENOMEM;
    cs_report_effective_epochs(d, ee);
    open_table(fp, "epochs",
               "<th>run</th><th>epoch</th><th>loss</th><th>accuracy</th><th>used</th><th>effective epochs</th>");
    for (int k = 0; k < d->nepochs; k++) {
        const cs_report_epoch *e = &d->epochs[k];
        fprintf(fp, "<tr data-run=\"%d\" data-epoch=\"%d\"", e->run, e->epoch);
        cs_html_attr_num(fp, "loss", e->loss);
        cs_html_attr_num(fp, "accuracy", e->accuracy);
        cs_html_attr_num(fp, "used", e->used);
        cs_html_attr_num(fp, "ee", ee[k]);
        fprintf(fp, "><td>%d</td><td>%d</td><td>%.4f</td><td>%.4f</td><td>%.3f</td><td>%.3f</td></tr>\n", e->run,
                e->epoch, e->loss, e->accuracy, e->used, ee[k]);
    }
    close_table(fp);
    free(ee);
    return 0;
}

void cs_html_numbers_classes(FILE *fp, const cs_report_data *d)
{
    open_table(fp, "classes", "<th>class</th><th>N_c</th><th>n_c kept</th><th>kept %</th>");
    for (int c = 0; c < d->num_classes; c++) {
        int64_t kept = d->have_index ? d->class_kept[c] : 0;
        double pct = d->class_n[c] ? 100.0 * (double)kept / (double)d->class_n[c] : 0;
        fprintf(fp, "<tr data-class=\"%d\" data-n=\"%lld\"", c, (long long)d->class_n[c]);
        if (d->have_index)
            fprintf(fp, " data-kept=\"%lld\">", (long long)kept);
        else
            fputc('>', fp);
        class_cell(fp, d, c);
        if (d->have_index)
            fprintf(fp, "<td>%lld</td><td>%lld</td><td>%.2f</td></tr>\n", (long long)d->class_n[c], (long long)kept, pct);
        else
            fprintf(fp, "<td>%lld</td><td>-</td><td>-</td></tr>\n", (long long)d->class_n[c]);
    }
    close_table(fp);
}

void cs_html_numbers_scores(FILE *fp, const cs_report_data *d)
{
    double lo, hi;
    cs_value_range(d->score_v, d->n, &lo, &hi);
    open_table(fp, "scores", "<th>class</th><th>samples</th><th>kept</th><th>cut</th><th>&#177;inf</th><th>NaN</th>");
    for (int c = 0; c < cs_report_panels(d); c++) {
        cs_hist h;
        cs_report_hist(d, c, lo, hi, &h);
        double cut = NAN;
        int have_cut = cs_report_cut(d, c, &cut);
        fprintf(fp, "<tr data-class=\"%d\" data-count=\"%lld\" data-kept=\"%lld\"", c, (long long)h.total,
                (long long)h.total_kept);
        if (have_cut)
            cs_html_attr_num(fp, "cut", cut);
        else
            fputs(" data-cut=\"none\"", fp);
        fprintf(fp, " data-pos-inf=\"%lld\" data-neg-inf=\"%lld\" data-nan=\"%lld\"", (long long)h.pos_inf,
                (long long)h.neg_inf, (long long)h.nan);
        cs_html_attr_num(fp, "lo", h.lo);
        cs_html_attr_num(fp, "hi", h.hi);
        fputs(" data-bins=\"", fp);
        for (int b = 0; b < CS_REPORT_BINS; b++)
            fprintf(fp, "%s%lld", b ? " " : "", (long long)h.all[b]);
        fputs("\" data-kept-bins=\"", fp);
        for (int b = 0; b < CS_REPORT_BINS; b++)
            fprintf(fp, "%s%lld", b ? " " : "", (long long)h.kept[b]);
        fputs("\">", fp);
        class_cell(fp, d, c);
        fprintf(fp, "<td>%lld</td><td>%lld</td>", (long long)h.total, (long long)h.total_kept);
        if (have_cut)
            fprintf(fp, "<td>%.6g</td>", cut);
        else
            fputs("<td>-</td>", fp);
        fprintf(fp, "<td>%lld</td><td>%lld</td></tr>\n", (long long)(h.pos_inf + h.neg_inf), (long long)h.nan);
    }
    close_table(fp);
}

void cs_html_numbers_traces(FILE *fp, const cs_report_data *d)
{
    static const char *kinds[CS_TRACE_KINDS] = {"highest", "median", "lowest"};
    open_table(fp, "traces", "<th>class</th><th>which</th><th>sample</th><th>score</th><th>error norm per epoch</th>");
    for (int t = 0; t < d->ntraces; t++) {
        const cs_report_trace *tr = &d->traces[t];
        fprintf(fp, "<tr data-class=\"%d\" data-kind=\"%s\" data-sample=\"%lld\"", tr->label, kinds[tr->kind],
                (long long)tr->sample);
        cs_html_attr_num(fp, "score", tr->score);
        fputs(" data-err=\"", fp);
        for (int e = 0; tr->err && e < d->max_epoch; e++)
            fprintf(fp, e ? " %.9g" : "%.9g", (double)tr->err[e]);
        fprintf(fp, "\"><td>%d</td><td>%s</td><td>%lld</td><td>%.6g</td><td>", tr->label, kinds[tr->kind],
                (long long)tr->sample, tr->score);
        for (int e = 0; tr->err && e < d->max_epoch; e++)
            fprintf(fp, e ? " %.3f" : "%.3f", (double)tr->err[e]);
        fputs("</td></tr>\n", fp);
    }
    close_table(fp);
}

void cs_html_numbers_samples(FILE *fp, const cs_report_data *d)
{
    open_table(fp, "samples",
               "<th>class</th><th>end</th><th>sample</th><th>score</th><th>predicted</th><th>map focus</th><th>recorded focus</th>");
    for (int i = 0; i < d->nsamples; i++) {
        const cs_report_sample *s = &d->samples[i];
        fprintf(fp, "<tr data-class=\"%d\" data-top=\"%d\" data-sample=\"%lld\"", s->label, s->top, (long long)s->sample);
        cs_html_attr_num(fp, "score", s->score);
        fprintf(fp, " data-map=\"%s\" data-predicted=\"%d\" data-target=\"%d\"", s->map ? "yes" : "no", s->predicted,
                s->target);
        cs_html_attr_num(fp, "map-focus", s->map_focus);
        cs_html_attr_num(fp, "recorded-focus", s->rec_focus);
        fprintf(fp, "><td>%d</td><td>%s</td><td>%lld</td><td>%.6g</td><td>%d</td><td>%.3f</td><td>%.3f</td></tr>\n",
                s->label, s->top ? "top" : "bottom", (long long)s->sample, s->score, s->predicted, s->map_focus,
                s->rec_focus);
    }
    close_table(fp);
}
