/* selftest.h - a backend's ops against the CPU reference on small random cases: the
 * check a device backend runs when a process first uses it (so an unverified build can
 * never train silently wrong) and `coreset selftest` prints as a matrix. */
#ifndef CS_NN_SELFTEST_H
#define CS_NN_SELFTEST_H

#include <stdio.h>

#include "backend.h"

/* The bound every op is held to: normalised mean squared error
 * sum (got - ref)^2 / sum ref^2 against the reference backend.  float32 arithmetic in
 * other summation orders stays far below it; TF32 (CORESET_CUDA_TF32) has its own. */
#define CS_SELFTEST_NMSE_F32 1e-10
#define CS_SELFTEST_NMSE_TF32 1e-5

/* Run every op of be on a small case (full: every shape of the matrix, else one of each
 * op, well under a second) and compare with the reference backend.  fp: one line per op
 * and shape ("conv 16x9x9->32 k3 s2 forward  nmse 1.2e-15  ok"), or NULL.  Returns 0, or
 * CS_EINTERNAL with a message naming the first op beyond `bound` (or the backend's error). */
int cs_backend_selftest(const cs_backend *be, int full, double bound, FILE *fp);

#endif
