/* op_matrix.c - `op_matrix DEVICE [quick]`: the self-check matrix of one backend against
 * the CPU reference (nn/selftest.h), for tests/gpu/check.sh's minimal build, which has
 * only nn/ and common/ (the device machine may lack HDF5, zstd and the other libraries
 * the full coreset binary links). */
#include <stdio.h>
#include <string.h>

#include "../../common/err.h"
#include "../../nn/backends.h"
#include "../../nn/device.h"
#include "../../nn/selftest.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: op_matrix DEVICE [quick]\n");
        return 2;
    }
    const cs_backend_info *info;
    int ordinal;
    cs_backend *be = NULL;
    if (cs_backend_parse(argv[1], &info, &ordinal) ||
        (info ? info->create(&be, ordinal, 0) : cs_backend_cpu_create(&be, 0))) {
        fprintf(stderr, "op_matrix: %s: %s\n", argv[1], cs_errmsg());
        return 1;
    }
    char desc[256];
    cs_cuda_describe(desc, sizeof desc);
    printf("backend %s; %s; bound %g\n", be->ops->name, desc, cs_backend_bound());
    int rc = cs_backend_selftest(be, !(argc > 2 && strcmp(argv[2], "quick") == 0), cs_backend_bound(), stdout);
    cs_backend_free(be);
    if (rc) {
        printf("op_matrix: FAIL: %s\n", cs_errmsg());
        return 1;
    }
    printf("op_matrix: every op within its bound\n");
    return 0;
}
