/* device.c - the CPU-only build's answers (the CUDA build's are in cuda/cuda_info.cu), and the
 * compute libraries' process settings, for every build. */
#include "device.h"

#include "../common/omp_wait.h"
#include "gemm.h"

#include <stdio.h>

#ifndef CS_CUDA
int cs_have_cuda(void) { return 0; }

void cs_cuda_describe(char *buf, size_t n)
{
    snprintf(buf, n, "not built (rebuild with make CUDA=1)");
}
#endif

void cs_compute_env_prepare(char **argv)
{
    int again = cs_gemm_choose_core();
    again |= cs_omp_choose_passive(); /* both decided before the one exec */
    if (again)
        cs_exec_self(argv); /* the new image finds both set and goes on: no loop */
}
