/* main.c - `coreset <command> [options]`: global options and the dispatch table.
 * Each command lives in its own cmd_*.c and only parses options. */
#include "cli.h"

#include "../common/log.h"
#include "../common/tmpfiles.h"
#include "../common/version.h"
#include "../codecs/h5_err.h"
#include "../nn/device.h"

#include <string.h>

static int cmd_help(int argc, char **argv);
static const char cmd_help_usage[] = "usage: coreset help [COMMAND]\n"
                                     "\n"
                                     "Show the help of COMMAND, or the list of commands.\n";

const cs_command cs_commands[] = {
    {"inspect", cmd_inspect, cmd_inspect_usage, "summarise a dataset, WFDB record, run or index file"},
    {"score", cmd_score, cmd_score_usage, "train the surrogate, record every sample, compute every score"},
    {"import", cmd_import, cmd_import_usage, "make a run from training dynamics recorded in your own loop"},
    {"train", cmd_train, cmd_train_usage, "train a model on a dataset or a coreset and evaluate it"},
    {"select", cmd_select, cmd_select_usage, "select a coreset from a run's scores: write an index file"},
    {"export", cmd_export, cmd_export_usage, "write the pruned dataset an index file describes"},
    {"dump", cmd_dump, cmd_dump_usage, "export a run's trajectory as CSV, HDF5 or raw columns"},
    {"report", cmd_report, cmd_report_usage, "write an HTML report of a run and a selection, with figures"},
    {"selftest", cmd_selftest, cmd_selftest_usage, "check a compute backend's ops (cpu, cuda) against the CPU reference"},
    {"help", cmd_help, cmd_help_usage, "show help for a command"},
    {NULL, NULL, NULL, NULL},
};

static const char main_usage[] =
    "usage: coreset [-q | -v] [--version] [--help] <command> [<args>]\n";

const cs_command *cs_find_command(const char *name)
{
    for (const cs_command *c = cs_commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

static void print_main_help(FILE *fp)
{
    fputs(main_usage, fp);
    fputs("\ncoreset finds the samples of a training set that matter and writes a smaller\n"
          "dataset that trains as well as the full one.\n\ncommands:\n",
          fp);
    for (const cs_command *c = cs_commands; c->name; c++)
        fprintf(fp, "  %-10s %s\n", c->name, c->summary);
    fputs("\noptions:\n"
          "  -q, --quiet    errors only on stderr\n"
          "  -v, --verbose  more detail on stderr\n"
          "  --version      print the version and exit\n"
          "  -h, --help     print this help and exit\n"
          "\nSee 'coreset help <command>' or 'man coreset-<command>' for one command.\n",
          fp);
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        print_main_help(stdout);
        return CS_EXIT_OK;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(cmd_help_usage, stdout);
        return CS_EXIT_OK;
    }
    const cs_command *c = cs_find_command(argv[1]);
    if (!c)
        return cs_usage_error(NULL, "unknown command '%s'", argv[1]);
    fputs(c->usage, stdout);
    return CS_EXIT_OK;
}

int main(int argc, char **argv)
{
    cs_compute_env_prepare(argv); /* may execute us again: first, before anything else */
    cs_tmp_install_signals();    /* an interrupted write leaves no temporary file */
    cs_h5_startup();             /* before any other HDF5 call */
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            cs_verbosity = 0;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            cs_verbosity = 2;
        } else if (strcmp(a, "--version") == 0) {
            char dev[256];
            cs_cuda_describe(dev, sizeof dev);
            printf("coreset %s (%s)\n", CS_VERSION, CS_GIT_DESC);
            printf("backends: cpu%s\ncuda: %s\n", cs_have_cuda() ? " cuda" : "", dev);
            return CS_EXIT_OK;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            print_main_help(stdout);
            return CS_EXIT_OK;
        } else {
            return cs_usage_error(NULL, "unknown option '%s'", a);
        }
    }
    if (i == argc) {
        print_main_help(stderr);
        return CS_EXIT_USAGE;
    }
    const cs_command *c = cs_find_command(argv[i]);
    if (!c)
        return cs_usage_error(NULL, "unknown command '%s'", argv[i]);
    optind = 1;
    return c->run(argc - i, argv + i);
}
