/* idx.h - IDX files (LeCun's MNIST format, as Fashion-MNIST ships it).
 *
 * Layout: two zero bytes, a type code, the rank, then `rank` big-endian
 * 32-bit dimensions, then the big-endian data.  Files may be gzip-compressed;
 * idx_load reads either kind whole into memory (zlib's gzread passes plain
 * files through), since a split is at most tens of megabytes. */
#ifndef CS_IDX_H
#define CS_IDX_H

#include "npy.h"

#include <stddef.h>
#include <stdint.h>

#define IDX_MAX_RANK 8

typedef struct idx_header {
    npy_etype etype;  /* element type (data is big-endian) */
    size_t elem_size;
    int rank;
    int64_t dims[IDX_MAX_RANK];
    size_t data_offset;
} idx_header;

/* Parse and validate the header of buf[0..len): magic, rank, and that the
 * data is as long as the dimensions say.  `what` names the file. */
int idx_parse(const uint8_t *buf, size_t len, idx_header *h, const char *what);
/* Read a whole IDX file (.gz or plain) into a malloc'd buffer. */
int idx_load(const char *path, uint8_t **buf, size_t *len);
/* Convert n big-endian elements of type t to host order in place. */
void idx_to_host(void *data, npy_etype t, size_t n);

#endif
