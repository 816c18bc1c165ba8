/* device.h - which compute backends this build has, and what device is there. */
#ifndef CS_DEVICE_H
#define CS_DEVICE_H

#include <stddef.h>

/* 1 if built with CUDA=1. */
int cs_have_cuda(void);
/* One line describing the CUDA runtime, cuDNN and the first device, or why
 * there is none ("no CUDA device: <driver's reason>"); "not built" without CUDA=1. */
void cs_cuda_describe(char *buf, size_t n);

/* First thing in main: choose what the compute libraries read once, when they load
 * (OpenBLAS's core, cs_gemm_choose_core; OpenMP's wait policy, cs_omp_choose_passive),
 * and when either changed the environment, execute the program again, once. */
void cs_compute_env_prepare(char **argv);

#endif
