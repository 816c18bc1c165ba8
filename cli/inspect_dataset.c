/* inspect_dataset.c - `coreset inspect DATASET`: format, classes, and per split
 * the sample count, shape, dtype, value range and class histogram.  Samples are
 * streamed in chunks of a few megabytes, so every value is read (and checked
 * for NaN/Inf by the reader) without loading a split at once. */
#include "inspect.h"

#include "../common/err.h"
#include "../common/json.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct split_stats {
    double min, max;
    int64_t *hist;
} split_stats;

static int scan_split(cs_dataset *ds, const cs_split_info *s, split_stats *st)
{
    int k = cs_dataset_num_classes(ds);
    int64_t elems = cs_split_sample_elems(s);
    size_t esz = s->dtype == CS_U8 ? 1 : 4;
    int64_t per = elems ? (int64_t)((4u << 20) / ((size_t)elems * esz)) : 1;
    if (per < 1)
        per = 1;
    if (per > s->n)
        per = s->n ? s->n : 1;
    st->min = INFINITY;
    st->max = -INFINITY;
    st->hist = cs_calloc((size_t)(k > 0 ? k : 1), sizeof *st->hist);
    void *x = cs_malloc((size_t)(per * elems) * esz);
    int32_t *y = cs_malloc((size_t)per * sizeof *y);
    int rc = 0;
    if (!st->hist || !x || !y) {
        rc = CS_ENOMEM;
        goto out;
    }
    for (int64_t at = 0; at < s->n; at += per) {
        int64_t cnt = s->n - at < per ? s->n - at : per;
        if ((rc = cs_dataset_read(ds, s->name, at, cnt, x, y)))
            goto out;
        size_t n = (size_t)(cnt * elems);
        if (s->dtype == CS_U8) {
            const uint8_t *u = x;
            for (size_t i = 0; i < n; i++) {
                if (u[i] < st->min)
                    st->min = u[i];
                if (u[i] > st->max)
                    st->max = u[i];
            }
        } else {
            const float *f = x;
            for (size_t i = 0; i < n; i++) {
                if (f[i] < st->min)
                    st->min = f[i];
                if (f[i] > st->max)
                    st->max = f[i];
            }
        }
        for (int64_t i = 0; i < cnt; i++)
            st->hist[y[i]]++;
    }
out:
    free(x);
    free(y);
    return rc;
}

static void shape_str(const cs_split_info *s, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < s->rank && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, i ? "x%lld" : "%lld", (long long)s->shape[i]);
    if (s->rank == 0)
        snprintf(buf, cap, "scalar");
}

static void print_json(FILE *out, cs_dataset *ds, const split_stats *st)
{
    int k = cs_dataset_num_classes(ds), ns = cs_dataset_num_splits(ds);
    fputs("{\"path\": ", out);
    cs_json_str(out, cs_dataset_path(ds));
    fprintf(out, ", \"format\": \"%s\", \"num_classes\": %d, \"class_names\": ",
            cs_dataset_format(ds), k);
    if (cs_dataset_class_name(ds, 0)) {
        fputc('[', out);
        for (int c = 0; c < k; c++) {
            fputs(c ? ", " : "", out);
            cs_json_str(out, cs_dataset_class_name(ds, c));
        }
        fputc(']', out);
    } else {
        fputs("null", out);
    }
    if (!strcmp(cs_dataset_format(ds), "folder"))
        fprintf(out, ", \"failed_files\": %lld", (long long)cs_dataset_skipped(ds));
    fputs(", \"splits\": [", out);
    for (int i = 0; i < ns; i++) {
        const cs_split_info *s = cs_dataset_split_at(ds, i);
        fprintf(out, "%s{\"name\": \"%s\", \"samples\": %lld, \"shape\": [", i ? ", " : "",
                s->name, (long long)s->n);
        for (int d = 0; d < s->rank; d++)
            fprintf(out, "%s%lld", d ? ", " : "", (long long)s->shape[d]);
        fprintf(out, "], \"dtype\": \"%s\", ", s->dtype == CS_U8 ? "uint8" : "float32");
        if (s->n)
            fprintf(out, "\"min\": %.9g, \"max\": %.9g", st[i].min, st[i].max);
        else
            fputs("\"min\": null, \"max\": null", out);
        fputs(", \"histogram\": [", out);
        for (int c = 0; c < k; c++)
            fprintf(out, "%s%lld", c ? ", " : "", (long long)st[i].hist[c]);
        fputs("]}", out);
    }
    fputs("]}\n", out);
}

static void print_text(FILE *out, cs_dataset *ds, const split_stats *st)
{
    int k = cs_dataset_num_classes(ds), ns = cs_dataset_num_splits(ds);
    fprintf(out, "path     %s\nformat   %s\nclasses  %d\n\n", cs_dataset_path(ds),
            cs_dataset_format(ds), k);
    if (!strcmp(cs_dataset_format(ds), "folder")) /* image folders: what dataset.on_bad_file skip left out */
        fprintf(out, "failed to decode: %lld\n\n", (long long)cs_dataset_skipped(ds));
    fprintf(out, "%-8s %10s  %-14s %-8s %12s %12s\n", "split", "samples", "shape", "dtype", "min",
            "max");
    for (int i = 0; i < ns; i++) {
        const cs_split_info *s = cs_dataset_split_at(ds, i);
        char shape[128];
        shape_str(s, shape, sizeof shape);
        fprintf(out, "%-8s %10lld  %-14s %-8s ", s->name, (long long)s->n, shape,
                s->dtype == CS_U8 ? "uint8" : "float32");
        if (s->n)
            fprintf(out, "%12.6g %12.6g\n", st[i].min, st[i].max);
        else
            fprintf(out, "%12s %12s\n", "-", "-");
    }
    int w = 5;
    for (int c = 0; c < k; c++) {
        const char *name = cs_dataset_class_name(ds, c);
        int len = (int)(name ? strlen(name) : 0) + 8;
        if (len > w)
            w = len > 40 ? 40 : len;
    }
    fprintf(out, "\n%-*s", w, "class");
    for (int i = 0; i < ns; i++)
        fprintf(out, " %10s", cs_dataset_split_at(ds, i)->name);
    fputc('\n', out);
    for (int c = 0; c < k; c++) {
        char label[64];
        const char *name = cs_dataset_class_name(ds, c);
        snprintf(label, sizeof label, name ? "%d %.32s" : "%d", c, name);
        fprintf(out, "%-*s", w, label);
        for (int i = 0; i < ns; i++)
            fprintf(out, " %10lld", (long long)st[i].hist[c]);
        fputc('\n', out);
    }
}

int inspect_dataset(FILE *out, const char *path, const cs_dataset_opts *opts, int json)
{
    cs_dataset *ds = NULL;
    split_stats st[CS_MAX_SPLITS] = {{0}};
    int rc = cs_dataset_open(&ds, path, opts);
    if (rc)
        return rc;
    for (int i = 0; i < cs_dataset_num_splits(ds) && !rc; i++)
        rc = scan_split(ds, cs_dataset_split_at(ds, i), &st[i]);
    if (!rc) {
        if (json)
            print_json(out, ds, st);
        else
            print_text(out, ds, st);
    }
    for (int i = 0; i < CS_MAX_SPLITS; i++)
        free(st[i].hist);
    cs_dataset_free(ds);
    return rc;
}
