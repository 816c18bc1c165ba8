/* npy.h - NumPy .npy arrays: the header parser and range reads.
 *
 * The parser works on memory (the fuzz target and the zip reader use it that
 * way); an npy_src then names where the bytes live: a file range (a bare .npy,
 * a stored .npz member) or a buffer (an inflated member), so reads of a sample
 * range never load the whole array.  Only little-endian, C-order arrays of the
 * element types in npy_etype are accepted; anything else is a clear error. */
#ifndef CS_NPY_H
#define CS_NPY_H

#include <stddef.h>
#include <stdint.h>

#define NPY_MAX_RANK 8

/* Element types shared by the readers (npy, IDX, HDF5 labels). */
typedef enum npy_etype {
    NPY_U8 = 1, NPY_I8, NPY_U16, NPY_I16, NPY_U32, NPY_I32, NPY_U64, NPY_I64, NPY_F32, NPY_F64
} npy_etype;

typedef struct npy_header {
    npy_etype etype;
    size_t elem_size;
    int rank;
    int64_t shape[NPY_MAX_RANK];
    size_t data_offset; /* bytes from the start of the .npy to the data */
} npy_header;

/* Parse the header at the start of buf[0..len).  `what` names the file in
 * messages ("'x.npz': member 'train_images.npy'").  Fails unless the whole
 * header is inside the buffer; does not look at the data. */
int npy_parse_header(const uint8_t *buf, size_t len, npy_header *h, const char *what);
/* Bytes needed to hold the whole header: from the first 12 bytes, or 0 with a
 * message when they are not an npy preamble. */
size_t npy_header_size(const uint8_t *buf, size_t len, const char *what);

/* Product of shape[1..] (elements per sample) and the array's data bytes;
 * -1 when they overflow. */
int64_t npy_sample_elems(const npy_header *h);
int64_t npy_data_bytes(const npy_header *h);
const char *npy_etype_name(npy_etype t);
int npy_etype_is_int(npy_etype t);

/* Where an .npy's bytes are: mem if non-NULL, else fd at offset base. */
typedef struct npy_src {
    int fd;
    uint64_t base;
    const uint8_t *mem;
    uint64_t len; /* bytes of the .npy (header + data) */
} npy_src;

/* Check that total_len bytes of .npy hold the data the header promises. */
int npy_check_len(const npy_header *h, uint64_t total_len, const char *what);
int npy_src_read(const npy_src *s, uint64_t off, void *buf, size_t n, const char *what);
/* Read and parse the header of src and check that the data is as long as
 * the shape says ("header says 100 samples, file holds 98"). */
int npy_src_header(const npy_src *s, npy_header *h, const char *what);

#endif
