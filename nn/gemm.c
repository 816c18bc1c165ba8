/* gemm.c - cs_sgemm over OpenBLAS, or a plain i-k-j loop without it. */
#include "gemm.h"

#ifdef CS_HAVE_OPENBLAS
#include <cblas.h>

void cs_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
              const float *b, int ldb, float beta, float *c, int ldc)
{
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void cs_gemm_single_thread(void) { openblas_set_num_threads(1); }

#else

void cs_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
              const float *b, int ldb, float beta, float *c, int ldc)
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

void cs_gemm_single_thread(void) {}

#endif
