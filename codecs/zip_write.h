/* zip_write.h - a streaming zip writer for stored (method 0) members whose
 * sizes are known before their bytes: the local header goes out first, the
 * data is streamed through CRC-32, and the CRC is patched into the local
 * header when the member ends.  Zip64 records are added only where a size,
 * an offset or the member count needs them.  Writes into a FILE the caller
 * owns (a cs_afile's temp file); `path` names it in messages. */
#ifndef CS_ZIP_WRITE_H
#define CS_ZIP_WRITE_H

#include <stdint.h>
#include <stdio.h>

typedef struct cs_zipw cs_zipw;

int cs_zipw_create(cs_zipw **out, FILE *fp, const char *path);
void cs_zipw_free(cs_zipw *z); /* NULL is fine */
/* Start a member of exactly `size` bytes. */
int cs_zipw_begin(cs_zipw *z, const char *name, uint64_t size);
int cs_zipw_write(cs_zipw *z, const void *buf, size_t n);
/* End the member: checks the byte count, patches the CRC. */
int cs_zipw_end(cs_zipw *z);
/* Write the central directory (and the zip64 end records when needed). */
int cs_zipw_finish(cs_zipw *z);

#endif
