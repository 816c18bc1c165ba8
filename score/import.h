/* import.h - `coreset import`: a run folder from training dynamics recorded
 * elsewhere (the user's own training loop; examples/pytorch_dynamics.py).
 *
 * The run folder is the one `coreset score` writes (run/run_dir.h names):
 * trajectory.cst (one frame per imported epoch, run 0), scores.h5 (through
 * cs_rescore, so every score is computed by the same code), run.yaml (the
 * config with train.epochs = T and score.runs = 1, and a provenance section
 * naming the imported file and its SHA-256), embeddings.h5 when the file has
 * embeddings; no checkpoint (there is no model).  select, export, report,
 * dump and `coreset score --rescore` then work unchanged.
 *
 * The config's dataset must be the one the dynamics were recorded on: its
 * training split must hold the same N samples with the same labels in the
 * same order, and the same number of classes.  Everything is checked before
 * anything is written; a failure leaves no run folder behind. */
#ifndef CS_IMPORT_H
#define CS_IMPORT_H

#include "../config/config.h"

int cs_import_run(const cs_config *cfg, const char *file, const char *run_dir);

#endif
