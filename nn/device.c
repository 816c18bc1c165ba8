/* device.c - the CPU-only build's answers; the CUDA build's are in cuda/cuda_info.cu. */
#include "device.h"

#include <stdio.h>

#ifndef CS_CUDA
int cs_have_cuda(void) { return 0; }

void cs_cuda_describe(char *buf, size_t n)
{
    snprintf(buf, n, "not built (rebuild with make CUDA=1)");
}
#endif
