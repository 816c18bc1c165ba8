/* wfdb_atr.c - MIT-format annotation files (.atr and the like).
 *
 * A stream of 16-bit little-endian words: the top 6 bits a code A, the low 10
 * bits a field I.  A in 1..49 is an annotation I samples after the previous
 * one.  Special codes: SKIP (59) adds the 32-bit interval in the next two
 * words (high word first, each little-endian: PDP-11 order) to the time of
 * the annotation that follows; NUM (60), SUB (61), CHN (62) set the num,
 * subtype and chan of the preceding annotation from I's low byte; AUX (63)
 * attaches I's low byte of text bytes that follow, padded to even length.
 * A word of 0 ends the file.  num and chan carry over to later annotations;
 * subtype and aux do not. */
#include "wfdb.h"

#include "../common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

enum { ACMAX = 49, SKIP = 59, NUM = 60, SUB = 61, CHN = 62, AUX = 63 };

/* ecgcodes.h of the WFDB library; "" for codes it leaves unassigned. */
static const char *const symbols[ACMAX + 1] = {
    [0] = " ",  [1] = "N",  [2] = "L",  [3] = "R",  [4] = "a",  [5] = "V",  [6] = "F",
    [7] = "J",  [8] = "A",  [9] = "S",  [10] = "E", [11] = "j", [12] = "/", [13] = "Q",
    [14] = "~", [16] = "|", [18] = "s", [19] = "T", [20] = "*", [21] = "D", [22] = "\"",
    [23] = "=", [24] = "p", [25] = "B", [26] = "^", [27] = "t", [28] = "+", [29] = "u",
    [30] = "?", [31] = "!", [32] = "[", [33] = "]", [34] = "e", [35] = "n", [36] = "@",
    [37] = "x", [38] = "f", [39] = "(", [40] = ")", [41] = "r",
};

const char *cs_wfdb_ann_symbol(int code)
{
    if (code < 0 || code > ACMAX || !symbols[code])
        return "";
    return symbols[code];
}

int cs_wfdb_ann_is_beat(int code)
{
    /* WFDB's isqrs(): the beat labels, not rhythm, noise or wave markers. */
    switch (code) {
    case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9: case 10:
    case 11: case 12: case 13: case 25: case 30: case 31: case 34: case 35: case 38: case 41:
        return 1;
    default:
        return 0;
    }
}

void cs_wfdb_ann_free(cs_wfdb_ann *a, int64_t n)
{
    for (int64_t i = 0; a && i < n; i++)
        free(a[i].aux);
    free(a);
}

static unsigned word_at(const uint8_t *buf, size_t pos) { return buf[pos] | (unsigned)buf[pos + 1] << 8; }

int cs_wfdb_parse_annotations_mem(const uint8_t *buf, size_t len, const char *name,
                                  int64_t nsamples, cs_wfdb_ann **out, int64_t *n)
{
    cs_wfdb_ann *a = NULL;
    int64_t count = 0, cap = 0, time = 0, pending_skip = 0;
    int chan = 0, num = 0, ended = 0, rc = 0;
    size_t pos = 0;
    *out = NULL;
    *n = 0;
    while (pos + 2 <= len) {
        unsigned w = word_at(buf, pos);
        unsigned code = w >> 10, field = w & 0x3ff;
        size_t at = pos;
        pos += 2;
        if (w == 0) {
            ended = 1;
            break;
        }
        if (code == SKIP) {
            if (pos + 4 > len) {
                rc = cs_error(CS_EFORMAT, "'%s': byte %zu: SKIP runs past the end of the file", name, at);
                goto out;
            }
            uint32_t hi = word_at(buf, pos), lo = word_at(buf, pos + 2);
            pending_skip += (int32_t)(hi << 16 | lo);
            pos += 4;
            continue;
        }
        if (code == NUM || code == SUB || code == CHN || code == AUX) {
            if (!count) {
                rc = cs_error(CS_EFORMAT, "'%s': byte %zu: modifier code %u before any annotation",
                              name, at, code);
                goto out;
            }
            cs_wfdb_ann *last = &a[count - 1];
            if (code == NUM)
                num = last->num = (int8_t)(field & 0xff);
            else if (code == SUB)
                last->subtype = (int8_t)(field & 0xff);
            else if (code == CHN)
                chan = last->chan = (int)(field & 0xff);
            else {
                size_t alen = field & 0xff, padded = alen + (alen & 1);
                if (pos + padded > len) {
                    rc = cs_error(CS_EFORMAT, "'%s': byte %zu: aux string runs past the end of the file",
                                  name, at);
                    goto out;
                }
                free(last->aux);
                if (!(last->aux = cs_malloc(alen + 1))) {
                    rc = CS_ENOMEM;
                    goto out;
                }
                memcpy(last->aux, buf + pos, alen);
                last->aux[alen] = 0;
                pos += padded;
            }
            continue;
        }
        if (code > ACMAX) {
            rc = cs_error(CS_EFORMAT, "'%s': byte %zu: invalid annotation code %u", name, at, code);
            goto out;
        }
        time += pending_skip + (int64_t)field;
        pending_skip = 0;
        if (time < 0 || (nsamples > 0 && time > nsamples)) {
            rc = cs_error(CS_EFORMAT,
                          "'%s': annotation %lld ('%s') at sample %lld lies outside the record (%lld samples)",
                          name, (long long)count, cs_wfdb_ann_symbol((int)code), (long long)time,
                          (long long)nsamples);
            goto out;
        }
        if (count == cap) {
            int64_t ncap = cap ? cap * 2 : 1024;
            cs_wfdb_ann *p = realloc(a, (size_t)ncap * sizeof *p);
            if (!p) {
                rc = cs_error(CS_ENOMEM, "out of memory reading '%s'", name);
                goto out;
            }
            a = p;
            cap = ncap;
        }
        a[count++] = (cs_wfdb_ann){.sample = time, .code = (int)code,
                                   .symbol = cs_wfdb_ann_symbol((int)code), .chan = chan, .num = num};
    }
    if (!ended) {
        rc = cs_error(CS_EFORMAT, "'%s': truncated: no end-of-file marker", name);
        goto out;
    }
out:
    if (rc) {
        cs_wfdb_ann_free(a, count);
        return rc;
    }
    *out = a;
    *n = count;
    return 0;
}

int cs_wfdb_read_annotations(const char *record, const char *ext, int64_t nsamples,
                             cs_wfdb_ann **out, int64_t *n)
{
    size_t rl = strlen(record);
    if (rl >= 4 && !strcmp(record + rl - 4, ".hea"))
        rl -= 4;
    char path[4096];
    uint8_t *buf = NULL;
    int rc = 0;
    FILE *f = NULL;
    *out = NULL;
    *n = 0;
    snprintf(path, sizeof path, "%.*s.%s", (int)rl, record, ext);
    if (!(f = fopen(path, "rb")))
        return cs_error_errno(CS_EIO, "cannot open '%s'", path);
    off_t size = -1;
    if (fseeko(f, 0, SEEK_END) || (size = ftello(f)) < 0 || fseeko(f, 0, SEEK_SET)) {
        rc = cs_error_errno(CS_EIO, "cannot seek in '%s'", path);
        goto out;
    }
    size_t len = (size_t)size;
    if (!(buf = cs_malloc(len))) {
        rc = CS_ENOMEM;
        goto out;
    }
    if (fread(buf, 1, len, f) != len) {
        rc = cs_error_errno(CS_EIO, "cannot read '%s'", path);
        goto out;
    }
    rc = cs_wfdb_parse_annotations_mem(buf, len, path, nsamples, out, n);
out:
    fclose(f);
    free(buf);
    return rc;
}
