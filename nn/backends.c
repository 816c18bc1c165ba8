/* backends.c - the registry of compute backends (backends.h): one row per backend. */
#include "backends.h"

#include <stdlib.h>
#include <string.h>

#include "../common/err.h"

static int ref_make(cs_backend **be, int device, int nthreads)
{
    (void)device;
    return cs_backend_ref_create(be, nthreads);
}

#ifdef CS_HAVE_DNNL
static int dnnl_make(cs_backend **be, int device, int nthreads)
{
    (void)device;
    return cs_backend_dnnl_create(be, nthreads, 0);
}

static int dnnl_wino_make(cs_backend **be, int device, int nthreads)
{
    (void)device;
    return cs_backend_dnnl_create(be, nthreads, 1);
}
#endif

#ifdef CS_CUDA
static int cuda_make(cs_backend **be, int device, int nthreads)
{
    (void)nthreads;
    return cs_backend_cuda_create(be, device);
}
#else
int cs_backend_cuda_create(cs_backend **be, int device)
{
    (void)device;
    *be = NULL;
    return cs_error(CS_EUNSUP, "the CUDA backend is not built (rebuild with make CUDA=1)");
}
#endif

static const cs_backend_info registry[] = {
    {"cpu-ref", "CPU reference: NCHW, im2col + sgemm", ref_make, 0},
#ifdef CS_HAVE_DNNL
    {"cpu-onednn", "CPU: oneDNN direct convolutions, blocked layout", dnnl_make, 0},
    {"cpu-onednn-winograd", "CPU: oneDNN with Winograd 3x3 convolutions", dnnl_wino_make, 0},
#endif
#ifdef CS_CUDA
    {"cuda", "NVIDIA GPU: cuDNN convolutions, cuBLAS linear, own kernels", cuda_make, 1},
#endif
};

int cs_backend_count(void) { return (int)(sizeof registry / sizeof registry[0]); }

const cs_backend_info *cs_backend_info_at(int i)
{
    return i >= 0 && i < cs_backend_count() ? &registry[i] : NULL;
}

const cs_backend_info *cs_backend_find(const char *name)
{
    for (int i = 0; i < cs_backend_count(); i++)
        if (strcmp(registry[i].name, name) == 0)
            return &registry[i];
    return NULL;
}

int cs_backend_create(cs_backend **be, const char *device, int nthreads)
{
    *be = NULL;
    if (strcmp(device, "cpu") == 0)
        return cs_backend_cpu_create(be, nthreads);
    int ordinal = 0;
    const char *name = device;
    char base[16];
    const char *colon = strchr(device, ':');
    if (colon) { /* "cuda:N": the registry name, then the GPU ordinal */
        char *end;
        long v = strtol(colon + 1, &end, 10);
        size_t len = (size_t)(colon - device);
        if (*end || end == colon + 1 || v < 0 || v > 9999 || len >= sizeof base)
            return cs_error(CS_EINVAL, "expected cpu, cuda or cuda:N");
        memcpy(base, device, len);
        base[len] = '\0';
        name = base;
        ordinal = (int)v;
    }
    const cs_backend_info *e = cs_backend_find(name);
    if (!e) {
        if (strcmp(name, "cuda") == 0)
            return cs_backend_cuda_create(be, ordinal); /* the not-built message */
        return cs_error(CS_EINVAL, "no such backend in this build");
    }
    return e->create(be, ordinal, nthreads);
}
