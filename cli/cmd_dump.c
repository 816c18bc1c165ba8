/* cmd_dump.c - `coreset dump [RUN]`: option parsing; the export itself is
 * dump/traj_dump.c (the trajectory) or dump/embed_dump.c (--embeddings). */
#include "cli.h"
#include "inspect.h"

#include "../common/err.h"
#include "../common/fsio.h"
#include "../common/outguard.h"
#include "../dump/embed_dump.h"
#include "../dump/traj_dump.h"
#include "../formats/traj.h"
#include "../run/run_dir.h"

#include <stdlib.h>
#include <string.h>

const char cmd_dump_usage[] =
    "usage: coreset dump (--csv | --h5 | --raw | --npy) [--embeddings] [-o OUT] [--fields LIST] [--epochs A:B] [--runs LIST] [RUN]\n"
    "\n"
    "Export the trajectory of RUN (RUN/trajectory.cst, or a .cst file; default: the\n"
    "current directory) for analysis elsewhere.  Every frame's checksum is verified\n"
    "before anything is written; a damaged frame is an error naming it.  With\n"
    "--embeddings, export RUN/embeddings.h5 instead.\n"
    "\n"
    "options:\n"
    "  --csv              long-format CSV: epoch,run,index,label,<fields>, one row per\n"
    "                     sample per epoch; floats exact (%.9g), NaN as an empty field;\n"
    "                     on standard output unless -o FILE\n"
    "  --h5               HDF5 (needs -o FILE): /<field> (runs, epochs, samples), /probs,\n"
    "                     /labels; attributes N, C, fields, runs, epochs; /provenance\n"
    "  --raw              raw little-endian float32 columns (needs -o DIR):\n"
    "                     DIR/<field>_<r>.f32 (epochs x samples), labels.i32, params.json\n"
    "  --npy              with --embeddings: one epoch as a NumPy .npy (needs -o FILE)\n"
    "  --embeddings       export RUN/embeddings.h5 instead, as float32: --h5 (needs -o FILE):\n"
    "                     /embeddings (epochs, samples, dims), /epochs, /labels, /index;\n"
    "                     --npy (needs -o FILE): one epoch (samples, dims), the last unless\n"
    "                     --epochs E; --csv: epoch,index,label,e0..e<D-1>\n"
    "  -o, --output OUT   the file (or --raw directory) to write, atomically\n"
    "  --fields LIST      comma-separated: err,conf,margin,entropy,loss,focus,correct,used,probs\n"
    "                     (default: every field the trajectory holds)\n"
    "  --epochs A:B       epochs A to B inclusive; A: or :B leave one end open, A alone is one\n"
    "  --runs LIST        comma-separated surrogate runs, from 0 (default: every run)\n"
    "  -q, --quiet        errors only\n"
    "  -v, --verbose      more detail\n"
    "  -h, --help         show this help\n";

/* "A:B", "A:", ":B" or "A" into an inclusive range (0 = open end). */
static int parse_epochs(const char *s, int32_t *a, int32_t *b)
{
    long x = 0, y = 0;
    const char *colon = strchr(s, ':');
    char left[32];
    size_t ll = colon ? (size_t)(colon - s) : strlen(s);
    if (ll >= sizeof left)
        return -1;
    memcpy(left, s, ll);
    left[ll] = 0;
    if (ll && (cs_parse_long(left, &x) || x < 1 || x > INT32_MAX))
        return -1;
    if (colon && colon[1] && (cs_parse_long(colon + 1, &y) || y < 1 || y > INT32_MAX))
        return -1;
    if (!colon) {
        if (!ll)
            return -1;
        y = x;
    }
    if (x && y && x > y)
        return -1;
    *a = (int32_t)x;
    *b = (int32_t)y;
    return 0;
}

/* "0,2,3" into a malloc'd list. */
static int parse_runs(const char *s, int32_t **out, int *n)
{
    int cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    int32_t *v = malloc(sizeof *v * (size_t)cap);
    if (!v)
        return -1;
    int k = 0;
    char item[32];
    while (*s) {
        size_t len = strcspn(s, ",");
        long x;
        if (!len || len >= sizeof item) {
            free(v);
            return -1;
        }
        memcpy(item, s, len);
        item[len] = 0;
        if (cs_parse_long(item, &x) || x < 0 || x > INT32_MAX) {
            free(v);
            return -1;
        }
        v[k++] = (int32_t)x;
        s += len;
        if (*s == ',' && !*++s) {
            free(v);
            return -1;
        }
    }
    if (!k) {
        free(v);
        return -1;
    }
    *out = v;
    *n = k;
    return 0;
}

/* --embeddings: RUN's embeddings.h5 (beside a .cst file), with the trajectory's labels. */
static int dump_embeddings(const cs_command *cmd, const cs_dump_opts *t, int npy, int trajectory_opts,
                           const char *out, const char *run, const char *extra)
{
    if (t->format == CS_DUMP_RAW)
        return cs_usage_error(cmd, "--embeddings writes --csv, --h5 or --npy, not --raw");
    if (trajectory_opts)
        return cs_usage_error(cmd, "--fields and --runs choose trajectory columns; --embeddings has none");
    if ((npy || t->format == CS_DUMP_H5) && !out)
        return cs_usage_error(cmd, "%s needs -o FILE (it does not write to standard output)", npy ? "--npy" : "--h5");
    if (extra)
        return cs_usage_error(cmd, "dump takes one RUN, got '%s' and '%s'", run, extra);
    char traj[4096], epath[4200];
    cs_traj_reader *r = NULL;
    int rc = inspect_run_trajectory(run, traj, sizeof traj);
    if (!rc) {
        char *dir = cs_path_is_dir(run) ? NULL : cs_dir_of(run);
        cs_run_path(epath, sizeof epath, dir ? dir : run, CS_RUN_EMBED);
        free(dir);
        if (!cs_path_exists(epath))
            rc = cs_error(CS_EIO, "run '%s' has no %s\nhint: 'coreset score' stores it with record.embed: true "
                                  "(the default); runs scored before it existed have none",
                          run, CS_RUN_EMBED);
    }
    if (!rc)
        rc = cs_guard_input(epath);
    if (!rc)
        rc = cs_traj_reader_open(&r, traj);
    if (!rc) {
        const cs_traj_header_info *h = cs_traj_reader_header(r);
        cs_embed_dump_opts o = {npy ? CS_EMBED_DUMP_NPY : t->format == CS_DUMP_H5 ? CS_EMBED_DUMP_H5 : CS_EMBED_DUMP_CSV,
                                out, stdout, t->first_epoch, t->last_epoch, h->labels, h->n};
        rc = cs_embed_dump(epath, &o);
    }
    cs_traj_reader_free(r);
    if (rc) {
        cs_print_error();
        return CS_EXIT_ERR;
    }
    return CS_EXIT_OK;
}

int cmd_dump(int argc, char **argv)
{
    const cs_command *cmd = cs_find_command("dump");
    static const struct option longopts[] = {
        {"csv", no_argument, NULL, 'C'},          {"h5", no_argument, NULL, 'H'},
        {"raw", no_argument, NULL, 'R'},          {"output", required_argument, NULL, 'o'},
        {"fields", required_argument, NULL, 'f'}, {"runs", required_argument, NULL, 'r'},
        {"epochs", required_argument, NULL, 'e'}, {"help", no_argument, NULL, 'h'},
        {"quiet", no_argument, NULL, 'q'},        {"verbose", no_argument, NULL, 'v'},
        {"embeddings", no_argument, NULL, 'E'},   {"npy", no_argument, NULL, 'N'},
        {NULL, 0, NULL, 0}};
    int embeddings = 0, npy = 0, trajectory_opts = 0;
    cs_dump_opts o = {0};
    int nformats = 0, c, rc = CS_EXIT_OK;
    const char *out = NULL;
    int32_t *runs = NULL;
    char traj[4096];
    while ((c = cs_getopt(argc, argv, "hqvo:", longopts, cmd)) != -1) {
        switch (c) {
        case 'h':
            goto out;
        case 'C':
            o.format = CS_DUMP_CSV;
            nformats++;
            break;
        case 'H':
            o.format = CS_DUMP_H5;
            nformats++;
            break;
        case 'R':
            o.format = CS_DUMP_RAW;
            nformats++;
            break;
        case 'E':
            embeddings = 1;
            break;
        case 'N':
            npy = 1;
            nformats++;
            break;
        case 'o':
            out = optarg;
            break;
        case 'f':
            trajectory_opts = 1;
            if (cs_traj_fields_parse(optarg, &o.fields)) {
                rc = cs_usage_error(cmd, "--fields: %s", cs_errmsg());
                goto out;
            }
            break;
        case 'r':
            trajectory_opts = 1;
            free(runs);
            runs = NULL;
            if (parse_runs(optarg, &runs, &o.nruns)) {
                rc = cs_usage_error(cmd, "--runs wants run indices like 0,1,2, got '%s'", optarg);
                goto out;
            }
            o.runs = runs;
            break;
        case 'e':
            if (parse_epochs(optarg, &o.first_epoch, &o.last_epoch)) {
                rc = cs_usage_error(cmd, "--epochs wants A:B with 1 <= A <= B (or A:, :B, A), got '%s'", optarg);
                goto out;
            }
            break;
        default:
            rc = CS_EXIT_USAGE;
            goto out;
        }
    }
    if (nformats != 1) {
        rc = cs_usage_error(cmd, "dump needs exactly one of --csv, --h5, --raw%s", embeddings ? ", --npy" : "");
        goto out;
    }
    if (embeddings) {
        rc = dump_embeddings(cmd, &o, npy, trajectory_opts, out, optind < argc ? argv[optind] : ".",
                             optind < argc - 1 ? argv[optind + 1] : NULL);
        goto out;
    }
    if (npy) {
        rc = cs_usage_error(cmd, "--npy writes embeddings: it needs --embeddings");
        goto out;
    }
    if (o.format != CS_DUMP_CSV && !out) {
        rc = cs_usage_error(cmd, "%s needs -o %s (it does not write to standard output)",
                            o.format == CS_DUMP_H5 ? "--h5" : "--raw", o.format == CS_DUMP_H5 ? "FILE" : "DIR");
        goto out;
    }
    if (optind < argc - 1) {
        rc = cs_usage_error(cmd, "dump takes one RUN, got '%s' and '%s'", argv[optind], argv[optind + 1]);
        goto out;
    }
    o.out = out;
    o.stdout_fp = stdout;
    if (inspect_run_trajectory(optind < argc ? argv[optind] : ".", traj, sizeof traj) ||
        cs_traj_dump(traj, &o)) {
        cs_print_error();
        rc = CS_EXIT_ERR;
    }
out:
    free(runs);
    return rc;
}
