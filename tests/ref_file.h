/* ref_file.h - reader of the CSREF001 reference files that the PyTorch scripts in tests/
 * write (tests/torch_ref.py, tests/gradcam_ref.py): magic b"CSREF001", then records
 *   u32 name_len, name bytes, u32 ndim, i32 dims[ndim], float32 data[prod(dims)]
 * ending with name_len 0, all little-endian.  Header-only, for tests. */
#ifndef CS_TESTS_REF_FILE_H
#define CS_TESTS_REF_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fsio.h"

typedef struct rec {
    char name[96];
    int ndim, dims[4];
    size_t n;
    const float *data;
} rec;

typedef struct reffile {
    uint8_t *buf;
    rec *r;
    int nr;
} reffile;

static int ref_load(reffile *f, const char *path)
{
    size_t len = 0;
    memset(f, 0, sizeof *f);
    if (cs_read_file(path, &f->buf, &len))
        return -1;
    if (len < 8 || memcmp(f->buf, "CSREF001", 8))
        return -1;
    size_t pos = 8;
    f->r = calloc(4096, sizeof(rec));
    for (;;) {
        uint32_t nl, nd;
        if (pos + 4 > len || f->nr >= 4096)
            return -1;
        memcpy(&nl, f->buf + pos, 4);
        pos += 4;
        if (nl == 0)
            return 0;
        rec *r = &f->r[f->nr++];
        if (nl >= sizeof r->name || pos + nl + 4 > len)
            return -1;
        memcpy(r->name, f->buf + pos, nl);
        pos += nl;
        memcpy(&nd, f->buf + pos, 4);
        pos += 4;
        if (nd > 4 || pos + 4 * nd > len)
            return -1;
        r->ndim = (int)nd;
        r->n = 1;
        for (uint32_t i = 0; i < nd; i++) {
            int32_t d;
            memcpy(&d, f->buf + pos, 4);
            pos += 4;
            r->dims[i] = d;
            r->n *= (size_t)d;
        }
        if (pos + 4 * r->n > len)
            return -1;
        r->data = (const float *)(f->buf + pos); /* 8-byte aligned enough: copied below */
        pos += 4 * r->n;
    }
}

static void ref_release(reffile *f)
{
    free(f->buf);
    free(f->r);
}

static const rec *ref_get(const reffile *f, const char *name)
{
    for (int i = 0; i < f->nr; i++)
        if (strcmp(f->r[i].name, name) == 0)
            return &f->r[i];
    return NULL;
}

/* The record copied out (the file buffer gives no alignment guarantee). */
static float *ref_floats(const reffile *f, const char *name, size_t want)
{
    const rec *r = ref_get(f, name);
    if (!r || r->n != want) {
        fprintf(stderr, "  reference '%s' missing or has %zu floats, want %zu\n", name,
                r ? r->n : 0, want);
        return NULL;
    }
    float *p = malloc(sizeof(float) * (want ? want : 1));
    memcpy(p, r->data, sizeof(float) * want);
    return p;
}

#endif
