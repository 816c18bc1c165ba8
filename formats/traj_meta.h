/* traj_meta.h - the trajectory header's metadata: "key=value" lines (the
 * run's dataset, its SHA-256, model, epochs, seed, ...; written by
 * score/surrogate.c), read here and only here. */
#ifndef CS_TRAJ_META_H
#define CS_TRAJ_META_H

#include <stddef.h>

#include "traj.h"

/* Call fn for every well-formed line in order: a key of at least one byte
 * before the first '=', no NUL byte in the line.  Stops at, and returns,
 * the first non-zero return of fn; else 0. */
int cs_traj_meta_each(const cs_traj_header_info *h,
                      int (*fn)(void *ctx, const char *key, size_t klen, const char *val, size_t vlen), void *ctx);
/* The value of `key` into out ("" when absent or too long a key); 1 if found. */
int cs_traj_meta_get(const cs_traj_header_info *h, const char *key, char *out, size_t len);

#endif
