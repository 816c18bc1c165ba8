/* train_gpu_bench.c - training throughput of one backend: samples/s of full SGD steps
 * (upload, forward, cross-entropy, backward, update) on random data, and of recorded
 * steps, which also keep every sample's outputs (probabilities, loss, correctness) on the
 * host and compute its Grad-CAM map at the last conv block and its focus, as a recorded
 * epoch of `coreset score` does.  Built from nn/, train/ and common/ alone (see
 * tests/gpu/check.sh), run by bench/train_gpu against bench/train_gpu_torch.py.
 *
 *   train_gpu_bench DEVICE MODEL C H W CLASSES BATCH WARMUP STEPS step|recorded
 *   (H = 1: a 1-D signal of W samples, resnet1d) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/err.h"
#include "../common/rng.h"
#include "../nn/backends.h"
#include "../nn/model.h"
#include "../nn/optim.h"
#include "../train/cam_layer.h"
#include "../train/focus.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int die(void)
{
    fprintf(stderr, "train_gpu_bench: error: %s\n", cs_errmsg());
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 11) {
        fprintf(stderr, "usage: train_gpu_bench DEVICE MODEL C H W CLASSES BATCH WARMUP STEPS step|recorded\n");
        return 2;
    }
    int C = atoi(argv[3]), H = atoi(argv[4]), W = atoi(argv[5]), K = atoi(argv[6]);
    int batch = atoi(argv[7]), warm = atoi(argv[8]), steps = atoi(argv[9]);
    int recorded = strcmp(argv[10], "recorded") == 0;
    cs_model_spec s;
    cs_model_spec_init(&s);
    s.name = argv[2];
    s.in_channels = C;
    s.num_classes = K;
    if (H == 1) {
        s.in_ndim = 1;
        s.in_shape[0] = W;
    } else {
        s.in_shape[0] = H;
        s.in_shape[1] = W;
    }
    cs_backend *be = NULL;
    cs_model *m = NULL;
    cs_optim *o = NULL;
    cs_optim_cfg oc;
    cs_optim_cfg_init(&oc, CS_OPT_SGD);
    if (cs_backend_create(&be, argv[1], 0) || cs_model_create(&m, &s, batch, be) || cs_optim_create(&o, &oc, m))
        return die();
    cs_rng rng;
    cs_rng_seed(&rng, 1);
    if (cs_model_init_params(m, &rng))
        return die();
    size_t per = (size_t)C * H * W;
    float *x = malloc(sizeof(float) * batch * per);
    int *y = malloc(sizeof(int) * batch);
    int32_t *target = malloc(sizeof(int32_t) * batch);
    for (size_t i = 0; i < batch * per; i++)
        x[i] = (float)cs_rng_normal(&rng);
    for (int i = 0; i < batch; i++)
        target[i] = y[i] = (int)cs_rng_below(&rng, (uint64_t)K);
    cs_cam cam = {0};
    float *maps = NULL, *fields = malloc(sizeof(float) * batch * 3);
    double *scratch = NULL;
    if (recorded) {
        if (cs_cam_init(&cam, m, "last", 0))
            return die();
        int64_t P = cs_cam_positions(&cam);
        maps = malloc(sizeof(float) * batch * P);
        scratch = malloc(sizeof(double) * P);
    }
    double t0 = 0, loss = 0, focus_sum = 0;
    for (int it = 0; it < warm + steps; it++) {
        if (it == warm)
            t0 = now();
        cs_model_zero_grad(m);
        if (cs_model_forward(m, x, batch, 1))
            return die();
        loss = cs_model_xent(m, y, 0.0f);
        if (recorded) { /* what the record keeps per sample, then the map and its focus */
            const float *p = cs_model_probs(m), *l = cs_model_sample_loss(m);
            for (int i = 0; i < batch; i++) {
                const float *pi = p + (size_t)i * K;
                int arg = 0;
                for (int k = 1; k < K; k++)
                    arg = pi[k] > pi[arg] ? k : arg;
                fields[3 * i] = pi[y[i]];
                fields[3 * i + 1] = l[i];
                fields[3 * i + 2] = arg == y[i];
            }
            if (cs_cam_maps(&cam, target, batch, maps))
                return die();
            int64_t P = cs_cam_positions(&cam);
            for (int i = 0; i < batch; i++) {
                double f = 0;
                cs_focus(maps + (size_t)i * P, P, scratch, &f);
                focus_sum += f;
            }
        }
        if (cs_model_backward(m, cs_model_dlogits(m)) || cs_optim_step(o, 0.01f))
            return die();
    }
    double dt = now() - t0;
    printf("ours %s %s %dx%dx%d batch %d %s: %.1f samples/s (%d steps, %.4f s/step, loss %.3f)\n", argv[1], argv[2],
           C, H, W, batch, recorded ? "recorded+focus" : "step", steps * batch / dt, steps, dt / steps, loss);
    (void)focus_sum;
    cs_cam_release(&cam);
    free(maps);
    free(scratch);
    free(fields);
    free(x);
    free(y);
    free(target);
    cs_optim_free(o);
    cs_model_free(m);
    cs_backend_free(be);
    return 0;
}
