/* sha256.h - SHA-256 (FIPS 180-4) for dataset provenance. */
#ifndef CS_SHA256_H
#define CS_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct cs_sha256 {
    uint32_t h[8];
    uint64_t len;      /* bytes hashed so far */
    uint8_t buf[64];
    size_t fill;
} cs_sha256;

void cs_sha256_init(cs_sha256 *s);
void cs_sha256_update(cs_sha256 *s, const void *data, size_t n);
void cs_sha256_final(cs_sha256 *s, uint8_t out[32]);
/* Lower-case hex digest of a whole file, streamed; hex must hold 65 bytes. */
int cs_sha256_file(const char *path, char hex[65]);
void cs_sha256_hex(const uint8_t d[32], char hex[65]);

#endif
