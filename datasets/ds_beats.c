/* ds_beats.c - heartbeats of a WFDB database (MIT-BIH Arrhythmia) as
 * samples: one window around each beat annotation of RECORD.atr, from
 * beat_before seconds before the annotated R peak to beat_after seconds after
 * it, resampled by linear interpolation to beat_length points (the first and
 * last points fall on the window's ends), for the chosen leads.  Labels are
 * the AAMI classes N, S, V, F, Q of the beat symbols (ecg_labels.c).
 *
 * Records: those named in the folder's RECORDS file, else every *.hea, less
 * those outside ecg.records; records holding paced beats ('/': 102, 104,
 * 107 and 217 in MIT-BIH) are left out unless ecg.paced.  Skipped and
 * counted: records without a .atr file or without a chosen lead, beats whose
 * window runs off the record, beats outside the AAMI table, and beats whose
 * window holds an invalid sample.  An annotation beyond the end of its record
 * is an error.
 *
 * Splits: random per class (stratified, seeded), or by record lists.  Open
 * reads every record once (which verifies the header checksums); reads cut
 * beats from one cached record at a time, so reading a split in order decodes
 * each record once (and a dataset must not be read from two threads). */
#include "ds_ecg.h"

#include "../common/err.h"
#include "../common/fsio.h"
#include "../common/log.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NCLASS 5
static const char *const split_names[3] = {"train", "val", "test"};

typedef struct beat {
    int32_t rec;
    int32_t cls;
    int64_t r; /* sample of the R peak */
} beat;

typedef struct beat_list {
    beat *b;
    int64_t n, cap;
} beat_list;

typedef struct beats_rec {
    char *name;
    cs_wfdb_header h;
    int lead[ECG_MAX_LEADS];
} beats_rec;

typedef struct beats_ctx {
    beats_rec *rec;
    int nrec, caprec;
    beat_list all;       /* every kept beat, record by record in time order */
    beat_list sp[3];     /* train, val, test, each in the order of `all` */
    int split_of[CS_MAX_SPLITS];
    int nleads, len;
    double before, after;
    int cached;          /* record whose signals `phys` holds, -1 = none */
    float *phys;
} beats_ctx;

static void beats_close(void *p)
{
    beats_ctx *c = p;
    if (!c)
        return;
    for (int i = 0; i < c->nrec; i++) {
        free(c->rec[i].name);
        cs_wfdb_header_release(&c->rec[i].h);
    }
    free(c->rec);
    free(c->all.b);
    for (int s = 0; s < 3; s++)
        free(c->sp[s].b);
    free(c->phys);
    free(c);
}

static int push_beat(beat_list *l, beat b)
{
    if (l->n == l->cap) {
        int64_t cap = l->cap ? 2 * l->cap : 4096;
        beat *g = realloc(l->b, (size_t)cap * sizeof *g);
        if (!g)
            return cs_error(CS_ENOMEM, "out of memory");
        l->b = g;
        l->cap = cap;
    }
    l->b[l->n++] = b;
    return 0;
}

/* Cut beat b into x (nleads x len). */
static void cut(const beats_ctx *c, const beat *b, float *x)
{
    const beats_rec *r = &c->rec[b->rec];
    double fs = r->h.fs, start = (double)b->r - c->before * fs;
    double step = (c->before + c->after) * fs / (c->len - 1);
    for (int l = 0; l < c->nleads; l++)
        ecg_resample(c->phys + r->lead[l], r->h.nsig, r->h.nsamples, start, step, c->len, x + l * c->len);
}

static int load_record(beats_ctx *c, int rec)
{
    if (c->cached == rec)
        return 0;
    free(c->phys);
    c->phys = NULL;
    c->cached = -1;
    int rc = cs_wfdb_read_physical(&c->rec[rec].h, NULL, &c->phys);
    if (!rc)
        c->cached = rec;
    return rc;
}

static int beats_read(cs_dataset *ds, int s, int64_t start, int64_t count, void *x)
{
    beats_ctx *c = ds->ctx;
    const beat_list *l = &c->sp[c->split_of[s]];
    float *f = x;
    for (int64_t i = 0; i < count; i++) {
        const beat *b = &l->b[start + i];
        int rc = load_record(c, b->rec);
        if (rc)
            return rc;
        cut(c, b, f + i * c->nleads * c->len);
    }
    return 0;
}

static const char *beats_sample_id(cs_dataset *ds, int s, int64_t i, char *buf, size_t cap)
{
    beats_ctx *c = ds->ctx;
    const beat *b = &c->sp[c->split_of[s]].b[i];
    snprintf(buf, cap, "%s:%lld", c->rec[b->rec].name, (long long)b->r);
    return buf;
}

static const ds_ops beats_ops = {beats_read, beats_close, beats_sample_id};

typedef struct tally {
    int no_atr, no_lead, paced, unlisted, used;
    char first_no_atr[64], first_no_lead[64], paced_names[256];
    int64_t edge, other, invalid;
    int64_t per_class[NCLASS];
} tally;

/* 1 if any chosen lead holds an invalid sample (NaN) in [lo, hi]. */
static int window_invalid(const beats_rec *r, int nleads, const float *phys, int64_t lo, int64_t hi)
{
    for (int64_t t = lo; t <= hi; t++)
        for (int l = 0; l < nleads; l++)
            if (isnan(phys[t * r->h.nsig + r->lead[l]]))
                return 1;
    return 0;
}

/* The beats of one record (its header already read into r) into c->all;
 * a paced record is left out before a missing lead (lead_missing) counts. */
static int add_record_beats(beats_ctx *c, int ri, const char *path, tally *t, int keep_paced, int lead_missing)
{
    beats_rec *r = &c->rec[ri];
    cs_wfdb_ann *ann = NULL;
    int64_t nann = 0;
    float *phys = NULL;
    int rc = cs_wfdb_read_annotations(path, "atr", r->h.nsamples, &ann, &nann);
    if (rc)
        return rc;
    int paced = 0;
    for (int64_t i = 0; i < nann && !paced; i++)
        paced = !strcmp(ann[i].symbol, "/");
    if (paced && !keep_paced) {
        t->paced++;
        size_t k = strlen(t->paced_names);
        if (k + strlen(r->name) + 2 < sizeof t->paced_names)
            snprintf(t->paced_names + k, sizeof t->paced_names - k, "%s%s", k ? " " : "", r->name);
        goto out;
    }
    if (lead_missing) {
        if (t->no_lead++ == 0)
            snprintf(t->first_no_lead, sizeof t->first_no_lead, "%s", r->name);
        goto out;
    }
    t->used++;
    if ((rc = cs_wfdb_read_physical(&r->h, NULL, &phys)))
        goto out;
    double fs = r->h.fs;
    for (int64_t i = 0; i < nann; i++) {
        if (!cs_wfdb_ann_is_beat(ann[i].code))
            continue;
        int cls = ecg_aami_class(ann[i].symbol);
        double lo = (double)ann[i].sample - c->before * fs, hi = (double)ann[i].sample + c->after * fs;
        if (cls < 0) {
            t->other++;
        } else if (lo < 0 || hi > (double)(r->h.nsamples - 1)) {
            t->edge++;
        } else if (window_invalid(r, c->nleads, phys, (int64_t)floor(lo), (int64_t)ceil(hi))) {
            t->invalid++;
        } else {
            t->per_class[cls]++;
            if ((rc = push_beat(&c->all, (beat){ri, cls, ann[i].sample})))
                goto out;
        }
    }
out:
    free(phys);
    cs_wfdb_ann_free(ann, nann);
    return rc;
}

static int load_records(cs_dataset *ds, beats_ctx *c, const cs_ecg_opts *o, tally *t)
{
    char **names = NULL;
    int nnames = 0;
    int rc = ecg_list_records(ds->path, &names, &nnames);
    if (!rc && nnames == 0)
        rc = cs_error(CS_EFORMAT, "'%s': no records (no RECORDS file and no .hea files)", ds->path);
    if (!rc && !(c->rec = cs_calloc((size_t)nnames, sizeof *c->rec)))
        rc = CS_ENOMEM;
    for (int i = 0; i < nnames && !rc; i++) {
        int which = 0;
        if (o->records && *o->records && !ecg_name_listed(names[i], o->records))
            continue;
        if (o->split_by_record && ((rc = ecg_record_split(o, names[i], &which)) || which < 0)) {
            t->unlisted += !rc;
            continue;
        }
        char path[4200], atr[4300];
        snprintf(path, sizeof path, "%s/%s", ds->path, names[i]);
        snprintf(atr, sizeof atr, "%s.atr", path);
        beats_rec *r = &c->rec[c->nrec];
        if ((rc = cs_wfdb_read_header(&r->h, path)))
            break;
        if (r->h.fs <= 0 || r->h.nsamples <= 1)
            rc = cs_error(CS_EFORMAT, "'%s.hea': %s", path, r->h.fs <= 0 ? "no sampling frequency" : "no samples");
        int n = 0, mlen = 0;
        const char *miss = NULL;
        int pick = rc ? 0 : ecg_pick_leads(&r->h, o->leads, 0, r->lead, &n, &miss, &mlen);
        int skip = 0, lead_missing = 0;
        if (pick < 0) {
            rc = pick;
        } else if (!rc && !cs_path_exists(atr)) {
            if (t->no_atr++ == 0)
                snprintf(t->first_no_atr, sizeof t->first_no_atr, "%s", names[i]);
            skip = 1;
        } else if (!rc && pick > 0) {
            lead_missing = 1;
        } else if (!rc && c->nleads && n != c->nleads) {
            rc = cs_error(CS_EFORMAT, "'%s.hea': %d leads where other records have %d", path, n, c->nleads);
        }
        if (rc || skip) {
            cs_wfdb_header_release(&r->h);
            continue;
        }
        if (!lead_missing)
            c->nleads = n;
        if (!(r->name = strdup(names[i]))) {
            cs_wfdb_header_release(&r->h);
            rc = cs_error(CS_ENOMEM, "out of memory");
            break;
        }
        c->nrec++;
        int64_t before = c->all.n;
        if ((rc = add_record_beats(c, c->nrec - 1, path, t, o->paced, lead_missing)))
            break;
        for (int64_t k = before; o->split_by_record && k < c->all.n; k++)
            c->all.b[k].cls |= which << 8; /* the split rides along until split_beats */
    }
    for (int i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    return rc;
}

/* Random split: stratified by class (ecg_split_stratified). */
static int random_split(beats_ctx *c, const cs_ecg_opts *o)
{
    int32_t *cls = cs_malloc((size_t)(c->all.n ? c->all.n : 1) * sizeof *cls);
    uint8_t *split = cs_malloc((size_t)(c->all.n ? c->all.n : 1));
    int rc = cls && split ? 0 : CS_ENOMEM;
    for (int64_t i = 0; !rc && i < c->all.n; i++)
        cls[i] = c->all.b[i].cls;
    if (!rc)
        rc = ecg_split_stratified(cls, c->all.n, NCLASS, o, split);
    for (int64_t i = 0; !rc && i < c->all.n; i++)
        c->all.b[i].cls |= split[i] << 8;
    free(cls);
    free(split);
    return rc;
}

/* Move each beat of `all` (split in bits 8.., class below) to its split's list. */
static int split_beats(beats_ctx *c)
{
    for (int64_t i = 0; i < c->all.n; i++) {
        beat b = c->all.b[i];
        int s = b.cls >> 8;
        b.cls &= 0xff;
        int rc = push_beat(&c->sp[s], b);
        if (rc)
            return rc;
    }
    return 0;
}

static void report(const cs_dataset *ds, const beats_ctx *c, const tally *t)
{
    if (t->no_atr)
        cs_warn("'%s': %d records have no .atr annotation file (the first: %s); skipped", ds->path, t->no_atr,
                t->first_no_atr);
    if (t->no_lead)
        cs_warn("'%s': %d records lack a lead of ecg.leads (the first: %s); skipped", ds->path, t->no_lead,
                t->first_no_lead);
    if (t->paced)
        cs_info("'%s': left out %d records with paced beats (%s); ecg.paced keeps them", ds->path, t->paced,
                t->paced_names);
    cs_info("'%s': %lld beats of %d records (N %lld, S %lld, V %lld, F %lld, Q %lld); skipped %lld whose "
            "window runs off the record, %lld outside the AAMI classes, %lld with invalid samples",
            ds->path, (long long)c->all.n, t->used, (long long)t->per_class[0], (long long)t->per_class[1],
            (long long)t->per_class[2], (long long)t->per_class[3], (long long)t->per_class[4],
            (long long)t->edge, (long long)t->other, (long long)t->invalid);
}

int ds_open_beats(cs_dataset *ds, const cs_dataset_opts *dopts)
{
    const cs_ecg_opts *o = dopts->ecg; /* never NULL: dataset.c fills in the defaults */
    beats_ctx *c = cs_calloc(1, sizeof *c);
    if (!c)
        return CS_ENOMEM;
    ds->format = "wfdb-beats";
    ds->ops = &beats_ops;
    ds->ctx = c;
    c->cached = -1;
    c->before = o->beat_before;
    c->after = o->beat_after;
    c->len = o->beat_length;
    if (!(c->before >= 0 && c->after >= 0 && c->before + c->after > 0) || c->len < 2)
        return cs_error(CS_EINVAL, "a beat window needs before + after > 0 seconds and at least 2 points");
    if (!o->split_by_record && !(o->test_fraction >= 0 && o->val_fraction >= 0 &&
                                 o->test_fraction + o->val_fraction < 1))
        return cs_error(CS_EINVAL, "ecg.test_fraction + ecg.val_fraction must be below 1");
    tally t = {0};
    int rc = load_records(ds, c, o, &t);
    if (rc)
        return rc;
    report(ds, c, &t);
    if (c->all.n == 0)
        return cs_error(CS_EFORMAT, "'%s': no beats left to use (%d records read, %lld beats off the record's "
                        "ends, %lld outside the AAMI classes)",
                        ds->path, t.used, (long long)t.edge, (long long)t.other);
    if (!o->split_by_record && (rc = random_split(c, o)))
        return rc;
    if ((rc = split_beats(c)) || (rc = ds_set_class_names(ds, ecg_aami_names, NCLASS)))
        return rc;
    int want[3] = {1, o->split_by_record ? o->val_records && *o->val_records : o->val_fraction > 0,
                   o->split_by_record ? o->test_records && *o->test_records : 1};
    int64_t shape[2] = {c->nleads, c->len};
    for (int s = 0; s < 3 && !rc; s++) {
        if (!want[s])
            continue;
        int32_t *y = cs_malloc((size_t)(c->sp[s].n ? c->sp[s].n : 1) * sizeof *y);
        if (!y)
            return CS_ENOMEM;
        for (int64_t i = 0; i < c->sp[s].n; i++)
            y[i] = c->sp[s].b[i].cls;
        c->split_of[ds->nsplits] = s;
        rc = ds_add_split(ds, split_names[s], c->sp[s].n, 2, shape, CS_F32, y, c->sp[s].n);
    }
    return rc;
}

/* A WFDB database: a folder with a RECORDS list, or headers beside annotations. */
int ds_probe_beats(const char *path)
{
    return cs_path_is_dir(path) && (ds_folder_has_file(path, "RECORDS") ||
                                    (ds_folder_has_suffix(path, ".hea") && ds_folder_has_suffix(path, ".atr")));
}
