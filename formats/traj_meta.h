/* traj_meta.h - the trajectory header's metadata: "key=value" lines (the
 * run's dataset, its SHA-256, model, epochs, seed, ...; written by
 * score/surrogate.c), read here and only here. */
#ifndef CS_TRAJ_META_H
#define CS_TRAJ_META_H

#include <stddef.h>
#include <stdint.h>

#include "traj.h"

/* Call fn for every well-formed line in order: a key of at least one byte
 * before the first '=', no NUL byte in the line.  Stops at, and returns,
 * the first non-zero return of fn; else 0. */
int cs_traj_meta_each(const cs_traj_header_info *h,
                      int (*fn)(void *ctx, const char *key, size_t klen, const char *val, size_t vlen), void *ctx);
/* The value of `key` into out ("" when absent or too long a key); 1 if found. */
int cs_traj_meta_get(const cs_traj_header_info *h, const char *key, char *out, size_t len);
/* The fold of each of the h->n samples into fold[] and the fold count into *K
 * (score.folds; a trajectory without folds: K = 1, every fold 0). */
int cs_traj_meta_folds(const cs_traj_header_info *h, int *K, uint8_t *fold);
/* Append-ready "folds=K\nfold_of=<digit per sample>\n" into buf (NUL-ended);
 * returns its length, 0 for K = 1 (nothing written: K = 1 metadata is as
 * before folds), or the bytes needed (> cap) when buf is too small. */
size_t cs_traj_meta_put_folds(char *buf, size_t cap, int K, const uint8_t *fold, int64_t n);

#endif
