/* kv.h - a key and a string value: the provenance attributes that score,
 * export and dump write into the HDF5 files they make. */
#ifndef CS_KV_H
#define CS_KV_H

typedef struct cs_kv {
    const char *key;
    const char *value;
} cs_kv;

#endif
