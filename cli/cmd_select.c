/* cmd_select.c - `coreset select [RUN]`: option parsing, the per-class table
 * and the index file; the selection itself is select/run_select.c, the
 * rules and quota modes are select/'s tables (rule.h, quota.h). */
#include "cli.h"

#include "../common/err.h"
#include "../run/run_dir.h"
#include "../common/fsio.h"
#include "../common/log.h"
#include "../common/utf8.h"
#include "../run/run_prov.h"
#include "../select/auto.h"
#include "../select/rule.h"
#include "../select/run_select.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cmd_select_usage[] =
    "usage: coreset select [RUN] (--rate R | --count M) [--by SCORE | --by auto [--val V] [--candidates L] [--objective O] [--evaluator E] [--budget-seconds S]] [--quota none|proportional|balanced|sqrt|rcap] [--min-per-class K] [--beta B] [--top | --sample] [--order hard|easy|band:LO:HI] [--focus-weighted [--gamma G]] [--focus-filter [--tau T] [--phi P]] [--ccs [--hard-cutoff B]] [--dual [--dual-c C]] [--moderate | --kcenter | --herding | --d2 | --d2-strat [--knn K] [--gamma-f F] [--gamma-r R] [--d2-strata S] [--embed-epoch E]] [--seed S] [--dry-run] [--npy] [-o FILE] [--force]\n"
    "\n"
    "Select a coreset from the scores of a run directory (default: the current\n"
    "directory) and write its index file. Prints a per-class table on stdout.\n"
    "\n"
    "options:\n"
    "  --rate R          keep M = ceil(R * N) samples, 0 < R <= 1\n"
    "  --count M         keep exactly M samples\n"
    "  --by SCORE        the score to rank by: a score of scores.h5 (focus_weighted:\n"
    "                    EVA focus-weighted with the run's score.focus_gamma) or\n"
    "                    random (default: auto, see --by auto; eva when another\n"
    "                    option names a rule, aum with --ccs)\n"
    "  --quota MODE      class quotas: none, proportional (default), balanced, sqrt, rcap\n"
    "  --min-per-class K every class gets at least min(K, N_c) before the quota's split\n"
    "  --top             keep the top n_c of each class in the chosen order (default)\n"
    "  --sample          sample n_c per class with probability ~ exp(loss / beta)\n"
    "  --beta B          sampling temperature (default 1)\n"
    "  --order ORDER     hard (the score's important end, default), easy, band:LO:HI\n"
    "  --focus-weighted  rank by rank01(score) * focus^G (Grad-CAM focus weighting)\n"
    "  --gamma G         the exponent G >= 0 (default: the run's score.focus_gamma)\n"
    "  --focus-filter    take unreliable samples (late conf < tau and focus < phi) last\n"
    "  --tau T, --phi P  the filter's thresholds (default 0.7, 0.7)\n"
    "  --ccs             coverage-centric selection over score strata (CCS)\n"
    "  --hard-cutoff B   CCS, d2-strat: drop the hardest fraction B first (default 0.1)\n"
    "  --moderate        keep the band around the median distance to the class median\n"
    "                    embedding (Moderate coreset)\n"
    "  --kcenter         k-center greedy in embedding space\n"
    "  --herding         herding towards the group's mean embedding\n"
    "  --d2              D2 pruning: kNN-graph message passing of the --by difficulty\n"
    "                    (default forgetting)\n"
    "  --d2-strat        D2 pruning's stratified variant (graph density strata)\n"
    "  --knn K           D2: neighbours in the kNN graph (default 5)\n"
    "  --gamma-f F       D2: forward edge weight exp(-F d) (default 1)\n"
    "  --gamma-r R       D2: reverse edge weight exp(-R d) (default 0.1)\n"
    "  --d2-strata S     d2-strat: density strata (default 25)\n"
    "  --embed-epoch E   the stored epoch of embeddings.h5 to use (default: the last)\n"
    "  --dual            DUAL's Beta sampling: p ~ score * Beta-pdf(early mean conf; a, b)\n"
    "  --dual-c C        DUAL: the exponent c of the pruned fraction in b (default 4)\n"
    "  --seed S          seed of every random draw (default 0)\n"
    "  --dry-run         print the table, write nothing\n"
    "  --npy             also write the indices as an int64 .npy beside the index\n"
    "  -o, --output FILE the index file (default RUN/coreset-<score>-<rate>.idx)\n"
    "  --by auto         choose the rule on held-out data (the default when no option\n"
    "                    names a rule, score, quota or order): see AUTO in coreset-select(1)\n"
    "  --rate R1,R2,...  several rates: one index (and search) per rate\n"
    "  --val V           auto: auto (the val split, else holdout:0.1), split, holdout:F\n"
    "  --candidates L    auto: fast (default), all, or a comma list of portfolio names\n"
    "  --objective O     auto: macro-f1 (default), accuracy, worst-class\n"
    "  --evaluator E     auto: short (default) or proxy (see AUTO)\n"
    "  --budget-seconds S auto: stop evaluating candidates after S seconds per rate\n"
    "  --force           replace an existing index file that holds another selection\n"
    "  -q, --quiet       errors only\n"
    "  -v, --verbose     more detail\n"
    "  -h, --help        show this help\n";

/* One row per class (one "all" row with quota none): sizes, what was kept,
 * the mean score on each side, and with the filter the unreliable count.
 * A class is its number, and its name where the run recorded one. */
static void print_table(FILE *fp, const cs_run_selection *s, int filter, const char *const *names)
{
    const cs_select_report *r = &s->report;
    int cw = names ? 16 : 8; /* the class column */
    fprintf(fp, "%-*s %10s %10s %8s %14s %14s", cw, "class", "N_c", "n_c", "kept%", "mean_kept",
            "mean_dropped");
    fprintf(fp, filter ? " %10s\n" : "\n", "unreliable");
    int64_t unrel = 0;
    for (int c = 0; c < r->num_rows; c++) {
        const cs_select_row *w = &r->rows[c];
        char label[32];
        if (r->num_rows == 1 && s->num_classes > 1) {
            snprintf(label, sizeof label, "all");
        } else if (names) {
            /* the name as one token ("-" if empty), so that scripts can
             * split the table on blanks; cut at a character boundary */
            char nm[16];
            cs_utf8_prefix(nm, sizeof nm, names[c], 13);
            snprintf(label, sizeof label, "%d %s", c, nm[0] ? nm : "-");
            for (char *q = strchr(label, ' ') + 1; *q; q++)
                if (isspace((unsigned char)*q))
                    *q = '_';
        } else {
            snprintf(label, sizeof label, "%d", c);
        }
        fprintf(fp, "%-*s %10lld %10lld %8.2f %14.6g %14.6g", cw, label, (long long)w->n_total,
                (long long)w->n_kept, w->n_total ? 100.0 * (double)w->n_kept / (double)w->n_total : 0.0,
                w->mean_kept, w->mean_dropped);
        if (filter)
            fprintf(fp, " %10lld", (long long)w->n_unreliable);
        fputc('\n', fp);
        unrel += w->n_unreliable;
    }
    fprintf(fp, "%-*s %10lld %10lld %8.2f", cw, "total", (long long)r->n, (long long)r->m,
            r->n ? 100.0 * (double)r->m / (double)r->n : 0.0);
    if (filter)
        fprintf(fp, " %14s %14s %10lld", "", "", (long long)unrel);
    fputc('\n', fp);
}

/* The long name of the option that getopt returned as `val`. */
static const char *option_name(const struct option *opts, int val)
{
    for (; opts->name; opts++)
        if (opts->val == val)
            return opts->name;
    return "?";
}

static int write_outputs(const cs_run_selection *s, const char *path, int npy, int force)
{
    int rc = cs_index_write_new(path, &s->index, force);
    if (rc || !npy)
        return rc;
    char npath[4200];
    size_t l = strlen(path);
    if (l > 4 && strcmp(path + l - 4, ".idx") == 0)
        l -= 4;
    snprintf(npath, sizeof npath, "%.*s.npy", (int)l, path);
    if ((rc = cs_index_write_npy(npath, s->idx, s->m)))
        return rc;
    cs_info("wrote '%s'", npath);
    return 0;
}

/* Set while select/auto.c has this parser read one portfolio entry: the
 * options are parsed and checked as for the command, then returned here
 * instead of run (parse_candidate). */
static cs_run_select_args *candidate_out;

/* The --by auto options, and the several rates of --rate R1,R2,... */
typedef struct auto_opts {
    int on, named_rule;
    cs_auto_args args;
    double rates[32];
    int nrates;
} auto_opts;

static int run_selection(const cs_command *cmd, cs_run_select_args *a, auto_opts *ao, cs_auto_ctx *ax,
                         const char *out, int dry, int npy, int force, int multi);

int cmd_select(int argc, char **argv)
{
    const cs_command *cmd = cs_find_command("select");
    enum { O_RATE = 256, O_COUNT, O_BY, O_QUOTA, O_BETA, O_TOP, O_SAMPLE, O_ORDER, O_FW, O_GAMMA, O_FF,
           O_TAU, O_PHI, O_CCS, O_CUT, O_SEED, O_DRY, O_NPY, O_FORCE, O_MODERATE, O_KCENTER, O_HERDING,
           O_D2, O_D2S, O_KNN, O_GF, O_GR, O_D2STRATA, O_EEPOCH, O_MINPC, O_DUAL, O_DUALC,
           O_VAL = 512, O_CANDS, O_OBJ, O_EVAL, O_BUDGET };
    static const struct option longopts[] = {
        {"rate", required_argument, NULL, O_RATE}, {"count", required_argument, NULL, O_COUNT},
        {"by", required_argument, NULL, O_BY}, {"quota", required_argument, NULL, O_QUOTA},
        {"beta", required_argument, NULL, O_BETA}, {"top", no_argument, NULL, O_TOP},
        {"sample", no_argument, NULL, O_SAMPLE}, {"order", required_argument, NULL, O_ORDER},
        {"focus-weighted", no_argument, NULL, O_FW}, {"gamma", required_argument, NULL, O_GAMMA},
        {"focus-filter", no_argument, NULL, O_FF},
        {"tau", required_argument, NULL, O_TAU}, {"phi", required_argument, NULL, O_PHI},
        {"ccs", no_argument, NULL, O_CCS}, {"hard-cutoff", required_argument, NULL, O_CUT},
        {"seed", required_argument, NULL, O_SEED}, {"dry-run", no_argument, NULL, O_DRY},
        {"npy", no_argument, NULL, O_NPY}, {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, O_FORCE},
        {"moderate", no_argument, NULL, O_MODERATE}, {"kcenter", no_argument, NULL, O_KCENTER},
        {"herding", no_argument, NULL, O_HERDING}, {"d2", no_argument, NULL, O_D2},
        {"d2-strat", no_argument, NULL, O_D2S}, {"knn", required_argument, NULL, O_KNN},
        {"gamma-f", required_argument, NULL, O_GF}, {"gamma-r", required_argument, NULL, O_GR},
        {"d2-strata", required_argument, NULL, O_D2STRATA},
        {"embed-epoch", required_argument, NULL, O_EEPOCH},
        {"min-per-class", required_argument, NULL, O_MINPC},
        {"dual", no_argument, NULL, O_DUAL}, {"dual-c", required_argument, NULL, O_DUALC},
        {"val", required_argument, NULL, O_VAL}, {"candidates", required_argument, NULL, O_CANDS},
        {"objective", required_argument, NULL, O_OBJ}, {"evaluator", required_argument, NULL, O_EVAL},
        {"budget-seconds", required_argument, NULL, O_BUDGET},
        {"help", no_argument, NULL, 'h'}, {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'}, {NULL, 0, NULL, 0}};
    cs_run_select_args a;
    cs_run_select_args_init(&a);
    cs_select_params *p = &a.params;
    int have_rate = 0, have_count = 0, rule_clash = 0, dry = 0, npy = 0, force = 0;
    int have_tau = 0, have_cut = 0, have_by = 0, have_beta = 0, have_d2 = 0, have_d2s = 0, have_ee = 0;
    int have_dualc = 0;
    const char *out = NULL, *rule_name = NULL;
    double d;
    long l;
    int c, have_auto_opt = 0;
    auto_opts ao = {0};
    ao.args.evaluator = cs_auto_evaluator_find("short");
    ao.args.objective = CS_AUTO_MACRO_F1;
    ao.args.out = stdout;
    while ((c = cs_getopt(argc, argv, "hqvo:", longopts, cmd)) != -1) {
        switch (c) {
        case 'h':
            return CS_EXIT_OK;
        case O_RATE:
            /* R or R1,R2,...: one selection per rate */
            ao.nrates = 0;
            for (char *q = optarg, *e; *q; q = e + (*e == ',')) {
                char one[64];
                size_t len = strcspn(q, ",");
                e = q + len;
                snprintf(one, sizeof one, "%.*s", (int)(len < 63 ? len : 63), q);
                if (cs_parse_double(one, &d) || !(d > 0.0 && d <= 1.0))
                    return cs_usage_error(cmd, "--rate must lie in (0, 1], got '%s'", optarg);
                if (ao.nrates == 32)
                    return cs_usage_error(cmd, "--rate: at most 32 rates");
                ao.rates[ao.nrates++] = d;
            }
            if (!ao.nrates)
                return cs_usage_error(cmd, "--rate must lie in (0, 1], got '%s'", optarg);
            p->rate = ao.rates[0];
            have_rate = 1;
            break;
        case O_VAL:
            ao.args.val = optarg;
            have_auto_opt = 1;
            break;
        case O_CANDS: {
            int chosen[64];
            if (cs_auto_portfolio_choose(optarg, chosen))
                return cs_usage_error(cmd, "%s", cs_errmsg());
            ao.args.candidates = optarg;
            have_auto_opt = 1;
            break;
        }
        case O_OBJ:
            if (cs_auto_objective_parse(optarg, &ao.args.objective))
                return cs_usage_error(cmd, "%s", cs_errmsg());
            have_auto_opt = 1;
            break;
        case O_EVAL:
            if (!(ao.args.evaluator = cs_auto_evaluator_find(optarg)))
                return cs_usage_error(cmd, "%s", cs_errmsg());
            have_auto_opt = 1;
            break;
        case O_BUDGET:
            if (cs_parse_double(optarg, &d) || !(d > 0.0) || isinf(d))
                return cs_usage_error(cmd, "--budget-seconds must be a positive number, got '%s'", optarg);
            ao.args.budget_seconds = d;
            have_auto_opt = 1;
            break;
        case O_COUNT:
            if (cs_parse_long(optarg, &l) || l < 1)
                return cs_usage_error(cmd, "--count must be a positive integer, got '%s'", optarg);
            p->count = l;
            have_count = 1;
            break;
        case O_BY:
            a.score = optarg;
            have_by = 1;
            ao.on |= strcmp(optarg, "auto") == 0;
            ao.named_rule |= strcmp(optarg, "auto") != 0;
            break;
        case O_QUOTA:
            ao.named_rule = 1;
            if (cs_quota_parse(optarg, &p->quota))
                return cs_usage_error(cmd, "--quota: %s", cs_errmsg());
            break;
        case O_DUALC:
            if (cs_parse_double(optarg, &d) || !(d > 0.0) || isinf(d))
                return cs_usage_error(cmd, "--dual-c must be a positive number, got '%s'", optarg);
            p->dual_c = d;
            have_dualc = 1;
            break;
        case O_MINPC:
            ao.named_rule = 1; /* a quota choice */
            if (cs_parse_long(optarg, &l) || l < 1)
                return cs_usage_error(cmd, "--min-per-class must be a positive integer, got '%s'", optarg);
            p->min_per_class = l;
            break;
        case O_BETA:
            if (cs_parse_double(optarg, &d) || !(d > 0.0) || isinf(d))
                return cs_usage_error(cmd, "--beta must be a positive number, got '%s'", optarg);
            p->beta = d;
            have_beta = 1;
            break;
        case O_TOP:
        case O_SAMPLE:
        case O_CCS:
        case O_MODERATE:
        case O_KCENTER:
        case O_HERDING:
        case O_D2:
        case O_D2S:
        case O_DUAL: {
            /* Each of these options is named after its rule (select/rules.c). */
            const char *name = option_name(longopts, c);
            ao.named_rule = 1;
            rule_clash |= rule_name && strcmp(rule_name, name) != 0;
            rule_name = name;
            break;
        }
        case O_ORDER:
            ao.named_rule = 1;
            if (cs_order_parse(optarg, &p->order, &p->band_lo, &p->band_hi))
                return cs_usage_error(cmd, "--order: %s", cs_errmsg());
            break;
        case O_FW:
            ao.named_rule = 1;
            a.focus_weighted = 1;
            break;
        case O_GAMMA:
            if (cs_parse_double(optarg, &d) || !(d >= 0.0) || isinf(d))
                return cs_usage_error(cmd, "--gamma must be a number >= 0, got '%s'", optarg);
            a.gamma = d;
            break;
        case O_FF:
            ao.named_rule = 1;
            p->filter = 1;
            break;
        case O_TAU:
        case O_PHI:
            if (cs_parse_double(optarg, &d) || !(d >= 0.0 && d <= 1.0))
                return cs_usage_error(cmd, "--%s must lie in [0, 1], got '%s'", c == O_TAU ? "tau" : "phi", optarg);
            *(c == O_TAU ? &p->tau : &p->phi) = d;
            have_tau = 1;
            break;
        case O_CUT:
            if (cs_parse_double(optarg, &d) || !(d >= 0.0 && d < 1.0))
                return cs_usage_error(cmd, "--hard-cutoff must lie in [0, 1), got '%s'", optarg);
            p->ccs_drop = d;
            have_cut = 1;
            break;
        case O_KNN:
        case O_D2STRATA:
            if (cs_parse_long(optarg, &l) || l < 1 || l > 1000)
                return cs_usage_error(cmd, "--%s must be an integer in [1, 1000], got '%s'",
                                      c == O_KNN ? "knn" : "d2-strata", optarg);
            *(c == O_KNN ? &p->knn : &p->d2_strata) = (int)l;
            *(c == O_KNN ? &have_d2 : &have_d2s) = 1;
            break;
        case O_GF:
        case O_GR:
            if (cs_parse_double(optarg, &d) || !(d >= 0.0) || isinf(d))
                return cs_usage_error(cmd, "--%s must be a number >= 0, got '%s'", c == O_GF ? "gamma-f" : "gamma-r",
                                      optarg);
            *(c == O_GF ? &p->d2_gamma_f : &p->d2_gamma_r) = d;
            have_d2 = 1;
            break;
        case O_EEPOCH:
            if (cs_parse_long(optarg, &l) || l < 1 || l > INT32_MAX)
                return cs_usage_error(cmd, "--embed-epoch must be a positive epoch number, got '%s'", optarg);
            a.embed_epoch = (int)l;
            have_ee = 1;
            break;
        case O_SEED:
            if (cs_parse_long(optarg, &l) || l < 0)
                return cs_usage_error(cmd, "--seed must be a non-negative integer, got '%s'", optarg);
            p->seed = (uint64_t)l;
            break;
        case O_DRY:
            dry = 1;
            break;
        case O_NPY:
            npy = 1;
            break;
        case O_FORCE:
            force = 1;
            break;
        case 'o':
            out = optarg;
            break;
        default:
            return CS_EXIT_USAGE;
        }
    }
    if (have_rate == have_count)
        return cs_usage_error(cmd, have_rate ? "--rate and --count exclude each other"
                                             : "give the budget: --rate R or --count M");
    /* --by auto: asked for, or the default when no option names a rule,
     * score, quota or order (and not while reading a portfolio entry). */
    if (ao.on && ao.named_rule)
        return cs_usage_error(cmd, "--by auto chooses the rule, score, quota and order itself: give none of them");
    ao.on |= !ao.named_rule && !candidate_out;
    if (have_auto_opt && !ao.on)
        return cs_usage_error(cmd, "--val, --candidates, --objective, --evaluator and --budget-seconds apply to --by auto only");
    if (ao.on)
        a.score = "eva"; /* checked below; each candidate names its own */
    if (!have_rate)
        ao.nrates = 1;
    if (ao.nrates > 1 && out)
        return cs_usage_error(cmd, "-o names one file: several rates write their default names");
    if (rule_clash) {
        char list[256];
        cs_select_rule_list("--", " and ", list, sizeof list);
        return cs_usage_error(cmd, "%s exclude each other", list);
    }
    /* No rule option: the params' default rule (top). */
    if (rule_name && !cs_select_rule_find(rule_name, &p->pick))
        return cs_usage_error(cmd, "%s", cs_errmsg());
    const cs_select_rule *rule = cs_select_rule_at(p->pick);
    if (have_tau && !p->filter)
        return cs_usage_error(cmd, "--tau and --phi apply to --focus-filter only");
    if (p->order != CS_ORDER_HARD && !rule->takes_order)
        return cs_usage_error(cmd, "--order applies to --top only");
    if (p->min_per_class && p->quota == CS_QUOTA_NONE)
        return cs_usage_error(cmd, "--min-per-class needs per-class quotas, not --quota none");
    if (have_beta && p->pick != CS_PICK_SAMPLE)
        return cs_usage_error(cmd, "--beta applies to --sample only");
    if (have_cut && p->pick != CS_PICK_CCS && p->pick != CS_PICK_D2_STRAT)
        return cs_usage_error(cmd, "--hard-cutoff applies to --ccs and --d2-strat only");
    if (have_d2 && p->pick != CS_PICK_D2 && p->pick != CS_PICK_D2_STRAT)
        return cs_usage_error(cmd, "--knn, --gamma-f and --gamma-r apply to --d2 and --d2-strat only");
    if (have_d2s && p->pick != CS_PICK_D2_STRAT)
        return cs_usage_error(cmd, "--d2-strata applies to --d2-strat only");
    if (have_ee && !rule->needs_embed)
        return cs_usage_error(cmd, "--embed-epoch applies to the rules in embedding space only");
    if (have_dualc && p->pick != CS_PICK_DUAL)
        return cs_usage_error(cmd, "--dual-c applies to --dual only");
    if (!isnan(a.gamma) && !a.focus_weighted)
        return cs_usage_error(cmd, "--gamma applies to --focus-weighted only");
    if (a.focus_weighted && strcmp(a.score, "focus_weighted") == 0)
        return cs_usage_error(cmd, "--focus-weighted on --by focus_weighted would weight by focus twice");
    /* A rule may default to another score (ccs: aum, as its authors). */
    if (rule->default_score && !have_by)
        a.score = rule->default_score;
    if (!cs_run_score_known(a.score))
        return cs_usage_error(cmd, "%s", cs_errmsg());
    if (optind < argc - 1)
        return cs_usage_error(cmd, "select takes one RUN directory");
    if (optind < argc)
        a.run_dir = argv[optind];
    if (candidate_out) {
        *candidate_out = a;
        return CS_EXIT_OK;
    }

    /* A bad output path is reported before any work (and nothing is printed). */
    if (out && cs_check_output_dir(out)) {
        cs_print_error();
        return CS_EXIT_ERR;
    }
    cs_auto_ctx ax;
    memset(&ax, 0, sizeof ax);
    if (ao.on && cs_auto_open(&ax, &ao.args, a.run_dir, p->seed)) {
        cs_print_error();
        cs_auto_close(&ax);
        return CS_EXIT_ERR;
    }
    int rc = CS_EXIT_OK;
    for (int k = 0; k < ao.nrates && rc == CS_EXIT_OK; k++) {
        if (have_rate)
            p->rate = ao.rates[k];
        rc = run_selection(cmd, &a, &ao, &ax, out, dry, npy, force, ao.nrates > 1);
    }
    if (ao.on)
        cs_auto_close(&ax);
    return rc;
}

/* One portfolio entry through the command's parser (auto.h's cs_auto_parse_fn):
 * "select OPTIONS --rate R|--count M --seed S". */
static int parse_candidate(const char *options, const cs_run_select_args *base, cs_run_select_args *out)
{
    /* static: the parsed args point into it until the next entry is parsed */
    static char buf[1024], rate[64], seed[32];
    char *argv[64];
    int argc = 0;
    snprintf(buf, sizeof buf, "%s", options);
    argv[argc++] = "select";
    for (char *t = strtok(buf, " "); t && argc < 58; t = strtok(NULL, " "))
        argv[argc++] = t;
    if (base->params.count) {
        argv[argc++] = "--count";
        snprintf(rate, sizeof rate, "%lld", (long long)base->params.count);
    } else {
        argv[argc++] = "--rate";
        snprintf(rate, sizeof rate, "%.17g", base->params.rate);
    }
    argv[argc++] = rate;
    argv[argc++] = "--seed";
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)base->params.seed);
    argv[argc++] = seed;
    argv[argc] = NULL;
    candidate_out = out;
    optind = 0; /* glibc: start a new scan */
    int rc = cmd_select(argc, argv);
    candidate_out = NULL;
    return rc;
}

static int run_selection(const cs_command *cmd, cs_run_select_args *a, auto_opts *ao, cs_auto_ctx *ax,
                         const char *out, int dry, int npy, int force, int multi)
{
    cs_select_params *p = &a->params;
    (void)cmd;
    (void)multi;
    cs_run_selection s;
    cs_auto_result ar = {0};
    int src;
    if (ao->on) {
        ax->a.parse = parse_candidate;
        src = cs_auto_select(ax, a, &ar);
        if (!src) {
            s = ar.sel;
            cs_run_selection_init(&ar.sel);
        }
    } else {
        src = cs_run_select(a, &s);
    }
    if (src) {
        cs_print_error();
        if (src == CS_ENOTRUN)
            fprintf(stderr, "hint: give the folder 'coreset score' wrote, or run there\n");
        cs_auto_result_release(&ar);
        return CS_EXIT_ERR;
    }
    char path[4200];
    if (out)
        snprintf(path, sizeof path, "%s", out);
    else
        snprintf(path, sizeof path, "%s/%s", a->run_dir, s.default_name);
    if (ao->on)
        cs_auto_print_table(ax, &ar, stdout);
    /* Class names from run.yaml when the run recorded them; a run without
     * them (or without a readable run.yaml) prints class numbers. */
    char ypath[4200];
    cs_run_path(ypath, sizeof ypath, a->run_dir, CS_RUN_YAML);
    cs_run_prov prov = {0};
    const char **names = cs_calloc((size_t)s.num_classes, sizeof *names);
    int named = names && cs_path_exists(ypath) && !cs_run_prov_read(&prov, ypath) &&
                cs_run_prov_class_names(&prov, s.num_classes, names);
    cs_error_clear();
    print_table(stdout, &s, p->filter, named ? names : NULL);
    cs_run_prov_release(&prov);
    free(names);
    int rc = CS_EXIT_OK;
    if (dry) {
        cs_info("dry run: '%s' not written", path);
    } else if (write_outputs(&s, path, npy, force) || (ao->on && cs_auto_write_json(ax, a, &ar, path))) {
        cs_print_error();
        rc = CS_EXIT_ERR;
    } else {
        cs_info("wrote '%s' (%lld of %lld samples)", path, (long long)s.m, (long long)s.n);
    }
    cs_run_selection_release(&s);
    cs_auto_result_release(&ar);
    return rc;
}
