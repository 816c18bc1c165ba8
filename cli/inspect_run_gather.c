/* inspect_run_gather.c - collect what `coreset inspect RUN` shows: the
 * trajectory (every frame read and verified, per-frame train-pass means,
 * effective epochs from the `used` column), run.yaml (config and provenance),
 * scores.h5 (each score's parameters and min / median / max), embeddings.h5
 * (shape, dtype, stored epochs) and the index files lying in the run directory. */
#include "inspect_run.h"

#include "../common/err.h"
#include "../run/run_dir.h"
#include "../formats/traj_meta.h"
#include "../common/fsio.h"
#include "../formats/index_file.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void run_summary_release(run_summary *s)
{
    cs_traj_reader_free(s->reader);
    free(s->frames);
    free(s->runs);
    free(s->hist);
    cs_run_prov_release(&s->prov);
    cs_scores_release(&s->sf);
    free(s->scores);
    cs_embed_release(&s->embed);
    free(s->index);
    memset(s, 0, sizeof *s);
}

void run_summary_meta(const run_summary *s, const char *key, char *out, size_t len)
{
    out[0] = 0;
    if (!s->reader)
        return;
    cs_traj_meta_get(cs_traj_reader_header(s->reader), key, out, len);
}

const char *run_summary_prov(const run_summary *s, const char *key)
{
    return cs_run_prov_get(&s->prov, key);
}

/* --- trajectory ------------------------------------------------------------------ */

static int add_frame(run_summary *s, const cs_epoch_record *rec)
{
    if (!(s->nframes & (s->nframes - 1))) { /* grow at powers of two */
        run_frame *p = realloc(s->frames, sizeof *p * (size_t)(s->nframes ? 2 * s->nframes : 1));
        if (!p)
            return cs_error(CS_ENOMEM, "out of memory");
        s->frames = p;
    }
    run_frame *f = &s->frames[s->nframes++];
    f->run = rec->run;
    f->epoch = rec->epoch;
    cs_epoch_means mn = cs_epoch_record_means(rec);
    f->loss = mn.loss;
    f->accuracy = mn.accuracy;
    f->used = mn.used;
    f->focus = -1;
    if (rec->focus) {
        f->focus = 0;
        for (int64_t i = 0; i < rec->n; i++)
            f->focus += !isnan(rec->focus[i]);
    }
    for (int k = 0; k < s->nruns; k++)
        if (s->runs[k].run == rec->run) {
            run_stat *u = &s->runs[k];
            u->epochs++;
            u->first = rec->epoch < u->first ? rec->epoch : u->first;
            u->last = rec->epoch > u->last ? rec->epoch : u->last;
            u->effective_epochs += f->used;
            return 0;
        }
    run_stat *p = realloc(s->runs, sizeof *p * (size_t)(s->nruns + 1));
    if (!p)
        return cs_error(CS_ENOMEM, "out of memory");
    s->runs = p;
    s->runs[s->nruns++] = (run_stat){rec->run, rec->epoch, rec->epoch, 1, f->used};
    return 0;
}

static int gather_traj(run_summary *s)
{
    int rc = cs_traj_reader_open(&s->reader, s->traj_path);
    if (rc)
        return rc;
    const cs_traj_header_info *h = cs_traj_reader_header(s->reader);
    s->hist = cs_calloc((size_t)h->num_classes, sizeof *s->hist);
    if (!s->hist)
        return CS_ENOMEM;
    for (int64_t i = 0; i < h->n; i++) {
        if (h->labels[i] < 0 || h->labels[i] >= h->num_classes)
            return cs_error(CS_EFORMAT, "'%s': label %d of sample %lld is outside 0..%d", s->traj_path,
                            h->labels[i], (long long)i, h->num_classes - 1);
        s->hist[h->labels[i]]++;
    }
    cs_epoch_record rec;
    while ((rc = cs_traj_reader_next(s->reader, &rec)) == 1)
        if ((rc = add_frame(s, &rec)))
            return rc;
    int64_t good_end;
    if (rc < 0 && cs_traj_reader_torn(s->reader, &good_end)) {
        /* A run being written (or killed) ends in a partial frame: summarise the
         * complete ones and say so; a damaged frame stays an error. */
        snprintf(s->torn, sizeof s->torn, "%s", cs_errmsg());
        char *nl = strchr(s->torn, '\n');
        if (nl)
            *nl = 0;
        rc = 0;
    }
    if (rc < 0)
        return rc;
    struct stat st;
    s->file_bytes = stat(s->traj_path, &st) == 0 ? (int64_t)st.st_size : -1;
    s->bytes = NAN;
    if (s->nframes && !s->torn[0] && (rc = cs_traj_bytes_per_sample(s->traj_path, &s->bytes)))
        return rc;
    if (s->nframes && s->torn[0])
        s->bytes = (double)s->file_bytes / ((double)s->nframes * (double)h->n);
    return 0;
}

/* --- run.yaml ---------------------------------------------------------------------- */

/* The `provenance:` section coreset score appends to run.yaml, and its
 * effective_epochs list as numbers. */
static int gather_provenance(run_summary *s, const char *yaml)
{
    int rc = cs_run_prov_read(&s->prov, yaml);
    const char *ee = run_summary_prov(s, "effective_epochs");
    if (!rc && ee && *ee == '[') {
        char *q = (char *)ee + 1;
        while (s->n_recorded_ee < 128) {
            char *e;
            double v = strtod(q, &e);
            if (e == q)
                break;
            s->recorded_ee[s->n_recorded_ee++] = v;
            q = e + strspn(e, ", ");
        }
    }
    return rc;
}

/* --- scores.h5 ------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int gather_scores(run_summary *s)
{
    int rc = cs_scores_open(&s->sf, s->scores_path);
    if (rc)
        return rc;
    s->scores = cs_calloc((size_t)(s->sf.count ? s->sf.count : 1), sizeof *s->scores);
    if (!s->scores)
        return CS_ENOMEM;
    for (int k = 0; k < s->sf.count; k++) {
        run_score *r = &s->scores[k];
        double *v = NULL;
        snprintf(r->name, sizeof r->name, "%s", s->sf.names[k]);
        if ((rc = cs_scores_read(&s->sf, s->scores_path, r->name, &v, &r->dir, r->params, sizeof r->params)))
            return rc;
        int64_t m = 0;
        for (int64_t i = 0; i < s->sf.n; i++) {
            if (isnan(v[i])) {
                r->nan++;
                continue;
            }
            r->inf += isinf(v[i]) != 0;
            v[m++] = v[i];
        }
        qsort(v, (size_t)m, sizeof *v, cmp_double);
        r->min = m ? v[0] : NAN;
        r->max = m ? v[m - 1] : NAN;
        r->median = !m ? NAN : m % 2 ? v[m / 2] : v[m / 2 - 1] / 2 + v[m / 2] / 2;
        free(v);
    }
    return 0;
}

/* --- embeddings.h5 --------------------------------------------------------------- */

static int gather_embed(run_summary *s)
{
    struct stat st;
    int rc;
    if ((rc = cs_embed_stat(s->embed_path, &s->embed)) || (rc = cs_embed_dtype(s->embed_path, &s->embed_dtype)) ||
        (rc = cs_scores_attr(s->embed_path, "pass", s->embed_pass, sizeof s->embed_pass)))
        return rc;
    s->embed_bytes = stat(s->embed_path, &st) == 0 ? (int64_t)st.st_size : 0;
    return 0;
}

/* --- index files ------------------------------------------------------------------- */

/* 1 if the file starts with the index marker line. */
static int looks_like_index(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    char head[32] = "";
    size_t got = fread(head, 1, sizeof head - 1, fp);
    fclose(fp);
    head[got] = 0;
    return !strncmp(head, "# " CS_INDEX_MARKER " ", strlen("# " CS_INDEX_MARKER " "));
}

static int cmp_index(const void *a, const void *b)
{
    return strcmp(((const run_index *)a)->name, ((const run_index *)b)->name);
}

static int gather_index_files(run_summary *s)
{
    DIR *d = opendir(s->path);
    if (!d)
        return cs_error_errno(CS_EIO, "cannot list run '%s'", s->path);
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) && !rc) {
        char path[RUN_PATH_MAX];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", s->path, e->d_name);
        if (e->d_name[0] == '.' || stat(path, &st) != 0 || !S_ISREG(st.st_mode) || !looks_like_index(path))
            continue;
        run_index *x = realloc(s->index, sizeof *x * (size_t)(s->nindex + 1));
        if (!x) {
            rc = cs_error(CS_ENOMEM, "out of memory");
            break;
        }
        s->index = x;
        x = &s->index[s->nindex++];
        memset(x, 0, sizeof *x);
        snprintf(x->name, sizeof x->name, "%s", e->d_name);
        cs_index_file f;
        cs_index_file_init(&f);
        if (cs_index_read(path, &f) == 0) {
            x->n = f.n;
            x->m = f.m;
            const char *score = cs_index_file_get(&f, "score");
            snprintf(x->score, sizeof x->score, "%s", score ? score : "");
        } else {
            /* A damaged index file is reported beside the others, not fatal to the summary. */
            snprintf(x->error, sizeof x->error, "%s", cs_errmsg());
        }
        cs_index_file_release(&f);
    }
    closedir(d);
    if (s->nindex > 1)
        qsort(s->index, (size_t)s->nindex, sizeof *s->index, cmp_index);
    return rc;
}

int run_summary_gather(run_summary *s, const char *path)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    s->is_dir = cs_path_is_dir(path);
    s->bytes = NAN;
    char yaml[RUN_PATH_MAX];
    if (!s->is_dir) {
        snprintf(s->traj_path, sizeof s->traj_path, "%s", path);
        s->have_traj = 1;
    } else {
        cs_run_path(s->traj_path, sizeof s->traj_path, path, CS_RUN_TRAJ);
        cs_run_path(s->scores_path, sizeof s->scores_path, path, CS_RUN_SCORES);
        cs_run_path(yaml, sizeof yaml, path, CS_RUN_YAML);
        s->have_traj = cs_path_exists(s->traj_path);
        s->have_scores = cs_path_exists(s->scores_path);
        s->have_yaml = cs_path_exists(yaml);
        cs_run_path(s->embed_path, sizeof s->embed_path, path, CS_RUN_EMBED);
        s->have_embed = cs_path_exists(s->embed_path);
        if (!s->have_traj && !s->have_scores && !s->have_yaml)
            return cs_error(CS_EIO, "'%s' is not a run: it has no run.yaml, trajectory.cst or scores.h5", path);
    }
    int rc;
    if (s->have_yaml) {
        cs_config_init(&s->cfg);
        if ((rc = cs_config_load_run(&s->cfg, yaml)) || (rc = gather_provenance(s, yaml)))
            return rc;
    }
    if ((s->have_traj && (rc = gather_traj(s))) || (s->have_scores && (rc = gather_scores(s))) ||
        (s->have_embed && (rc = gather_embed(s))) ||
        (s->is_dir && (rc = gather_index_files(s))))
        return rc;
    return 0;
}
