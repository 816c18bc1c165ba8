/* wfdb_dat.c - WFDB signal files: decode formats 16 and 212, de-interleave
 * the signals of each file, and verify the header's length, initial values
 * and checksums.
 *
 * Format 16: each sample a 16-bit two's complement little-endian word.
 * Format 212: each pair of consecutive samples packed in 3 bytes: byte 0 the
 * low 8 bits of the first, byte 1 low nibble its high 4 bits and high nibble
 * the high 4 bits of the second, byte 2 the low 8 bits of the second.  The
 * stream runs across frames, so with an odd signal count a pair straddles two
 * frames. */
#include "wfdb.h"

#include "../common/err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t cs_wfdb_bytes_for(int fmt, int64_t nvalues)
{
    if (fmt == 16)
        return 2 * nvalues;
    /* An odd last sample takes two bytes (its low byte and the nibble byte). */
    return nvalues / 2 * 3 + (nvalues % 2) * 2;
}

static int32_t sext12(uint32_t v) { return (int32_t)(v ^ 0x800) - 0x800; }

int cs_wfdb_decode(int fmt, const uint8_t *buf, size_t len, int64_t nvalues, int32_t *out)
{
    if (fmt != 16 && fmt != 212)
        return cs_error(CS_EUNSUP, "signal format %d is not supported (only 16 and 212)", fmt);
    if (nvalues < 0 || (uint64_t)cs_wfdb_bytes_for(fmt, nvalues) > len)
        return cs_error(CS_EINVAL, "%lld samples of format %d need more than %zu bytes",
                        (long long)nvalues, fmt, len);
    if (fmt == 16) {
        for (int64_t i = 0; i < nvalues; i++)
            out[i] = (int16_t)(uint16_t)(buf[2 * i] | (unsigned)buf[2 * i + 1] << 8);
        return 0;
    }
    int64_t i = 0;
    for (; i + 1 < nvalues; i += 2, buf += 3) {
        out[i] = sext12(buf[0] | ((uint32_t)buf[1] & 0x0f) << 8);
        out[i + 1] = sext12(buf[2] | ((uint32_t)buf[1] & 0xf0) << 4);
    }
    if (i < nvalues)
        out[i] = sext12(buf[0] | ((uint32_t)buf[1] & 0x0f) << 8);
    return 0;
}

/* Read the whole of `path` (bytes from `offset` on) into a malloc'd buffer. */
static int slurp(const char *path, int64_t offset, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    int rc = 0;
    *data = NULL;
    if (!f)
        return cs_error_errno(CS_EIO, "cannot open '%s'", path);
    if (fseeko(f, 0, SEEK_END) || ftello(f) < 0) {
        rc = cs_error_errno(CS_EIO, "cannot seek in '%s'", path);
        goto out;
    }
    int64_t size = ftello(f);
    if (size < offset) {
        rc = cs_error(CS_EFORMAT, "'%s': file holds %lld bytes, header puts samples at byte %lld",
                      path, (long long)size, (long long)offset);
        goto out;
    }
    *len = (size_t)(size - offset);
    if (!(*data = cs_malloc(*len)) || fseeko(f, offset, SEEK_SET)) {
        rc = *data ? cs_error_errno(CS_EIO, "cannot seek in '%s'", path) : CS_ENOMEM;
        goto out;
    }
    if (fread(*data, 1, *len, f) != *len) {
        rc = cs_error_errno(CS_EIO, "cannot read '%s'", path);
        goto out;
    }
out:
    fclose(f);
    if (rc) {
        free(*data);
        *data = NULL;
    }
    return rc;
}

/* Signals first..first+count-1 share one file; decode it into raw (nsamples x nsig). */
static int read_group(const cs_wfdb_header *h, const char *dir, int first, int count,
                      int32_t *raw)
{
    const cs_wfdb_signal *s0 = &h->sig[first];
    const int64_t ns = h->nsamples;
    int64_t nvalues = ns * count;
    uint8_t *data = NULL;
    int32_t *vals = NULL;
    size_t len = 0;
    char path[4096];
    int rc;
    if (s0->fname[0] == '/' || !strcmp(dir, "."))
        snprintf(path, sizeof path, "%s", s0->fname);
    else
        snprintf(path, sizeof path, "%s/%s", dir, s0->fname);
    if ((rc = slurp(path, s0->byte_offset, &data, &len)))
        goto out;
    if (cs_wfdb_bytes_for(s0->fmt, nvalues) > (int64_t)len) {
        int64_t have = s0->fmt == 16 ? (int64_t)len / 2 : (int64_t)len / 3 * 2 + (len % 3 >= 2);
        rc = cs_error(CS_EFORMAT,
                      "'%s': truncated: header of record '%s' says %lld samples per signal, file holds %lld",
                      path, h->name, (long long)ns, (long long)(have / count));
        goto out;
    }
    if (!(vals = cs_malloc((size_t)nvalues * sizeof *vals))) {
        rc = CS_ENOMEM;
        goto out;
    }
    if ((rc = cs_wfdb_decode(s0->fmt, data, len, nvalues, vals)))
        goto out;
    for (int k = 0; k < count; k++) {
        const cs_wfdb_signal *s = &h->sig[first + k];
        uint32_t sum = 0;
        for (int64_t t = 0; t < ns; t++) {
            int32_t v = vals[t * count + k];
            raw[t * h->nsig + first + k] = v;
            sum += (uint32_t)v;
        }
        if (ns > 0 && s->has_init_value && vals[k] != s->init_value) {
            rc = cs_error(CS_EFORMAT,
                          "record '%s' ('%s'): signal %d '%s': initial value in header is %d, first sample is %d",
                          h->name, path, first + k, s->description, (int)s->init_value,
                          (int)vals[k]);
            goto out;
        }
        /* The header's checksum is a signed 16-bit sum; compare mod 65536. */
        if (s->has_checksum && (uint16_t)sum != s->checksum) {
            rc = cs_error(CS_EFORMAT,
                          "record '%s' ('%s'): signal %d '%s': checksum in header is %d, samples sum to %d",
                          h->name, path, first + k, s->description, (int)(int16_t)s->checksum,
                          (int)(int16_t)(uint16_t)sum);
            goto out;
        }
    }
out:
    free(data);
    free(vals);
    return rc;
}

int cs_wfdb_read_signals(const cs_wfdb_header *h, const char *dir, int32_t **raw)
{
    *raw = NULL;
    if (!dir)
        dir = h->dir ? h->dir : ".";
    if (h->nsig > 0 && h->nsamples == 0)
        return cs_error(CS_EUNSUP, "'%s': header gives no sample count, which is not supported",
                        h->path);
    if (h->nsamples > ((int64_t)1 << 40) / (h->nsig ? h->nsig : 1))
        return cs_error(CS_EUNSUP, "'%s': %lld samples per signal is too many", h->path,
                        (long long)h->nsamples);
    int32_t *r = cs_malloc((size_t)(h->nsamples * h->nsig) * sizeof *r);
    if (!r)
        return CS_ENOMEM;
    for (int i = 0; i < h->nsig;) {
        int j = i + 1;
        while (j < h->nsig && !strcmp(h->sig[j].fname, h->sig[i].fname))
            j++;
        int rc = read_group(h, dir, i, j - i, r);
        if (rc) {
            free(r);
            return rc;
        }
        i = j;
    }
    *raw = r;
    return 0;
}

void cs_wfdb_to_physical(const cs_wfdb_header *h, const int32_t *raw, int64_t nsamples,
                         float *phys)
{
    for (int s = 0; s < h->nsig; s++) {
        const cs_wfdb_signal *g = &h->sig[s];
        const int32_t invalid = g->fmt == 16 ? -32768 : -2048;
        const double base = g->baseline, gain = g->gain;
        for (int64_t t = 0; t < nsamples; t++) {
            int32_t v = raw[t * h->nsig + s];
            phys[t * h->nsig + s] = v == invalid ? NAN : (float)(((double)v - base) / gain);
        }
    }
}

int cs_wfdb_read_physical(const cs_wfdb_header *h, const char *dir, float **phys)
{
    int32_t *raw = NULL;
    *phys = NULL;
    int rc = cs_wfdb_read_signals(h, dir, &raw);
    if (rc)
        return rc;
    float *p = cs_malloc((size_t)(h->nsamples * h->nsig) * sizeof *p);
    if (!p) {
        free(raw);
        return CS_ENOMEM;
    }
    cs_wfdb_to_physical(h, raw, h->nsamples, p);
    free(raw);
    *phys = p;
    return 0;
}
