/* cmd_score.c - `coreset score`: the surrogate pass into a run directory,
 * --resume after a crash, --rescore from the trajectory without training. */
#include "cfgopt.h"
#include "cli.h"

#include "../common/err.h"
#include "../common/fsio.h"
#include "../common/log.h"
#include "../score/surrogate.h"

#include <stdio.h>
#include <string.h>

const char cmd_score_usage[] =
    "usage: coreset score [-c CONFIG] [-o RUN] [--set KEY=VALUE]... [--runs R] [--resume [RUN]] [--rescore [RUN]] [--windows A:B,C:D] [--print-config]\n"
    "\n"
    "Train the surrogate model of the config on the training split, record every\n"
    "sample's error statistics and Grad-CAM focus every epoch into RUN/trajectory.cst,\n"
    "and write every score to RUN/scores.h5 (run directory: see coreset-score(1)).\n"
    "\n"
    "options:\n"
    "  -c, --config FILE  the config (default ./coreset.yaml)\n"
    "  -o, --output RUN   the run directory to create (default: the current directory)\n"
    "  --set KEY=VALUE    override one config key (repeatable)\n"
    "  --runs R           surrogate runs with seeds seed..seed+R-1 (score.runs)\n"
    "  --resume [RUN]     continue an interrupted run from its last finished epoch\n"
    "  --rescore [RUN]    recompute scores.h5 from the trajectory, without training\n"
    "  --windows A:B,C:D  EVA's early and late windows (epochs, inclusive, equal length)\n"
    "  --print-config     print the resolved config and exit\n"
    "  -q, --quiet        errors only\n"
    "  -v, --verbose      more detail\n"
    "  -h, --help         show this help\n";

/* "1:10,41:50" -> early 1, late 41, K 10. */
static int parse_windows(const char *s, cs_config *cfg)
{
    int a, b, c, d, n = 0;
    if (sscanf(s, "%d:%d,%d:%d%n", &a, &b, &c, &d, &n) != 4 || s[n] || a < 1 || b < a || c < 1 || d < c)
        return cs_error(CS_EINVAL, "--windows must look like 1:10,41:50, got '%s'", s);
    if (b - a != d - c)
        return cs_error(CS_EINVAL, "--windows '%s': the two windows must have the same length", s);
    cfg->score.eva_early_start = a;
    cfg->score.eva_late_start = c;
    cfg->score.eva_k = b - a + 1;
    return 0;
}

int cmd_score(int argc, char **argv)
{
    const cs_command *cmd = cs_find_command("score");
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"output", required_argument, NULL, 'o'},
        {"set", required_argument, NULL, 's'},    {"runs", required_argument, NULL, 'R'},
        {"resume", no_argument, NULL, 'r'},       {"rescore", no_argument, NULL, 'S'},
        {"windows", required_argument, NULL, 'w'}, {"print-config", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},         {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},      {NULL, 0, NULL, 0}};
    cs_cfgopt co = {0};
    const char *run_dir = NULL, *windows = NULL;
    int resume = 0, rescore = 0, c, rc;
    long runs = 0;
    while ((c = cs_getopt(argc, argv, "hqvc:o:", longopts, cmd)) != -1) {
        switch (c) {
        case 'h':
            return CS_EXIT_OK;
        case 'c':
            co.path = optarg;
            break;
        case 'o':
            run_dir = optarg;
            break;
        case 's':
            if ((rc = cs_cfgopt_add_set(&co, optarg)))
                return rc;
            break;
        case 'R':
            if (cs_parse_long(optarg, &runs) || runs < 1 || runs > 128)
                return cs_usage_error(cmd, "--runs must be 1..128, got '%s'", optarg);
            break;
        case 'r':
            resume = 1;
            break;
        case 'S':
            rescore = 1;
            break;
        case 'w':
            windows = optarg;
            break;
        case 'p':
            co.print = 1;
            break;
        default:
            return CS_EXIT_USAGE;
        }
    }
    if (resume && rescore)
        return cs_usage_error(cmd, "--resume and --rescore do not go together");
    if (optind < argc) {
        if (!(resume || rescore) || optind < argc - 1 || run_dir)
            return cs_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
        run_dir = argv[optind];
    }
    if (!run_dir)
        run_dir = ".";
    static cs_config cfg;
    if (resume || rescore) {
        /* The run's own config; --set may only change how it is scored. */
        char yaml[4200];
        cs_run_path(yaml, sizeof yaml, run_dir, "run.yaml");
        if (co.path)
            return cs_usage_error(cmd, "--%s reads the config from %s; -c does not apply", resume ? "resume" : "rescore",
                                  yaml);
        cs_config_init(&cfg);
        if (cs_config_load_run(&cfg, yaml)) {
            cs_print_error();
            if (!cs_path_exists(yaml))
                fprintf(stderr, "hint: '%s' is not a run directory (coreset score -o RUN makes one)\n", run_dir);
            return CS_EXIT_ERR;
        }
        for (int i = 0; i < co.nsets; i++) {
            if (resume || strncmp(co.sets[i], "score.", 6) != 0)
                return cs_usage_error(cmd, "--set %s: only score.* keys can change when rescoring", co.sets[i]);
            if (cs_config_set(&cfg, co.sets[i])) {
                cs_print_error();
                return CS_EXIT_USAGE;
            }
        }
    } else if ((rc = cs_cfgopt_resolve(&co, &cfg, 0))) {
        return rc;
    }
    if (runs)
        cfg.score.runs = (int)runs;
    if (windows && parse_windows(windows, &cfg)) {
        cs_print_error();
        return CS_EXIT_USAGE;
    }
    if (cs_config_validate(&cfg)) {
        cs_print_error();
        if (!co.path && !resume && !rescore && !cs_cfgopt_present(&co))
            fprintf(stderr, "hint: give a config with -c FILE, or put one in ./coreset.yaml\n");
        return CS_EXIT_ERR;
    }
    if (co.print)
        return cs_config_write(&cfg, stdout) ? CS_EXIT_ERR : CS_EXIT_OK;
    rc = rescore ? cs_rescore_run(&cfg, run_dir) : cs_surrogate_run(&cfg, run_dir, resume);
    if (rc) {
        cs_print_error();
        return CS_EXIT_ERR;
    }
    if (rescore)
        cs_info("wrote %s/scores.h5", run_dir);
    return CS_EXIT_OK;
}
