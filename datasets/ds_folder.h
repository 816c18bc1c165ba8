/* ds_folder.h - what the image-folder reader (ds_folder.c) shares with its
 * cache (ds_folder_cache.c); private to datasets/. */
#ifndef CS_DS_FOLDER_H
#define CS_DS_FOLDER_H

#include "ds_backend.h"

typedef struct folder_item {
    char *rel;      /* path relative to the dataset folder, as listed / as in the CSV */
    int split;      /* index into ds->split */
    int32_t label;
} folder_item;

typedef struct folder_ctx {
    folder_item *items; /* every listed file, split by split, in reading order */
    int64_t n_items;
    /* Per split: the items kept (indices into items) and their pixels,
     * n * elems values of 0..255 or 0..65535. */
    int64_t *kept[CS_MAX_SPLITS];
    uint16_t *px[CS_MAX_SPLITS];
    int64_t skipped;
    int from_cache; /* the pixels came from a cache: saving it again is a no-op */
    char key[65]; /* SHA-256 of the listing and the options: what a cache must match */
} folder_ctx;

/* Load the cache at path into c->kept / c->px (and ds's splits' n, shape,
 * dtype) if it exists, carries c->key and its checksum holds: 1 loaded, 0 not
 * usable (a warning says why, unless there is no file), < 0 an error. */
int ds_folder_cache_load(cs_dataset *ds, folder_ctx *c, const char *path);
int ds_folder_cache_save(cs_dataset *ds, const char *path);

#endif
