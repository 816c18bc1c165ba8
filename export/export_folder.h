/* export_folder.h - the pruned dataset in the user's own layout, for
 * datasets read from image folders (dataset.kind folder).
 *
 * --format folder: OUT/ gets the kept files of the pruned split and every
 * file of the other splits, each at its own relative path (so the
 * ImageFolder layout or the CSV's paths hold unchanged), hard-linked where
 * the filesystem allows and copied otherwise, plus OUT/coreset-manifest.txt:
 * the provenance ("key: value" lines, the index header and the export) and
 * then one "kept: <path>" line per kept file.  Written into
 * OUT.tmp.<pid>.XXXXXX and renamed to OUT, so OUT appears whole or not at all.
 *
 * --format csv: the source CSV's header and the rows of the kept samples and
 * of every other split, byte for byte, in the table's order. */
#ifndef CS_EXPORT_FOLDER_H
#define CS_EXPORT_FOLDER_H

#include "../common/kv.h"
#include "../datasets/dataset.h"

#include <stdint.h>

#define CS_EXPORT_MANIFEST "coreset-manifest.txt"

/* idx: m ascending indices into `split`. */
int cs_export_folder(cs_dataset *src, const char *split, const int64_t *idx, int64_t m, const cs_kv *attrs,
                     int nattrs, const char *out_dir);
/* csv_path: the source table; path_column: its path column (dataset.csv_path_column). */
int cs_export_csv(cs_dataset *src, const char *split, const int64_t *idx, int64_t m, const char *csv_path,
                  const char *path_column, const char *out_path);

#endif
