/* backends.h - the registry of compute backends: every backend this build has, by name.
 * One entry per backend in backends.c; train.device, `coreset selftest --device` and the
 * op test (tests/test_nn_backend.c) all make backends from it, so a new backend is one
 * entry plus its file. */
#ifndef CS_NN_BACKENDS_H
#define CS_NN_BACKENDS_H

#include "backend.h"

typedef struct cs_backend_info {
    const char *name;  /* its ops->name */
    const char *about; /* one line for listings */
    /* make it: device is the GPU ordinal (ignored by CPU backends), nthreads the CPU team */
    int (*create)(cs_backend **be, int device, int nthreads);
    int on_device;     /* 1: its memory is not host memory (host code must copy) */
} cs_backend_info;

/* Entries in the registry, and entry i (0: the CPU reference). */
int cs_backend_count(void);
const cs_backend_info *cs_backend_info_at(int i);
/* The entry of that name, or NULL. */
const cs_backend_info *cs_backend_find(const char *name);

/* Make a backend from a device string: "cpu" (the CPU backend to train with,
 * cs_backend_cpu_create), a registry name ("cpu-ref", "cuda", ...), or "cuda:N" for
 * GPU N.  CS_EUNSUP with a message for a name this build lacks (cuda without CUDA=1),
 * CS_EINVAL for one no build has; the backend's own error when it cannot start.  The
 * message does not repeat the device string: callers prefix it ("train.device 'x'").
 * Device backends pass the self-check below first. */
int cs_backend_create(cs_backend **be, const char *device, int nthreads);

/* The entry and GPU ordinal a device string names (*info NULL for "cpu", the training
 * alias); errors as cs_backend_create's. */
int cs_backend_parse(const char *device, const cs_backend_info **info, int *ordinal);

/* A device backend is checked against the CPU reference the first time a process makes
 * it for a device (cs_backend_selftest, quick, at this bound) and refused with the op and
 * its error when any op is beyond it. */
double cs_backend_bound(void);

/* The CUDA backend (nn/cuda/cuda_backend.cu) on GPU `device`; CS_EUNSUP in builds
 * without CUDA=1, CS_EUNSUP with the driver's reason where no such GPU is there. */
int cs_backend_cuda_create(cs_backend **be, int device);

#endif
