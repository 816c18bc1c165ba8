/* train_cpu_bench.c - training throughput of the CPU engine: samples/s of full SGD steps
 * (forward, cross-entropy, backward, update) on random 1x28x28 data, 10 classes.
 *
 *   train_cpu_bench MODEL BATCH WARMUP STEPS THREADS   (built and run by bench/train_cpu) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../common/err.h"
#include "../common/rng.h"
#include "../nn/device.h"
#include "../nn/model.h"
#include "../nn/optim.h"

static double now(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    cs_compute_env_prepare(argv); /* as coreset itself does (nn/device.h) */
    if (argc != 6) {
        fprintf(stderr, "usage: train_cpu_bench MODEL BATCH WARMUP STEPS THREADS\n");
        return 2;
    }
    int batch = atoi(argv[2]), warm = atoi(argv[3]), steps = atoi(argv[4]);
    cs_model_spec s;
    cs_model_spec_init(&s);
    s.name = argv[1];
    cs_backend *be = NULL;
    cs_model *m = NULL;
    cs_optim *o = NULL;
    cs_optim_cfg oc;
    cs_optim_cfg_init(&oc, CS_OPT_SGD);
    if (cs_backend_cpu_create(&be, atoi(argv[5])) || cs_model_create(&m, &s, batch, be) ||
        cs_optim_create(&o, &oc, m)) {
        fprintf(stderr, "train_cpu_bench: error: %s\n", cs_errmsg());
        return 1;
    }
    cs_rng rng;
    cs_rng_seed(&rng, 1);
    if (cs_model_init_params(m, &rng)) {
        fprintf(stderr, "train_cpu_bench: error: %s\n", cs_errmsg());
        return 1;
    }
    float *x = malloc(sizeof(float) * batch * 28 * 28);
    int *y = malloc(sizeof(int) * batch);
    for (int i = 0; i < batch * 28 * 28; i++)
        x[i] = (float)cs_rng_normal(&rng);
    for (int i = 0; i < batch; i++)
        y[i] = (int)cs_rng_below(&rng, 10);
    double t0 = 0, c0 = 0, loss = 0;
    for (int it = 0; it < warm + steps; it++) {
        if (it == warm) {
            t0 = now(CLOCK_MONOTONIC);
            c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        }
        cs_model_zero_grad(m);
        cs_model_forward(m, x, batch, 1);
        loss = cs_model_xent(m, y, 0.0f);
        cs_model_backward(m, cs_model_dlogits(m));
        cs_optim_step(o, 0.01f);
    }
    double dt = now(CLOCK_MONOTONIC) - t0, dc = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
    printf("%s batch %d threads %s: %.1f train samples/s (%d steps, %.3f s/step, cpu %.3f s/step, loss %.3f)\n",
           argv[1], batch, argv[5], steps * batch / dt, steps, dt / steps, dc / steps, loss);
    free(x);
    free(y);
    cs_optim_free(o);
    cs_model_free(m);
    cs_backend_free(be);
    return 0;
}
