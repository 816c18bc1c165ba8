/* gemm.h - the one matrix multiply the CPU layers use (row-major sgemm).
 *
 * C (M,N) = alpha * op(A) op(B) + beta * C, with op(A) (M,K) and op(B) (K,N);
 * lda/ldb/ldc are the row strides of A, B and C as stored.  OpenBLAS when the
 * build has it (CS_HAVE_OPENBLAS), else a plain loop.  The layers call this from
 * inside their own OpenMP loops, so cs_gemm_single_thread() pins OpenBLAS to
 * one thread: parallelism and reduction order stay ours (deterministic). */
#ifndef CS_NN_GEMM_H
#define CS_NN_GEMM_H

void cs_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
              const float *b, int ldb, float beta, float *c, int ldc);
void cs_gemm_single_thread(void);
/* When OpenBLAS fell back to its Prescott kernels on a CPU with AVX2 and
 * OPENBLAS_CORETYPE is unset (cs_sgemm then runs the plain loop: see gemm.c), sets
 * OPENBLAS_CORETYPE to the core matching the CPU ("SkylakeX", "Haswell") and returns 1;
 * it takes effect in a new image of the program (cs_compute_env_prepare). Else 0. */
int cs_gemm_choose_core(void);

#endif
