/* index_source.h - does an index file describe this dataset?  One check for
 * every command that applies an index to a source (export, train --index):
 * the header's facts are compared with the source, never trusted. */
#ifndef CS_INDEX_SOURCE_H
#define CS_INDEX_SOURCE_H

#include "../datasets/dataset.h"
#include "index_file.h"

/* First, before the dataset is opened: index `ix` (read from idx_path) names
 * the SHA-256 of the file at source_path in its source-sha256 header. */
int cs_index_check_sha(const char *idx_path, const cs_index_file *ix, const char *source_path);
/* Then, with the dataset open as ds: the index's n is the sample count of
 * split `split`, its split (when named) is this split, its num-classes (when
 * given) the dataset's class count.  Else CS_EFORMAT naming the index, the
 * source and the fact that differs. */
int cs_index_check_source(const char *idx_path, const cs_index_file *ix, const char *source_path,
                          const cs_dataset *ds, const char *split);

#endif
