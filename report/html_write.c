/* html_write.c - the page: a header saying what run and index it is about,
 * one <section> per figure (a caption saying how to read it, the inline SVG,
 * or a note saying why it is missing, then its numbers), and the provenance.
 * Plain HTML and CSS: no script, no font or image fetched; the bytes depend
 * only on the run, the index and the tool version (no clock time). */
#include "report_figs.h"

#include "../common/version.h"
#include "../score/score.h"
#include "html_numbers.h"
#include "stats.h"
#include "svg_write.h"

#include <stdarg.h>
#include <string.h>

static const char style[] =
    "body{font-family:sans-serif;margin:24px auto;max-width:1140px;color:#222;line-height:1.4}"
    "h1{font-size:1.5em;margin-bottom:4px}h2{font-size:1.2em;margin:0 0 6px;border-bottom:1px solid #ddd}"
    "section{margin:28px 0}nav a{margin-right:14px}figure{margin:8px 0;overflow-x:auto}"
    ".caption{font-size:.92em;color:#444;max-width:900px}.note{background:#fff6dc;border-left:4px solid #e6a800;"
    "padding:6px 10px;font-size:.92em}table{border-collapse:collapse;font-size:.85em}"
    "td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}th{background:#f3f3f3}"
    "table.kv td{text-align:left}pre{background:#f6f6f6;padding:8px;font-size:.8em;overflow-x:auto}"
    "summary{cursor:pointer;color:#555;font-size:.9em}";

static void esc(FILE *fp, const char *s) { cs_html_escape(fp, s); }

/* Escaped printf. */
static void escf(FILE *fp, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    esc(fp, buf);
}

static void note(FILE *fp, const char *text)
{
    if (!text || !text[0])
        return;
    fputs("<p class=\"note\" data-note=\"", fp);
    esc(fp, text);
    fputs("\">", fp);
    esc(fp, text);
    fputs("</p>\n", fp);
}

/* The attributes stay open: each section adds its own data-* before heading(). */
static void open_section(FILE *fp, const char *id) { fprintf(fp, "<section id=\"%s\" data-section=\"%s\"", id, id); }

static void heading(FILE *fp, const char *title, const char *caption)
{
    fputs(">\n<h2>", fp);
    esc(fp, title);
    fputs("</h2>\n<p class=\"caption\">", fp);
    esc(fp, caption);
    fputs("</p>\n", fp);
}

static int figure(FILE *fp, const cs_report_figs *f, int which, const char *title)
{
    if (!f->have[which])
        return 0;
    fprintf(fp, "<figure id=\"fig-%s\" data-figure=\"%s\">\n", f->fig[which].id, f->fig[which].id);
    int rc = cs_svg_write(fp, &f->fig[which], title);
    fputs("</figure>\n", fp);
    return rc;
}

static void header(FILE *fp, const cs_report_data *d)
{
    fputs("<header>\n<h1>coreset report</h1>\n<p>run <code>", fp);
    esc(fp, d->run);
    fprintf(fp, "</code>: %lld samples, %d classes", (long long)d->n, d->num_classes);
    if (d->dataset[0]) {
        fputs(", dataset <code>", fp);
        esc(fp, d->dataset);
        fputs("</code>", fp);
    }
    fputs(".<br>", fp);
    if (d->have_index) {
        const char *score = cs_index_file_get(&d->index, "score");
        const char *quota = cs_index_file_get(&d->index, "quota");
        fputs("index <code>", fp);
        esc(fp, d->index_path);
        fputs("</code>: ", fp);
        escf(fp, "%lld of %lld kept (%.2f%%)", (long long)d->index.m, (long long)d->index.n,
             d->index.n ? 100.0 * (double)d->index.m / (double)d->index.n : 0.0);
        if (score)
            escf(fp, ", score %s", score);
        if (quota)
            escf(fp, ", quota %s", quota);
        fputs(".", fp);
    } else {
        fputs("no index file given (--index): nothing is marked kept.", fp);
    }
    fputs("</p>\n<nav><a href=\"#epochs\">epochs</a><a href=\"#classes\">classes</a><a href=\"#scores\">scores</a>"
          "<a href=\"#plane\">confidence&#8211;focus</a><a href=\"#traces\">trajectories</a>"
          "<a href=\"#samples\">samples</a><a href=\"#provenance\">provenance</a></nav>\n</header>\n",
          fp);
}

static int section_epochs(FILE *fp, const cs_report_data *d, const cs_report_figs *f)
{
    open_section(fp, "epochs");
    fprintf(fp, " data-runs=\"%d\" data-max-epoch=\"%d\"", d->nruns, d->max_epoch);
    heading(fp, "Surrogate training, per epoch",
            "Mean loss and accuracy of the surrogate's recorded pass over every sample (the training forward "
            "pass, augmented, unless record.eval_pass asked for a separate one), and the effective epochs so far: "
            "the fractions of samples back-propagated, summed (dashed: every sample in every epoch; training-time "
            "data dropout runs below it). One line per surrogate run.");
    note(fp, d->epochs_note);
    int rc = figure(fp, f, CS_RFIG_EPOCHS, "loss, accuracy and effective epochs per epoch");
    if (!rc && d->nepochs)
        rc = cs_html_numbers_epochs(fp, d);
    fputs("</section>\n", fp);
    return rc;
}

static int section_classes(FILE *fp, const cs_report_data *d, const cs_report_figs *f)
{
    open_section(fp, "classes");
    fprintf(fp, " data-n=\"%lld\" data-classes=\"%d\"", (long long)d->n, d->num_classes);
    if (d->have_index)
        fprintf(fp, " data-kept=\"%lld\"", (long long)d->index.m);
    heading(fp, "Classes: what was kept",
            d->have_index ? "Per class: its size N_c (grey) and the samples the index kept, n_c (green), with the "
                            "kept share. A class kept far below the overall rate was starved by the selection."
                          : "Per class: its size N_c. Give an index file (--index) to see what a selection kept.");
    int rc = figure(fp, f, CS_RFIG_CLASSES, "samples per class, and kept");
    cs_html_numbers_classes(fp, d);
    fputs("</section>\n", fp);
    return rc;
}

static int section_scores(FILE *fp, const cs_report_data *d, const cs_report_figs *f)
{
    char caption[1800];
    open_section(fp, "scores");
    fputs(" data-score=\"", fp);
    esc(fp, d->score);
    fprintf(fp, "\" data-direction=\"%s\" data-bins=\"%d\"", d->score_dir == CS_SCORE_LOW ? "low" : "high",
            CS_REPORT_BINS);
    snprintf(caption, sizeof caption,
             "The distribution of %s (%s; its important end is the %s one) in each class, %d bins over one range "
             "shared by every class, each panel with its own count scale. %s%sInfinite and NaN values are counted in "
             "the panel titles.%s",
             d->score, d->score_params, d->score_dir == CS_SCORE_LOW ? "low" : "high", CS_REPORT_BINS,
             d->have_index ? "Kept samples are green over all in grey; the dashed line is the selection cut (the "
                             "least important kept value), drawn where one value separates the kept from the "
                             "removed samples of the class. "
                           : "",
             d->filter_on ? "The index used the reliability filter, which takes unreliable samples after every "
                            "reliable one, so a class with unreliable samples above the cut has no single cut. "
                          : "",
             d->num_classes > CS_REPORT_MAX_PANELS ? " Only the first 20 classes are drawn." : "");
    heading(fp, "Score distributions per class", caption);
    note(fp, d->score_note);
    int rc = figure(fp, f, CS_RFIG_SCORES, "score histograms per class");
    cs_html_numbers_scores(fp, d);
    fputs("</section>\n", fp);
    return rc;
}

static int section_plane(FILE *fp, const cs_report_data *d, const cs_report_figs *f)
{
    int64_t count[CS_PLANE_KINDS] = {0};
    for (int64_t i = 0; i < d->n; i++)
        count[cs_report_plane_kind(d, i)]++;
    char caption[1600];
    open_section(fp, "plane");
    fprintf(fp, " data-kept=\"%lld\" data-focus-removed=\"%lld\" data-conf-removed=\"%lld\" data-other-removed=\"%lld\" "
                "data-unplaced=\"%lld\" data-drawn=\"%lld\" data-max-points=\"%d\"",
            (long long)count[CS_PLANE_KEPT], (long long)count[CS_PLANE_FOCUS], (long long)count[CS_PLANE_CONF],
            (long long)count[CS_PLANE_OTHER], (long long)count[CS_PLANE_UNKNOWN], (long long)f->plane_drawn,
            CS_REPORT_MAX_POINTS);
    cs_html_attr_num(fp, "tau", d->tau);
    cs_html_attr_num(fp, "phi", d->phi);
    fprintf(fp, " data-filter=\"%s\"", d->filter_on ? "on" : "off");
    snprintf(caption, sizeof caption,
             "Each sample at its mean confidence in the true class over the late window (x) and its mean Grad-CAM "
             "focus (y), as in ERTS Fig. 5. %s Removed samples are coloured by where they lie: confident "
             "(confidence >= tau: what confidence-based dropout such as DBPD removes, red), uncertain with a diffuse "
             "map (focus < phi: what the reliability filter removes, yellow)%s. tau = %g and phi = %g are %s. At most "
             "%d points are drawn: beyond that a uniform random subsample (fixed seed) of them; the legend counts "
             "every sample.",
             d->have_index ? "Green: kept by the index." : "Without an index, green marks the samples ERTS retains (uncertain and focused).",
             d->have_index ? ", or uncertain and focused but below the score's cut (grey)" : "", d->tau, d->phi,
             d->filter_on ? "the thresholds the index's filter used" : "the defaults (the index did not use the filter)",
             CS_REPORT_MAX_POINTS);
    heading(fp, "The confidence\xe2\x80\x93" "focus plane", caption);
    note(fp, d->plane_note);
    int rc = figure(fp, f, CS_RFIG_PLANE, "confidence-focus plane");
    fputs("</section>\n", fp);
    return rc;
}

static int section_traces(FILE *fp, const cs_report_data *d, const cs_report_figs *f)
{
    char caption[1400], windows[256] = "";
    open_section(fp, "traces");
    fputs(" data-score=\"", fp);
    esc(fp, d->trace_score);
    fprintf(fp, "\" data-windows=\"%d %d %d %d\" data-run=\"%d\"", d->eva_window[0], d->eva_window[1], d->eva_window[2],
            d->eva_window[3], d->first_run);
    if (d->eva_window[1])
        snprintf(windows, sizeof windows, " Shaded: the early window (epochs %d-%d) and the late window (%d-%d) whose "
                                          "error-norm variances EVA adds.",
                 d->eva_window[0], d->eva_window[1], d->eva_window[2], d->eva_window[3]);
    snprintf(caption, sizeof caption,
             "The error norm ||p - e_y|| per epoch (surrogate run %d) of the samples with the highest (red), median "
             "(grey) and lowest (blue) %s of each class: a high EVA sample's error swings inside the windows, a low "
             "one stays flat.%s",
             d->first_run < 0 ? 0 : d->first_run, d->trace_score, windows);
    heading(fp, "Error-norm trajectories", caption);
    note(fp, d->trace_note);
    int rc = figure(fp, f, CS_RFIG_TRACES, "error-norm trajectories");
    if (d->nepochs)
        cs_html_numbers_traces(fp, d);
    fputs("</section>\n", fp);
    return rc;
}

static int section_samples(FILE *fp, const cs_report_data *d, const cs_report_figs *f)
{
    int maps = 0;
    for (int i = 0; i < d->nsamples; i++)
        maps += d->samples[i].map != NULL;
    char caption[1400];
    open_section(fp, "samples");
    fprintf(fp, " data-maps=\"%d\" data-kind=\"%s\"", maps, d->is_signal ? "signal" : "image");
    snprintf(caption, sizeof caption,
             "The %d most and %d least important samples of each class by %s. %s Grad-CAM maps at layer '%s' are "
             "recomputed for these samples from checkpoint.bin (the final weights of the last surrogate run, "
             "eval mode), so their focus can differ from the recorded one, a mean over training-mode passes.",
             CS_REPORT_THUMBS, CS_REPORT_THUMBS, d->score,
             d->is_signal ? "Each panel: the first lead, over a red band as strong as the map."
                          : "Each pair: the sample, then the sample under its map (blue low, red high).",
             d->cam_layer[0] ? d->cam_layer : "last");
    heading(fp, "Top and bottom samples with Grad-CAM", caption);
    note(fp, d->cam_note);
    int rc = figure(fp, f, CS_RFIG_SAMPLES, "top and bottom samples with Grad-CAM maps");
    cs_html_numbers_samples(fp, d);
    fputs("</section>\n", fp);
    return rc;
}

static void kv_row(FILE *fp, const char *key, const char *value)
{
    fputs("<tr data-key=\"", fp);
    esc(fp, key);
    fputs("\" data-value=\"", fp);
    esc(fp, value);
    fputs("\"><td>", fp);
    esc(fp, key);
    fputs("</td><td>", fp);
    esc(fp, value);
    fputs("</td></tr>\n", fp);
}

/* The --by auto search behind the index, when its JSON is beside it. */
static void section_auto(FILE *fp, const cs_report_data *d)
{
    if (!d->nauto && !d->auto_note[0])
        return;
    open_section(fp, "auto");
    fprintf(fp, " data-chosen=\"");
    esc(fp, d->auto_chosen);
    fprintf(fp, "\" data-candidates=\"%d\"", d->nauto);
    heading(fp, "Rule search (--by auto)",
            "Each candidate rule selected a coreset at this rate; a fresh model trained on it was scored on the "
            "held-out data (mean and std over the evaluator's seeds). The best mean was kept; Random is always a "
            "candidate.");
    note(fp, d->auto_note);
    if (d->nauto) {
        fputs("<table class=\"kv\" data-table=\"auto\">\n<tr><th>candidate</th><th>options</th><th>", fp);
        esc(fp, d->auto_objective);
        fputs("</th><th>std</th><th>epochs</th><th>seconds</th></tr>\n", fp);
        for (int i = 0; i < d->nauto; i++) {
            const cs_report_auto_row *r = &d->auto_rows[i];
            int chosen = strcmp(r->name, d->auto_chosen) == 0;
            fputs("<tr data-candidate=\"", fp);
            esc(fp, r->name);
            fprintf(fp, "\" data-mean=\"%.6f\"%s><td>", r->mean, chosen ? " data-chosen=\"1\"" : "");
            esc(fp, r->name);
            fputs(chosen ? " (chosen)</td><td>" : "</td><td>", fp);
            esc(fp, r->options);
            if (r->evaluated)
                fprintf(fp, "</td><td>%.4f</td><td>%.4f</td><td>%d</td><td>%.1f</td></tr>\n", r->mean, r->std,
                        r->epochs, r->seconds);
            else {
                fputs("</td><td colspan=\"3\">", fp);
                esc(fp, r->status);
                fprintf(fp, "</td><td>%.1f</td></tr>\n", r->seconds);
            }
        }
        fputs("</table>\n", fp);
    }
    fputs("</section>\n", fp);
}

static void section_provenance(FILE *fp, const cs_report_data *d)
{
    char v[64];
    open_section(fp, "provenance");
    heading(fp, "Provenance",
            "Where the numbers come from: the dataset and its sha256 as the run recorded them, what the run "
            "recorded about itself (run.yaml), the index file's header, and the tool that wrote this page.");
    fputs("<table class=\"kv\" data-table=\"provenance\">\n", fp);
    kv_row(fp, "run", d->run);
    kv_row(fp, "dataset", d->dataset);
    kv_row(fp, "dataset_sha256", d->sha);
    kv_row(fp, "split", d->split);
    snprintf(v, sizeof v, "%lld", (long long)d->n);
    kv_row(fp, "samples", v);
    snprintf(v, sizeof v, "%d", d->num_classes);
    kv_row(fp, "classes", v);
    for (int i = 0; i < d->prov.n; i++) {
        const cs_prov_item *it = &d->prov.item[i];
        if (strcmp(it->key, "dataset") && strcmp(it->key, "dataset_sha256") && strcmp(it->key, "split"))
            kv_row(fp, it->key, it->value);
    }
    kv_row(fp, "report_tool", "coreset " CS_VERSION " (" CS_GIT_DESC ")");
    fputs("</table>\n", fp);
    if (d->have_index) {
        fputs("<h3>index file</h3>\n<table class=\"kv\" data-table=\"index\">\n", fp);
        kv_row(fp, "path", d->index_path);
        for (int i = 0; i < d->index.num_keys; i++)
            kv_row(fp, d->index.kv[i].key, d->index.kv[i].value);
        fputs("</table>\n", fp);
    }
    if (d->run_yaml) {
        fputs("<details><summary>run.yaml (the resolved config)</summary>\n<pre>", fp);
        esc(fp, d->run_yaml);
        fputs("</pre></details>\n", fp);
    } else {
        note(fp, "The run has no run.yaml: its config and provenance are unknown.");
    }
    fputs("</section>\n", fp);
}

int cs_report_html(FILE *fp, const cs_report_data *d, const cs_report_figs *f)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>coreset report: ", fp);
    esc(fp, d->run);
    fprintf(fp, "</title>\n<style>%s</style>\n</head>\n<body>\n", style);
    header(fp, d);
    int rc = section_epochs(fp, d, f);
    rc = rc ? rc : section_classes(fp, d, f);
    rc = rc ? rc : section_scores(fp, d, f);
    rc = rc ? rc : section_plane(fp, d, f);
    rc = rc ? rc : section_traces(fp, d, f);
    rc = rc ? rc : section_samples(fp, d, f);
    if (!rc) {
        section_auto(fp, d);
        section_provenance(fp, d);
    }
    fputs("</body>\n</html>\n", fp);
    return rc;
}
