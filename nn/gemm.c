/* gemm.c - cs_sgemm over OpenBLAS, or a plain i-k-j loop without it.
 *
 * OpenBLAS 0.3.21 (Debian 12) does not know some recent Intel CPUs as they show
 * themselves under virtualisation ("Intel(R) Xeon(R) Processor", AVX-512 present) and
 * falls back to its Prescott kernels, whose sgemm gives wrong results for the shapes
 * ResNet-18's convolutions use (tests/test_nn_backend.c: gradients off by 91% against
 * the same layers with OPENBLAS_CORETYPE=Haswell).  A wrong product trains silently
 * wrong, so when OpenBLAS runs its Prescott core on a CPU with AVX2 and the user did not
 * choose a core (OPENBLAS_CORETYPE), the plain loop is used instead; a program that
 * calls cs_compute_env_prepare (nn/device.h) first runs itself again with the core that
 * matches the CPU (cs_gemm_choose_core), so only other programs take the slow path. */
#include "gemm.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void plain_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
                        int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
    for (int i = 0; i < m; i++) {
        float *ci = c + (long)i * ldc;
        for (int j = 0; j < n; j++)
            ci[j] = beta == 0.0f ? 0.0f : beta * ci[j];
        for (int p = 0; p < k; p++) {
            float av = alpha * (trans_a ? a[(long)p * lda + i] : a[(long)i * lda + p]);
            if (trans_b) {
                for (int j = 0; j < n; j++)
                    ci[j] += av * b[(long)j * ldb + p];
            } else {
                const float *bp = b + (long)p * ldb;
                for (int j = 0; j < n; j++)
                    ci[j] += av * bp[j];
            }
        }
    }
}

#ifdef CS_HAVE_OPENBLAS
#include <cblas.h>

static const char *misdetected_core(void)
{
    const char *core = openblas_get_corename();
    if (getenv("OPENBLAS_CORETYPE") || !core || strcasecmp(core, "Prescott") != 0)
        return NULL;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2"))
        return "Haswell";
    return NULL;
}

int cs_gemm_choose_core(void)
{
    const char *core = misdetected_core();
    return core && setenv("OPENBLAS_CORETYPE", core, 1) == 0;
}

/* -1 unknown, 0 OpenBLAS, 1 the plain loop; decided by the first call, which may come
 * from several OpenMP threads at once: they all store the same value, atomically. */
static int use_plain = -1;

void cs_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
              const float *b, int ldb, float beta, float *c, int ldc)
{
    int plain = __atomic_load_n(&use_plain, __ATOMIC_RELAXED);
    if (plain < 0) {
        plain = misdetected_core() != NULL;
        __atomic_store_n(&use_plain, plain, __ATOMIC_RELAXED);
    }
    if (plain) {
        plain_sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void cs_gemm_single_thread(void) { openblas_set_num_threads(1); }

#else

int cs_gemm_choose_core(void) { return 0; }

void cs_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
              const float *b, int ldb, float beta, float *c, int ldc)
{
    plain_sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void cs_gemm_single_thread(void) {}

#endif
