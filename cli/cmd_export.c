/* cmd_export.c - `coreset export IDX`: option parsing; the work is export/export_idx.c. */
#include "cli.h"

#include "../common/err.h"
#include "../common/log.h"
#include "../export/export_idx.h"

#include <string.h>

const char cmd_export_usage[] =
    "usage: coreset export IDX [-o OUT] [--compression gzip|zstd|none] [--format h5|npz|folder|csv]\n"
    "\n"
    "Write the pruned dataset an index file describes: its selected samples and\n"
    "labels under the source's own names, in index order, the source index and\n"
    "score of each, the other splits untouched, and the index header plus the\n"
    "export time as provenance.  The source must still be the one the index was\n"
    "made from (its SHA-256 and sample count are checked).\n"
    "\n"
    "options:\n"
    "  -o, --output OUT     output file (default: beside IDX, .idx replaced by .h5 or .npz)\n"
    "  --compression C      HDF5 chunk compression: gzip (default), zstd (filter 32015), none\n"
    "  --format F           h5 (default) or npz (MedMNIST layout, stored members); for an\n"
    "                       image folder also folder (the kept files in the source's own\n"
    "                       layout, hard links where possible, + coreset-manifest.txt) or\n"
    "                       csv (the source CSV's kept rows, unchanged)\n"
    "  -q, --quiet          errors only\n"
    "  -v, --verbose        more detail\n"
    "  -h, --help           show this help\n";

int cmd_export(int argc, char **argv)
{
    const cs_command *cmd = cs_find_command("export");
    enum { O_COMP = 256, O_FMT };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"compression", required_argument, NULL, O_COMP},
        {"format", required_argument, NULL, O_FMT}, {"help", no_argument, NULL, 'h'},
        {"quiet", no_argument, NULL, 'q'}, {"verbose", no_argument, NULL, 'v'},
        {NULL, 0, NULL, 0}};
    cs_export_idx_args a = {0};
    int c, comp_given = 0;
    while ((c = cs_getopt(argc, argv, "hqvo:", longopts, cmd)) != -1) {
        switch (c) {
        case 'h':
            return CS_EXIT_OK;
        case 'o':
            a.out_path = optarg;
            break;
        case O_COMP:
            if (strcmp(optarg, "gzip") == 0)
                a.comp = CS_COMP_GZIP;
            else if (strcmp(optarg, "zstd") == 0)
                a.comp = CS_COMP_ZSTD;
            else if (strcmp(optarg, "none") == 0)
                a.comp = CS_COMP_NONE;
            else
                return cs_usage_error(cmd, "unknown compression '%s' (gzip, zstd, none)", optarg);
            comp_given = 1;
            break;
        case O_FMT:
            if (strcmp(optarg, "h5") == 0)
                a.format = CS_FMT_H5;
            else if (strcmp(optarg, "npz") == 0)
                a.format = CS_FMT_NPZ;
            else if (strcmp(optarg, "folder") == 0)
                a.format = CS_FMT_FOLDER;
            else if (strcmp(optarg, "csv") == 0)
                a.format = CS_FMT_CSV;
            else
                return cs_usage_error(cmd, "unknown format '%s' (h5, npz, folder, csv)", optarg);
            break;
        default:
            return CS_EXIT_USAGE;
        }
    }
    if (optind != argc - 1)
        return cs_usage_error(cmd, "export takes one index file");
    if (a.format != CS_FMT_H5 && comp_given && a.comp != CS_COMP_NONE)
        return cs_usage_error(cmd, "--compression applies to --format h5 (npz members are stored; folder and csv copy files)");
    a.idx_path = argv[optind];
    char written[4096];
    int64_t m = 0;
    if (cs_export_index(&a, written, sizeof written, &m)) {
        cs_print_error();
        return CS_EXIT_ERR;
    }
    cs_info("wrote '%s' (%lld samples)", written, (long long)m);
    return CS_EXIT_OK;
}
