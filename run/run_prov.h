/* run_prov.h - the `provenance:` mapping of a run's run.yaml.
 *
 * `coreset score` writes run.yaml as the resolved config followed by a
 * top-level `provenance:` mapping (tool version, dataset and its sha256,
 * split, seed, threads, device, wall time, effective epochs).  This reads
 * that mapping back, through libyaml, for `coreset inspect` and `coreset
 * report`: one parser, so quoting and escapes mean the same to both. */
#ifndef CS_RUN_PROV_H
#define CS_RUN_PROV_H

#include <stddef.h>

typedef struct cs_prov_item {
    char *key;
    char *value; /* a scalar as is; a sequence of scalars as "[a, b, c]" */
    char **list; /* a sequence's scalars one by one (NULL for a scalar, or
                  * for a sequence holding more than scalars) */
    int nlist;
} cs_prov_item;

typedef struct cs_run_prov {
    cs_prov_item *item; /* in file order */
    int n;
} cs_run_prov;

/* Reads the provenance mapping of the run.yaml at path.  No `provenance:`
 * key gives n = 0 and no error; malformed YAML is an error naming
 * path:line:column.  Release with cs_run_prov_release even on error. */
int cs_run_prov_read(cs_run_prov *p, const char *path);
/* The same from memory; name stands for the file in messages. */
int cs_run_prov_read_mem(cs_run_prov *p, const char *name, const void *buf, size_t len);
/* The value of key, NULL when the mapping has no such key. */
const char *cs_run_prov_get(const cs_run_prov *p, const char *key);
void cs_run_prov_release(cs_run_prov *p);
/* The class names `coreset score` recorded (provenance `class_names`), when
 * the list names exactly num_classes classes: names[c] points into p.
 * Returns 1 if names were filled, 0 if the run has none (older runs, or a
 * dataset without names: callers print class numbers then). */
int cs_run_prov_class_names(const cs_run_prov *p, int num_classes, const char **names);

#endif
