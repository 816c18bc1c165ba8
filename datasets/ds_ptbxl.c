/* ds_ptbxl.c - PTB-XL as PhysioNet ships it: ptbxl_database.csv (one row
 * per record: scp_codes, strat_fold, filename_lr/_hr), scp_statements.csv
 * (which codes are diagnostic, and their superclass) and the WFDB records
 * under records100/ or records500/.
 *
 * A record's classes are the diagnostic superclasses (NORM, MI, STTC, CD,
 * HYP) of its scp codes that scp_statements.csv marks diagnostic, whatever
 * their likelihood (as PTB-XL's own example code does).  A record with one
 * class gets it; one with several is skipped, or with multi_first takes the
 * class of its most likely diagnostic code (the first listed on a tie); one
 * with none is skipped.  strat_fold picks the split.  Records the table lists
 * but the folder lacks are counted, reported once and skipped, so a partial
 * copy works.  Headers are read at open (shapes must agree); signals are read
 * per sample, leads x samples in physical units. */
#include "../codecs/csv.h"
#include "ds_ecg.h"

#include "../common/err.h"
#include "../common/fsio.h"
#include "../common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NSUPER 5
#define MAX_CODES 64
static const char *const superclasses[NSUPER] = {"NORM", "MI", "STTC", "CD", "HYP"};
static const char *const split_names[3] = {"train", "val", "test"};

typedef struct ptbxl_split {
    char **rec; /* record paths relative to the root, without extension */
    int32_t *y;
    int64_t n, cap;
} ptbxl_split;

typedef struct ptbxl_ctx {
    ptbxl_split sp[3];
    int split_of[CS_MAX_SPLITS]; /* dataset split -> sp[] */
    char *leads;                 /* the lead spec, copied */
    int nleads;
    int64_t len;
} ptbxl_ctx;

typedef struct diag_code {
    char code[24];
    int cls;
} diag_code;

static void ptbxl_close(void *p)
{
    ptbxl_ctx *c = p;
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

/* Read one record into x (nleads x len, lead-major). */
static int read_record(const char *root, const ptbxl_ctx *c, const char *rec, float *x)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", root, rec);
    cs_wfdb_header h;
    float *phys = NULL;
    int idx[ECG_MAX_LEADS], n, mlen;
    const char *miss;
    int rc = cs_wfdb_read_header(&h, path);
    if (rc)
        return rc;
    if ((rc = ecg_pick_leads(&h, c->leads, 1, idx, &n, &miss, &mlen)) > 0)
        rc = cs_error(CS_EFORMAT, "'%s.hea': no lead '%.*s'", path, mlen, miss);
    if (!rc && (n != c->nleads || h.nsamples != c->len))
        rc = cs_error(CS_EFORMAT, "'%s.hea': %d leads of %lld samples, other records have %d of %lld", path,
                      n, (long long)h.nsamples, c->nleads, (long long)c->len);
    if (!rc && !(rc = cs_wfdb_read_physical(&h, NULL, &phys)))
        for (int l = 0; l < n; l++)
            for (int64_t t = 0; t < c->len; t++)
                x[l * c->len + t] = phys[t * h.nsig + idx[l]];
    free(phys);
    cs_wfdb_header_release(&h);
    return rc;
}

static int ptbxl_read(cs_dataset *ds, int s, int64_t start, int64_t count, void *x)
{
    ptbxl_ctx *c = ds->ctx;
    const ptbxl_split *sp = &c->sp[c->split_of[s]];
    float *f = x;
    for (int64_t i = 0; i < count; i++) {
        int rc = read_record(ds->path, c, sp->rec[start + i], f + i * c->nleads * c->len);
        if (rc)
            return rc;
    }
    return 0;
}

static const char *ptbxl_sample_id(cs_dataset *ds, int s, int64_t i, char *buf, size_t cap)
{
    ptbxl_ctx *c = ds->ctx;
    snprintf(buf, cap, "%s", c->sp[c->split_of[s]].rec[i]);
    return buf;
}

static const ds_ops ptbxl_ops = {ptbxl_read, ptbxl_close, ptbxl_sample_id};

/* The diagnostic codes of scp_statements.csv and their superclasses. */
static int load_statements(const char *root, diag_code **out, int *n)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/scp_statements.csv", root);
    cs_csv csv;
    int rc = cs_csv_open(&csv, path), cap = 0;
    *out = NULL;
    *n = 0;
    if (rc)
        return rc;
    if ((rc = cs_csv_next(&csv)) <= 0) {
        rc = rc ? rc : cs_error(CS_EFORMAT, "'%s' is empty", path);
        goto out;
    }
    int diag = cs_csv_column(&csv, "diagnostic"), cls = cs_csv_column(&csv, "diagnostic_class");
    if (diag < 0 || cls < 0) {
        rc = cs_error(CS_EFORMAT, "'%s': no column '%s'", path, diag < 0 ? "diagnostic" : "diagnostic_class");
        goto out;
    }
    int width = csv.nfields;
    while ((rc = cs_csv_next(&csv)) > 0) {
        if (csv.nfields != width) {
            rc = cs_error(CS_EFORMAT, "'%s': line %lld: %d fields, the header has %d", path,
                          (long long)csv.line, csv.nfields, width);
            goto out;
        }
        if (atof(csv.field[diag]) != 1.0)
            continue;
        int k = 0;
        while (k < NSUPER && strcmp(csv.field[cls], superclasses[k]))
            k++;
        if (k == NSUPER || strlen(csv.field[0]) >= sizeof(*out)->code) {
            rc = cs_error(CS_EFORMAT, "'%s': line %lld: diagnostic code '%.30s' has class '%.30s' (want NORM, MI, STTC, CD or HYP)",
                          path, (long long)csv.line, csv.field[0], csv.field[cls]);
            goto out;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            diag_code *grown = realloc(*out, (size_t)cap * sizeof *grown);
            if (!grown) {
                rc = cs_error(CS_ENOMEM, "out of memory");
                goto out;
            }
            *out = grown;
        }
        snprintf((*out)[*n].code, sizeof(*out)->code, "%s", csv.field[0]);
        (*out)[(*n)++].cls = k;
    }
    if (!rc && *n == 0)
        rc = cs_error(CS_EFORMAT, "'%s': no diagnostic statements (diagnostic == 1)", path);
out:
    if (rc < 0) {
        free(*out);
        *out = NULL;
    }
    cs_csv_release(&csv);
    return rc < 0 ? rc : 0;
}

/* The record's class from its scp codes: -1 none, -2 several (when skipped). */
static int record_class(const ecg_scp_code *codes, int ncodes, const diag_code *diag, int ndiag, int first)
{
    int seen[NSUPER] = {0}, nseen = 0, best = -1;
    double best_l = 0;
    for (int i = 0; i < ncodes; i++)
        for (int d = 0; d < ndiag; d++)
            if (!strcmp(codes[i].code, diag[d].code)) {
                nseen += !seen[diag[d].cls];
                seen[diag[d].cls] = 1;
                if (best < 0 || codes[i].likelihood > best_l) {
                    best = diag[d].cls;
                    best_l = codes[i].likelihood;
                }
            }
    if (nseen == 0)
        return -1;
    if (nseen == 1 || first)
        return best;
    return -2;
}

static int push(ptbxl_split *sp, const char *rec, int cls)
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

/* The record's header: it must exist (0, else 1 = missing) and agree with the
 * shape of the first record (which sets it). */
static int check_header(const char *root, ptbxl_ctx *c, const char *rec)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.hea", root, rec);
    if (access(path, R_OK) != 0)
        return 1;
    cs_wfdb_header h;
    int idx[ECG_MAX_LEADS], n, mlen;
    const char *miss;
    int rc = cs_wfdb_read_header(&h, path);
    if (rc)
        return rc;
    if ((rc = ecg_pick_leads(&h, c->leads, 1, idx, &n, &miss, &mlen)) > 0)
        rc = cs_error(CS_EFORMAT, "'%s': no lead '%.*s' (ecg.leads)", path, mlen, miss);
    if (!rc && h.nsamples <= 0)
        rc = cs_error(CS_EFORMAT, "'%s': the header gives no sample count", path);
    if (!rc && c->nleads == 0) {
        c->nleads = n;
        c->len = h.nsamples;
    } else if (!rc && (n != c->nleads || h.nsamples != c->len)) {
        rc = cs_error(CS_EFORMAT, "'%s': %d leads of %lld samples, other records have %d of %lld", path, n,
                      (long long)h.nsamples, c->nleads, (long long)c->len);
    }
    cs_wfdb_header_release(&h);
    return rc;
}

typedef struct tally {
    int64_t rows, missing, none, several, no_fold;
    char first_missing[256];
} tally;

static int load_database(cs_dataset *ds, ptbxl_ctx *c, const cs_ecg_opts *o, const diag_code *diag, int ndiag,
                         const uint8_t fold_split[11], tally *t)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/ptbxl_database.csv", ds->path);
    cs_csv csv;
    int rc = cs_csv_open(&csv, path);
    if (rc)
        return rc;
    if ((rc = cs_csv_next(&csv)) <= 0) {
        rc = rc ? rc : cs_error(CS_EFORMAT, "'%s' is empty", path);
        goto out;
    }
    const char *fname = o->rate == 500 ? "filename_hr" : "filename_lr";
    const char *need[] = {"scp_codes", "strat_fold", fname};
    int col[3];
    for (int k = 0; k < 3; k++)
        if ((col[k] = cs_csv_column(&csv, need[k])) < 0) {
            rc = cs_error(CS_EFORMAT, "'%s': no column '%s'", path, need[k]);
            goto out;
        }
    int width = csv.nfields;
    while ((rc = cs_csv_next(&csv)) > 0) {
        t->rows++;
        if (csv.nfields != width) {
            rc = cs_error(CS_EFORMAT, "'%s': line %lld: %d fields, the header has %d", path,
                          (long long)csv.line, csv.nfields, width);
            goto out;
        }
        ecg_scp_code codes[MAX_CODES];
        int ncodes;
        if ((rc = ecg_parse_scp_codes(csv.field[col[0]], codes, MAX_CODES, &ncodes))) {
            cs_error_prefix("'%s': line %lld", path, (long long)csv.line);
            goto out;
        }
        char *end;
        long fold = strtol(csv.field[col[1]], &end, 10);
        if (end == csv.field[col[1]] || *end || fold < 1 || fold > 10) {
            rc = cs_error(CS_EFORMAT, "'%s': line %lld: strat_fold '%.20s' is not a fold 1..10", path,
                          (long long)csv.line, csv.field[col[1]]);
            goto out;
        }
        const char *rec = csv.field[col[2]];
        if (!*rec || strstr(rec, "..")) {
            rc = cs_error(CS_EFORMAT, "'%s': line %lld: bad %s '%.60s'", path, (long long)csv.line, fname, rec);
            goto out;
        }
        if ((rc = check_header(ds->path, c, rec)) < 0)
            goto out;
        if (rc == 1) {
            if (t->missing++ == 0)
                snprintf(t->first_missing, sizeof t->first_missing, "%s", rec);
            rc = 0;
            continue;
        }
        int cls = record_class(codes, ncodes, diag, ndiag, o->multi_first);
        if (cls == -1)
            t->none++;
        else if (cls == -2)
            t->several++;
        else if (fold_split[fold] == 0)
            t->no_fold++;
        else if ((rc = push(&c->sp[fold_split[fold] - 1], rec, cls)))
            goto out;
    }
out:
    cs_csv_release(&csv);
    return rc;
}

int ds_open_ptbxl(cs_dataset *ds, const cs_dataset_opts *dopts)
{
    const cs_ecg_opts *o = dopts->ecg; /* never NULL: dataset.c fills in the defaults */
    ptbxl_ctx *c = cs_calloc(1, sizeof *c);
    if (!c)
        return CS_ENOMEM;
    ds->format = "ptbxl";
    ds->ops = &ptbxl_ops;
    ds->ctx = c;
    if (o->rate != 100 && o->rate != 500)
        return cs_error(CS_EINVAL, "PTB-XL comes at 100 or 500 Hz, not %d", o->rate);
    if (!(c->leads = strdup(o->leads ? o->leads : "")))
        return cs_error(CS_ENOMEM, "out of memory");
    /* fold -> 1 + index of its split in split_names, 0 = unused */
    uint8_t fold_split[11] = {0}, listed[3] = {0};
    const char *lists[3] = {o->train_folds, o->val_folds, o->test_folds};
    const char *keys[3] = {"ecg.train_folds", "ecg.val_folds", "ecg.test_folds"};
    for (int s = 0; s < 3; s++) {
        uint8_t member[11] = {0};
        int rc = ecg_parse_numbers(lists[s] ? lists[s] : "", 1, 10, member, keys[s]);
        if (rc)
            return rc;
        for (int f = 1; f <= 10; f++) {
            if (!member[f])
                continue;
            if (fold_split[f])
                return cs_error(CS_EINVAL, "fold %d is in both %s and %s", f, keys[fold_split[f] - 1], keys[s]);
            fold_split[f] = (uint8_t)(s + 1);
            listed[s] = 1;
        }
    }
    diag_code *diag = NULL;
    int ndiag = 0;
    tally t = {0};
    int rc = load_statements(ds->path, &diag, &ndiag);
    if (!rc)
        rc = load_database(ds, c, o, diag, ndiag, fold_split, &t);
    free(diag);
    if (rc)
        return rc;
    if (t.missing)
        cs_warn("'%s': %lld of the %lld records in ptbxl_database.csv are not in the folder (the first: %s); "
                "skipped",
                ds->path, (long long)t.missing, (long long)t.rows, t.first_missing);
    if (c->nleads == 0)
        return cs_error(CS_EFORMAT, "'%s': none of the %lld records in ptbxl_database.csv is in the folder",
                        ds->path, (long long)t.rows);
    cs_info("'%s': PTB-XL at %d Hz: %lld train, %lld val, %lld test records; skipped %lld with several "
            "superclasses, %lld with none, %lld in unused folds",
            ds->path, o->rate, (long long)c->sp[0].n, (long long)c->sp[1].n, (long long)c->sp[2].n,
            (long long)t.several, (long long)t.none, (long long)t.no_fold);
    if ((rc = ds_set_class_names(ds, superclasses, NSUPER)))
        return rc;
    int64_t shape[2] = {c->nleads, c->len};
    for (int s = 0; s < 3 && !rc; s++) {
        if (!listed[s])
            continue;
        c->split_of[ds->nsplits] = s;
        int32_t *y = c->sp[s].y;
        c->sp[s].y = NULL; /* ds_add_split takes the labels */
        rc = ds_add_split(ds, split_names[s], c->sp[s].n, 2, shape, CS_F32, y, c->sp[s].n);
    }
    return rc;
}

/* A folder holding PTB-XL's tables or its record folders. */
int ds_probe_ptbxl(const char *path)
{
    static const char *const marks[] = {"ptbxl_database.csv", "scp_statements.csv", "records100", "records500"};
    for (size_t i = 0; cs_path_is_dir(path) && i < sizeof marks / sizeof marks[0]; i++)
        if (ds_folder_has_file(path, marks[i]))
            return 1;
    return 0;
}
