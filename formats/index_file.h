/* index_file.h - the coreset index file (man/coreset-index.5): a text file
 * of `# key: value` header lines after the marker `# coreset-index 1`, then
 * one 0-based sample index per line, strictly ascending.  Plus a writer for
 * the same indices as an int64 .npy array. */
#ifndef CS_INDEX_FILE_H
#define CS_INDEX_FILE_H

#include <stddef.h>
#include <stdint.h>

#define CS_INDEX_MARKER "coreset-index"
#define CS_INDEX_VERSION 1

typedef struct cs_index_kv {
    char *key;
    char *value;
} cs_index_kv;

typedef struct cs_index_file {
    int64_t n;        /* samples in the source split */
    int64_t m;        /* indices held */
    int64_t *idx;     /* m indices, ascending, each < n */
    int num_keys;     /* header entries besides n and m, in file order */
    cs_index_kv *kv;
} cs_index_file;

void cs_index_file_init(cs_index_file *f);
void cs_index_file_release(cs_index_file *f);

/* Set a header entry (replacing one of the same key).  Keys are [a-z0-9_-]+
 * other than "n" and "m"; values are one line of printable text. */
int cs_index_file_set(cs_index_file *f, const char *key, const char *value);
/* The value of a key, or NULL. */
const char *cs_index_file_get(const cs_index_file *f, const char *key);
/* Copy m indices of a split of n samples into f. */
int cs_index_file_set_indices(cs_index_file *f, const int64_t *idx, int64_t m, int64_t n);

/* Write atomically (cs_afile).  The same f gives the same bytes: the writer
 * adds nothing of its own, no clock time in particular. */
int cs_index_write(const char *path, const cs_index_file *f);
/* As cs_index_write, but an existing file of other content is refused unless
 * `force`: a second selection never silently replaces the first. */
int cs_index_write_new(const char *path, const cs_index_file *f, int force);
/* Read and verify: the marker and version, every header line, every index
 * line an integer, strictly ascending, all < n, count == m.  Errors name the
 * file and line ("'x.idx':7: ..."). */
int cs_index_read(const char *path, cs_index_file *f);
/* As cs_index_read, from len bytes in memory; `path` names them in errors. */
int cs_index_parse(const char *path, const void *data, size_t len, cs_index_file *f);

/* Write idx as a NumPy .npy file, version 1.0, dtype '<i8', shape (m,). */
int cs_index_write_npy(const char *path, const int64_t *idx, int64_t m);

#endif
