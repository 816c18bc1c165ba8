/* omp_wait.h - let OpenMP's idle threads sleep instead of spin, unless the user chose.
 *
 * libgomp's default has a thread that reaches a barrier spin for about 300,000 rounds
 * before it sleeps.  On a machine busier than its cores (ours: 2 cores, load 5-12 from
 * other jobs) the spinning thread takes the core from the very thread it waits for:
 * two-thread training ran 2-5x slower than one thread (cnn-small, 28x28, batch 128),
 * and with OMP_WAIT_POLICY=passive it ran at one-thread speed or better.  On an idle
 * machine sleeping costs a futex wake-up per parallel region: microseconds, where a
 * region of a training step computes for milliseconds.  libgomp reads the variable once,
 * when it is loaded, so a program that wants it for itself sets it and executes itself
 * again.  OMP_WAIT_POLICY=active (or any GOMP_SPINCOUNT) keeps libgomp's spinning. */
#ifndef CS_OMP_WAIT_H
#define CS_OMP_WAIT_H

/* Sets OMP_WAIT_POLICY=PASSIVE and returns 1 when neither OMP_WAIT_POLICY nor
 * GOMP_SPINCOUNT is set; else leaves the environment alone and returns 0. */
int cs_omp_choose_passive(void);
/* First thing in main: when cs_omp_choose_passive() set the variable, execute the
 * program's file (/proc/self/exe resolved) again with the same arguments; returns only
 * when it did not (the variable was set already, or exec failed: then libgomp keeps its
 * default). */
void cs_omp_prefer_passive(char **argv);
/* Execute the program's file (/proc/self/exe resolved, so the process keeps its name)
 * again with the same arguments and the current environment; returns only if it could
 * not.  For settings a library reads once, when it is loaded (libgomp, OpenBLAS). */
void cs_exec_self(char **argv);

#endif
