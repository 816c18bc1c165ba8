/* import_scan.c - check a file of training dynamics, and turn its epochs into
 * trajectory records (see import_scan.h). */
#include "import_scan.h"

#include "../common/err.h"
#include "../train/focus.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cs_import_info_release(cs_import_info *info)
{
    free(info->labels);
    info->labels = NULL;
}

static void shape_text(const cs_dyn_array *a, char *buf, size_t len)
{
    size_t k = (size_t)snprintf(buf, len, "%s [", a->type ? a->type : "?");
    for (int i = 0; i < a->rank && k < len; i++)
        k += (size_t)snprintf(buf + k, len - k, "%s%lld", i ? ", " : "", (long long)a->shape[i]);
    if (k < len)
        snprintf(buf + k, len - k, "]");
}

/* An optional [T, N, ...] array: 1 present (checked), 0 absent, or an error. */
static int find_tn(cs_dyn_file *f, const char *name, const char *want, int min_rank, int max_rank,
                   const cs_import_info *info, cs_dyn_array *a)
{
    int rc = cs_dyn_find(f, name, a);
    if (rc <= 0)
        return rc;
    char got[160];
    shape_text(a, got, sizeof got);
    if (a->rank < min_rank || a->rank > max_rank || a->shape[0] != info->T || a->shape[1] != info->n)
        return cs_error(CS_EFORMAT, "'%s': '%s' must have shape %s with T = %d, N = %lld; it is %s", cs_dyn_path(f), name,
                        want, info->T, (long long)info->n, got);
    for (int k = 2; k < a->rank; k++)
        if (a->shape[k] < 1)
            return cs_error(CS_EFORMAT, "'%s': '%s' is empty (%s)", cs_dyn_path(f), name, got);
    return 1;
}

static int check_labels(cs_dyn_file *f, cs_import_info *info)
{
    cs_dyn_array a;
    int rc = cs_dyn_find(f, "labels", &a);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return cs_error(CS_EFORMAT, "'%s': no 'labels' array (the class of every training sample: [N] integers)",
                        cs_dyn_path(f));
    char got[160];
    shape_text(&a, got, sizeof got);
    /* [N, 1] too: MedMNIST keeps its labels that way. */
    if (a.rank < 1 || a.rank > 2 || (a.rank == 2 && a.shape[1] != 1) || !a.is_int || a.shape[0] < 1)
        return cs_error(CS_EFORMAT, "'%s': 'labels' must be [N] integers with N >= 1; it is %s", cs_dyn_path(f), got);
    info->n = a.shape[0];
    int64_t *raw = cs_malloc(sizeof *raw * (size_t)info->n);
    info->labels = cs_malloc(sizeof *info->labels * (size_t)info->n);
    if (!raw || !info->labels) {
        free(raw);
        return CS_ENOMEM;
    }
    if ((rc = cs_dyn_read_int(f, "labels", raw))) {
        free(raw);
        return rc;
    }
    for (int64_t i = 0; i < info->n; i++)
        if (raw[i] < 0 || raw[i] >= info->C) {
            rc = cs_error(CS_EFORMAT, "'%s': labels[%lld] = %lld is outside 0..%d ('%s' has C = %d classes)",
                          cs_dyn_path(f), (long long)i, (long long)raw[i], info->C - 1, info->outputs, info->C);
            break;
        } else {
            info->labels[i] = (int32_t)raw[i];
        }
    free(raw);
    return rc;
}

/* The shapes; then labels (their range needs C). */
static int check_shapes(cs_dyn_file *f, const cs_score_params *eva, cs_import_info *info, cs_dyn_array *cam)
{
    const char *path = cs_dyn_path(f);
    cs_dyn_array a, lab;
    int rc = cs_dyn_find(f, "labels", &lab);
    if (rc < 0)
        return rc;
    if ((rc = cs_dyn_find(f, "logits", &a)) < 0)
        return rc;
    info->outputs = "logits";
    if (rc == 0) {
        if ((rc = cs_dyn_find(f, "probs", &a)) < 0)
            return rc;
        info->outputs = "probs";
    }
    if (rc == 0)
        return cs_error(CS_EFORMAT, "'%s': neither 'logits' nor 'probs' ([T, N, C] floats, one row per epoch)", path);
    char got[160];
    shape_text(&a, got, sizeof got);
    if (a.rank != 3 || a.is_int || a.shape[0] < 1 || a.shape[1] < 1 || a.shape[2] < 2)
        return cs_error(CS_EFORMAT, "'%s': '%s' must be [T, N, C] floats with C >= 2; it is %s", path, info->outputs,
                        got);
    if (a.shape[0] > 1000000 || a.shape[2] > (1 << 20))
        return cs_error(CS_EUNSUP, "'%s': '%s' is %s: more epochs or classes than coreset records", path,
                        info->outputs, got);
    info->T = (int)a.shape[0];
    info->C = (int)a.shape[2];
    if (lab.rank >= 1 && lab.shape[0] != a.shape[1]) {
        char lt[160];
        shape_text(&lab, lt, sizeof lt);
        return cs_error(CS_EFORMAT, "'%s': '%s' holds N = %lld samples, 'labels' is %s", path, info->outputs,
                        (long long)a.shape[1], lt);
    }
    if ((rc = check_labels(f, info)))
        return rc;
    if (eva) {
        cs_score_params p = *eva;
        p.enable = 1u << CS_SCORE_EVA;
        if (cs_score_params_check(&p, info->T)) {
            char why[512];
            snprintf(why, sizeof why, "%s", cs_errmsg()); /* cs_error writes the same buffer */
            return cs_error(CS_EFORMAT, "'%s': %d epochs of dynamics are too few for EVA (%s); hint: record more "
                            "epochs, or shorten the windows with --set score.eva_k=K", path, info->T, why);
        }
    }
    cs_dyn_array fo, us, em;
    int have_cam = find_tn(f, "cam", "[T, N, H, W] (or [T, N, L])", 3, 4, info, cam);
    if (have_cam < 0)
        return have_cam;
    int have_focus = find_tn(f, "focus", "[T, N]", 2, 2, info, &fo);
    if (have_focus < 0)
        return have_focus;
    if (have_cam && have_focus)
        return cs_error(CS_EFORMAT, "'%s' holds both 'cam' and 'focus': give one (focus is computed from the maps)", path);
    info->focus_of = have_cam ? "cam" : have_focus ? "focus" : NULL;
    info->positions = 1;
    for (int k = 2; have_cam && k < cam->rank; k++) {
        if (cam->shape[k] > (1 << 20) / info->positions)
            return cs_error(CS_EUNSUP, "'%s': 'cam' maps of more than 2^20 positions", path);
        info->positions *= cam->shape[k];
    }
    if ((rc = find_tn(f, "used", "[T, N]", 2, 2, info, &us)) < 0)
        return rc;
    info->have_used = rc;
    if ((rc = cs_dyn_find(f, "embeddings", &em)) < 0)
        return rc;
    if (rc) {
        shape_text(&em, got, sizeof got);
        if (em.rank != 2 || em.is_int || em.shape[0] != info->n || em.shape[1] < 1 || em.shape[1] > (1 << 20))
            return cs_error(CS_EFORMAT, "'%s': 'embeddings' must be [N, D] floats with N = %lld; it is %s", path,
                            (long long)info->n, got);
        info->emb_d = em.shape[1];
    }
    return 0;
}

/* Every value, epoch by epoch: what the shapes cannot tell. */
static int check_values(cs_dyn_file *f, const cs_import_info *info, cs_import_buf *b)
{
    const char *path = cs_dyn_path(f);
    int64_t n = info->n;
    int C = info->C, probs = strcmp(info->outputs, "probs") == 0, rc;
    for (int t = 0; t < info->T; t++) {
        if ((rc = cs_dyn_read_rows(f, info->outputs, t, 1, b->out)))
            return rc;
        for (int64_t i = 0; i < n; i++) {
            const float *z = b->out + i * C;
            double s = 0;
            for (int k = 0; k < C; k++) {
                if (!isfinite(z[k]) || (probs && (z[k] < 0 || z[k] > 1)))
                    return cs_error(CS_EFORMAT, "'%s': %s[epoch %d, sample %lld, class %d] is %g%s", path, info->outputs,
                                    t + 1, (long long)i, k, (double)z[k], probs ? ", not a probability" : "");
                s += z[k];
            }
            if (probs && fabs(s - 1) > 1e-3)
                return cs_error(CS_EFORMAT, "'%s': probs[epoch %d, sample %lld] sums to %.6g, not 1", path, t + 1,
                                (long long)i, s);
        }
        if (info->focus_of && !strcmp(info->focus_of, "cam")) {
            if ((rc = cs_dyn_read_rows(f, "cam", t, 1, b->cam)))
                return rc;
            for (int64_t i = 0; i < n; i++) {
                const float *m = b->cam + i * info->positions;
                int64_t nan = 0;
                for (int64_t k = 0; k < info->positions; k++) {
                    if (isinf(m[k]))
                        return cs_error(CS_EFORMAT, "'%s': cam[epoch %d, sample %lld] holds %g", path, t + 1,
                                        (long long)i, (double)m[k]);
                    nan += isnan(m[k]) != 0;
                }
                if (nan && nan != info->positions)
                    return cs_error(CS_EFORMAT, "'%s': cam[epoch %d, sample %lld] is partly NaN (a map not computed "
                                    "that epoch is NaN throughout)", path, t + 1, (long long)i);
            }
        } else if (info->focus_of) {
            if ((rc = cs_dyn_read_rows(f, "focus", t, 1, b->col)))
                return rc;
            for (int64_t i = 0; i < n; i++)
                if (!isnan(b->col[i]) && !(b->col[i] >= 0 && b->col[i] <= 1))
                    return cs_error(CS_EFORMAT, "'%s': focus[epoch %d, sample %lld] is %g, outside [0, 1]", path, t + 1,
                                    (long long)i, (double)b->col[i]);
        }
        if (info->have_used) {
            if ((rc = cs_dyn_read_rows(f, "used", t, 1, b->col)))
                return rc;
            for (int64_t i = 0; i < n; i++)
                if (b->col[i] != 0 && b->col[i] != 1)
                    return cs_error(CS_EFORMAT, "'%s': used[epoch %d, sample %lld] is %g, not 0 or 1", path, t + 1,
                                    (long long)i, (double)b->col[i]);
        }
    }
    if (info->emb_d) { /* b->out holds n x max(C, D) */
        if ((rc = cs_dyn_read_rows(f, "embeddings", 0, n, b->out)))
            return rc;
        for (int64_t i = 0; i < n * info->emb_d; i++)
            if (!isfinite(b->out[i]))
                return cs_error(CS_EFORMAT, "'%s': embeddings[sample %lld, %lld] is %g", path,
                                (long long)(i / info->emb_d), (long long)(i % info->emb_d), (double)b->out[i]);
    }
    return 0;
}

int cs_import_buf_alloc(cs_import_buf *b, const cs_import_info *info)
{
    memset(b, 0, sizeof *b);
    int64_t row = info->C > info->emb_d ? info->C : info->emb_d;
    int64_t w = info->C > info->positions ? info->C : info->positions;
    b->out = cs_malloc(sizeof *b->out * (size_t)(info->n * row));
    b->cam = info->focus_of && !strcmp(info->focus_of, "cam") ? cs_malloc(sizeof *b->cam * (size_t)(info->n * info->positions))
                                                               : NULL;
    b->col = cs_malloc(sizeof *b->col * (size_t)info->n);
    b->work = cs_malloc(sizeof *b->work * (size_t)w);
    if (!b->out || !b->col || !b->work || (info->focus_of && !strcmp(info->focus_of, "cam") && !b->cam)) {
        cs_import_buf_release(b);
        return CS_ENOMEM;
    }
    return 0;
}

void cs_import_buf_release(cs_import_buf *b)
{
    free(b->out);
    free(b->cam);
    free(b->col);
    free(b->work);
    memset(b, 0, sizeof *b);
}

int cs_import_scan(cs_dyn_file *f, const cs_score_params *eva, cs_import_info *info)
{
    memset(info, 0, sizeof *info);
    cs_dyn_array cam;
    int rc = check_shapes(f, eva, info, &cam);
    if (rc)
        return rc;
    if ((double)info->n * (double)(info->C > info->positions ? info->C : info->positions) > 1e10)
        return cs_error(CS_EUNSUP, "'%s': one epoch of %lld samples is too large", cs_dyn_path(f), (long long)info->n);
    cs_import_buf b;
    if ((rc = cs_import_buf_alloc(&b, info)))
        return rc;
    rc = check_values(f, info, &b);
    cs_import_buf_release(&b);
    return rc;
}

/* METHODS.md section 1 from one sample's logits z (double). */
static void sample_fields(const double *z, int C, int y, cs_epoch_record *rec, int64_t i)
{
    double m = z[0];
    int am = 0;
    for (int k = 1; k < C; k++)
        if (z[k] > m) {
            m = z[k];
            am = k;
        }
    double s = 0;
    for (int k = 0; k < C; k++)
        s += exp(z[k] - m);
    double lse = m + log(s), e2 = 0, ent = 0, other = -INFINITY;
    for (int k = 0; k < C; k++) {
        double lp = z[k] - lse, p = exp(lp), d = p - (k == y);
        e2 += d * d;
        if (p > 0)
            ent -= p * lp;
        if (k != y && z[k] > other)
            other = z[k];
        if (rec->probs)
            rec->probs[i * C + k] = (float)p;
    }
    rec->err[i] = (float)sqrt(e2);
    rec->conf[i] = (float)exp(z[y] - lse);
    rec->margin[i] = (float)(z[y] - other);
    rec->entropy[i] = (float)ent;
    rec->loss[i] = (float)(lse - z[y]);
    rec->correct[i] = am == y;
}

int cs_import_epoch(cs_dyn_file *f, const cs_import_info *info, int t, cs_import_buf *b, cs_epoch_record *rec)
{
    int64_t n = info->n;
    int C = info->C, probs = strcmp(info->outputs, "probs") == 0, rc;
    rec->epoch = t + 1;
    rec->run = 0;
    rec->n = n;
    rec->num_classes = C;
    if ((rc = cs_dyn_read_rows(f, info->outputs, t, 1, b->out)))
        return rc;
    for (int64_t i = 0; i < n; i++) {
        const float *o = b->out + i * C;
        for (int k = 0; k < C; k++)
            b->work[k] = probs ? log(fmax((double)o[k], 1e-30)) : (double)o[k];
        sample_fields(b->work, C, info->labels[i], rec, i);
    }
    if (!info->focus_of) {
        for (int64_t i = 0; i < n; i++)
            rec->focus[i] = NAN;
    } else if (!strcmp(info->focus_of, "focus")) {
        if ((rc = cs_dyn_read_rows(f, "focus", t, 1, rec->focus)))
            return rc;
    } else {
        if ((rc = cs_dyn_read_rows(f, "cam", t, 1, b->cam)))
            return rc;
        for (int64_t i = 0; i < n; i++) {
            const float *m = b->cam + i * info->positions;
            double v;
            if (isnan(m[0]))
                rec->focus[i] = NAN; /* not computed this epoch */
            else if ((rc = cs_focus(m, info->positions, b->work, &v)))
                return cs_error(rc, "'%s': cam[epoch %d, sample %lld]: no focus", cs_dyn_path(f), t + 1, (long long)i);
            else
                rec->focus[i] = (float)v;
        }
    }
    if (info->have_used) {
        if ((rc = cs_dyn_read_rows(f, "used", t, 1, b->col)))
            return rc;
        for (int64_t i = 0; i < n; i++)
            rec->used[i] = b->col[i] != 0;
    } else {
        memset(rec->used, 1, (size_t)n);
    }
    return 0;
}
