/* dataset_sha.h - the provenance hash of a dataset: what `source-sha256` in
 * an index file and `dataset_sha256` in scores.h5 hold. */
#ifndef CS_DATASET_SHA_H
#define CS_DATASET_SHA_H

/* A file: the SHA-256 of its bytes.  A folder (an IDX dataset such as
 * Fashion-MNIST): the SHA-256 of the text made of one line
 * "<sha256 of the file>  <file name>\n" per regular file in it (names not
 * starting with '.'), sorted by name (strcmp) - what
 * `sha256sum * | sha256sum` prints in that folder under LC_ALL=C.
 * hex receives 64 lower-case digits and a NUL. */
int cs_dataset_sha256(const char *path, char hex[65]);

#endif
