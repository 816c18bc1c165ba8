/* run_select.c - from RUN/scores.h5 to the indices and header of an index file. */
#include "run_select.h"

#include "../common/err.h"
#include "../run/run_dir.h"
#include "../common/fsio.h"
#include "../common/numtext.h"
#include "../common/rng.h"
#include "../common/version.h"
#include "../formats/embed_file.h"
#include "../score/score.h"
#include "../score/scores_file.h"
#include "quota.h"
#include "rule.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cs_run_select_args_init(cs_run_select_args *a)
{
    memset(a, 0, sizeof *a);
    a->run_dir = ".";
    a->score = "eva";
    a->gamma = NAN;
    cs_select_params_init(&a->params);
    a->params.quota = CS_QUOTA_PROPORTIONAL;
}

void cs_run_selection_init(cs_run_selection *s)
{
    memset(s, 0, sizeof *s);
    cs_select_report_init(&s->report);
    cs_index_file_init(&s->index);
}

void cs_run_selection_release(cs_run_selection *s)
{
    free(s->idx);
    cs_select_report_release(&s->report);
    cs_index_file_release(&s->index);
    memset(s, 0, sizeof *s);
}

int cs_run_scores_path(const char *run_dir, char *buf, size_t len)
{
    if (!cs_path_is_dir(run_dir))
        return cs_error(CS_ENOTRUN, "'%s' is not a run directory (no such folder)", run_dir);
    cs_run_path(buf, len, run_dir, CS_RUN_SCORES);
    if (!cs_path_exists(buf))
        return cs_error(CS_ENOTRUN, "'%s' is not a run directory (no scores.h5)", run_dir);
    return 0;
}

/* The stream of the random baseline's keys: any fixed value, so that the
 * seed alone decides them (tests/ref_select.py draws the same). */
#define RANDOM_STREAM 0x72616e646f6dULL /* "random" */

int cs_run_score_known(const char *name)
{
    if (strcmp(name, CS_SCORE_RANDOM) == 0 || cs_score_lookup(name) >= 0)
        return 1;
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", cs_errmsg());
    size_t l = strlen(msg);
    if (l && msg[l - 1] == ')') /* the registry's list, plus the baseline */
        msg[l - 1] = 0;
    cs_error(CS_EINVAL, "--by: %s, %s)", msg, CS_SCORE_RANDOM);
    return 0;
}

/* The random baseline: one uniform key per sample, drawn in sample order from
 * (seed, RANDOM_STREAM); top-n of it inside each class is a uniform sample
 * without replacement. */
static int random_scores(int64_t n, uint64_t seed, double **out)
{
    double *s = cs_malloc(sizeof *s * (size_t)(n ? n : 1));
    if (!s)
        return CS_ENOMEM;
    cs_rng rng;
    cs_rng_seed2(&rng, seed, RANDOM_STREAM);
    for (int64_t i = 0; i < n; i++)
        s[i] = cs_rng_uniform(&rng);
    *out = s;
    return 0;
}

/* An absolute form of a path that exists, else the path as given. */
static void absolute_path(const char *path, char *buf, size_t len)
{
    char real[PATH_MAX];
    snprintf(buf, len, "%s", realpath(path, real) ? real : path);
}

/* The arrays the chosen options need, read from scores.h5. */
typedef struct run_arrays {
    double *score, *loss, *late_conf, *focus, *helper;
} run_arrays;

static void run_arrays_release(run_arrays *r)
{
    free(r->score);
    free(r->loss);
    free(r->late_conf);
    free(r->focus);
    free(r->helper);
    memset(r, 0, sizeof *r);
}

static int read_helper(const cs_scores_file *f, const char *path, const char *name, const char *why,
                       double **out)
{
    int dir;
    int rc = cs_scores_read(f, path, name, out, &dir, NULL, 0);
    if (rc)
        cs_error_prefix("%s needs '%s'", why, name);
    return rc;
}

/* The gamma of --focus-weighted without --gamma: the one the run's
 * focus_weighted score was computed with (score.focus_gamma when the run was
 * scored), or 1 for a scores.h5 without that score. */
static int run_gamma(const cs_scores_file *f, const char *path, double *gamma)
{
    *gamma = 1.0;
    int has = 0;
    for (int i = 0; i < f->count; i++)
        has |= strcmp(f->names[i], "focus_weighted") == 0;
    if (!has)
        return 0;
    double *unused = NULL;
    int dir;
    char params[512];
    int rc = cs_scores_read(f, path, "focus_weighted", &unused, &dir, params, sizeof params);
    free(unused);
    if (rc)
        return rc;
    const char *g = strstr(params, "gamma=");
    char *end = NULL;
    double v = g ? strtod(g + 6, &end) : NAN;
    if (!g || end == g + 6 || !(isfinite(v) && v >= 0))
        return cs_error(CS_EFORMAT, "'%s': score focus_weighted records no valid gamma (params '%s')", path, params);
    *gamma = v;
    return 0;
}

static int set_header(cs_index_file *ix, const char *key, const char *value)
{
    return cs_index_file_set(ix, key, value);
}

/* RUN/embeddings.h5 at the chosen epoch, for a rule that needs it: a run
 * without the file is refused naming the config key that records it. */
static int read_embed(const cs_run_select_args *a, const char *rule, int64_t n, float **emb, int *d,
                      int *epoch)
{
    char path[4096];
    cs_run_path(path, sizeof path, a->run_dir, CS_RUN_EMBED);
    if (!cs_path_exists(path))
        return cs_error(CS_EINVAL, "--%s needs the embeddings, and '%s' has no %s: score the run "
                        "with record.embed: true (coreset-config(5))", rule, a->run_dir, CS_RUN_EMBED);
    cs_embed info;
    int rc = cs_embed_stat(path, &info);
    if (rc)
        return rc;
    *epoch = a->embed_epoch ? a->embed_epoch : info.num_epochs ? info.epochs[info.num_epochs - 1] : 0;
    cs_embed_release(&info);
    int64_t en;
    if ((rc = cs_embed_read(path, a->embed_epoch, emb, &en, d)))
        return rc;
    if (en != n) {
        free(*emb);
        *emb = NULL;
        return cs_error(CS_EFORMAT, "'%s' holds %lld samples, scores.h5 %lld", path, (long long)en,
                        (long long)n);
    }
    return 0;
}

/* The header keys of man/coreset-index.5, from the run's attributes and the options. */
static int fill_header(const cs_run_select_args *a, double gamma, const char *path, const char *params_text,
                       int dir, int embed_epoch, cs_run_selection *s)
{
    const cs_select_params *p = &a->params;
    cs_index_file *ix = &s->index;
    char v[4200], buf[4200];
    int rc;
    static const char *const copied[][2] = {
        {"dataset", "source"}, {"dataset_sha256", "source-sha256"}, {"split", "split"},
        {"images", "images"},  {"labels", "labels"},
    };
    for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
        if ((rc = cs_scores_attr(path, copied[i][0], v, sizeof v)))
            return rc;
        if (!v[0] && strcmp(copied[i][0], "split") == 0)
            snprintf(v, sizeof v, "train");
        /* images/labels only when the run names them: the reader's defaults apply otherwise. */
        if (!v[0] && (strcmp(copied[i][1], "images") == 0 || strcmp(copied[i][1], "labels") == 0))
            continue;
        /* A relative dataset path was relative to where `coreset score` ran:
         * made absolute here, the index can be exported from anywhere. */
        if (strcmp(copied[i][1], "source") == 0 && v[0] && v[0] != '/') {
            absolute_path(v, buf, sizeof buf);
            snprintf(v, sizeof v, "%s", buf);
        }
        if ((rc = set_header(ix, copied[i][1], v)))
            return rc;
    }
    snprintf(v, sizeof v, "%d", s->num_classes);
    if ((rc = set_header(ix, "num-classes", v)))
        return rc;
    /* Where the scores are: export takes each kept sample's score from there. */
    absolute_path(a->run_dir, v, sizeof v);
    if ((rc = set_header(ix, "run", v)))
        return rc;
    /* Every number in the header is written exactly (numtext.h): the header
     * is the record of what was used, and ref_select.py re-runs from it. */
    char g[32], x[32], y[32];
    cs_double_text(gamma, g, sizeof g);
    if (a->focus_weighted)
        snprintf(v, sizeof v, "%s*focus^%s", a->score, g);
    else
        snprintf(v, sizeof v, "%s", a->score);
    if ((rc = set_header(ix, "score", v)) ||
        (rc = set_header(ix, "score-direction", dir == CS_SCORE_LOW ? "low" : "high")))
        return rc;
    if (a->focus_weighted)
        snprintf(buf, sizeof buf, "%s; focus-weighted rank01(%s)*focus^%s", params_text, a->score, g);
    else
        snprintf(buf, sizeof buf, "%s", params_text);
    if ((rc = set_header(ix, "score-params", buf)))
        return rc;
    /* The floor of --min-per-class follows the mode, only when set (old headers unchanged). */
    if (p->min_per_class)
        snprintf(v, sizeof v, "%s min=%lld", cs_quota_name(p->quota), (long long)p->min_per_class);
    else
        snprintf(v, sizeof v, "%s", cs_quota_name(p->quota));
    if ((rc = set_header(ix, "quota", v)))
        return rc;
    cs_order_format(p->order, p->band_lo, p->band_hi, v, sizeof v);
    if ((rc = set_header(ix, "order", v)))
        return rc;
    /* cs_select_run accepted the rule: it is in the table. */
    cs_select_rule_at(p->pick)->describe(p, v, sizeof v);
    if ((rc = set_header(ix, "sampling", v)))
        return rc;
    /* The embeddings a geometric rule used: which epoch of embeddings.h5. */
    if (cs_select_rule_at(p->pick)->needs_embed) {
        snprintf(v, sizeof v, "%s epoch %d", CS_RUN_EMBED, embed_epoch);
        if ((rc = set_header(ix, "embedding", v)))
            return rc;
    }
    if (p->filter)
        snprintf(v, sizeof v, "reliability tau=%s phi=%s", cs_double_text(p->tau, x, sizeof x),
                 cs_double_text(p->phi, y, sizeof y));
    else
        snprintf(v, sizeof v, "off");
    if ((rc = set_header(ix, "filter", v)))
        return rc;
    snprintf(v, sizeof v, "%llu", (unsigned long long)p->seed);
    if ((rc = set_header(ix, "seed", v)))
        return rc;
    if (p->count)
        snprintf(v, sizeof v, "%lld", (long long)p->count);
    else
        cs_double_text(p->rate, v, sizeof v);
    if ((rc = set_header(ix, p->count ? "count" : "rate", v)))
        return rc;
    return set_header(ix, "tool", "coreset " CS_VERSION " (" CS_GIT_DESC ")");
}

static int read_num_classes(const char *path, const cs_scores_file *f, int *nc)
{
    char v[64];
    int rc = cs_scores_attr(path, "num_classes", v, sizeof v);
    if (rc)
        return rc;
    int maxl = -1;
    for (int64_t i = 0; i < f->n; i++)
        if (f->labels[i] > maxl)
            maxl = f->labels[i];
    long c = v[0] ? strtol(v, NULL, 10) : maxl + 1;
    if (c < 1 || c <= maxl || c > 1000000)
        return cs_error(CS_EFORMAT, "'%s': num_classes '%s' does not fit labels up to %d", path, v, maxl);
    *nc = (int)c;
    return 0;
}

/* The rate in an index file's default name: two decimals where they are the
 * rate exactly (0.10, as every name so far), else its shortest exact decimal
 * (0.125, 0.005), so that two rates never share a name. */
static const char *rate_text(double rate, char buf[40])
{
    snprintf(buf, 40, "%.2f", rate);
    if (strtod(buf, NULL) != rate)
        cs_double_text(rate, buf, 40);
    return buf;
}

int cs_run_select(const cs_run_select_args *a, cs_run_selection *s)
{
    const cs_select_params *p = &a->params;
    char path[4096], params_text[512] = "";
    cs_scores_file f;
    run_arrays arr = {0};
    float *emb = NULL;
    int dir = CS_SCORE_HIGH, rc, emb_dim = 0, emb_epoch = 0;
    double gamma = a->gamma;
    cs_run_selection_init(s);
    memset(&f, 0, sizeof f);
    if (!cs_run_score_known(a->score))
        return CS_EINVAL;
    if ((rc = cs_run_open_for_read(a->run_dir, 0)) || (rc = cs_run_scores_path(a->run_dir, path, sizeof path)) ||
        (rc = cs_scores_open(&f, path)))
        return rc;
    s->n = f.n;
    /* The budget first, so a bad rate or count is reported before any work. */
    if ((rc = cs_select_budget(p->rate, p->count, f.n, &s->m))) {
        cs_error_prefix("'%s'", path);
        goto out;
    }
    if ((rc = read_num_classes(path, &f, &s->num_classes)))
        goto out;
    if (strcmp(a->score, CS_SCORE_RANDOM) == 0) {
        if ((rc = random_scores(f.n, p->seed, &arr.score)))
            goto out;
        snprintf(params_text, sizeof params_text, "uniform keys from the seed");
    } else if ((rc = cs_scores_read(&f, path, a->score, &arr.score, &dir, params_text, sizeof params_text))) {
        /* A probability score is left out of a run without probabilities
         * (C > 2): say which config key records them. */
        const cs_score_info *si = cs_score_info_at(cs_score_lookup(a->score));
        if (si && si->needs_probs && s->num_classes > 2) {
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", cs_errmsg());
            cs_error(rc, "%s; '%s' needs every epoch's probabilities with %d classes: score with --set "
                         "record.probs=yes (auto keeps them only up to 16 classes)", msg, a->score, s->num_classes);
        }
        goto out;
    }
    if ((a->focus_weighted || p->filter) &&
        (rc = read_helper(&f, path, "focus", a->focus_weighted ? "--focus-weighted" : "--focus-filter", &arr.focus)))
        goto out;
    if (p->filter && (rc = read_helper(&f, path, "late_conf", "--focus-filter", &arr.late_conf)))
        goto out;
    /* The late-window loss for a rule or a quota mode that weighs by it
     * (unknown ones are left to cs_select_run to report). */
    const cs_select_rule *rule = cs_select_rule_at(p->pick);
    const cs_quota_info *mode = cs_quota_info_at(p->quota);
    char why[64];
    if (mode && mode->class_loss)
        snprintf(why, sizeof why, "quota %s", mode->name);
    else if (rule && rule->needs_loss)
        snprintf(why, sizeof why, "--%s", rule->name);
    else
        why[0] = 0;
    if (why[0] && (rc = read_helper(&f, path, "late_loss", why, &arr.loss)))
        goto out;
    if (rule && rule->helper) {
        snprintf(why, sizeof why, "--%s", rule->name);
        if ((rc = read_helper(&f, path, rule->helper, why, &arr.helper))) {
            /* A run scored before the helper existed: rescoring adds it. */
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", cs_errmsg());
            cs_error(rc, "%s; hint: coreset score --rescore '%s' records it", msg, a->run_dir);
            goto out;
        }
    }
    if (a->focus_weighted && isnan(gamma) && (rc = run_gamma(&f, path, &gamma)))
        goto out;
    if (rule && rule->needs_embed && (rc = read_embed(a, rule->name, f.n, &emb, &emb_dim, &emb_epoch)))
        goto out;
    if (a->focus_weighted) {
        double *w = cs_malloc(sizeof *w * (size_t)(f.n ? f.n : 1));
        if (!w) {
            rc = CS_ENOMEM;
            goto out;
        }
        if ((rc = cs_score_weight_by_focus(arr.score, f.n, dir, arr.focus, gamma, w))) {
            free(w);
            goto out;
        }
        free(arr.score);
        arr.score = w;
        dir = CS_SCORE_HIGH;
    }
    cs_select_inputs in = {
        .n = f.n,
        .num_classes = s->num_classes,
        .labels = f.labels,
        .score = arr.score,
        .dir = dir == CS_SCORE_LOW ? CS_DIR_LOW : CS_DIR_HIGH,
        .loss = arr.loss,
        .late_conf = arr.late_conf,
        .focus = arr.focus,
        .embed = emb,
        .embed_dim = emb_dim,
        .helper = arr.helper,
        .exclude = a->exclude,
    };
    if ((rc = cs_select_run(p, &in, &s->idx, &s->m, &s->report))) {
        cs_error_prefix("'%s'", path);
        goto out;
    }
    if ((rc = fill_header(a, gamma, path, params_text, dir, emb_epoch, s)) ||
        (rc = cs_index_file_set_indices(&s->index, s->idx, s->m, s->n)))
        goto out;
    const char *tag = a->focus_weighted ? "-focus" : "";
    char rtext[40];
    if (p->count)
        snprintf(s->default_name, sizeof s->default_name, "coreset-%s%s-n%lld.idx", a->score, tag,
                 (long long)p->count);
    else
        snprintf(s->default_name, sizeof s->default_name, "coreset-%s%s-%s.idx", a->score, tag,
                 rate_text(p->rate, rtext));
out:
    free(emb);
    run_arrays_release(&arr);
    cs_scores_release(&f);
    if (rc)
        cs_run_selection_release(s);
    return rc;
}
