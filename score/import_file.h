/* import_file.h - the file `coreset import` reads: named arrays of training
 * dynamics in an HDF5 file (h5py: one dataset per name at the root) or an npz
 * archive (np.savez / np.savez_compressed: one NAME.npy member per name).
 *
 * Arrays are read as float32 rows of their first axis (an epoch of [T, N, C]
 * at a time, so HDF5 files never load whole) or whole as int64 (labels, the
 * `used` flags).  npz members that are deflated are inflated once, whole, and
 * kept until the file is closed; stored members are read by range.  The
 * format is told by the file's first bytes, not its name. */
#ifndef CS_IMPORT_FILE_H
#define CS_IMPORT_FILE_H

#include <stddef.h>
#include <stdint.h>

#define CS_DYN_MAX_RANK 8

typedef struct cs_dyn_file cs_dyn_file;

typedef struct cs_dyn_array {
    int rank;
    int64_t shape[CS_DYN_MAX_RANK];
    int is_int;          /* integer elements (labels, used) */
    const char *type;    /* element type for messages: "float32", "int64", ... */
} cs_dyn_array;

/* Open path (HDF5 or npz); anything else is an error naming it. */
int cs_dyn_open(cs_dyn_file **f, const char *path);
/* An npz archive in memory (the fuzz target); buf must outlive the file. */
int cs_dyn_open_mem(cs_dyn_file **f, const uint8_t *buf, size_t len, const char *name);
void cs_dyn_close(cs_dyn_file *f); /* NULL is fine */
/* The path (or name) messages use. */
const char *cs_dyn_path(const cs_dyn_file *f);

/* 1 with *a filled when the file holds array `name`, 0 when it does not, or a
 * negative code for an array that cannot be read (an unsupported type). */
int cs_dyn_find(cs_dyn_file *f, const char *name, cs_dyn_array *a);
/* Rows [row, row + count) of the first axis, as float32 (every element of
 * those rows, C order). */
int cs_dyn_read_rows(cs_dyn_file *f, const char *name, int64_t row, int64_t count, float *out);
/* The whole integer array as int64. */
int cs_dyn_read_int(cs_dyn_file *f, const char *name, int64_t *out);

#endif
