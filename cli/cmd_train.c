/* cmd_train.c - `coreset train`: train a fresh model on a dataset (or the
 * subset an index file names) and evaluate it on the test split. */
#include "cfgopt.h"
#include "cli.h"

#include "../common/err.h"
#include "../common/outguard.h"
#include "../formats/index_source.h"
#include "../common/fsio.h"
#include "../common/log.h"
#include "../config/dataset_opts.h"
#include "../formats/index_file.h"
#include "../train/progress.h"
#include "../train/trainer.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

const char cmd_train_usage[] =
    "usage: coreset train [DATA] [-c CONFIG] [--set KEY=VALUE]... [--index FILE] [-o FILE.json] [--print-config]\n"
    "\n"
    "Train a fresh model on the training split of DATA (default: the config's\n"
    "dataset.path), or on the samples an index file names, and evaluate it on the\n"
    "test split: accuracy, macro-F1, per-class accuracy and recall, worst-class\n"
    "accuracy.  The table goes to stdout; -o also writes it as JSON.\n"
    "\n"
    "options:\n"
    "  -c, --config FILE  the config (default ./coreset.yaml when present)\n"
    "  --set KEY=VALUE    override one config key (repeatable)\n"
    "  --index FILE       train on the samples this index file names (coreset select)\n"
    "  -o, --output FILE  write the evaluation as JSON\n"
    "  --print-config     print the resolved config and exit\n"
    "  -q, --quiet        errors only\n"
    "  -v, --verbose      more detail\n"
    "  -h, --help         show this help\n";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cmd_train(int argc, char **argv)
{
    const cs_command *cmd = cs_find_command("train");
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"set", required_argument, NULL, 's'},
        {"index", required_argument, NULL, 'i'},  {"output", required_argument, NULL, 'o'},
        {"print-config", no_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'},
        {"quiet", no_argument, NULL, 'q'},        {"verbose", no_argument, NULL, 'v'},
        {NULL, 0, NULL, 0}};
    cs_cfgopt co = {0};
    const char *index_path = NULL, *out_path = NULL;
    int c, rc;
    while ((c = cs_getopt(argc, argv, "hqvc:o:", longopts, cmd)) != -1) {
        switch (c) {
        case 'h':
            return CS_EXIT_OK;
        case 'c':
            co.path = optarg;
            break;
        case 's':
            if ((rc = cs_cfgopt_add_set(&co, optarg)))
                return rc;
            break;
        case 'i':
            index_path = optarg;
            break;
        case 'o':
            out_path = optarg;
            break;
        case 'p':
            co.print = 1;
            break;
        default:
            return CS_EXIT_USAGE;
        }
    }
    if (optind < argc - 1)
        return cs_usage_error(cmd, "train takes at most one DATA path");
    static cs_config cfg;
    if ((rc = cs_cfgopt_resolve(&co, &cfg, 0)))
        return rc;
    if (optind < argc)
        snprintf(cfg.dataset.path, sizeof cfg.dataset.path, "%s", argv[optind]);
    if (cs_config_validate(&cfg)) {
        cs_print_error();
        return CS_EXIT_ERR;
    }
    if (co.print)
        return cs_config_write(&cfg, stdout) ? CS_EXIT_ERR : CS_EXIT_OK;
    /* The dataset, the config and the index are inputs: -o may be none of
     * them, and that is said before any training. */
    if ((co.path && cs_guard_input(co.path)) || cs_guard_input(cfg.dataset.path) ||
        (index_path && cs_guard_input(index_path)) ||
        (out_path && (cs_check_output_dir(out_path) || cs_guard_output(out_path)))) {
        cs_print_error();
        return CS_EXIT_ERR;
    }

    cs_dataset *ds = NULL;
    cs_data train = {0}, test = {0};
    cs_trainer t = {0};
    cs_metrics met = {0};
    cs_index_file idx;
    cs_index_file_init(&idx);
    rc = CS_EXIT_ERR;
    cs_dataset_opts dopts;
    cs_ecg_opts ecg;
    cs_config_dataset_opts(&cfg, &dopts, &ecg);
    int one_d = cs_model_is_1d(cfg.model.name);
    /* An index is checked against the dataset as export checks it
     * (formats/index_source.h): same file, same split, same counts. */
    if (index_path && (cs_index_read(index_path, &idx) || cs_index_check_sha(index_path, &idx, cfg.dataset.path)))
        goto out;
    if (cs_dataset_open(&ds, cfg.dataset.path, &dopts) ||
        (index_path && cs_index_check_source(index_path, &idx, cfg.dataset.path, ds, cfg.dataset.train_split)) ||
        cs_data_load(&train, ds, cfg.dataset.train_split, one_d) ||
        cs_data_load(&test, ds, cfg.dataset.test_split, one_d))
        goto out;
    if (index_path && cs_data_subset(&train, idx.idx, idx.m))
        goto out;
    if (cfg.dataset.normalize == CS_NORM_DATASET) {
        cs_norm nm;
        if (cs_norm_compute(&nm, &train))
            goto out;
        cs_norm_apply(&nm, &train);
        cs_norm_apply(&nm, &test);
    } else if (cfg.dataset.normalize == CS_NORM_SAMPLE) {
        cs_norm_per_sample(&train);
        cs_norm_per_sample(&test);
    }
    if (cs_trainer_init(&t, &cfg, &train, 0, 0) || cs_metrics_init(&met, train.num_classes))
        goto out;
    cs_info("training %s on %lld samples of '%s'%s%s, %d epochs, %d threads", cs_trainer_spec_name(&cfg),
            (long long)train.n, cfg.dataset.path, index_path ? " selected by " : "", index_path ? index_path : "",
            cfg.train.epochs, t.nthreads);
    double t0 = now();
    while (t.epoch < cfg.train.epochs) {
        cs_epoch_stats st;
        if (cs_trainer_epoch(&t, &st))
            goto out;
        cs_progress_epoch(&t, &st, now() - t0, cfg.dropout.method != CS_DROP_NONE);
    }
    double test_loss;
    if (cs_trainer_eval(&t, &test, &met, &test_loss))
        goto out;
    double seconds = now() - t0, eff = train.n ? (double)t.backprop / (double)train.n : 0;
    printf("test split '%s' of %s (%lld samples), trained on %lld samples for %d epochs (%.2f effective) in %.1f s\n",
           cfg.dataset.test_split, cfg.dataset.path, (long long)test.n, (long long)train.n, cfg.train.epochs, eff,
           seconds);
    cs_metrics_print(&met, stdout, NULL);
    if (out_path) {
        cs_afile af;
        if (cs_afile_open(&af, out_path))
            goto out;
        /* What was trained beside how it tests: effective epochs are how the
         * dropout methods are compared (METHODS section 5). */
        fprintf(af.fp, "{\"model\": \"%s\", \"train_samples\": %lld, \"epochs\": %d, \"effective_epochs\": %.6f, "
                       "\"dropout\": \"%s\", \"erts\": %s, \"seconds\": %.3f, \"test\": ",
                cs_trainer_spec_name(&cfg), (long long)train.n, cfg.train.epochs, eff,
                cs_config_find_key("dropout.method")->choices[cfg.dropout.method], cfg.dropout.erts ? "true" : "false",
                seconds);
        cs_metrics_write_json(&met, af.fp, NULL);
        fputs("}\n", af.fp);
        if (cs_afile_commit(&af))
            goto out;
    }
    rc = CS_EXIT_OK;
out:
    if (rc)
        cs_print_error();
    cs_metrics_release(&met);
    cs_trainer_release(&t);
    cs_data_release(&train);
    cs_data_release(&test);
    cs_index_file_release(&idx);
    cs_dataset_free(ds);
    return rc;
}
