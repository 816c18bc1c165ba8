/* run_dir.h - the run folder: the names of the files in it, who may write
 * it, and what readers and writers must check before they touch it.
 *
 * A run folder (coreset-score(1), FILES) holds run.yaml, trajectory.cst,
 * scores.h5, checkpoint.bin and the lock file, all written by `coreset score`,
 * and the index files `coreset select` writes beside them.  One process writes
 * a run at a time: `coreset score` (training, --resume, --rescore) holds an
 * exclusive flock(2) on RUN/lock for as long as it runs; the kernel releases
 * it when the process dies, however it dies, so a lock is never stale.  A
 * second writer is refused with the holder's pid; readers (select, export,
 * report, dump, inspect) refuse a run whose writer is still at work instead
 * of reading a trajectory that is still growing. */
#ifndef CS_RUN_DIR_H
#define CS_RUN_DIR_H

#include <stddef.h>

#define CS_RUN_YAML "run.yaml"
#define CS_RUN_TRAJ "trajectory.cst"
#define CS_RUN_SCORES "scores.h5"
#define CS_RUN_EMBED "embeddings.h5" /* penultimate features at a few epochs (formats/embed_file.h) */
#define CS_RUN_CKPT "checkpoint.bin"
#define CS_RUN_LOCK "lock"
#define CS_RUN_REPORT "report.html" /* coreset report's default page */
#define CS_RUN_IMAGES "images.h5"   /* dataset.kind folder: the decoded pixels, checksummed */

/* "<run_dir>/<name>" into buf. */
void cs_run_path(char *buf, size_t n, const char *run_dir, const char *name);

typedef struct cs_run_lock {
    int fd; /* -1: not held */
} cs_run_lock;

/* Take the run's write lock (creating RUN/lock), or fail with CS_EBUSY
 * naming the pid that holds it.  The folder must exist. */
int cs_run_lock_take(cs_run_lock *lk, const char *run_dir);
/* Release it (safe on a lock never taken). */
void cs_run_lock_release(cs_run_lock *lk);

/* CS_EBUSY, naming the writer's pid, while another process holds the run's
 * lock; 0 otherwise (also for a folder that is no run).  On 0 this process
 * holds a shared lock on the run until it exits: no writer starts while the
 * run is read ("being read by another coreset process"). */
int cs_run_check_idle(const char *run_dir);
/* Register the run's own files (and, unless the caller writes index files
 * itself, its index files) as inputs no output of this process may replace
 * (common/outguard.h). */
int cs_run_guard(const char *run_dir, int guard_indexes);
/* Before reading a run: cs_run_check_idle, then cs_run_guard. */
int cs_run_open_for_read(const char *run_dir, int guard_indexes);

#endif
