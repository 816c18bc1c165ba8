/* auto.c - the `--by auto` search (auto.h). */
#include "auto.h"

#include "../common/err.h"
#include "../common/fsio.h"
#include "../common/json.h"
#include "../common/log.h"
#include "../common/numtext.h"
#include "../run/run_data.h"
#include "../run/run_dir.h"
#include "../score/scores_file.h"
#include "auto_holdout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* --val: "auto" (the val split if the dataset has it, else holdout:0.1),
 * "split" (the val split, required) or "holdout:F" with 0 < F < 1. */
static int parse_val(const char *v, int *want_split, double *frac)
{
    *want_split = -1; /* auto */
    *frac = 0.1;
    if (!v || strcmp(v, "auto") == 0)
        return 0;
    if (strcmp(v, "split") == 0) {
        *want_split = 1;
        return 0;
    }
    if (strncmp(v, "holdout", 7) == 0 && (v[7] == 0 || v[7] == ':')) {
        *want_split = 0;
        char *end = NULL;
        if (v[7] == ':')
            *frac = strtod(v + 8, &end);
        if (v[7] == ':' && (end == v + 8 || *end || !(*frac > 0.0 && *frac < 1.0)))
            return cs_error(CS_EINVAL, "--val holdout:F: F must lie in (0, 1), got '%s'", v + 8);
        return 0;
    }
    return cs_error(CS_EINVAL, "--val: want auto, split or holdout:F, got '%s'", v);
}

int cs_auto_open(cs_auto_ctx *x, const cs_auto_args *a, const char *run_dir, uint64_t seed)
{
    memset(x, 0, sizeof *x);
    x->a = *a;
    x->run_dir = run_dir;
    int want_split, rc;
    double frac;
    if ((rc = parse_val(a->val, &want_split, &frac)))
        return rc;
    char yaml[4200], scores[4200], dataset[4200], sha[80];
    if ((rc = cs_run_scores_path(run_dir, scores, sizeof scores)))
        return rc;
    cs_run_path(yaml, sizeof yaml, run_dir, CS_RUN_YAML);
    if (!cs_path_exists(yaml))
        return cs_error(CS_ENOTRUN, "'%s' has no run.yaml: --by auto trains models of the run's config (give a rule, "
                        "e.g. --by eva)", run_dir);
    x->cfg = cs_calloc(1, sizeof *x->cfg); /* zeroed: cs_auto_close may release it before init */
    x->rd = cs_calloc(1, sizeof(cs_run_data));
    if (!x->cfg || !x->rd)
        return CS_ENOMEM;
    cs_config_init(x->cfg);
    if ((rc = cs_config_load_run(x->cfg, yaml)) || (rc = cs_scores_attr(scores, "dataset", dataset, sizeof dataset)) ||
        (rc = cs_scores_attr(scores, "dataset_sha256", sha, sizeof sha)))
        return rc;
    cs_run_data *rd = x->rd;
    /* through the run folder: an image folder's pixels come from RUN/images.h5 */
    if ((rc = cs_run_data_load_in(rd, x->cfg, run_dir, dataset[0] ? dataset : NULL, sha, -1)))
        return rc;
    const char *path = dataset[0] ? dataset : x->cfg->dataset.path;
    x->n = rd->data.n;
    int have = 0;
    if (want_split != 0 && (have = cs_run_data_load_val(rd, x->cfg, &x->val)) < 0)
        return have;
    if (want_split == 1 && !have)
        return cs_error(CS_EINVAL, "--val split: '%s' has no split '%s' (dataset.val_split); use --val holdout:F", path,
                        x->cfg->dataset.val_split);
    FILE *fp = a->out;
    if (have) {
        snprintf(x->val_text, sizeof x->val_text, "split %s (%lld samples)", x->cfg->dataset.val_split,
                 (long long)x->val.n);
        fprintf(fp, "val: split '%s' of %s (%lld samples)\n", x->cfg->dataset.val_split, path, (long long)x->val.n);
        return 0;
    }
    if (!(x->holdout = cs_malloc((size_t)(x->n ? x->n : 1))))
        return CS_ENOMEM;
    if ((rc = cs_auto_holdout(rd->data.y, x->n, rd->data.num_classes, frac, seed, x->holdout, &x->n_holdout))) {
        cs_error_prefix("'%s'", path);
        return rc;
    }
    int64_t *rows = cs_malloc(sizeof *rows * (size_t)(x->n_holdout ? x->n_holdout : 1));
    if (!rows)
        return CS_ENOMEM;
    for (int64_t i = 0, k = 0; i < x->n; i++)
        if (x->holdout[i])
            rows[k++] = i;
    rc = cs_auto_data_rows(&rd->data, rows, x->n_holdout, &x->val);
    free(rows);
    if (rc)
        return rc;
    char f[32];
    cs_double_text(frac, f, sizeof f);
    snprintf(x->val_text, sizeof x->val_text, "holdout %s of the training split, seed %llu (%lld samples, excluded)", f,
             (unsigned long long)seed, (long long)x->n_holdout);
    char why[4400];
    if (!want_split)
        snprintf(why, sizeof why, "--val holdout:%s", f);
    else if (x->cfg->dataset.val_split[0])
        snprintf(why, sizeof why, "no split '%s' in %s", x->cfg->dataset.val_split, path);
    else
        snprintf(why, sizeof why, "no val split (dataset.val_split is empty)");
    fprintf(fp, "val: %s: a stratified holdout of %s of the training split, drawn from seed %llu (%lld of %lld "
                "samples), excluded from every candidate and from the coreset\n",
            why, f, (unsigned long long)seed, (long long)x->n_holdout, (long long)x->n);
    return 0;
}

void cs_auto_close(cs_auto_ctx *x)
{
    if (x->rd) {
        cs_run_data_release(x->rd);
        free(x->rd);
    }
    if (x->cfg)
        cs_config_release(x->cfg);
    free(x->cfg);
    cs_data_release(&x->val);
    free(x->holdout);
    memset(x, 0, sizeof *x);
}

void cs_auto_result_release(cs_auto_result *r)
{
    free(r->cand);
    cs_run_selection_release(&r->sel);
    memset(r, 0, sizeof *r);
}

/* Train and evaluate one candidate's coreset under every seed. */
static int evaluate(cs_auto_ctx *x, const cs_run_selection *s, uint64_t seed, cs_auto_cand *c)
{
    const cs_auto_evaluator *ev = x->a.evaluator;
    cs_run_data *rd = x->rd;
    cs_metrics met = {0};
    int rc = cs_metrics_init(&met, rd->data.num_classes);
    if (rc)
        return rc;
    c->m = s->m;
    c->epochs = cs_auto_epochs(ev, x->cfg, s->m);
    c->seeds = ev->seeds;
    double sum = 0, sq = 0;
    for (int k = 0; k < ev->seeds && !rc; k++) {
        rc = cs_auto_train_eval(x->cfg, &rd->data, s->idx, s->m, &x->val, (int)(seed + (uint64_t)k), c->epochs, &met);
        if (!rc) {
            c->value[k] = cs_auto_objective_value(x->a.objective, &met);
            sum += c->value[k];
        }
    }
    cs_metrics_release(&met);
    if (rc)
        return rc;
    c->mean = sum / ev->seeds;
    for (int k = 0; k < ev->seeds; k++)
        sq += (c->value[k] - c->mean) * (c->value[k] - c->mean);
    c->std = ev->seeds > 1 ? sqrt(sq / (ev->seeds - 1)) : 0.0;
    return 0;
}

static int set_auto_header(cs_auto_ctx *x, cs_auto_result *r, const char *auto_name)
{
    cs_index_file *ix = &r->sel.index;
    const cs_auto_cand *w = &r->cand[r->chosen];
    char v[4096];
    int rc;
    snprintf(v, sizeof v, "%s (%s)", w->entry->name, w->entry->options);
    if ((rc = cs_index_file_set(ix, "auto-rule", v)) ||
        (rc = cs_index_file_set(ix, "auto-objective", cs_auto_objective_name(x->a.objective))))
        return rc;
    snprintf(v, sizeof v, "%s: %s; %d epochs", x->a.evaluator->name, x->a.evaluator->describe, w->epochs);
    if ((rc = cs_index_file_set(ix, "auto-evaluator", v)) || (rc = cs_index_file_set(ix, "auto-val", x->val_text)))
        return rc;
    /* The evidence: every evaluated candidate's mean and std, portfolio order. */
    v[0] = 0;
    for (int i = 0; i < r->count; i++) {
        const cs_auto_cand *c = &r->cand[i];
        if (c->status != 1)
            continue;
        size_t l = strlen(v);
        snprintf(v + l, sizeof v - l, "%s%s %.4f+-%.4f", l ? "; " : "", c->entry->name, c->mean, c->std);
    }
    if ((rc = cs_index_file_set(ix, "auto-evidence", v)))
        return rc;
    snprintf(r->sel.default_name, sizeof r->sel.default_name, "%s", auto_name);
    return 0;
}

int cs_auto_select(cs_auto_ctx *x, const cs_run_select_args *base, cs_auto_result *r)
{
    memset(r, 0, sizeof *r);
    cs_run_selection_init(&r->sel);
    r->count = cs_auto_portfolio_count;
    r->chosen = -1;
    int *chosen = cs_calloc((size_t)r->count, sizeof *chosen);
    r->cand = cs_calloc((size_t)r->count, sizeof *r->cand);
    if (!chosen || !r->cand) {
        free(chosen);
        return CS_ENOMEM;
    }
    int rc = cs_auto_portfolio_choose(x->a.candidates, chosen);
    int total = 0, done = 0;
    for (int i = 0; i < r->count; i++)
        total += chosen[i];
    /* Every chosen entry must parse before any work: a broken portfolio line
     * is an error at once, whatever the budget drops later. */
    for (int i = 0; i < r->count && !rc; i++) {
        cs_run_select_args probe;
        if (chosen[i] && x->a.parse(cs_auto_portfolio[i].options, base, &probe))
            rc = cs_error(CS_EINVAL, "portfolio entry '%s': '%s' does not parse", cs_auto_portfolio[i].name,
                          cs_auto_portfolio[i].options);
    }
    double t0 = now();
    char auto_name[128] = "";
    for (int i = 0; i < r->count && !rc; i++) {
        cs_auto_cand *c = &r->cand[i];
        c->entry = &cs_auto_portfolio[i];
        if (!chosen[i])
            continue;
        done++;
        /* The budget drops the candidates last in the portfolio first; Random
         * (the first) is always evaluated. */
        if (i > 0 && x->a.budget_seconds > 0 && now() - t0 >= x->a.budget_seconds) {
            c->status = 2;
            cs_info("auto: [%d/%d] %s: dropped (--budget-seconds %g reached)", done, total, c->entry->name,
                    x->a.budget_seconds);
            continue;
        }
        cs_run_select_args ca;
        if (x->a.parse(c->entry->options, base, &ca)) {
            rc = cs_error(CS_EINVAL, "portfolio entry '%s': '%s' does not parse", c->entry->name, c->entry->options);
            break;
        }
        ca.run_dir = base->run_dir;
        ca.exclude = x->holdout;
        double t1 = now();
        cs_run_selection s;
        int selected = (rc = cs_run_select(&ca, &s)) == 0; /* s to release (a failed one released itself) */
        if (selected && s.n != x->n)
            rc = cs_error(CS_EFORMAT, "'%s': scores.h5 holds %lld samples, the training split %lld", base->run_dir,
                          (long long)s.n, (long long)x->n);
        if (rc == 0)
            rc = evaluate(x, &s, base->params.seed, c);
        c->seconds = now() - t1;
        if (rc) {
            /* A rule the run cannot feed (a score it lacks) is left out, said
             * so; Random failing is an error. */
            if (selected)
                cs_run_selection_release(&s);
            if (i == 0 || rc == CS_ENOMEM)
                break;
            c->status = 3;
            snprintf(c->error, sizeof c->error, "%s", cs_errmsg());
            cs_warn("auto: %s left out: %s", c->entry->name, c->error);
            cs_error_clear();
            rc = 0;
            continue;
        }
        c->status = 1;
        cs_info("auto: [%d/%d] %s: %s %.4f +- %.4f over %d seed%s, %d epochs on %lld samples (%.1f s)", done, total,
                c->entry->name, cs_auto_objective_name(x->a.objective), c->mean, c->std, c->seeds,
                c->seeds > 1 ? "s" : "", c->epochs, (long long)c->m, c->seconds);
        if (r->chosen < 0 || c->mean > r->cand[r->chosen].mean) {
            cs_run_selection_release(&r->sel);
            r->sel = s;
            r->chosen = i;
            /* coreset-<score>-<rate>.idx becomes coreset-auto-<rate>.idx (ca's
             * strings live until the next entry is parsed) */
            snprintf(auto_name, sizeof auto_name, "coreset-auto%s", s.default_name + strlen("coreset-") + strlen(ca.score));
        } else {
            cs_run_selection_release(&s);
        }
    }
    free(chosen);
    if (!rc && r->chosen < 0)
        rc = cs_error(CS_EINVAL, "--by auto: no candidate was evaluated");
    if (!rc)
        rc = set_auto_header(x, r, auto_name);
    if (rc)
        cs_auto_result_release(r);
    return rc;
}

static const char *status_text(int s)
{
    static const char *const t[] = {"not tried", "evaluated", "dropped (budget)", "failed"};
    return t[s];
}

void cs_auto_print_table(const cs_auto_ctx *x, const cs_auto_result *r, FILE *fp)
{
    fprintf(fp, "%-18s %-40s %10s %8s %8s %8s\n", "candidate", "options", cs_auto_objective_name(x->a.objective),
            "std", "epochs", "seconds");
    for (int i = 0; i < r->count; i++) {
        const cs_auto_cand *c = &r->cand[i];
        if (c->status == 0)
            continue;
        if (c->status == 1)
            fprintf(fp, "%-18s %-40s %10.4f %8.4f %8d %8.1f%s\n", c->entry->name, c->entry->options, c->mean, c->std,
                    c->epochs, c->seconds, i == r->chosen ? "  <- chosen" : "");
        else
            fprintf(fp, "%-18s %-40s %10s %8s %8s %8.1f  %s\n", c->entry->name, c->entry->options, "-", "-", "-",
                    c->seconds, status_text(c->status));
    }
    fprintf(fp, "chosen: %s (%s) by %s on %s, evaluator %s\n", r->cand[r->chosen].entry->name,
            r->cand[r->chosen].entry->options, cs_auto_objective_name(x->a.objective), x->val_text, x->a.evaluator->name);
}

int cs_auto_write_json(const cs_auto_ctx *x, const cs_run_select_args *base, const cs_auto_result *r,
                       const char *index_path)
{
    char path[4300];
    size_t l = strlen(index_path);
    if (l > 4 && strcmp(index_path + l - 4, ".idx") == 0)
        l -= 4;
    snprintf(path, sizeof path, "%.*s.auto.json", (int)l, index_path);
    cs_afile af;
    int rc = cs_afile_open(&af, path);
    if (rc)
        return rc;
    FILE *fp = af.fp;
    char num[40];
    fputs("{\"index\": ", fp);
    cs_json_str(fp, index_path);
    if (base->params.count)
        fprintf(fp, ", \"count\": %lld", (long long)base->params.count);
    else
        fprintf(fp, ", \"rate\": %s", cs_double_text(base->params.rate, num, sizeof num));
    fprintf(fp, ", \"seed\": %llu, \"objective\": \"%s\", \"evaluator\": \"%s\", \"val\": ",
            (unsigned long long)base->params.seed, cs_auto_objective_name(x->a.objective), x->a.evaluator->name);
    cs_json_str(fp, x->val_text);
    fprintf(fp, ", \"val_samples\": %lld, \"holdout\": %s, \"chosen\": \"%s\", \"candidates\": [", (long long)x->val.n,
            x->holdout ? "true" : "false", r->cand[r->chosen].entry->name);
    int first = 1;
    for (int i = 0; i < r->count; i++) {
        const cs_auto_cand *c = &r->cand[i];
        if (c->status == 0)
            continue;
        fprintf(fp, "%s\n  {\"name\": \"%s\", \"options\": ", first ? "" : ",", c->entry->name);
        cs_json_str(fp, c->entry->options);
        fprintf(fp, ", \"status\": \"%s\", \"seconds\": %.3f", status_text(c->status), c->seconds);
        if (c->status == 3) {
            fputs(", \"error\": ", fp);
            cs_json_str(fp, c->error);
        }
        if (c->status == 1) {
            fprintf(fp, ", \"m\": %lld, \"epochs\": %d, \"values\": [", (long long)c->m, c->epochs);
            for (int k = 0; k < c->seeds; k++)
                fprintf(fp, "%s%.17g", k ? ", " : "", c->value[k]);
            fprintf(fp, "], \"mean\": %.17g, \"std\": %.17g", c->mean, c->std);
        }
        fputc('}', fp);
        first = 0;
    }
    fputs("\n]}\n", fp);
    if ((rc = cs_afile_commit(&af)))
        return rc;
    cs_info("wrote '%s'", path);
    return 0;
}
