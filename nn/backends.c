/* backends.c - the registry of compute backends (backends.h): one row per backend. */
#include "backends.h"

#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "selftest.h"

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

double cs_backend_bound(void)
{
    const char *v = getenv("CORESET_CUDA_TF32");
    return v && *v && strcmp(v, "0") != 0 ? CS_SELFTEST_NMSE_TF32 : CS_SELFTEST_NMSE_F32;
}

/* A device backend's first use in this process (per device): the quick self-check, so a
 * build nobody ran on this GPU refuses instead of training wrong. */
static int first_use_check(cs_backend **be, const cs_backend_info *e, int ordinal)
{
    static unsigned char checked[64];
    if (ordinal < 64 && checked[ordinal])
        return 0;
    int rc = cs_backend_selftest(*be, 0, cs_backend_bound(), NULL);
    if (rc) {
        cs_backend_free(*be);
        *be = NULL;
        cs_error_prefix("%s:%d refused", e->name, ordinal);
        return rc;
    }
    if (ordinal < 64)
        checked[ordinal] = 1;
    return 0;
}

int cs_backend_parse(const char *device, const cs_backend_info **info, int *ordinal)
{
    *info = NULL;
    *ordinal = 0;
    if (strcmp(device, "cpu") == 0)
        return 0;
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
        *ordinal = (int)v;
    }
    if ((*info = cs_backend_find(name)))
        return 0;
    if (strcmp(name, "cuda") == 0) {
        cs_backend *none = NULL;
        return cs_backend_cuda_create(&none, *ordinal); /* this build's not-built message */
    }
    return cs_error(CS_EINVAL, "no such backend in this build");
}

int cs_backend_create(cs_backend **be, const char *device, int nthreads)
{
    *be = NULL;
    const cs_backend_info *e;
    int ordinal, rc;
    if ((rc = cs_backend_parse(device, &e, &ordinal)))
        return rc;
    if (!e)
        return cs_backend_cpu_create(be, nthreads);
    if ((rc = e->create(be, ordinal, nthreads)) || !e->on_device)
        return rc;
    return first_use_check(be, e, ordinal);
}
