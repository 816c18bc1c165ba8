/* cuda_info.cu - the CUDA build's device report: runtime, cuDNN, first device.
 * The GPU backend proper grows beside this file (issue: GPU backend). */
#include <cuda_runtime.h>
#include <cudnn.h>

#include <stdio.h>

extern "C" int cs_have_cuda(void) { return 1; }

extern "C" void cs_cuda_describe(char *buf, size_t n)
{
    int rt = 0, drv = 0, count = 0;
    cudaRuntimeGetVersion(&rt);
    cudaDriverGetVersion(&drv);
    size_t dnn = cudnnGetVersion();
    cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess || count == 0) {
        snprintf(buf, n, "CUDA runtime %d, cuDNN %zu; no CUDA device: %s", rt, dnn,
                 err != cudaSuccess ? cudaGetErrorString(err) : "no device found");
        return;
    }
    cudaDeviceProp p;
    cudaGetDeviceProperties(&p, 0);
    snprintf(buf, n, "CUDA runtime %d, driver %d, cuDNN %zu; %d device(s), 0: %s (sm_%d%d, %.0f GiB)",
             rt, drv, dnn, count, p.name, p.major, p.minor, (double)p.totalGlobalMem / (1 << 30));
}
