/* dump_csv.c - a trajectory as long-format CSV: a header line, then one row
 * per (run, epoch, sample) in file order: epoch,run,index,label, then the
 * selected fields; an out-of-fold trajectory (score.folds > 1) adds the
 * sample's fold after the label: the rows of run r = pass / K hold values
 * only where fold = pass % K, the model that never trained on them.  Floats are printed with %.9g, which round-trips every
 * float32 exactly; NaN (focus not computed that epoch) is an empty field,
 * which pandas, R and spreadsheets read as missing. */
#include "traj_dump_int.h"

#include "../common/err.h"
#include "../formats/traj_columns.h"
#include "../formats/traj_meta.h"
#include "../common/fsio.h"

#include <math.h>
#include <stdlib.h>

/* The column order of the CSV (METHODS order, correct before focus). */
static const uint32_t csv_order[] = {CS_TRAJ_ERR,     CS_TRAJ_CONF,  CS_TRAJ_MARGIN, CS_TRAJ_ENTROPY,
                                     CS_TRAJ_LOSS,    CS_TRAJ_CORRECT, CS_TRAJ_FOCUS, CS_TRAJ_USED};

typedef struct csv_ctx {
    cs_afile af; /* when writing a file */
    int to_file;
    FILE *fp;
    const char *name; /* for messages */
    int folds;        /* K; the fold column only when K > 1 */
    uint8_t *fold;
} csv_ctx;

static void put_float(FILE *fp, float v)
{
    if (!isnan(v))
        fprintf(fp, "%.9g", (double)v);
}

static int csv_begin(void **out, const cs_dump_plan *p, const cs_dump_opts *o)
{
    csv_ctx *c = cs_calloc(1, sizeof *c);
    if (!c)
        return CS_ENOMEM;
    int rc;
    if (!(c->fold = cs_malloc((size_t)(p->hdr->n ? p->hdr->n : 1))) ||
        (rc = cs_traj_meta_folds(p->hdr, &c->folds, c->fold))) {
        rc = c->fold ? rc : CS_ENOMEM;
        if (c->fold)
            cs_error_prefix("'%s'", p->path);
        free(c->fold);
        free(c);
        return rc;
    }
    if (o->out) {
        if ((rc = cs_check_output_dir(o->out)) || (rc = cs_afile_open(&c->af, o->out))) {
            free(c->fold);
            free(c);
            return rc;
        }
        c->to_file = 1;
        c->fp = c->af.fp;
        c->name = o->out;
    } else {
        c->fp = o->stdout_fp ? o->stdout_fp : stdout;
        c->name = "standard output";
    }
    fputs(c->folds > 1 ? "epoch,run,index,label,fold" : "epoch,run,index,label", c->fp);
    for (size_t k = 0; k < sizeof csv_order / sizeof csv_order[0]; k++)
        if (p->fields & csv_order[k])
            fprintf(c->fp, ",%s", cs_traj_field_name(csv_order[k]));
    if (p->fields & CS_TRAJ_PROBS)
        for (int j = 0; j < p->hdr->num_classes; j++)
            fprintf(c->fp, ",prob_%d", j);
    fputc('\n', c->fp);
    *out = c;
    return 0;
}

static int csv_frame(void *ctx, const cs_dump_plan *p, int ri, int ti, const cs_epoch_record *rec)
{
    csv_ctx *c = ctx;
    (void)ri;
    (void)ti;
    const int32_t *labels = p->hdr->labels;
    const void *col[8];
    for (size_t k = 0; k < 8; k++)
        col[k] = (p->fields & csv_order[k]) ? cs_dump_column(rec, csv_order[k]) : NULL;
    int64_t C = rec->num_classes;
    for (int64_t i = 0; i < rec->n; i++) {
        fprintf(c->fp, "%d,%d,%lld,%d", rec->epoch, rec->run, (long long)i, labels[i]);
        if (c->folds > 1)
            fprintf(c->fp, ",%d", c->fold[i]);
        for (size_t k = 0; k < 8; k++) {
            if (!col[k])
                continue;
            fputc(',', c->fp);
            if (csv_order[k] == CS_TRAJ_CORRECT || csv_order[k] == CS_TRAJ_USED)
                fprintf(c->fp, "%u", ((const uint8_t *)col[k])[i]);
            else
                put_float(c->fp, ((const float *)col[k])[i]);
        }
        if (p->fields & CS_TRAJ_PROBS)
            for (int64_t j = 0; j < C; j++) {
                fputc(',', c->fp);
                put_float(c->fp, rec->probs[i * C + j]);
            }
        fputc('\n', c->fp);
    }
    if (ferror(c->fp))
        return cs_error_errno(CS_EIO, "cannot write %s%s%s", c->to_file ? "'" : "", c->name, c->to_file ? "'" : "");
    return 0;
}

static int csv_commit(void *ctx, const cs_dump_plan *p)
{
    csv_ctx *c = ctx;
    int rc = 0;
    (void)p;
    if (c->to_file) {
        rc = cs_afile_commit(&c->af);
    } else if (fflush(c->fp) != 0 || ferror(c->fp)) {
        rc = cs_error_errno(CS_EIO, "cannot write standard output");
    }
    free(c->fold);
    free(c);
    return rc;
}

static void csv_abort(void *ctx)
{
    csv_ctx *c = ctx;
    if (c->to_file)
        cs_afile_abort(&c->af);
    else
        fflush(c->fp);
    free(c->fold);
    free(c);
}

const cs_dump_writer cs_dump_csv_writer = {csv_begin, csv_frame, csv_commit, csv_abort};
