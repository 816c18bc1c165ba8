/* rescore_bench.c - `coreset score --rescore` speed and memory on a synthetic
 * trajectory: N samples, C classes, T epochs of plausible values (the scores
 * do not care where the numbers came from; the reader and accumulators do the
 * same work).  Writes RUN_DIR/run.yaml and RUN_DIR/trajectory.cst, then times
 * cs_rescore on one thread and prints MB/s of decompressed trajectory and the
 * process's peak RSS.
 *
 *   rescore_bench RUN_DIR N C T   (built and run by bench/rescore) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "../common/err.h"
#include "../common/fsio.h"
#include "../common/rng.h"
#include "../config/config.h"
#include "../formats/traj.h"
#include "../score/surrogate.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
    fprintf(stderr, "rescore_bench: error: %s: %s\n", what, cs_errmsg());
    exit(1);
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: rescore_bench RUN_DIR N C T\n");
        return 2;
    }
    const char *dir = argv[1];
    int64_t n = atoll(argv[2]);
    int C = atoi(argv[3]), T = atoi(argv[4]);
    static cs_config cfg;
    cs_config_init(&cfg);
    char set[64];
    snprintf(set, sizeof set, "train.epochs=%d", T);
    if (cs_config_set(&cfg, "dataset.path=synthetic") || cs_config_set(&cfg, set) ||
        cs_config_set(&cfg, "score.eva_k=5") || cs_config_set(&cfg, "score.el2n_to=5") ||
        cs_config_set(&cfg, "score.du_window=5"))
        die("config");
    if (cs_mkdir(dir))
        die(dir);
    char path[4200];
    cs_run_path(path, sizeof path, dir, "run.yaml");
    FILE *fp = fopen(path, "w");
    if (!fp || cs_config_write(&cfg, fp) || fclose(fp))
        die(path);

    int32_t *labels = malloc(sizeof *labels * n);
    cs_rng rng;
    cs_rng_seed(&rng, 7);
    for (int64_t i = 0; i < n; i++)
        labels[i] = (int32_t)cs_rng_below(&rng, (uint64_t)C);
    cs_epoch_record rec = {0};
    rec.n = n;
    rec.num_classes = C;
    float **cols[] = {&rec.err, &rec.conf, &rec.margin, &rec.entropy, &rec.loss, &rec.focus};
    for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
        *cols[k] = malloc(sizeof(float) * n);
    rec.correct = malloc(n);
    rec.used = malloc(n);
    rec.probs = malloc(sizeof(float) * n * C);
    cs_run_path(path, sizeof path, dir, "trajectory.cst");
    remove(path);
    cs_traj_writer *w = NULL;
    cs_traj_header_info hi = {n, C, CS_TRAJ_SCALARS | CS_TRAJ_PROBS, labels, "bench=1\n", 8, 0};
    if (cs_traj_writer_create(&w, path, &hi))
        die(path);
    for (int e = 1; e <= T; e++) {
        rec.epoch = e;
        rec.run = 0;
        for (int64_t i = 0; i < n; i++) {
            /* Confidence drifting up with the epoch, noisy per sample. */
            float p = (float)fmin(0.999, fmax(0.001, 0.3 + 0.6 * e / T + 0.2 * (cs_rng_uniform(&rng) - 0.5)));
            rec.conf[i] = p;
            rec.loss[i] = -logf(p);
            rec.err[i] = (1 - p) * 1.2f;
            rec.margin[i] = 4 * (p - 0.5f);
            rec.entropy[i] = (1 - p) * 2;
            rec.focus[i] = (float)cs_rng_uniform(&rng);
            rec.correct[i] = p > 0.5f;
            rec.used[i] = 1;
            for (int c = 0; c < C; c++)
                rec.probs[i * C + c] = c == labels[i] ? p : (1 - p) / (C - 1);
        }
        if (cs_traj_writer_append(w, &rec))
            die("append");
    }
    if (cs_traj_writer_close(w))
        die("close");
    long rss_before = peak_rss_kb();
    /* Free the generator's columns so the peak below is the rescore's own. */
    for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
        free(*cols[k]);
    free(rec.correct);
    free(rec.used);
    free(rec.probs);
    double raw = (double)T * (double)n * (6 * 4 + 2 + 4.0 * C);
    /* Wall time includes the fsync of scores.h5 and, on a shared machine,
     * waiting for the core; CPU time is what the rescore itself costs. */
    double best = 1e30, best_cpu = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now(), c0 = cpu_now();
        if (cs_rescore(&cfg, dir))
            die("rescore");
        double s = now() - t0, c = cpu_now() - c0;
        best = s < best ? s : best;
        best_cpu = c < best_cpu ? c : best_cpu;
    }
    printf("N=%lld C=%d T=%d: %.1f MB decompressed trajectory; rescore best of 3: wall %.3f s = %.0f MB/s, "
           "CPU %.3f s = %.0f MB/s; peak RSS %.1f MB (generator %.1f MB)\n",
           (long long)n, C, T, raw / 1e6, best, raw / 1e6 / best, best_cpu, raw / 1e6 / best_cpu,
           peak_rss_kb() / 1024.0, rss_before / 1024.0);
    free(labels);
    return 0;
}
