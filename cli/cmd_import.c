/* cmd_import.c - `coreset import`: a run folder from training dynamics
 * recorded elsewhere (options only; the work is score/import.c). */
#include "cfgopt.h"
#include "cli.h"

#include "../common/err.h"
#include "../common/log.h"
#include "../score/import.h"

#include <stdio.h>

const char cmd_import_usage[] =
    "usage: coreset import FILE [-c CONFIG] [-o RUN] [--set KEY=VALUE]... [--print-config]\n"
    "\n"
    "Make a run directory from training dynamics recorded in your own training loop\n"
    "(examples/pytorch_dynamics.py writes such a FILE): an HDF5 or npz file with\n"
    "labels [N], logits or probs [T, N, C] for every epoch, and optionally cam\n"
    "[T, N, H, W] or focus [T, N], used [T, N] and embeddings [N, D].  The config\n"
    "names the dataset the dynamics describe (its training split, in order).  RUN gets\n"
    "trajectory.cst, scores.h5 and run.yaml, as coreset score writes them, so select,\n"
    "export, report and score --rescore work on it (see coreset-import(1)).\n"
    "\n"
    "options:\n"
    "  -c, --config FILE  the config (default ./coreset.yaml)\n"
    "  -o, --output RUN   the run directory to create (default: the current directory)\n"
    "  --set KEY=VALUE    override one config key (repeatable)\n"
    "  --print-config     print the resolved config and exit\n"
    "  -q, --quiet        errors only\n"
    "  -v, --verbose      more detail\n"
    "  -h, --help         show this help\n";

int cmd_import(int argc, char **argv)
{
    const cs_command *cmd = cs_find_command("import");
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"output", required_argument, NULL, 'o'},
        {"set", required_argument, NULL, 's'},    {"print-config", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},         {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},      {NULL, 0, NULL, 0}};
    cs_cfgopt co = {0};
    const char *run_dir = NULL;
    int c, rc;
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
        case 'p':
            co.print = 1;
            break;
        default:
            return CS_EXIT_USAGE;
        }
    }
    if (optind == argc && !co.print)
        return cs_usage_error(cmd, "FILE (the training dynamics) is missing");
    if (optind < argc - 1)
        return cs_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
    static cs_config cfg;
    if ((rc = cs_cfgopt_resolve(&co, &cfg, 1))) {
        if (!co.path && !cs_cfgopt_present(&co))
            fprintf(stderr, "hint: give the config of the dataset the dynamics describe with -c FILE\n");
        return rc;
    }
    if (co.print)
        return cs_config_write(&cfg, stdout) ? CS_EXIT_ERR : CS_EXIT_OK;
    if (cs_import_run(&cfg, argv[optind], run_dir ? run_dir : ".")) {
        cs_print_error();
        return CS_EXIT_ERR;
    }
    return CS_EXIT_OK;
}
