/* select_geom_bench.c - wall time of the rules in embedding space on real
 * embeddings: each rule at --rate R with quota proportional (the command's
 * default) and quota none, and D2's kNN graph alone over the first G samples.
 *   select_geom_bench DIR N D G [RATE [graph]]
 * (graph: the kNN graph only.)
 * DIR holds emb.f32 (N x D), labels.i32 (N), score.f64 (N) and meta "C"
 * (bench/select_geom writes them).  One line per measurement. */
#include "../common/err.h"
#include "../nn/device.h"
#include "../select/geom.h"
#include "../select/rule.h"
#include "../select/select.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* CPU seconds of all threads: on a shared machine the wall time is the
 * share the scheduler gave, the CPU time the work itself. */
static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void *slurp(const char *dir, const char *name, size_t bytes)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    void *buf = malloc(bytes);
    if (!f || !buf || fread(buf, 1, bytes, f) != bytes) {
        fprintf(stderr, "select_geom_bench: cannot read %zu bytes of %s\n", bytes, path);
        exit(1);
    }
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    cs_compute_env_prepare(argv); /* OpenBLAS's core, as coreset itself (nn/device.h) */
    if (argc < 5) {
        fprintf(stderr, "usage: select_geom_bench DIR N D G [RATE]\n");
        return 2;
    }
    int64_t n = atoll(argv[2]), g = atoll(argv[4]);
    int d = atoi(argv[3]);
    double rate = argc > 5 ? atof(argv[5]) : 0.1;
    float *emb = slurp(argv[1], "emb.f32", sizeof(float) * (size_t)n * (size_t)d);
    int32_t *lab = slurp(argv[1], "labels.i32", sizeof(int32_t) * (size_t)n);
    double *score = slurp(argv[1], "score.f64", sizeof(double) * (size_t)n);
    int nc = 0;
    for (int64_t i = 0; i < n; i++)
        nc = lab[i] + 1 > nc ? lab[i] + 1 : nc;
    cs_select_inputs in = {.n = n, .num_classes = nc, .labels = lab, .score = score, .dir = CS_DIR_HIGH,
                           .embed = emb, .embed_dim = d};
    /* The graph alone, over the first g samples (one group). */
    int64_t *idx = malloc(sizeof *idx * (size_t)g);
    for (int64_t i = 0; i < g; i++)
        idx[i] = i;
    int kk;
    int64_t *nb;
    double *dist;
    double t0 = now(), c0 = cpu();
    if (cs_geom_knn(&in, idx, g, 5, &kk, &nb, &dist)) {
        fprintf(stderr, "select_geom_bench: %s\n", cs_errmsg());
        return 1;
    }
    printf("knn-graph k=5 N=%lld D=%d (one group)      wall %7.2f s  cpu %7.2f s\n", (long long)g, d,
           now() - t0, cpu() - c0);
    fflush(stdout);
    free(nb);
    free(dist);
    free(idx);
    if (argc > 6 && strcmp(argv[6], "graph") == 0)
        return 0;
    static const cs_pick picks[] = {CS_PICK_MODERATE, CS_PICK_KCENTER, CS_PICK_HERDING, CS_PICK_D2,
                                    CS_PICK_D2_STRAT};
    static const cs_quota_mode quotas[] = {CS_QUOTA_PROPORTIONAL, CS_QUOTA_NONE};
    for (size_t q = 0; q < 2; q++)
        for (size_t r = 0; r < sizeof picks / sizeof picks[0]; r++) {
            cs_select_params p;
            cs_select_params_init(&p);
            p.pick = picks[r];
            p.quota = quotas[q];
            p.rate = rate;
            int64_t m;
            t0 = now();
            c0 = cpu();
            if (cs_select_run(&p, &in, &idx, &m, NULL)) {
                fprintf(stderr, "select_geom_bench: %s\n", cs_errmsg());
                return 1;
            }
            printf("%-9s quota %-12s N=%lld D=%d rate %g   wall %7.2f s  cpu %7.2f s\n",
                   cs_pick_name(picks[r]), cs_quota_name(quotas[q]), (long long)n, d, rate, now() - t0,
                   cpu() - c0);
            fflush(stdout);
            free(idx);
        }
    free(emb);
    free(lab);
    free(score);
    return 0;
}
