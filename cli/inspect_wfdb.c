/* inspect_wfdb.c - `coreset inspect RECORD` for a WFDB record: header
 * summary, a full read of the signals (which verifies the header's checksums
 * and initial values) and, when RECORD.atr exists, annotation counts split
 * into beats and other annotations. */
#include "inspect.h"

#include "../common/err.h"
#include "../common/json.h"
#include "../codecs/wfdb.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int inspect_is_wfdb(const char *path)
{
    size_t n = strlen(path);
    if (n >= 4 && !strcmp(path + n - 4, ".hea"))
        return 1;
    char *hea = malloc(n + 5);
    if (!hea)
        return 0;
    memcpy(hea, path, n);
    memcpy(hea + n, ".hea", 5);
    int yes = access(hea, F_OK) == 0;
    free(hea);
    return yes;
}

/* Occurrences of each distinct string, in first-seen order. */
typedef struct tally {
    const char *key[64 + 256];
    int64_t count[64 + 256];
    int n;
} tally;

static void tally_add(tally *t, const char *key)
{
    for (int i = 0; i < t->n; i++)
        if (!strcmp(t->key[i], key)) {
            t->count[i]++;
            return;
        }
    if (t->n < (int)(sizeof t->key / sizeof t->key[0])) {
        t->key[t->n] = key;
        t->count[t->n++] = 1;
    }
}

/* Most frequent first; ties by key, so the output is stable. */
static void tally_sort(tally *t)
{
    for (int i = 1; i < t->n; i++)
        for (int j = i; j > 0; j--) {
            int swap = t->count[j] > t->count[j - 1] ||
                       (t->count[j] == t->count[j - 1] && strcmp(t->key[j], t->key[j - 1]) < 0);
            if (!swap)
                break;
            const char *k = t->key[j];
            int64_t c = t->count[j];
            t->key[j] = t->key[j - 1], t->count[j] = t->count[j - 1];
            t->key[j - 1] = k, t->count[j - 1] = c;
        }
}

typedef struct ann_summary {
    int present;
    char path[4096];
    int64_t total, beats, other;
    tally beat, nonbeat, rhythm;
} ann_summary;

static void json_tally(FILE *out, const tally *t)
{
    fputc('{', out);
    for (int i = 0; i < t->n; i++) {
        fputs(i ? ", " : "", out);
        cs_json_str(out, t->key[i]);
        fprintf(out, ": %lld", (long long)t->count[i]);
    }
    fputc('}', out);
}

static void text_tally(FILE *out, const tally *t)
{
    for (int i = 0; i < t->n; i++)
        fprintf(out, "%s%s %lld", i ? ", " : "", t->key[i], (long long)t->count[i]);
}

static void print_json(FILE *out, const cs_wfdb_header *h, const ann_summary *s)
{
    fputs("{\"record\": ", out);
    cs_json_str(out, h->name);
    fputs(", \"header\": ", out);
    cs_json_str(out, h->path);
    fprintf(out, ", \"fs\": %.17g, \"nsamples\": %lld, \"seconds\": %.17g, \"nsig\": %d, \"signals\": [",
            h->fs, (long long)h->nsamples, (double)h->nsamples / h->fs, h->nsig);
    for (int i = 0; i < h->nsig; i++) {
        const cs_wfdb_signal *g = &h->sig[i];
        fputs(i ? ", {\"name\": " : "{\"name\": ", out);
        cs_json_str(out, g->description);
        fputs(", \"file\": ", out);
        cs_json_str(out, g->fname);
        fprintf(out, ", \"format\": %d, \"gain\": %.17g, \"baseline\": %d, \"units\": ", g->fmt,
                g->gain, (int)g->baseline);
        cs_json_str(out, g->units);
        fprintf(out, ", \"adc_res\": %d, \"adc_zero\": %d, \"init_value\": %d", g->adc_res,
                (int)g->adc_zero, (int)g->init_value);
        if (g->has_checksum)
            fprintf(out, ", \"checksum\": %d, \"checksum_ok\": true}", (int)(int16_t)g->checksum);
        else
            fputs(", \"checksum\": null, \"checksum_ok\": null}", out);
    }
    fputs("], \"comments\": [", out);
    for (int i = 0; i < h->ncomments; i++) {
        fputs(i ? ", " : "", out);
        cs_json_str(out, h->comments[i]);
    }
    fputs("], \"annotations\": ", out);
    if (!s->present) {
        fputs("null}\n", out);
        return;
    }
    fputs("{\"file\": ", out);
    cs_json_str(out, s->path);
    fprintf(out, ", \"total\": %lld, \"beats\": %lld, \"non_beats\": %lld, \"beat_counts\": ",
            (long long)s->total, (long long)s->beats, (long long)s->other);
    json_tally(out, &s->beat);
    fputs(", \"non_beat_counts\": ", out);
    json_tally(out, &s->nonbeat);
    fputs(", \"rhythms\": ", out);
    json_tally(out, &s->rhythm);
    fputs("}}\n", out);
}

static void print_text(FILE *out, const cs_wfdb_header *h, const ann_summary *s)
{
    fprintf(out, "record %s ('%s')\n", h->name, h->path);
    fprintf(out, "  sampling rate  %g Hz\n", h->fs);
    fprintf(out, "  length         %lld samples per signal (%.3f s)\n", (long long)h->nsamples,
            (double)h->nsamples / h->fs);
    fprintf(out, "  signals        %d\n", h->nsig);
    for (int i = 0; i < h->nsig; i++) {
        const cs_wfdb_signal *g = &h->sig[i];
        fprintf(out, "    %d %-6s file %s, format %d, gain %g adu/%s, baseline %d, units %s, checksum %s\n",
                i, g->description, g->fname, g->fmt, g->gain, g->units, (int)g->baseline, g->units,
                g->has_checksum ? "ok" : "not given");
    }
    for (int i = 0; i < h->ncomments; i++)
        fprintf(out, "  #%s\n", h->comments[i]);
    if (!s->present) {
        fprintf(out, "annotations    none (no '%s')\n", s->path);
        return;
    }
    fprintf(out, "annotations    %lld in '%s'\n", (long long)s->total, s->path);
    fprintf(out, "  beats        %lld", (long long)s->beats);
    if (s->beat.n) {
        fputs(": ", out);
        text_tally(out, &s->beat);
    }
    fprintf(out, "\n  non-beats    %lld", (long long)s->other);
    if (s->nonbeat.n) {
        fputs(": ", out);
        text_tally(out, &s->nonbeat);
    }
    fputc('\n', out);
    if (s->rhythm.n) {
        fputs("  rhythms      ", out);
        text_tally(out, &s->rhythm);
        fputc('\n', out);
    }
}

static int summarise_annotations(const char *record, const cs_wfdb_header *h, ann_summary *s,
                                 cs_wfdb_ann **ann, int64_t *n)
{
    size_t rl = strlen(record);
    if (rl >= 4 && !strcmp(record + rl - 4, ".hea"))
        rl -= 4;
    snprintf(s->path, sizeof s->path, "%.*s.atr", (int)rl, record);
    if (access(s->path, F_OK) != 0)
        return 0;
    int rc = cs_wfdb_read_annotations(record, "atr", h->nsamples, ann, n);
    if (rc)
        return rc;
    s->present = 1;
    s->total = *n;
    for (int64_t i = 0; i < *n; i++) {
        const cs_wfdb_ann *a = &(*ann)[i];
        if (cs_wfdb_ann_is_beat(a->code)) {
            s->beats++;
            tally_add(&s->beat, a->symbol);
        } else {
            s->other++;
            tally_add(&s->nonbeat, a->symbol);
            if (a->code == 28 && a->aux && a->aux[0])
                tally_add(&s->rhythm, a->aux);
        }
    }
    tally_sort(&s->beat);
    tally_sort(&s->nonbeat);
    tally_sort(&s->rhythm);
    return 0;
}

int inspect_wfdb(FILE *out, const char *record, int json)
{
    cs_wfdb_header h;
    int32_t *raw = NULL;
    cs_wfdb_ann *ann = NULL;
    int64_t nann = 0;
    ann_summary *s = cs_calloc(1, sizeof *s);
    int rc = cs_wfdb_read_header(&h, record);
    if (!s)
        rc = CS_ENOMEM;
    if (rc)
        goto out;
    if ((rc = cs_wfdb_read_signals(&h, NULL, &raw)))
        goto out;
    if ((rc = summarise_annotations(record, &h, s, &ann, &nann)))
        goto out;
    if (json)
        print_json(out, &h, s);
    else
        print_text(out, &h, s);
out:
    cs_wfdb_ann_free(ann, nann);
    free(raw);
    free(s);
    cs_wfdb_header_release(&h);
    return rc;
}
