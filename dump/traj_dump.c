/* traj_dump.c - `coreset dump`'s engine: resolve the selection (runs, epochs,
 * fields) from the frame index, verify every frame before any output exists,
 * then stream the selected frames to one of the writers (dump_csv.c,
 * dump_h5.c, dump_raw.c). */
#include "traj_dump.h"
#include "traj_dump_int.h"

#include "../common/err.h"
#include "../common/fsio.h"
#include "../formats/traj_columns.h"

#include <stdlib.h>
#include <string.h>


const char *cs_traj_field_name(uint32_t bit)
{
    const cs_traj_column *c = cs_traj_column_of(bit);
    return c ? c->name : NULL;
}

int cs_traj_fields_parse(const char *list, uint32_t *mask)
{
    *mask = 0;
    const char *s = list;
    while (*s) {
        size_t len = strcspn(s, ",");
        const cs_traj_column *found = NULL;
        for (int i = 0; i < CS_TRAJ_NUM_COLUMNS; i++)
            if (strlen(cs_traj_columns[i].name) == len && !strncmp(s, cs_traj_columns[i].name, len))
                found = &cs_traj_columns[i];
        if (!found) {
            char known[256];
            size_t k = 0;
            known[0] = 0;
            for (int i = 0; i < CS_TRAJ_NUM_COLUMNS; i++)
                k += (size_t)snprintf(known + k, sizeof known - k, "%s%s", i ? ", " : "", cs_traj_columns[i].name);
            return cs_error(CS_EINVAL, "unknown field '%.*s' (known: %s)", (int)len, s, known);
        }
        *mask |= found->bit;
        s += len;
        if (*s == ',')
            s++;
    }
    if (!*mask)
        return cs_error(CS_EINVAL, "empty field list '%s'", list);
    return 0;
}

const void *cs_dump_column(const cs_epoch_record *rec, uint32_t bit)
{
    const cs_traj_column *c = cs_traj_column_of(bit);
    return c ? cs_traj_column_get(rec, c) : NULL;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int run_index(const cs_dump_plan *p, int32_t run)
{
    int32_t *hit = bsearch(&run, p->runs, (size_t)p->nruns, sizeof run, cmp_i32);
    return hit ? (int)(hit - p->runs) : -1;
}

/* "0, 1, 2" into buf (truncated if long). */
static void list_runs(char *buf, size_t len, const int32_t *runs, int n)
{
    buf[0] = 0;
    for (int i = 0; i < n; i++) {
        size_t l = strlen(buf);
        snprintf(buf + l, len - l, "%s%d", i ? ", " : "", runs[i]);
    }
}

/* Resolve the runs: the requested ones (each must be present) or all present. */
static int plan_runs(cs_dump_plan *p, cs_traj_reader *r, int64_t frames, const cs_dump_opts *o)
{
    int32_t *present = cs_malloc(sizeof *present * (size_t)(frames ? frames : 1));
    int npresent = 0, rc = 0;
    if (!present)
        return CS_ENOMEM;
    for (int64_t k = 0; k < frames; k++)
        present[npresent++] = cs_traj_reader_frame(r, k)->run;
    qsort(present, (size_t)npresent, sizeof *present, cmp_i32);
    int u = 0;
    for (int i = 0; i < npresent; i++)
        if (!u || present[i] != present[u - 1])
            present[u++] = present[i];
    npresent = u;
    if (!o->runs) {
        p->runs = present;
        p->nruns = npresent;
        return 0;
    }
    p->runs = cs_malloc(sizeof *p->runs * (size_t)(o->nruns ? o->nruns : 1));
    if (!p->runs) {
        rc = CS_ENOMEM;
        goto out;
    }
    memcpy(p->runs, o->runs, sizeof *p->runs * (size_t)o->nruns);
    p->nruns = o->nruns;
    qsort(p->runs, (size_t)p->nruns, sizeof *p->runs, cmp_i32);
    for (int i = 0; i < p->nruns; i++) {
        if (i && p->runs[i] == p->runs[i - 1]) {
            rc = cs_error(CS_EINVAL, "run %d is listed twice", p->runs[i]);
            goto out;
        }
        if (!bsearch(&p->runs[i], present, (size_t)npresent, sizeof *present, cmp_i32)) {
            char have[256];
            list_runs(have, sizeof have, present, npresent);
            rc = cs_error(CS_EINVAL, "'%s' has no run %d (it has: %s)", p->path, p->runs[i],
                          npresent ? have : "no frames");
            goto out;
        }
    }
out:
    free(present);
    return rc;
}

/* Resolve the epoch range and, for the array formats, check that every
 * selected run holds every selected epoch exactly once. */
static int plan_epochs(cs_dump_plan *p, cs_traj_reader *r, int64_t frames, const cs_dump_opts *o, int grid)
{
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (int64_t k = 0; k < frames; k++) {
        const cs_traj_frame_info *fi = cs_traj_reader_frame(r, k);
        if (run_index(p, fi->run) < 0)
            continue;
        lo = fi->epoch < lo ? fi->epoch : lo;
        hi = fi->epoch > hi ? fi->epoch : hi;
    }
    p->e0 = o->first_epoch ? o->first_epoch : lo;
    p->e1 = o->last_epoch ? o->last_epoch : hi;
    if (lo > hi || p->e0 > p->e1)
        return cs_error(CS_EINVAL, "'%s': no frame matches the selection (%lld frames in the file)", p->path,
                        (long long)frames);
    p->ntimes = (int)((int64_t)p->e1 - p->e0 + 1);
    int64_t cells = (int64_t)p->nruns * p->ntimes;
    if (p->ntimes > 1000000 || cells > 100000000)
        return cs_error(CS_EINVAL, "'%s': epochs %d..%d span too many epochs to export as arrays", p->path, p->e0,
                        p->e1);
    int64_t *seen = cs_malloc(sizeof *seen * (size_t)cells);
    if (!seen)
        return CS_ENOMEM;
    for (int64_t c = 0; c < cells; c++)
        seen[c] = -1;
    int rc = 0;
    p->frames = 0;
    for (int64_t k = 0; k < frames && !rc; k++) {
        const cs_traj_frame_info *fi = cs_traj_reader_frame(r, k);
        int ri = run_index(p, fi->run);
        if (ri < 0 || fi->epoch < p->e0 || fi->epoch > p->e1)
            continue;
        int64_t c = (int64_t)ri * p->ntimes + (fi->epoch - p->e0);
        if (grid && seen[c] >= 0)
            rc = cs_error(CS_EFORMAT, "'%s': run %d epoch %d appears twice (frames %lld and %lld)", p->path,
                          fi->run, fi->epoch, (long long)seen[c], (long long)k);
        seen[c] = k;
        p->frames++;
    }
    for (int64_t c = 0; grid && !rc && c < cells; c++)
        if (seen[c] < 0)
            rc = cs_error(CS_EINVAL,
                          "'%s': run %d has no epoch %d (selected: runs %d..%d, epochs %d..%d)\n"
                          "hint: choose --runs and --epochs that every selected run holds",
                          p->path, p->runs[c / p->ntimes], p->e0 + (int)(c % p->ntimes), p->runs[0],
                          p->runs[p->nruns - 1], p->e0, p->e1);
    if (!rc && !p->frames)
        rc = cs_error(CS_EINVAL, "'%s': no frame matches the selection (epochs %d..%d)", p->path, p->e0, p->e1);
    free(seen);
    return rc;
}

static int plan_fields(cs_dump_plan *p, const cs_dump_opts *o)
{
    uint32_t have = p->hdr->fields;
    p->fields = o->fields ? o->fields : have;
    for (uint32_t bit = 1; bit < 1u << CS_TRAJ_NUM_COLUMNS; bit <<= 1)
        if ((p->fields & bit) && !(have & bit)) {
            char list[128] = "";
            for (uint32_t b = 1; b <= CS_TRAJ_PROBS; b <<= 1)
                if (have & b) {
                    size_t l = strlen(list);
                    snprintf(list + l, sizeof list - l, "%s%s", l ? ", " : "", cs_traj_field_name(b));
                }
            return cs_error(CS_EINVAL, "'%s' has no field '%s' (it holds: %s)", p->path, cs_traj_field_name(bit),
                            list);
        }
    return 0;
}

int cs_traj_dump(const char *path, const cs_dump_opts *o)
{
    const cs_dump_writer *w = o->format == CS_DUMP_CSV  ? &cs_dump_csv_writer
                              : o->format == CS_DUMP_H5 ? &cs_dump_h5_writer
                                                        : &cs_dump_raw_writer;
    cs_dump_plan plan = {0};
    cs_traj_reader *r = NULL;
    void *ctx = NULL;
    int64_t frames = 0;
    int rc = cs_traj_reader_open(&r, path);
    if (rc)
        return rc;
    plan.path = cs_traj_reader_path(r);
    plan.hdr = cs_traj_reader_header(r);
    /* Verify every frame (headers and compressed payloads) before writing anything. */
    while ((rc = cs_traj_reader_skip(r)) == 1)
        frames++;
    if (rc < 0 || (rc = cs_traj_reader_seek(r, 0)))
        goto out;
    if ((rc = plan_fields(&plan, o)) || (rc = plan_runs(&plan, r, frames, o)) ||
        (rc = plan_epochs(&plan, r, frames, o, o->format != CS_DUMP_CSV)))
        goto out;
    if ((rc = w->begin(&ctx, &plan, o)))
        goto out;
    cs_epoch_record rec;
    while ((rc = cs_traj_reader_next(r, &rec)) == 1) {
        int ri = run_index(&plan, rec.run);
        if (ri < 0 || rec.epoch < plan.e0 || rec.epoch > plan.e1)
            continue;
        if ((rc = w->frame(ctx, &plan, ri, rec.epoch - plan.e0, &rec)))
            break;
    }
    if (rc == 0)
        rc = w->commit(ctx, &plan);
    else
        w->abort(ctx);
out:
    free(plan.runs);
    cs_traj_reader_free(r);
    return rc;
}
