/* zip.h - read-only zip archives (what numpy's savez / savez_compressed write).
 *
 * The central directory is parsed once; members are found by name.  Stored
 * members can be read by range straight from the file (zip_member_offset gives
 * where their bytes start); deflated ones are inflated whole, or just their
 * first bytes, with zlib.  A full extraction checks size and CRC-32.  Zip64
 * sizes and offsets are understood; encrypted members and other methods are
 * refused.  An archive can live in a file or in memory (for the fuzz target). */
#ifndef CS_ZIP_H
#define CS_ZIP_H

#include <stddef.h>
#include <stdint.h>

typedef struct zip_member {
    char *name;
    int method;         /* 0 stored, 8 deflated */
    uint32_t crc;
    uint64_t comp_size; /* bytes in the archive */
    uint64_t size;      /* bytes once extracted */
    uint64_t local_off; /* offset of the local header */
} zip_member;

typedef struct cs_zip cs_zip;

int zip_open_file(cs_zip **out, const char *path);
/* buf must outlive the archive; `name` is used in messages. */
int zip_open_mem(cs_zip **out, const uint8_t *buf, size_t len, const char *name);
void zip_free(cs_zip *z); /* NULL is fine */

int zip_count(const cs_zip *z);
const zip_member *zip_member_at(const cs_zip *z, int i);
int zip_find(const cs_zip *z, const char *name); /* index, or -1 */
/* The file descriptor of a file-backed archive, -1 for one in memory. */
int zip_fd(const cs_zip *z);
/* Absolute offset of member i's data (after its local header). */
int zip_member_offset(cs_zip *z, int i, uint64_t *off);
/* Extract member i whole into a malloc'd buffer, checking size and CRC-32. */
int zip_extract(cs_zip *z, int i, uint8_t **buf, size_t *len);
/* The first n bytes of member i (n <= size), inflating only what is needed. */
int zip_read_prefix(cs_zip *z, int i, uint8_t *buf, size_t n);
/* Stream member i once and check its CRC-32 without keeping it. */
int zip_verify(cs_zip *z, int i);

#endif
