/* d2.c - D2 pruning (Maharana et al., ICLR 2024; METHODS.md section 6), as
 * its authors' GraphDensitySampler with graph_mode `sum` and
 * graph_sampling_mode `weighted` (the settings of their README):
 *  1. kNN graph on the embeddings, k = 5, made symmetric (an edge when
 *     either end is among the other's k nearest), edge length d = Euclidean;
 *  2. forward: dens_i = s_i + sum_j exp(-gamma_f d_ij) max(s_j, 1e-7), s the
 *     difficulty (the --by score, hard end high, shifted to >= 0: d2.h);
 *     gamma_f = 1 as their code (exp(-d));
 *  3. repeat quota times: take the highest dens (ties: lower index), then
 *     dens_j -= exp(-gamma_r d_ij) dens_i for its neighbours, gamma_r = 0.1.
 * Inside each group (per class under a quota mode, the whole set with
 * none); the reliability filter: geom.h's tiers.  The greedy step keeps a
 * max segment tree over positions, so it is O(quota log len) beyond the graph. */
#include "d2.h"

#include "../common/err.h"
#include "../common/numtext.h"
#include "geom.h"
#include "rule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void cs_d2_difficulty(const cs_select_inputs *in, const int64_t *idx, int64_t len, double *s)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int64_t k = 0; k < len; k++) {
        double h = (double)in->dir * in->score[idx[k]];
        if (isfinite(h)) {
            lo = h < lo ? h : lo;
            hi = h > hi ? h : hi;
        }
    }
    for (int64_t k = 0; k < len; k++) {
        double h = (double)in->dir * in->score[idx[k]];
        if (!(lo <= hi))
            s[k] = 0.0;
        else
            s[k] = (h > hi ? hi : h < lo ? lo : h) - lo;
    }
}

typedef struct edge {
    int64_t from, to;
    double d;
} edge;

static int edge_cmp(const void *a, const void *b)
{
    const edge *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return (x->to > y->to) - (x->to < y->to);
}

/* Max segment tree over positions: value, then the lower position. */
typedef struct segtree {
    int64_t size;
    int64_t *node; /* position of the best leaf below, -1 for none */
    const double *v;
    const unsigned char *gone;
} segtree;

static int64_t seg_better(const segtree *t, int64_t a, int64_t b)
{
    if (a < 0 || t->gone[a])
        return b < 0 || t->gone[b] ? -1 : b;
    if (b < 0 || t->gone[b])
        return a;
    if (t->v[a] != t->v[b])
        return t->v[a] > t->v[b] ? a : b;
    return a < b ? a : b;
}

static void seg_update(segtree *t, int64_t pos)
{
    int64_t i = pos + t->size;
    t->node[i] = pos;
    for (i /= 2; i >= 1; i /= 2)
        t->node[i] = seg_better(t, t->node[2 * i], t->node[2 * i + 1]);
}

int cs_d2_run(const cs_select_params *p, const cs_select_inputs *in, const int64_t *idx, int64_t len,
              const double *s, double *dens, int64_t quota, int64_t *out)
{
    int kk;
    int64_t *nb = NULL;
    double *nd = NULL;
    int rc = cs_geom_knn(in, idx, len, p->knn, &kk, &nb, &nd);
    if (rc)
        return rc;
    int64_t ne = 2 * len * kk, m = 0;
    edge *e = cs_malloc(sizeof *e * (size_t)(ne ? ne : 1));
    int64_t *off = cs_calloc((size_t)len + 1, sizeof *off);
    double *v = cs_malloc(sizeof *v * (size_t)len);
    unsigned char *gone = cs_calloc((size_t)len, 1);
    segtree t = {0};
    if (!e || !off || !v || !gone) {
        rc = CS_ENOMEM;
        goto out;
    }
    for (int64_t r = 0; r < len; r++)
        for (int q = 0; q < kk; q++) {
            int64_t j = nb[r * kk + q];
            e[m++] = (edge){r, j, nd[r * kk + q]};
            e[m++] = (edge){j, r, nd[r * kk + q]};
        }
    qsort(e, (size_t)m, sizeof *e, edge_cmp);
    int64_t u = 0;
    for (int64_t q = 0; q < m; q++)
        if (u == 0 || e[q].from != e[u - 1].from || e[q].to != e[u - 1].to)
            e[u++] = e[q];
    for (int64_t q = 0; q < u; q++)
        off[e[q].from + 1]++;
    for (int64_t r = 0; r < len; r++)
        off[r + 1] += off[r];
    for (int64_t r = 0; r < len; r++) {
        double acc = s[r];
        for (int64_t q = off[r]; q < off[r + 1]; q++) {
            double sj = s[e[q].to];
            acc += exp(-p->d2_gamma_f * e[q].d) * (sj > 1e-7 ? sj : 1e-7);
        }
        v[r] = acc;
        if (dens)
            dens[r] = acc;
    }
    if (quota <= 0)
        goto out;
    t.size = 1;
    while (t.size < len)
        t.size *= 2;
    t.node = cs_malloc(sizeof *t.node * (size_t)(2 * t.size));
    if (!t.node) {
        rc = CS_ENOMEM;
        goto out;
    }
    t.v = v;
    t.gone = gone;
    for (int64_t i = 0; i < 2 * t.size; i++)
        t.node[i] = -1;
    for (int64_t r = 0; r < len; r++)
        t.node[t.size + r] = r;
    for (int64_t i = t.size - 1; i >= 1; i--)
        t.node[i] = seg_better(&t, t.node[2 * i], t.node[2 * i + 1]);
    for (int64_t j = 0; j < quota; j++) {
        int64_t b = t.node[1];
        out[j] = idx[b];
        gone[b] = 1;
        seg_update(&t, b);
        for (int64_t q = off[b]; q < off[b + 1]; q++) {
            int64_t to = e[q].to;
            if (gone[to])
                continue;
            v[to] -= exp(-p->d2_gamma_r * e[q].d) * v[b];
            seg_update(&t, to);
        }
    }
out:
    free(t.node);
    free(nb);
    free(nd);
    free(e);
    free(off);
    free(v);
    free(gone);
    return rc;
}

int cs_d2_check_params(const cs_select_params *p)
{
    if (p->knn < 1)
        return cs_error(CS_EINVAL, "d2: k = %d neighbours: must be >= 1", p->knn);
    if (!(p->d2_gamma_f >= 0.0) || !isfinite(p->d2_gamma_f) || !(p->d2_gamma_r >= 0.0) ||
        !isfinite(p->d2_gamma_r))
        return cs_error(CS_EINVAL, "d2: gamma_f %g, gamma_r %g: must be finite and >= 0",
                        p->d2_gamma_f, p->d2_gamma_r);
    return 0;
}

static int d2_tier(const cs_select_params *p, const cs_select_inputs *in, const int64_t *idx, int64_t len,
                   const double *u, int64_t quota, int64_t *out)
{
    (void)u;
    double *s = cs_malloc(sizeof *s * (size_t)len);
    if (!s)
        return CS_ENOMEM;
    cs_d2_difficulty(in, idx, len, s);
    int rc = cs_d2_run(p, in, idx, len, s, NULL, quota, out);
    free(s);
    return rc;
}

static int d2_check(const cs_select_params *p, const cs_select_inputs *in)
{
    int rc = cs_select_need_score(in, cs_rule_d2.name);
    if (!rc)
        rc = cs_d2_check_params(p);
    return rc ? rc : cs_geom_check(in, cs_rule_d2.name);
}

static int d2_pick(const cs_select_params *p, const cs_select_inputs *in, cs_cand *a, int64_t len,
                   const double *u, int64_t quota, int64_t *out)
{
    return cs_geom_tiered(d2_tier, p, in, a, len, u, quota, out);
}

static void d2_describe(const cs_select_params *p, char *buf, size_t len)
{
    char f[32], r[32];
    snprintf(buf, len, "%s k=%d gamma-f=%s gamma-r=%s", cs_rule_d2.name, p->knn,
             cs_double_text(p->d2_gamma_f, f, sizeof f), cs_double_text(p->d2_gamma_r, r, sizeof r));
}

/* Forgetting by default, the paper's difficulty score for images. */
const cs_select_rule cs_rule_d2 = {
    .name = "d2",
    .needs_embed = 1,
    .default_score = "forgetting",
    .check = d2_check,
    .pick = d2_pick,
    .describe = d2_describe,
};
