/* surrogate.h - `coreset score`: the surrogate-training pass over a run
 * directory, and re-scoring from its trajectory.
 *
 * A run directory holds:
 *   run.yaml        the resolved config, then a `provenance:` section
 *   trajectory.cst  one frame per (run, epoch): coreset-trajectory(5)
 *   checkpoint.bin  the state after the last finished epoch (resume)
 *   scores.h5       every score (scores_file.h)
 * Crash safety: after each epoch the checkpoint (holding that epoch's record)
 * is written first, then the trajectory frame; resume appends the frame if
 * the crash fell between the two, so the result is bit-identical to a run
 * never interrupted (same seed, threads and device). */
#ifndef CS_SURROGATE_H
#define CS_SURROGATE_H

#include "../run/run_dir.h" /* cs_run_path */
#include "../config/config.h"

/* Train cfg->score.runs surrogates on the training split, record every epoch,
 * then write scores.h5 and run.yaml.  `resume`: continue the run in run_dir
 * (cfg must be the one read from its run.yaml). */
int cs_surrogate_run(const cs_config *cfg, const char *run_dir, int resume);

/* Recompute scores.h5 from run_dir's trajectory with cfg's score parameters,
 * streaming frame by frame. */
int cs_rescore(const cs_config *cfg, const char *run_dir);
/* cs_rescore under the run's write lock (coreset score --rescore). */
int cs_rescore_run(const cs_config *cfg, const char *run_dir);

#endif
