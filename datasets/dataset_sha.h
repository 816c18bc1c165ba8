/* dataset_sha.h - the provenance hash of a dataset: what `source-sha256` in
 * an index file and `dataset_sha256` in scores.h5 hold. */
#ifndef CS_DATASET_SHA_H
#define CS_DATASET_SHA_H

/* A file: the SHA-256 of its bytes.  A folder (an IDX dataset such as
 * Fashion-MNIST, a PTB-XL or WFDB database): the SHA-256 of the text made of
 * one line "<sha256 of the file>  <relative path>\n" per regular file under
 * it, subfolders included (names starting with '.' left out at every level),
 * sorted by path (strcmp) - what
 *   find . -type f | grep -v '/[.]' | sed 's|^[.]/||' | LC_ALL=C sort | xargs sha256sum | sha256sum
 * prints in that folder; for a flat folder, `sha256sum * | sha256sum`.
 * hex receives 64 lower-case digits and a NUL. */
int cs_dataset_sha256(const char *path, char hex[65]);

#endif
