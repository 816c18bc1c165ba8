/* cmd_inspect.c - `coreset inspect PATH`: option parsing and dispatch by kind of input. */
#include "cfgopt.h"
#include "cli.h"
#include "inspect.h"

#include "../common/err.h"
#include "../config/dataset_opts.h"

const char cmd_inspect_usage[] =
    "usage: coreset inspect [--json] [--images NAME] [--labels NAME] [--num-classes N] [-c CONFIG] [--set KEY=VALUE]... [--print-config] [PATH]\n"
    "\n"
    "Summarise a dataset (HDF5, .npz, .npy, IDX file or folder, PTB-XL or WFDB\n"
    "database folder), a WFDB record, a run directory (trajectory.cst, scores.h5),\n"
    "a trajectory file (.cst) or an index file (.idx: its header and the class\n"
    "histogram of its samples).\n"
    "Without PATH, the dataset of the config (-c, or ./coreset.yaml).\n"
    "\n"
    "options:\n"
    "  --json           machine-readable output on stdout\n"
    "  --images NAME    HDF5/npz dataset holding the samples (default: images, x)\n"
    "  --labels NAME    HDF5/npz dataset holding the labels (default: labels, y)\n"
    "  --num-classes N  the class count (labels must lie in 0..N-1); default: inferred\n"
    "  -c, --config FILE  read the dataset.* and ecg.* keys from FILE\n"
    "  --set KEY=VALUE  override one config key (repeatable)\n"
    "  --print-config   print the resolved config as YAML and exit\n"
    "  -q, --quiet      errors only\n"
    "  -v, --verbose    more detail\n"
    "  -h, --help       show this help\n";

int cmd_inspect(int argc, char **argv)
{
    const cs_command *cmd = cs_find_command("inspect");
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},   {"images", required_argument, NULL, 'I'},
        {"labels", required_argument, NULL, 'L'}, {"help", no_argument, NULL, 'h'},
        {"num-classes", required_argument, NULL, 'n'}, {"config", required_argument, NULL, 'c'},
        {"set", required_argument, NULL, 's'}, {"print-config", no_argument, NULL, 'p'},
        {"quiet", no_argument, NULL, 'q'},  {"verbose", no_argument, NULL, 'v'},
        {NULL, 0, NULL, 0}};
    int json = 0;
    cs_dataset_opts opts = {0};
    cs_cfgopt co = {0};
    long nc;
    int c, rc;
    while ((c = cs_getopt(argc, argv, "hqvc:", longopts, cmd)) != -1) {
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
        case 'n':
            if (cs_parse_long(optarg, &nc) || nc < 1 || nc > 1000000)
                return cs_usage_error(cmd, "--num-classes must be a positive integer, got '%s'", optarg);
            opts.num_classes = (int)nc;
            break;
        case 'c':
            co.path = optarg;
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
    if (optind < argc - 1)
        return cs_usage_error(cmd, "inspect takes one PATH");
    const char *path = optind < argc ? argv[optind] : NULL;
    static cs_config cfg; /* large (paths are fixed arrays); static keeps it off the stack */
    cs_ecg_opts ecg;
    /* With PATH, a config counts only when named (-c, --set): a stray
     * ./coreset.yaml must not change how a file given by path is read. */
    if (co.print || !path || co.path || co.nsets) {
        if (!path && !cs_cfgopt_present(&co))
            return cs_usage_error(cmd, "inspect needs a PATH or a config (-c FILE or ./coreset.yaml)");
        if ((rc = cs_cfgopt_resolve(&co, &cfg, !path)))
            return rc;
        if (co.print)
            return cs_config_write(&cfg, stdout) ? CS_EXIT_ERR : CS_EXIT_OK;
        if (!path)
            path = cfg.dataset.path;
        cs_dataset_opts from_cfg;
        cs_config_dataset_opts(&cfg, &from_cfg, &ecg);
        opts.kind = from_cfg.kind;
        opts.ecg = &ecg;
        /* The image-folder keys (dataset.csv ... dataset.on_bad_file). */
        opts.csv = from_cfg.csv;
        opts.csv_path_column = from_cfg.csv_path_column;
        opts.csv_label_column = from_cfg.csv_label_column;
        opts.classes = from_cfg.classes;
        opts.channels = from_cfg.channels;
        opts.size = from_cfg.size;
        opts.skip_bad = from_cfg.skip_bad;
        if (!opts.images_name)
            opts.images_name = from_cfg.images_name;
        if (!opts.labels_name)
            opts.labels_name = from_cfg.labels_name;
        if (!opts.num_classes)
            opts.num_classes = from_cfg.num_classes;
    }
    rc = inspect_is_index(path)  ? inspect_index(stdout, path)
         : inspect_is_run(path)  ? inspect_run(stdout, path, json)
         : inspect_is_wfdb(path) ? inspect_wfdb(stdout, path, json)
                                 : inspect_dataset(stdout, path, &opts, json);
    if (rc) {
        cs_print_error();
        return CS_EXIT_ERR;
    }
    return CS_EXIT_OK;
}
