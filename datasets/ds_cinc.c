/* ds_cinc.c - PhysioNet/CinC challenge records (2020, 2021): a folder of
 * RECORD.hea whose comments carry the diagnoses ("# Dx: 164889003,59118001",
 * SNOMED CT codes) beside RECORD.mat, a MATLAB v4 matrix of leads x samples
 * int16 that the header describes as format 16 at byte offset 24.
 *
 * Labels come through a code-to-class table the user gives (ecg.classes):
 * a CSV of "code,class" rows, or the challenges' dx_mapping_scored.csv (its
 * SNOMEDCTCode and Abbreviation columns); several codes may share a class,
 * and classes are numbered in order of first appearance.  A record's classes
 * are those of its Dx codes in the table; codes outside it are ignored and
 * counted.  One class: kept; several: skipped, or with multi_first the class
 * of the first listed code; none: skipped.
 *
 * Samples are leads x ecg.cinc_length at ecg.cinc_rate Hz: a record at
 * another rate is resampled by linear interpolation (no anti-aliasing
 * filter), a longer one cut to its first ecg.cinc_length samples, a shorter one padded with zeros at the
 * end (counted).  Splits: random stratified by class, or the record lists. */
#include "../codecs/csv.h"
#include "ds_ecg.h"

#include "../common/err.h"
#include "../common/fsio.h"
#include "../common/log.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CLASSES 256
static const char *const split_names[3] = {"train", "val", "test"};

typedef struct code_class {
    char code[24];
    int cls;
} code_class;

typedef struct class_table {
    code_class *map;
    int n, cap;
    char *name[MAX_CLASSES];
    int nclass;
} class_table;

typedef struct cinc_split {
    char **rec; /* record names */
    int32_t *y;
    int64_t n, cap;
} cinc_split;

typedef struct cinc_ctx {
    cinc_split sp[3];
    int split_of[CS_MAX_SPLITS];
    char *leads;
    int nleads;
    int64_t len;
    double rate;
} cinc_ctx;

static void cinc_close(void *p)
{
    cinc_ctx *c = p;
    if (!c)
        return;
    for (int s = 0; s < 3; s++) {
        for (int64_t i = 0; i < c->sp[s].n; i++)
            free(c->sp[s].rec[i]);
        free(c->sp[s].rec);
        free(c->sp[s].y);
    }
    free(c->leads);
    free(c);
}

static void table_release(class_table *t)
{
    free(t->map);
    for (int i = 0; i < t->nclass; i++)
        free(t->name[i]);
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

static int table_add(class_table *t, const char *path, int64_t line, const char *code, const char *cls)
{
    if (!all_digits(code) || strlen(code) >= sizeof t->map->code)
        return cs_error(CS_EFORMAT, "'%s': line %lld: '%.30s' is not a SNOMED CT code", path, (long long)line, code);
    if (!*cls)
        return cs_error(CS_EFORMAT, "'%s': line %lld: code %s has no class", path, (long long)line, code);
    int k = 0;
    while (k < t->nclass && strcmp(t->name[k], cls))
        k++;
    if (k == t->nclass) {
        if (k == MAX_CLASSES)
            return cs_error(CS_EUNSUP, "'%s': more than %d classes", path, MAX_CLASSES);
        if (!(t->name[k] = strdup(cls)))
            return cs_error(CS_ENOMEM, "out of memory");
        t->nclass++;
    }
    for (int i = 0; i < t->n; i++)
        if (!strcmp(t->map[i].code, code)) {
            if (t->map[i].cls != k)
                return cs_error(CS_EFORMAT, "'%s': line %lld: code %s is in classes '%s' and '%s'", path,
                                (long long)line, code, t->name[t->map[i].cls], cls);
            return 0;
        }
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 64;
        code_class *g = realloc(t->map, (size_t)cap * sizeof *g);
        if (!g)
            return cs_error(CS_ENOMEM, "out of memory");
        t->map = g;
        t->cap = cap;
    }
    snprintf(t->map[t->n].code, sizeof t->map->code, "%s", code);
    t->map[t->n++].cls = k;
    return 0;
}

/* "code,class" rows (a first row that is not a code is a header), or a
 * table with SNOMEDCTCode and Abbreviation columns. */
static int load_table(const char *path, class_table *t)
{
    cs_csv csv;
    memset(t, 0, sizeof *t);
    if (!path || !*path)
        return cs_error(CS_EINVAL, "a cinc dataset needs ecg.classes, a table of SNOMED CT codes and their classes");
    int rc = cs_csv_open(&csv, path), code_col = 0, class_col = 1;
    if (rc)
        return rc;
    while ((rc = cs_csv_next(&csv)) > 0) {
        if (csv.line == 1 && (csv.nfields < 1 || !all_digits(csv.field[0]))) {
            int sc = cs_csv_column(&csv, "SNOMEDCTCode"), ab = cs_csv_column(&csv, "Abbreviation");
            if (sc >= 0 && ab >= 0)
                code_col = sc, class_col = ab;
            continue;
        }
        int need = code_col > class_col ? code_col : class_col;
        if (csv.nfields <= need) {
            rc = cs_error(CS_EFORMAT, "'%s': line %lld: %d fields, want a code and a class", path,
                          (long long)csv.line, csv.nfields);
            break;
        }
        if ((rc = table_add(t, path, csv.line, csv.field[code_col], csv.field[class_col])))
            break;
    }
    cs_csv_release(&csv);
    if (!rc && t->n == 0)
        rc = cs_error(CS_EFORMAT, "'%s': no codes", path);
    if (rc < 0) {
        table_release(t);
        return rc;
    }
    return 0;
}

typedef struct tally {
    int64_t several, none, no_dx, unknown, padded, no_lead, unlisted;
    char first_unknown[24], first_no_lead[64];
} tally;

/* The record's class from its "Dx:" comment: -1 none, -2 several (skipped), -3 no Dx line. */
static int record_class(const cs_wfdb_header *h, const class_table *t, int first, tally *ty)
{
    const char *dx = NULL;
    for (int i = 0; i < h->ncomments && !dx; i++) {
        const char *p = h->comments[i];
        while (*p == ' ')
            p++;
        if (!strncmp(p, "Dx:", 3))
            dx = p + 3;
    }
    if (!dx)
        return -3;
    int cls = -1, several = 0, unknown = 0;
    while (*dx) {
        while (*dx == ' ' || *dx == ',')
            dx++;
        size_t len = strcspn(dx, ", \t\r");
        if (!len)
            break;
        int k = -1;
        for (int i = 0; i < t->n && k < 0; i++)
            if (strlen(t->map[i].code) == len && !strncmp(t->map[i].code, dx, len))
                k = t->map[i].cls;
        if (k < 0 && !unknown++ && !ty->unknown && len < sizeof ty->first_unknown)
            snprintf(ty->first_unknown, sizeof ty->first_unknown, "%.*s", (int)len, dx);
        if (k >= 0 && cls < 0)
            cls = k;
        else if (k >= 0 && k != cls)
            several = 1;
        dx += len;
    }
    ty->unknown += unknown > 0;
    return several && !first ? -2 : cls;
}

/* MATLAB v4 header of a .mat signal file: int16 (type 30), nsig rows,
 * nsamples columns, real, its data where the WFDB header says. */
static int check_mat(const cs_wfdb_header *h)
{
    const cs_wfdb_signal *s = &h->sig[0];
    size_t n = strlen(s->fname);
    if (n < 4 || strcmp(s->fname + n - 4, ".mat"))
        return 0;
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", h->dir, s->fname);
    FILE *f = fopen(path, "rb");
    if (!f)
        return cs_error_errno(CS_EIO, "cannot open '%s'", path);
    uint8_t b[20];
    size_t got = fread(b, 1, sizeof b, f);
    fclose(f);
    uint32_t v[5];
    for (int i = 0; i < 5; i++)
        v[i] = b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
    if (got < sizeof b || v[0] != 30 || v[1] != (uint32_t)h->nsig || v[2] != (uint64_t)h->nsamples || v[3] != 0 ||
        20 + (int64_t)v[4] != s->byte_offset)
        return cs_error(CS_EFORMAT,
                        "'%s': MATLAB v4 header (type %u, %u x %u, data at byte %lld) does not match '%s' "
                        "(int16, %d x %lld at byte %lld)",
                        path, v[0], v[1], v[2], got < sizeof b ? 0LL : 20 + (long long)v[4], h->path, h->nsig,
                        (long long)h->nsamples, (long long)s->byte_offset);
    return 0;
}

static int push(cinc_split *sp, const char *rec, int cls)
{
    if (sp->n == sp->cap) {
        int64_t cap = sp->cap ? 2 * sp->cap : 256;
        char **r = realloc(sp->rec, (size_t)cap * sizeof *r);
        if (r)
            sp->rec = r;
        int32_t *y = realloc(sp->y, (size_t)cap * sizeof *y);
        if (y)
            sp->y = y;
        if (!r || !y)
            return cs_error(CS_ENOMEM, "out of memory");
        sp->cap = cap;
    }
    if (!(sp->rec[sp->n] = strdup(rec)))
        return cs_error(CS_ENOMEM, "out of memory");
    sp->y[sp->n++] = cls;
    return 0;
}

/* Read record `name` into x (nleads x len); *padded set when it was short. */
static int read_record(const char *root, const cinc_ctx *c, const char *name, float *x, int *padded)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", root, name);
    cs_wfdb_header h;
    float *phys = NULL;
    int idx[ECG_MAX_LEADS], n, mlen;
    const char *miss;
    int rc = cs_wfdb_read_header(&h, path);
    if (rc)
        return rc;
    if ((rc = ecg_pick_leads(&h, c->leads, 1, idx, &n, &miss, &mlen)) > 0)
        rc = cs_error(CS_EFORMAT, "'%s.hea': no lead '%.*s'", path, mlen, miss);
    if (!rc && n != c->nleads)
        rc = cs_error(CS_EFORMAT, "'%s.hea': %d leads, other records have %d", path, n, c->nleads);
    if (!rc && (h.fs <= 0 || h.nsamples < 2))
        rc = cs_error(CS_EFORMAT, "'%s.hea': no %s", path, h.fs <= 0 ? "sampling frequency" : "samples");
    if (!rc && !(rc = check_mat(&h)) && !(rc = cs_wfdb_read_physical(&h, NULL, &phys))) {
        double step = h.fs / c->rate; /* record samples per output sample */
        int64_t avail = (int64_t)floor((double)(h.nsamples - 1) / step) + 1;
        int64_t take = avail < c->len ? avail : c->len;
        *padded = take < c->len;
        for (int l = 0; l < n; l++) {
            float *out = x + l * c->len;
            ecg_resample(phys + idx[l], h.nsig, h.nsamples, 0, step, (int)take, out);
            for (int64_t t = take; t < c->len; t++)
                out[t] = 0;
        }
    }
    free(phys);
    cs_wfdb_header_release(&h);
    return rc;
}

static int cinc_read(cs_dataset *ds, int s, int64_t start, int64_t count, void *x)
{
    cinc_ctx *c = ds->ctx;
    const cinc_split *sp = &c->sp[c->split_of[s]];
    for (int64_t i = 0; i < count; i++) {
        int padded, rc = read_record(ds->path, c, sp->rec[start + i], (float *)x + i * c->nleads * c->len, &padded);
        if (rc)
            return rc;
    }
    return 0;
}

static const char *cinc_sample_id(cs_dataset *ds, int s, int64_t i, char *buf, size_t cap)
{
    cinc_ctx *c = ds->ctx;
    snprintf(buf, cap, "%s", c->sp[c->split_of[s]].rec[i]);
    return buf;
}

static const ds_ops cinc_ops = {cinc_read, cinc_close, cinc_sample_id};

/* Every listed record: its class and split (record lists) into c->sp, or
 * into `all` (random split, done after). */
static int load_records(cs_dataset *ds, cinc_ctx *c, const cs_ecg_opts *o, const class_table *t, cinc_split *all,
                        tally *ty)
{
    char **names = NULL;
    int nnames = 0;
    int rc = ecg_list_records(ds->path, &names, &nnames);
    if (!rc && nnames == 0)
        rc = cs_error(CS_EFORMAT, "'%s': no records (no RECORDS file and no .hea files)", ds->path);
    for (int i = 0; i < nnames && !rc; i++) {
        int which = 0;
        if (o->records && *o->records && !ecg_name_listed(names[i], o->records))
            continue;
        if (o->split_by_record && ((rc = ecg_record_split(o, names[i], &which)) || which < 0)) {
            ty->unlisted += !rc;
            continue;
        }
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", ds->path, names[i]);
        cs_wfdb_header h;
        if ((rc = cs_wfdb_read_header(&h, path)))
            break;
        int idx[ECG_MAX_LEADS], n = 0, mlen;
        const char *miss;
        int pick = ecg_pick_leads(&h, c->leads, 1, idx, &n, &miss, &mlen);
        int cls = pick ? 0 : record_class(&h, t, o->multi_first, ty);
        if (pick < 0) {
            rc = pick;
        } else if (pick > 0) {
            if (ty->no_lead++ == 0)
                snprintf(ty->first_no_lead, sizeof ty->first_no_lead, "%s", names[i]);
        } else if (cls < 0) {
            ty->none += cls == -1;
            ty->several += cls == -2;
            ty->no_dx += cls == -3;
        } else if (c->nleads && n != c->nleads) {
            rc = cs_error(CS_EFORMAT, "'%s.hea': %d leads, other records have %d", path, n, c->nleads);
        } else if (!(rc = check_mat(&h))) {
            c->nleads = n;
            int64_t avail = h.fs > 0 ? (int64_t)floor((double)(h.nsamples - 1) * c->rate / h.fs) + 1 : 0;
            ty->padded += avail < c->len;
            rc = push(o->split_by_record ? &c->sp[which] : all, names[i], cls);
        }
        cs_wfdb_header_release(&h);
    }
    for (int i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    return rc;
}

static void report(const cs_dataset *ds, const cinc_ctx *c, const tally *t)
{
    if (t->no_lead)
        cs_warn("'%s': %lld records lack a lead of ecg.leads (the first: %s); skipped", ds->path,
                (long long)t->no_lead, t->first_no_lead);
    if (t->unknown)
        cs_info("'%s': %lld records hold Dx codes outside ecg.classes (the first: %s); those codes are ignored",
                ds->path, (long long)t->unknown, t->first_unknown);
    cs_info("'%s': CinC records at %g Hz x %lld samples: %lld train, %lld val, %lld test (%lld padded); skipped %lld "
            "with several classes, %lld with none in ecg.classes, %lld without a Dx comment",
            ds->path, c->rate, (long long)c->len, (long long)c->sp[0].n, (long long)c->sp[1].n,
            (long long)c->sp[2].n, (long long)t->padded, (long long)t->several, (long long)t->none,
            (long long)t->no_dx);
}

int ds_open_cinc(cs_dataset *ds, const cs_dataset_opts *dopts)
{
    const cs_ecg_opts *o = dopts->ecg; /* never NULL: dataset.c fills in the defaults */
    cinc_ctx *c = cs_calloc(1, sizeof *c);
    if (!c)
        return CS_ENOMEM;
    ds->format = "cinc";
    ds->ops = &cinc_ops;
    ds->ctx = c;
    c->rate = o->cinc_rate;
    c->len = o->cinc_length;
    if (c->rate <= 0 || c->len < 1)
        return cs_error(CS_EINVAL, "cinc records need ecg.cinc_rate > 0 and ecg.cinc_length >= 1");
    if (!o->split_by_record && !(o->test_fraction >= 0 && o->val_fraction >= 0 &&
                                 o->test_fraction + o->val_fraction < 1))
        return cs_error(CS_EINVAL, "ecg.test_fraction + ecg.val_fraction must be below 1");
    if (!(c->leads = strdup(o->leads ? o->leads : "")))
        return cs_error(CS_ENOMEM, "out of memory");
    class_table t;
    tally ty = {0};
    cinc_split all = {0};
    uint8_t *split = NULL;
    int rc = load_table(o->classes, &t);
    if (rc)
        return rc;
    if ((rc = load_records(ds, c, o, &t, &all, &ty)))
        goto out;
    if (!o->split_by_record) {
        if (!(split = cs_malloc((size_t)(all.n ? all.n : 1)))) {
            rc = CS_ENOMEM;
            goto out;
        }
        if ((rc = ecg_split_stratified(all.y, all.n, t.nclass, o, split)))
            goto out;
        for (int64_t i = 0; i < all.n && !rc; i++)
            rc = push(&c->sp[split[i]], all.rec[i], all.y[i]);
    }
    if (rc)
        goto out;
    report(ds, c, &ty);
    if (c->nleads == 0) {
        rc = cs_error(CS_EFORMAT, "'%s': no record left to use (%lld with several classes, %lld with none in '%s')",
                      ds->path, (long long)ty.several, (long long)ty.none, o->classes);
        goto out;
    }
    if ((rc = ds_set_class_names(ds, (const char *const *)t.name, t.nclass)))
        goto out;
    int want[3] = {1, o->split_by_record ? o->val_records && *o->val_records : o->val_fraction > 0,
                   o->split_by_record ? o->test_records && *o->test_records : 1};
    int64_t shape[2] = {c->nleads, c->len};
    for (int s = 0; s < 3 && !rc; s++) {
        if (!want[s])
            continue;
        c->split_of[ds->nsplits] = s;
        int32_t *y = c->sp[s].y;
        c->sp[s].y = NULL; /* ds_add_split takes the labels */
        rc = ds_add_split(ds, split_names[s], c->sp[s].n, 2, shape, CS_F32, y, c->sp[s].n);
    }
out:
    for (int64_t i = 0; i < all.n; i++)
        free(all.rec[i]);
    free(all.rec);
    free(all.y);
    free(split);
    table_release(&t);
    return rc;
}

/* CinC challenge records: headers beside MATLAB signal files. */
int ds_probe_cinc(const char *path)
{
    return cs_path_is_dir(path) && ds_folder_has_suffix(path, ".hea") && ds_folder_has_suffix(path, ".mat");
}
