/* checksum.h - XXH64, the 64-bit checksum of coreset's own file formats.
 *
 * Written from the public xxHash specification (XXH64, seed 0 unless stated);
 * it is the same function zstd uses for its frame checksums, so any xxhsum
 * tool can check our values. */
#ifndef CS_CHECKSUM_H
#define CS_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

uint64_t cs_xxh64(const void *data, size_t len, uint64_t seed);

#endif
