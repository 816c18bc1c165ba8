/* inspect_run.c - `coreset inspect RUN` (a run directory) and `coreset
 * inspect FILE.cst`: what the run is (dataset, model, shape), how far it got
 * (epochs and runs complete of those planned, effective epochs), what it
 * holds (trajectory size, every frame verified; scores with their parameters;
 * embeddings; index files) and the train-pass loss and accuracy per epoch.  Gathering is
 * inspect_run_gather.c; this file prints a table or one JSON object. */
#include "inspect.h"
#include "inspect_run.h"

#include "../common/err.h"
#include "../common/json.h"
#include "../formats/traj_meta.h"
#include "../common/outguard.h"
#include "../run/run_dir.h"
#include "../common/fsio.h"
#include "../common/log.h"
#include "../common/numtext.h"
#include "../dump/traj_dump.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static int in_dir(const char *dir, const char *name)
{
    char buf[RUN_PATH_MAX];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return cs_path_exists(buf);
}

int inspect_is_run(const char *path)
{
    if (ends_with(path, ".cst"))
        return 1;
    return cs_path_is_dir(path) &&
           (in_dir(path, CS_RUN_TRAJ) || in_dir(path, CS_RUN_SCORES) || in_dir(path, CS_RUN_YAML));
}

int inspect_run_trajectory(const char *run, char *out, size_t len)
{
    struct stat st;
    if (stat(run, &st) != 0)
        return cs_error_errno(CS_EIO, "cannot open run '%s'", run);
    if (S_ISDIR(st.st_mode))
        cs_run_path(out, len, run, CS_RUN_TRAJ);
    else
        snprintf(out, len, "%s", run);
    if (S_ISDIR(st.st_mode) && !cs_path_exists(out))
        return cs_error(CS_EIO, "run '%s' has no trajectory.cst\n"
                                "hint: name the run directory that 'coreset score' wrote, or a .cst file",
                        run);
    /* A trajectory still growing is not read; no output may replace it, nor
     * a file of the run folder it sits in. */
    if (S_ISDIR(st.st_mode))
        return cs_run_open_for_read(run, 1);
    char *dir = cs_dir_of(run);
    char probe[4200], lockp[4200];
    int rc = dir ? 0 : cs_error(CS_ENOMEM, "out of memory");
    if (dir) {
        cs_run_path(probe, sizeof probe, dir, CS_RUN_YAML);
        cs_run_path(lockp, sizeof lockp, dir, CS_RUN_LOCK);
        if (cs_path_exists(probe) || cs_path_exists(lockp))
            rc = cs_run_open_for_read(dir, 1);
    }
    free(dir);
    return rc ? rc : cs_guard_input(out);
}

/* --- what the run was meant to be ----------------------------------------------- */

typedef struct run_plan {
    char dataset[RUN_PATH_MAX], sha[72], split[64], model[64];
    int epochs, runs; /* planned; 0 if unknown */
    const char *dropout; /* NULL if unknown */
} run_plan;

static const char *enum_name(const char *key, int value)
{
    const cs_cfg_key *k = cs_config_find_key(key);
    return k && k->choices ? k->choices[value] : "?";
}

/* From run.yaml where there is one, else from the trajectory's metadata. */
static void resolve_plan(const run_summary *s, run_plan *p)
{
    char v[64];
    memset(p, 0, sizeof *p);
    run_summary_meta(s, "dataset", p->dataset, sizeof p->dataset);
    run_summary_meta(s, "dataset_sha256", p->sha, sizeof p->sha);
    run_summary_meta(s, "split", p->split, sizeof p->split);
    run_summary_meta(s, "model", p->model, sizeof p->model);
    run_summary_meta(s, "epochs", v, sizeof v);
    p->epochs = atoi(v);
    run_summary_meta(s, "runs", v, sizeof v);
    p->runs = atoi(v);
    if (s->have_yaml) {
        const cs_config *c = &s->cfg;
        snprintf(p->dataset, sizeof p->dataset, "%s", c->dataset.path);
        snprintf(p->split, sizeof p->split, "%s", c->dataset.train_split);
        snprintf(p->model, sizeof p->model, "%s", enum_name("model.name", c->model.name));
        if (run_summary_prov(s, "imported")) /* coreset import: the user's model, not the config's */
            snprintf(p->model, sizeof p->model, "imported");
        p->epochs = c->train.epochs;
        p->runs = c->score.runs;
        p->dropout = enum_name("dropout.method", c->dropout.method);
        const char *sha = run_summary_prov(s, "dataset_sha256");
        if (!p->sha[0] && sha)
            snprintf(p->sha, sizeof p->sha, "%s", sha);
    }
}

/* --- per-epoch means over runs ------------------------------------------------------- */

typedef struct epoch_row {
    int n;
    double loss, accuracy, used, focus; /* sums over runs; focus as a fraction of samples */
    int have_focus;
} epoch_row;

/* rows[e - 1] for epochs 1..*maxe, summed over the runs holding that epoch. */
static epoch_row *epoch_rows(const run_summary *s, int *maxe)
{
    int m = 0;
    for (int64_t k = 0; k < s->nframes; k++)
        m = s->frames[k].epoch > m ? s->frames[k].epoch : m;
    *maxe = m;
    epoch_row *rows = cs_calloc((size_t)(m ? m : 1), sizeof *rows);
    if (!rows)
        return NULL;
    int64_t n = cs_traj_reader_header(s->reader)->n;
    for (int64_t k = 0; k < s->nframes; k++) {
        const run_frame *f = &s->frames[k];
        if (f->epoch < 1)
            continue;
        epoch_row *r = &rows[f->epoch - 1];
        r->n++;
        r->loss += f->loss;
        r->accuracy += f->accuracy;
        r->used += f->used;
        if (f->focus >= 0) {
            r->focus += (double)f->focus / (double)n;
            r->have_focus++;
        }
    }
    return rows;
}

/* --- text ----------------------------------------------------------------------- */

static void print_fields(FILE *out, uint32_t fields)
{
    int k = 0;
    for (uint32_t bit = 1; bit <= CS_TRAJ_PROBS; bit <<= 1)
        if (fields & bit)
            fprintf(out, "%s%s", k++ ? " " : "", cs_traj_field_name(bit));
}

static void print_cell(FILE *out, double v, const char *fmt)
{
    if (isnan(v))
        fprintf(out, "  %8s", "-");
    else {
        fputs("  ", out);
        fprintf(out, fmt, v);
    }
}

/* score.folds > 1: the runs below are passes, run x K + fold, each recording
 * its held-out fold only. */
static int print_folds_text(FILE *out, const run_summary *s, const run_plan *p)
{
    const cs_traj_header_info *h = cs_traj_reader_header(s->reader);
    uint8_t *fold = malloc((size_t)(h->n ? h->n : 1));
    int K = 1;
    if (fold && !cs_traj_meta_folds(h, &K, fold) && K > 1) {
        int64_t size[16] = {0};
        for (int64_t i = 0; i < h->n; i++)
            size[fold[i]]++;
        fprintf(out, "passes: %d", s->nruns);
        if (p->runs)
            fprintf(out, " of %d planned (%d runs x %d folds)", p->runs * K, p->runs, K);
        fprintf(out, "\nfolds: %d (out-of-fold: pass p = run x %d + fold trains on the other folds and records fold p mod %d;"
                     " samples per fold:", K, K, K);
        for (int k = 0; k < K; k++)
            fprintf(out, " %lld", (long long)size[k]);
        fputc(')', out);
    }
    free(fold);
    return K;
}

static void print_progress_text(FILE *out, const run_summary *s, const run_plan *p)
{
    if (print_folds_text(out, s, p) == 1) {
        fprintf(out, "runs: %d", s->nruns);
        if (p->runs)
            fprintf(out, " of %d planned", p->runs);
    }
    fputs("\nepochs complete:", out);
    for (int k = 0; k < s->nruns; k++) {
        fprintf(out, "%s %lld", k ? "," : "", (long long)s->runs[k].epochs);
        if (p->epochs)
            fprintf(out, " of %d", p->epochs);
        if (s->nruns > 1)
            fprintf(out, " (run %d)", s->runs[k].run);
    }
    if (!s->nruns)
        fprintf(out, " 0 of %d", p->epochs);
    fputs("\neffective epochs:", out);
    for (int k = 0; k < s->nruns; k++) {
        if (isnan(s->runs[k].effective_epochs))
            fprintf(out, "%s -", k ? "," : "");
        else
            fprintf(out, "%s %.2f", k ? "," : "", s->runs[k].effective_epochs);
        if (s->nruns > 1)
            fprintf(out, " (run %d)", s->runs[k].run);
    }
    if (p->dropout)
        fprintf(out, "  [data dropout: %s]", p->dropout);
    fputc('\n', out);
}

static void print_traj_text(FILE *out, const run_summary *s)
{
    const cs_traj_header_info *h = cs_traj_reader_header(s->reader);
    fprintf(out, "trajectory: %s, %lld bytes, %lld frames verified", s->traj_path, (long long)s->file_bytes,
            (long long)s->nframes);
    if (!isnan(s->bytes))
        fprintf(out, ", %.2f bytes per sample per epoch", s->bytes);
    fputs("\n  fields: ", out);
    print_fields(out, h->fields);
    fputc('\n', out);
    if (s->torn[0])
        fprintf(out, "  last frame incomplete (a run in progress, or one that crashed): %s\n", s->torn);
}

static void print_recorded_text(FILE *out, const run_summary *s)
{
    const char *keys[] = {"tool_version", "seed", "device", "threads", "wall_seconds", "imported"};
    const char *fmt[] = {"coreset %s", "seed %s", "%s", "%s threads", "%s s", "imported from %s"};
    int k = 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = run_summary_prov(s, keys[i]);
        if (!v)
            continue;
        fputs(k++ ? ", " : "recorded: ", out);
        fprintf(out, fmt[i], v);
    }
    if (k)
        fputc('\n', out);
}

static void print_scores_text(FILE *out, const run_summary *s)
{
    fprintf(out, "scores: %s, %d scores of %lld samples\n", s->scores_path, s->sf.count, (long long)s->sf.n);
    fprintf(out, "  %-20s %-9s %12s %12s %12s %5s %5s  %s\n", "name", "important", "min", "median", "max", "NaN",
            "inf", "parameters");
    for (int k = 0; k < s->sf.count; k++) {
        const run_score *r = &s->scores[k];
        fprintf(out, "  %-20s %-9s %12.6g %12.6g %12.6g %5lld %5lld  %s\n", r->name, r->dir > 0 ? "high" : "low",
                r->min, r->median, r->max, (long long)r->nan, (long long)r->inf, r->params);
    }
}

static void print_embed_text(FILE *out, const run_summary *s)
{
    const cs_embed *e = &s->embed;
    fprintf(out, "embeddings: %s, %lld samples x %d %s (%s pass), %lld bytes\n  epochs:", s->embed_path,
            (long long)e->n, e->d, s->embed_dtype == CS_EMBED_F16 ? "float16" : "float32",
            s->embed_pass[0] ? s->embed_pass : "?", (long long)s->embed_bytes);
    for (int k = 0; k < e->num_epochs; k++)
        fprintf(out, "%s %d", k ? "," : "", (int)e->epochs[k]);
    fputc('\n', out);
}

static void print_index_text(FILE *out, const run_summary *s)
{
    fputs("index files:", out);
    if (!s->nindex)
        fputs(" none", out);
    fputc('\n', out);
    for (int k = 0; k < s->nindex; k++) {
        const run_index *x = &s->index[k];
        if (x->error[0])
            fprintf(out, "  %s: unreadable: %s\n", x->name, x->error);
        else
            fprintf(out, "  %s: %lld of %lld samples%s%s\n", x->name, (long long)x->m, (long long)x->n,
                    x->score[0] ? ", score " : "", x->score);
    }
}

/* One row per epoch (means over the runs holding it); past 20 epochs every
 * k-th one and the last, unless -v. */
static int print_epochs_text(FILE *out, const run_summary *s)
{
    int maxe;
    epoch_row *rows = epoch_rows(s, &maxe);
    if (!rows)
        return CS_ENOMEM;
    int stride = cs_verbosity >= 2 || maxe <= 20 ? 1 : (maxe + 19) / 20;
    /* Records come from the training forward pass unless record.eval_pass asked for a separate one. */
    int eval = s->have_yaml && s->cfg.record.eval_pass;
    char folds[16]; /* out of fold: each pass's eval-mode records of its held-out fold */
    int oof = cs_traj_meta_get(cs_traj_reader_header(s->reader), "folds", folds, sizeof folds);
    fprintf(out, "per epoch (%s pass%s%s):\n", oof ? "held-out" : eval ? "eval" : "train",
            s->nruns > 1 ? oof ? ", mean over passes" : ", mean over runs" : "",
            stride > 1 ? "; every few epochs, -v or --json for all" : "");
    fprintf(out, "  %5s  %8s  %8s  %8s  %8s\n", "epoch", "loss", "accuracy", "used", "focus");
    for (int e = 1; e <= maxe; e++) {
        const epoch_row *r = &rows[e - 1];
        if (!r->n || ((e - 1) % stride && e != maxe))
            continue;
        fprintf(out, "  %5d", e);
        print_cell(out, r->loss / r->n, "%8.4f");
        print_cell(out, r->accuracy / r->n, "%8.4f");
        print_cell(out, r->used / r->n, "%8.3f");
        print_cell(out, r->have_focus ? r->focus / r->have_focus : NAN, "%8.3f");
        fputc('\n', out);
    }
    free(rows);
    return 0;
}

static int print_text(FILE *out, const run_summary *s, const run_plan *p)
{
    fprintf(out, "run: %s\n", s->path);
    if (p->dataset[0])
        fprintf(out, "dataset: %s%s%s%s\n", p->dataset, p->split[0] ? " (split " : "", p->split,
                p->split[0] ? ")" : "");
    if (p->sha[0])
        fprintf(out, "  sha256: %s\n", p->sha);
    if (s->reader) {
        const cs_traj_header_info *h = cs_traj_reader_header(s->reader);
        const char **names = cs_calloc((size_t)h->num_classes, sizeof *names);
        int named = names && cs_run_prov_class_names(&s->prov, h->num_classes, names);
        fprintf(out, "samples: %lld, classes: %d (labels", (long long)h->n, h->num_classes);
        for (int c = 0; c < h->num_classes; c++)
            if (named)
                fprintf(out, "%s %d %s: %lld", c ? "," : "", c, names[c], (long long)s->hist[c]);
            else
                fprintf(out, "%s %d: %lld", c ? "," : "", c, (long long)s->hist[c]);
        free(names);
        fputs(")\n", out);
    } else if (s->have_scores) {
        fprintf(out, "samples: %lld\n", (long long)s->sf.n);
    }
    if (p->model[0])
        fprintf(out, "model: %s\n", p->model);
    if (s->have_traj)
        print_progress_text(out, s, p);
    print_recorded_text(out, s);
    if (s->have_traj)
        print_traj_text(out, s);
    else
        fputs("trajectory: none\n", out);
    if (s->have_scores)
        print_scores_text(out, s);
    else if (s->is_dir)
        fputs("scores: none (scores.h5 is written when the last epoch is done)\n", out);
    if (s->have_embed)
        print_embed_text(out, s);
    else if (s->is_dir)
        fputs("embeddings: none\n", out);
    if (s->is_dir)
        print_index_text(out, s);
    return s->have_traj && s->nframes ? print_epochs_text(out, s) : 0;
}

/* --- JSON ----------------------------------------------------------------------- */

/* JSON has no NaN or infinity: those are null (counts say which). */
static void json_num(FILE *out, double v)
{
    char t[32];
    if (isfinite(v))
        fputs(cs_double_text(v, t, sizeof t), out);
    else
        fputs("null", out);
}

typedef struct meta_json {
    FILE *out;
    int k;
} meta_json;

static int json_meta_line(void *ctx, const char *key, size_t klen, const char *val, size_t vlen)
{
    meta_json *mj = ctx;
    fputs(mj->k++ ? ", " : "", mj->out);
    cs_json_str_n(mj->out, key, klen);
    fputs(": ", mj->out);
    cs_json_str_n(mj->out, val, vlen);
    return 0;
}

/* The "key=value" metadata lines as a JSON object. */
static void json_meta(FILE *out, const cs_traj_header_info *h)
{
    meta_json mj = {out, 0};
    fputc('{', out);
    cs_traj_meta_each(h, json_meta_line, &mj);
    fputc('}', out);
}

static void print_traj_json(FILE *out, const run_summary *s)
{
    const cs_traj_header_info *h = cs_traj_reader_header(s->reader);
    fputs("{\"path\": ", out);
    cs_json_str(out, s->traj_path);
    fprintf(out, ", \"bytes\": %lld, \"frames_verified\": %lld, \"torn\": ", (long long)s->file_bytes,
            (long long)s->nframes);
    cs_json_str_or_null(out, s->torn);
    fputs(", \"bytes_per_sample_epoch\": ", out);
    json_num(out, s->bytes);
    fputs(", \"fields\": [", out);
    int k = 0;
    for (uint32_t bit = 1; bit <= CS_TRAJ_PROBS; bit <<= 1)
        if (h->fields & bit) {
            fputs(k++ ? ", " : "", out);
            cs_json_str(out, cs_traj_field_name(bit));
        }
    fputs("], \"class_histogram\": [", out);
    for (int c = 0; c < h->num_classes; c++)
        fprintf(out, "%s%lld", c ? ", " : "", (long long)s->hist[c]);
    fputs("], \"runs\": [", out);
    for (int r = 0; r < s->nruns; r++) {
        const run_stat *u = &s->runs[r];
        fprintf(out, "%s{\"run\": %d, \"epochs\": %lld, \"first_epoch\": %d, \"last_epoch\": %d, \"effective_epochs\": ",
                r ? ", " : "", u->run, (long long)u->epochs, u->first, u->last);
        json_num(out, u->effective_epochs);
        fputc('}', out);
    }
    fputs("], \"metadata\": ", out);
    json_meta(out, h);
    fputs(", \"epochs\": [", out);
    for (int64_t f = 0; f < s->nframes; f++) {
        const run_frame *x = &s->frames[f];
        fprintf(out, "%s{\"run\": %d, \"epoch\": %d, \"loss\": ", f ? ", " : "", x->run, x->epoch);
        json_num(out, x->loss);
        fputs(", \"accuracy\": ", out);
        json_num(out, x->accuracy);
        fputs(", \"used\": ", out);
        json_num(out, x->used);
        fputs(", \"focus_computed\": ", out);
        if (x->focus >= 0)
            fprintf(out, "%lld}", (long long)x->focus);
        else
            fputs("null}", out);
    }
    fputs("]}", out);
}

static void print_provenance_json(FILE *out, const run_summary *s)
{
    fputc('{', out);
    for (int k = 0; k < s->prov.n; k++) {
        const cs_prov_item *it = &s->prov.item[k];
        fputs(k ? ", " : "", out);
        cs_json_str(out, it->key);
        fputs(": ", out);
        if (!strcmp(it->key, "effective_epochs")) {
            fputc('[', out);
            for (int r = 0; r < s->n_recorded_ee; r++) {
                fputs(r ? ", " : "", out);
                json_num(out, s->recorded_ee[r]);
            }
            fputc(']', out);
        } else if (it->list) { /* class_names */
            fputc('[', out);
            for (int j = 0; j < it->nlist; j++) {
                fputs(j ? ", " : "", out);
                cs_json_str(out, it->list[j]);
            }
            fputc(']', out);
        } else {
            cs_json_str(out, it->value);
        }
    }
    fputc('}', out);
}

static void print_scores_json(FILE *out, const run_summary *s)
{
    fputs("{\"path\": ", out);
    cs_json_str(out, s->scores_path);
    fprintf(out, ", \"n\": %lld, \"scores\": [", (long long)s->sf.n);
    for (int k = 0; k < s->sf.count; k++) {
        const run_score *r = &s->scores[k];
        fputs(k ? ", {\"name\": " : "{\"name\": ", out);
        cs_json_str(out, r->name);
        fprintf(out, ", \"direction\": \"%s\", \"params\": ", r->dir > 0 ? "high" : "low");
        cs_json_str(out, r->params);
        fputs(", \"min\": ", out);
        json_num(out, r->min);
        fputs(", \"median\": ", out);
        json_num(out, r->median);
        fputs(", \"max\": ", out);
        json_num(out, r->max);
        fprintf(out, ", \"nan\": %lld, \"inf\": %lld}", (long long)r->nan, (long long)r->inf);
    }
    fputs("]}", out);
}

static void print_embed_json(FILE *out, const run_summary *s)
{
    const cs_embed *e = &s->embed;
    fputs("{\"path\": ", out);
    cs_json_str(out, s->embed_path);
    fprintf(out, ", \"n\": %lld, \"d\": %d, \"dtype\": \"%s\", \"pass\": ", (long long)e->n, e->d,
            s->embed_dtype == CS_EMBED_F16 ? "float16" : "float32");
    cs_json_str_or_null(out, s->embed_pass);
    fprintf(out, ", \"bytes\": %lld, \"epochs\": [", (long long)s->embed_bytes);
    for (int k = 0; k < e->num_epochs; k++)
        fprintf(out, "%s%d", k ? ", " : "", (int)e->epochs[k]);
    fputs("]}", out);
}

static void print_index_json(FILE *out, const run_summary *s)
{
    fputc('[', out);
    for (int k = 0; k < s->nindex; k++) {
        const run_index *x = &s->index[k];
        fputs(k ? ", {\"file\": " : "{\"file\": ", out);
        cs_json_str(out, x->name);
        fprintf(out, ", \"n\": %lld, \"m\": %lld, \"score\": ", (long long)x->n, (long long)x->m);
        cs_json_str_or_null(out, x->score);
        fputs(", \"error\": ", out);
        cs_json_str_or_null(out, x->error);
        fputc('}', out);
    }
    fputc(']', out);
}

static void print_json(FILE *out, const run_summary *s, const run_plan *p)
{
    fputs("{\"run\": ", out);
    cs_json_str(out, s->path);
    fputs(", \"dataset\": ", out);
    cs_json_str_or_null(out, p->dataset);
    fputs(", \"dataset_sha256\": ", out);
    cs_json_str_or_null(out, p->sha);
    fputs(", \"split\": ", out);
    cs_json_str_or_null(out, p->split);
    fputs(", \"model\": ", out);
    cs_json_str_or_null(out, p->model);
    if (s->reader) {
        const cs_traj_header_info *h = cs_traj_reader_header(s->reader);
        fprintf(out, ", \"n\": %lld, \"num_classes\": %d", (long long)h->n, h->num_classes);
    } else {
        fprintf(out, ", \"n\": %lld, \"num_classes\": null", (long long)s->sf.n);
    }
    fprintf(out, ", \"epochs_planned\": %d, \"runs_planned\": %d, \"dropout\": ", p->epochs, p->runs);
    cs_json_str_or_null(out, p->dropout);
    fputs(", \"trajectory\": ", out);
    if (s->have_traj)
        print_traj_json(out, s);
    else
        fputs("null", out);
    fputs(", \"provenance\": ", out);
    if (s->have_yaml)
        print_provenance_json(out, s);
    else
        fputs("null", out);
    fputs(", \"scores\": ", out);
    if (s->have_scores)
        print_scores_json(out, s);
    else
        fputs("null", out);
    fputs(", \"embeddings\": ", out);
    if (s->have_embed)
        print_embed_json(out, s);
    else
        fputs("null", out);
    fputs(", \"index_files\": ", out);
    print_index_json(out, s);
    fputs("}\n", out);
}

int inspect_run(FILE *out, const char *path, int json)
{
    run_summary *s = cs_calloc(1, sizeof *s);
    if (!s)
        return CS_ENOMEM;
    int rc = cs_path_is_dir(path) ? cs_run_check_idle(path) : 0;
    if (!rc)
        rc = run_summary_gather(s, path);
    if (!rc) {
        run_plan p;
        resolve_plan(s, &p);
        if (json)
            print_json(out, s, &p);
        else
            rc = print_text(out, s, &p);
    }
    run_summary_release(s);
    free(s);
    return rc;
}
