/* cmd_report.c - `coreset report RUN`: option parsing; the page is report/report.c. */
#include "cli.h"

#include "../common/err.h"
#include "../report/report.h"

const char cmd_report_usage[] =
    "usage: coreset report RUN [--index FILE] [--score NAME] [-o FILE] [--png DIR]\n"
    "\n"
    "Write one self-contained HTML page about a run directory (scores.h5,\n"
    "trajectory.cst, run.yaml, checkpoint.bin) and, with --index, the coreset an\n"
    "index file selected from it: loss, accuracy and effective epochs per epoch;\n"
    "per-class sizes and kept counts; per-class score histograms with the\n"
    "selection cut; the confidence-focus plane; error-norm trajectories with the\n"
    "EVA windows; the top and bottom samples of each class with Grad-CAM maps;\n"
    "the provenance.  Inline SVG only: no scripts, nothing fetched.\n"
    "\n"
    "options:\n"
    "  --index FILE   the index file to show (from 'coreset select' on this run)\n"
    "  --score NAME   the score of the histograms and thumbnails (default: the\n"
    "                 index's score, else eva)\n"
    "  -o, --output FILE  the page (default RUN/report.html)\n"
    "  --png DIR      also write each figure as DIR/<figure>.png\n"
    "  -q, --quiet    errors only\n"
    "  -v, --verbose  more detail\n"
    "  -h, --help     show this help\n";

int cmd_report(int argc, char **argv)
{
    const cs_command *cmd = cs_find_command("report");
    enum { O_INDEX = 256, O_SCORE, O_PNG };
    static const struct option longopts[] = {
        {"index", required_argument, NULL, O_INDEX}, {"score", required_argument, NULL, O_SCORE},
        {"png", required_argument, NULL, O_PNG},     {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},            {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},         {NULL, 0, NULL, 0}};
    cs_report_args a = {0};
    int c;
    while ((c = cs_getopt(argc, argv, "hqvo:", longopts, cmd)) != -1) {
        switch (c) {
        case 'h':
            return CS_EXIT_OK;
        case O_INDEX:
            a.index = optarg;
            break;
        case O_SCORE:
            a.score = optarg;
            break;
        case O_PNG:
            a.png_dir = optarg;
            break;
        case 'o':
            a.output = optarg;
            break;
        default:
            return CS_EXIT_USAGE;
        }
    }
    if (optind != argc - 1)
        return cs_usage_error(cmd, optind < argc ? "report takes one RUN" : "report needs a RUN directory");
    a.run = argv[optind];
    if (cs_report_write(&a)) {
        cs_print_error();
        return CS_EXIT_ERR;
    }
    return CS_EXIT_OK;
}
