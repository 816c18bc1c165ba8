/* cmd_selftest.c - `coreset selftest`: a compute backend's op matrix against the CPU
 * reference (nn/selftest.h), printed, so a GPU build is checked before it trains. */
#include "cli.h"

#include "../common/err.h"
#include "../nn/backends.h"
#include "../nn/device.h"
#include "../nn/selftest.h"

#include <string.h>

const char cmd_selftest_usage[] =
    "usage: coreset selftest [--device DEVICE] [--quick]\n"
    "\n"
    "Run every op of the compute backend DEVICE (cpu, cuda, cuda:N, or a backend name\n"
    "from the list below) on small random cases and compare each output with the CPU\n"
    "reference backend; print one line per op and output with its normalised mean\n"
    "squared error, and fail (exit 1) if any is beyond the bound (1e-10 in float32,\n"
    "1e-5 with CORESET_CUDA_TF32=1).  A GPU backend runs the quick form of this check\n"
    "by itself the first time a process uses it.\n"
    "\n"
    "options:\n"
    "  --device DEVICE  the backend to check (default: cpu)\n"
    "  --quick          one case per op, as the check at first use\n"
    "  -q, --quiet      errors only\n"
    "  -v, --verbose    more detail\n"
    "  -h, --help       show this help\n";

int cmd_selftest(int argc, char **argv)
{
    const cs_command *cmd = cs_find_command("selftest");
    static const struct option longopts[] = {{"device", required_argument, NULL, 'd'},
                                             {"quick", no_argument, NULL, 'Q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"verbose", no_argument, NULL, 'v'},
                                             {NULL, 0, NULL, 0}};
    const char *device = "cpu";
    int quick = 0, c;
    while ((c = cs_getopt(argc, argv, "hqv", longopts, cmd)) != -1) {
        switch (c) {
        case 'h':
            return CS_EXIT_OK;
        case 'd':
            device = optarg;
            break;
        case 'Q':
            quick = 1;
            break;
        default:
            return CS_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return cs_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    const cs_backend_info *info;
    int ordinal, rc;
    cs_backend *be = NULL;
    /* made by its entry, not cs_backend_create: the matrix is printed even where the
     * check at first use would refuse the backend */
    if ((rc = cs_backend_parse(device, &info, &ordinal)) ||
        (rc = info ? info->create(&be, ordinal, 0) : cs_backend_cpu_create(&be, 0))) {
        cs_error_prefix("--device '%s'", device);
        cs_print_error();
        return rc == CS_EINVAL ? CS_EXIT_USAGE : CS_EXIT_ERR;
    }
    char desc[256];
    cs_cuda_describe(desc, sizeof desc);
    double bound = cs_backend_bound();
    printf("backend %s (device '%s'); CUDA: %s\n", be->ops->name, device, desc);
    printf("registered:");
    for (int i = 0; i < cs_backend_count(); i++)
        printf(" %s", cs_backend_info_at(i)->name);
    printf("\nbound: nmse <= %g against cpu-ref\n", bound);
    rc = cs_backend_selftest(be, !quick, bound, stdout);
    cs_backend_free(be);
    if (rc) {
        cs_print_error();
        return CS_EXIT_ERR;
    }
    printf("selftest: every op of '%s' within its bound\n", device);
    return CS_EXIT_OK;
}
