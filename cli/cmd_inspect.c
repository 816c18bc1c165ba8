/* cmd_inspect.c - `coreset inspect PATH`: option parsing and dispatch by kind of input. */
#include "cli.h"
#include "inspect.h"

#include "../common/err.h"

const char cmd_inspect_usage[] =
    "usage: coreset inspect [--json] [--images NAME] [--labels NAME] PATH\n"
    "\n"
    "Summarise a dataset (HDF5, .npz, .npy, IDX file or folder) or a WFDB record.\n"
    "\n"
    "options:\n"
    "  --json           machine-readable output on stdout\n"
    "  --images NAME    HDF5/npz dataset holding the samples (default: images, x)\n"
    "  --labels NAME    HDF5/npz dataset holding the labels (default: labels, y)\n"
    "  -q, --quiet      errors only\n"
    "  -v, --verbose    more detail\n"
    "  -h, --help       show this help\n";

int cmd_inspect(int argc, char **argv)
{
    const cs_command *cmd = cs_find_command("inspect");
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},   {"images", required_argument, NULL, 'I'},
        {"labels", required_argument, NULL, 'L'}, {"help", no_argument, NULL, 'h'},
        {"quiet", no_argument, NULL, 'q'},  {"verbose", no_argument, NULL, 'v'},
        {NULL, 0, NULL, 0}};
    int json = 0;
    cs_dataset_opts opts = {0};
    int c;
    while ((c = cs_getopt(argc, argv, "hqv", longopts, cmd)) != -1) {
        switch (c) {
        case 'h':
            return CS_EXIT_OK;
        case 'j':
            json = 1;
            break;
        case 'I':
            opts.images_name = optarg;
            break;
        case 'L':
            opts.labels_name = optarg;
            break;
        default:
            return CS_EXIT_USAGE;
        }
    }
    if (optind != argc - 1)
        return cs_usage_error(cmd, optind == argc ? "inspect needs a PATH" : "inspect takes one PATH");
    const char *path = argv[optind];
    int rc = inspect_is_wfdb(path) ? inspect_wfdb(stdout, path, json)
                                   : inspect_dataset(stdout, path, &opts, json);
    if (rc) {
        cs_print_error();
        return CS_EXIT_ERR;
    }
    return CS_EXIT_OK;
}
