/* test_nn_model.c - the model layer: parameter tables, size checks and their messages,
 * determinism, the Grad-CAM path, init statistics, the LR schedule; backend errors and
 * allocation failures as the model, the optimiser and the training loop report them. */
#include "harness.h"

#include "../common/err.h"
#include "../common/rng.h"
#include "../config/config.h"
#include "../nn/model.h"
#include "../nn/models.h"
#include "../nn/optim.h"
#include "../train/trainer.h"

static cs_model_spec spec2d(const char *name, int c, int h, int w, int classes, int width)
{
    cs_model_spec s;
    cs_model_spec_init(&s);
    s.name = name;
    s.in_channels = c;
    s.in_shape[0] = h;
    s.in_shape[1] = w;
    s.num_classes = classes;
    s.width = width;
    return s;
}

static cs_model_spec spec1d(int leads, int len, int classes, int width)
{
    cs_model_spec s;
    cs_model_spec_init(&s);
    s.name = "resnet1d";
    s.in_ndim = 1;
    s.in_channels = leads;
    s.in_shape[0] = len;
    s.num_classes = classes;
    s.width = width;
    return s;
}

/* Known counts: CIFAR-style ResNet-18 (3x3 stem, 10 classes) has 11,173,962 parameters;
 * cnn-small 1x28x28/10: 288+64 + 18432+128 + 73728+256 + 1290. */
static void test_param_counts_and_layout(void)
{
    cs_model *m = NULL;
    cs_model_spec s = spec2d("resnet18", 3, 32, 32, 10, 64);
    CHECK_OK(cs_model_create(&m, &s, 1, NULL));
    if (!m)
        return;
    CHECK(cs_model_num_params(m) == 11173962);
    size_t expect = 0;
    for (int i = 0; i < cs_model_num_tensors(m); i++) {
        const cs_param_info *p = cs_model_tensor(m, i);
        for (int j = 0; j < i; j++)
            CHECK_MSG(strcmp(p->name, cs_model_tensor(m, j)->name), "duplicate name '%s'",
                      p->name);
        if (p->trainable) {
            CHECK_MSG(p->offset == expect, "'%s' at %zu, want %zu", p->name, p->offset, expect);
            expect += p->numel;
        } else {
            CHECK(p->offset >= cs_model_num_params(m));
        }
    }
    CHECK(cs_model_find(m, "layer2.0.downsample.0.weight") >= 0);
    CHECK(cs_model_find(m, "layer1.0.downsample.0.weight") < 0);
    CHECK(cs_model_find(m, "bn1.running_var") >= 0);
    CHECK(cs_model_num_state(m) > cs_model_num_params(m));
    cs_model_free(m);

    s = spec2d("cnn-small", 1, 28, 28, 10, 64);
    CHECK_OK(cs_model_create(&m, &s, 2, NULL));
    if (m)
        CHECK(cs_model_num_params(m) == 288 + 64 + 18432 + 128 + 73728 + 256 + 1290);
    cs_model_free(m);
}

static void expect_create_error(const cs_model_spec *s, const char *what)
{
    cs_model *m = NULL;
    int rc = cs_model_create(&m, s, 2, NULL);
    CHECK(rc == CS_EINVAL && m == NULL);
    CHECK_MSG(strstr(cs_errmsg(), what) != NULL, "message '%s' lacks '%s'", cs_errmsg(), what);
    cs_model_free(m);
}

static void test_size_checks(void)
{
    cs_model_spec s = spec2d("cnn-small", 1, 3, 8, 10, 64);
    expect_create_error(&s, "model 'cnn-small': input 3x8 is too small");
    s = spec2d("resnet18", 1, 4, 28, 10, 64);
    expect_create_error(&s, "model 'resnet18': input 4x28 is too small for its 3 stride-2 stages; need at least 5x5");
    s = spec2d("resnet50", 1, 28, 28, 10, 64);
    expect_create_error(&s, "unknown model 'resnet50'");
    s = spec1d(12, 1000, 5, 64);
    s.name = "resnet18";
    expect_create_error(&s, "model 'resnet18' takes 2-D (channels x H x W) input, the data is 1-D");
    s = spec1d(12, 8, 5, 64);
    expect_create_error(&s, "model 'resnet1d': input length 8 is too short");
    /* the minimum it names fits, one less does not */
    const char *p = strstr(cs_errmsg(), "need at least ");
    CHECK(p != NULL);
    if (p) {
        int need = atoi(p + strlen("need at least "));
        cs_model *m = NULL;
        s = spec1d(12, need, 5, 8);
        CHECK_OK(cs_model_create(&m, &s, 1, NULL));
        cs_model_free(m);
        s = spec1d(12, need - 1, 5, 8);
        expect_create_error(&s, "too short");
    }
    s = spec1d(12, 100, 5, 8);
    s.blocks[2] = 0;
    expect_create_error(&s, "stage 3 has 0 blocks");
    s = spec1d(12, 100, 5, 8);
    s.kernel_size = 4;
    expect_create_error(&s, "stem kernel 4 must be odd");
    s = spec2d("cnn-small", 1, 28, 28, 1, 64);
    expect_create_error(&s, "2 classes");
}

static void fill(float *x, size_t n, uint64_t seed)
{
    cs_rng r;
    cs_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        x[i] = (float)cs_rng_normal(&r);
}

/* Two SGD steps from the same seed on the same backend team size: bit-identical. */
static void train_twice(const cs_model_spec *s, int batch, size_t xn, int nthreads)
{
    float *x = malloc(sizeof(float) * xn);
    int y[16];
    for (int i = 0; i < batch; i++)
        y[i] = i % s->num_classes;
    fill(x, xn, 5);
    float *snap[2] = {NULL, NULL}, *logit[2] = {NULL, NULL};
    size_t ns = 0;
    for (int run = 0; run < 2; run++) {
        cs_backend *be = NULL;
        cs_model *m = NULL;
        cs_optim *o = NULL;
        cs_optim_cfg oc;
        cs_optim_cfg_init(&oc, CS_OPT_SGD);
        cs_rng rng;
        cs_rng_seed(&rng, 42);
        CHECK_OK(cs_backend_cpu_create(&be, nthreads));
        CHECK_OK(cs_model_create(&m, s, batch, be));
        CHECK_OK(m ? cs_optim_create(&o, &oc, m) : -1);
        if (m && o) {
            CHECK_OK(cs_model_init_params(m, &rng));
            for (int step = 0; step < 2; step++) {
                cs_model_zero_grad(m);
                CHECK_OK(cs_model_forward(m, x, batch, 1));
                cs_model_xent(m, y, 0.0f);
                cs_model_backward(m, cs_model_dlogits(m));
                cs_optim_step(o, 0.05f);
            }
            ns = cs_model_num_state(m);
            snap[run] = malloc(sizeof(float) * ns);
            memcpy(snap[run], cs_model_params(m), sizeof(float) * ns);
            logit[run] = malloc(sizeof(float) * batch * s->num_classes);
            memcpy(logit[run], cs_model_logits(m), sizeof(float) * batch * s->num_classes);
        }
        cs_optim_free(o);
        cs_model_free(m);
        cs_backend_free(be);
    }
    CHECK(snap[0] && snap[1] && memcmp(snap[0], snap[1], sizeof(float) * ns) == 0);
    CHECK(logit[0] && logit[1] &&
          memcmp(logit[0], logit[1], sizeof(float) * batch * s->num_classes) == 0);
    /* and training did move the weights */
    if (snap[0]) {
        cs_model *m = NULL;
        cs_rng rng;
        cs_rng_seed(&rng, 42);
        CHECK_OK(cs_model_create(&m, s, batch, NULL));
        if (m) {
            CHECK_OK(cs_model_init_params(m, &rng));
            CHECK(memcmp(cs_model_params(m), snap[0], sizeof(float) * ns) != 0);
        }
        cs_model_free(m);
    }
    for (int i = 0; i < 2; i++) {
        free(snap[i]);
        free(logit[i]);
    }
    free(x);
}

/* The table of models: every entry named, found by its name, built from a small input of
 * its rank, and its Grad-CAM hint names a layer it has; an unknown name lists them all. */
static void test_model_table(void)
{
    CHECK(cs_model_names[CS_MODEL_COUNT] == NULL && cs_model_info_at(CS_MODEL_COUNT) == NULL &&
          cs_model_info_at(-1) == NULL);
    CHECK(cs_model_is_1d(CS_MODEL_RESNET1D) && !cs_model_is_1d(CS_MODEL_CNN_SMALL) &&
          !cs_model_is_1d(CS_MODEL_RESNET18) && !cs_model_is_1d(-1) && !cs_model_is_1d(CS_MODEL_COUNT));
    CHECK(strcmp(cs_model_names[CS_MODEL_CNN_SMALL], "cnn-small") == 0 &&
          strcmp(cs_model_names[CS_MODEL_RESNET18], "resnet18") == 0 &&
          strcmp(cs_model_names[CS_MODEL_RESNET1D], "resnet1d") == 0);
    char known[256] = "";
    for (int i = 0; i < CS_MODEL_COUNT; i++) {
        const cs_model_info *info = cs_model_info_at(i);
        CHECK(info && info->name && info->build && info->layers);
        if (!info)
            continue;
        CHECK(cs_model_is_1d(i) == (info->in_ndim == 1));
        CHECK(cs_model_names[i] == info->name && cs_model_info_find(info->name) == info &&
              cs_model_lookup(info->name) == i);
        CHECK(info->in_ndim == 1 || info->in_ndim == 2);
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "", info->name);
        cs_model_spec s = info->in_ndim == 1 ? spec1d(2, 64, 3, 8) : spec2d(info->name, 1, 16, 16, 3, 8);
        s.name = info->name;
        cs_model *m = NULL;
        CHECK_OK(cs_model_create(&m, &s, 1, NULL));
        if (!m)
            continue;
        char first[32];
        snprintf(first, sizeof first, "%s", info->layers);
        first[strcspn(first, " ")] = 0;
        CHECK_MSG(cs_model_find_layer(m, first) >= 0, "model '%s' has no layer '%s'", info->name, first);
        CHECK(cs_model_find_layer(m, "nope") < 0 && strstr(cs_errmsg(), info->layers));
        cs_model_free(m);
    }
    CHECK(cs_model_info_find("resnet50") == NULL && cs_model_info_find(NULL) == NULL);
    CHECK(cs_model_lookup("resnet50") == CS_EINVAL);
    char want[300];
    snprintf(want, sizeof want, "unknown model 'resnet50' (known: %s)", known);
    CHECK_MSG(strcmp(cs_errmsg(), want) == 0, "message '%s', want '%s'", cs_errmsg(), want);
}

static void test_determinism(void)
{
    cs_model_spec s = spec2d("cnn-small", 1, 16, 16, 4, 32);
    train_twice(&s, 6, 6 * 16 * 16, 2);
    train_twice(&s, 6, 6 * 16 * 16, 1);
    s = spec2d("resnet18", 2, 12, 12, 3, 8);
    train_twice(&s, 5, 5 * 2 * 12 * 12, 2);
    s = spec1d(3, 64, 4, 8);
    train_twice(&s, 4, 4 * 3 * 64, 2);
}

/* d(logit_c)/d(last conv) = W[c, k] / spatial, and no parameter gradient moves. */
static void test_gradcam_path(void)
{
    cs_model_spec s = spec2d("resnet18", 1, 20, 20, 3, 8);
    cs_model *m = NULL;
    CHECK_OK(cs_model_create(&m, &s, 3, NULL));
    if (!m)
        return;
    cs_rng rng;
    cs_rng_seed(&rng, 3);
    CHECK_OK(cs_model_init_params(m, &rng));
    float x[3 * 400];
    fill(x, 3 * 400, 9);
    CHECK_OK(cs_model_forward(m, x, 3, 0));
    int sh[4];
    const float *a = cs_model_last_conv(m, sh);
    CHECK(a != NULL && sh[0] == 3 && sh[1] == 64 && sh[2] == 3 && sh[3] == 3);
    float dl[9] = {0}, dlast[3 * 64 * 9];
    int cls[3] = {2, 0, 1};
    for (int b = 0; b < 3; b++)
        dl[b * 3 + cls[b]] = 1.0f;
    cs_model_zero_grad(m);
    cs_model_backward_to_last_conv(m, dl, dlast);
    const float *W = cs_model_params(m) + cs_model_tensor(m, cs_model_find(m, "fc.weight"))->offset;
    for (int b = 0; b < 3; b++)
        for (int k = 0; k < 64; k++)
            for (int p = 0; p < 9; p++)
                CHECK_NEAR(dlast[(b * 64 + k) * 9 + p], W[cls[b] * 64 + k] / 9.0, 1e-7);
    const float *g = cs_model_grads(m);
    size_t nz = 0;
    for (size_t i = 0; i < cs_model_num_params(m); i++)
        nz += g[i] != 0.0f;
    CHECK(nz == 0);
    /* logits are fc(GAP(last conv)): recompute one from the exposed activations */
    double z = 0;
    const float *fb = cs_model_params(m) + cs_model_tensor(m, cs_model_find(m, "fc.bias"))->offset;
    for (int k = 0; k < 64; k++) {
        double mean = 0;
        for (int p = 0; p < 9; p++)
            mean += a[(1 * 64 + k) * 9 + p];
        z += W[2 * 64 + k] * mean / 9.0;
    }
    CHECK_NEAR(z + fb[2], cs_model_logits(m)[1 * 3 + 2], 1e-5);
    cs_model_free(m);
}

/* Named Grad-CAM layers, and the backward pass to one: at the last block it is the
 * linear + GAP gradient; in train mode a sample's gradient ignores the other samples'
 * targets (BN held at the forward's statistics); parameter gradients never move. */
static void test_backward_to_layer(void)
{
    cs_model_spec s = spec2d("resnet18", 1, 20, 20, 3, 8);
    cs_model *m = NULL;
    CHECK_OK(cs_model_create(&m, &s, 3, NULL));
    if (!m)
        return;
    cs_rng rng;
    cs_rng_seed(&rng, 5);
    CHECK_OK(cs_model_init_params(m, &rng));
    int sh[4], shl[4];
    const char *names[] = {"layer1", "layer2.0", "layer2", "layer3.1", "layer4", "last"};
    int expect_hw[] = {20, 10, 10, 5, 3, 3};
    for (int i = 0; i < 6; i++) {
        int l = cs_model_find_layer(m, names[i]);
        CHECK_MSG(l >= 0, "no layer '%s'", names[i]);
        if (l < 0)
            continue;
        cs_model_layer_act(m, l, sh);
        CHECK_MSG(sh[2] == expect_hw[i] && sh[3] == expect_hw[i], "'%s' is %dx%d", names[i], sh[2],
                  sh[3]);
        CHECK(cs_model_layer_is_last(m, l) == (i >= 4));
    }
    /* not found is CS_EINVAL with a message, never -1 (which reads as CS_EIO) */
    CHECK(cs_model_find_layer(m, "layer5") == CS_EINVAL && strstr(cs_errmsg(), "no layer 'layer5'"));
    CHECK(cs_model_find_layer(m, "block1") == CS_EINVAL);

    float x[3 * 400];
    fill(x, 3 * 400, 4);
    CHECK_OK(cs_model_forward(m, x, 3, 1));
    float dl[9] = {0}, dl2[9] = {0};
    int cls[3] = {2, 0, 1}, cls2[3] = {2, 1, 0};
    for (int b = 0; b < 3; b++) {
        dl[b * 3 + cls[b]] = 1.0f;
        dl2[b * 3 + cls2[b]] = 1.0f;
    }
    cs_model_zero_grad(m);
    /* at the last block: the fast path's gradient */
    int last = cs_model_find_layer(m, "last");
    cs_model_layer_act(m, last, sh);
    size_t nl = (size_t)3 * sh[1] * sh[2] * sh[3];
    float *g = malloc(sizeof(float) * nl), *ref = malloc(sizeof(float) * nl);
    cs_model_backward_to_layer(m, dl, last, g);
    cs_model_backward_to_last_conv(m, dl, ref);
    double md = 0;
    for (size_t i = 0; i < nl; i++)
        md = fabs(g[i] - ref[i]) > md ? fabs(g[i] - ref[i]) : md;
    CHECK_NEAR(md, 0, 1e-7);
    /* at layer2: sample 0 keeps its target, the others swap theirs */
    int l2 = cs_model_find_layer(m, "layer2");
    cs_model_layer_act(m, l2, shl);
    size_t per = (size_t)shl[1] * shl[2] * shl[3];
    float *a = malloc(sizeof(float) * 3 * per), *b2 = malloc(sizeof(float) * 3 * per);
    cs_model_backward_to_layer(m, dl, l2, a);
    cs_model_backward_to_layer(m, dl2, l2, b2);
    size_t same = 0, moved = 0;
    for (size_t i = 0; i < per; i++)
        same += a[i] == b2[i];
    for (size_t i = per; i < 3 * per; i++)
        moved += a[i] != b2[i];
    CHECK_MSG(same == per, "sample 0's gradient moved with the others' targets (%zu of %zu equal)",
              same, per);
    CHECK(moved > per);
    /* handles find_layer never gives (the input, which no node produces; past the last
     * tensor; negative) are refused: the producer search used to run off the node list */
    int bad[] = {0, 9999, -1};
    for (int i = 0; i < 3; i++) {
        cs_error_clear();
        CHECK_MSG(cs_model_backward_to_layer(m, dl, bad[i], a) == CS_EINVAL, "handle %d", bad[i]);
        CHECK_MSG(strstr(cs_errmsg(), "not a layer handle") != NULL, "handle %d: '%s'", bad[i],
                  cs_errmsg());
        CHECK(cs_model_layer_act(m, bad[i], shl) == NULL);
    }
    size_t nz = 0;
    for (size_t i = 0; i < cs_model_num_params(m); i++)
        nz += cs_model_grads(m)[i] != 0.0f;
    CHECK(nz == 0);
    free(g);
    free(ref);
    free(a);
    free(b2);
    cs_model_free(m);

    s = spec2d("cnn-small", 1, 12, 12, 3, 16);
    CHECK_OK(cs_model_create(&m, &s, 2, NULL));
    if (!m)
        return;
    int b2l = cs_model_find_layer(m, "block2");
    CHECK(b2l >= 0 && !cs_model_layer_is_last(m, b2l));
    cs_model_layer_act(m, b2l, sh);
    CHECK(sh[1] == 16 && sh[2] == 6 && sh[3] == 6);
    CHECK(cs_model_layer_is_last(m, cs_model_find_layer(m, "block3")));
    CHECK(cs_model_find_layer(m, "layer1") < 0);
    cs_model_free(m);
}

/* Eval-mode outputs of a sample do not depend on the rest of the batch or its size. */
static void test_batch_sizes(void)
{
    cs_model_spec s = spec1d(2, 40, 3, 8);
    s.blocks[0] = 1;
    s.num_stages = 2;
    cs_model *m = NULL;
    CHECK_OK(cs_model_create(&m, &s, 4, NULL));
    if (!m)
        return;
    cs_rng rng;
    cs_rng_seed(&rng, 1);
    CHECK_OK(cs_model_init_params(m, &rng));
    float x[4 * 80], full[12];
    fill(x, 4 * 80, 2);
    CHECK_OK(cs_model_forward(m, x, 4, 0));
    memcpy(full, cs_model_logits(m), sizeof full);
    CHECK_OK(cs_model_forward(m, x + 2 * 80, 1, 0));
    for (int k = 0; k < 3; k++)
        CHECK_NEAR(cs_model_logits(m)[k], full[2 * 3 + k], 1e-6);
    CHECK(cs_model_forward(m, x, 5, 0) == CS_EINVAL);
    CHECK(strstr(cs_errmsg(), "batch of 5 samples, the model was built for 1 to 4") != NULL);
    cs_model_free(m);
}

static void test_init_statistics(void)
{
    cs_model_spec s = spec2d("cnn-small", 3, 8, 8, 10, 64);
    cs_model *m = NULL;
    CHECK_OK(cs_model_create(&m, &s, 1, NULL));
    if (!m)
        return;
    cs_rng rng;
    cs_rng_seed(&rng, 11);
    CHECK_OK(cs_model_init_params(m, &rng));
    const float *p = cs_model_params(m);
    const cs_param_info *w = cs_model_tensor(m, cs_model_find(m, "block3.conv.weight"));
    double ss = 0;
    for (size_t i = 0; i < w->numel; i++)
        ss += (double)p[w->offset + i] * p[w->offset + i];
    double std = sqrt(ss / w->numel), want = sqrt(2.0 / (128 * 9)); /* fan_out */
    CHECK_MSG(fabs(std / want - 1) < 0.02, "conv std %g, want %g", std, want);
    const cs_param_info *fc = cs_model_tensor(m, cs_model_find(m, "fc.weight"));
    double mx = 0;
    for (size_t i = 0; i < fc->numel; i++)
        mx = fmax(mx, fabs(p[fc->offset + i]));
    CHECK(mx <= 1.0 / sqrt(128.0) && mx > 0.8 / sqrt(128.0));
    const cs_param_info *g = cs_model_tensor(m, cs_model_find(m, "block1.bn.weight"));
    const cs_param_info *rv = cs_model_tensor(m, cs_model_find(m, "block1.bn.running_var"));
    const cs_param_info *b = cs_model_tensor(m, cs_model_find(m, "block1.bn.bias"));
    for (int i = 0; i < 32; i++)
        CHECK(p[g->offset + i] == 1.0f && p[rv->offset + i] == 1.0f && p[b->offset + i] == 0.0f);
    cs_model_free(m);
}

/* SGD against the update written out by hand (PyTorch's rule, dampening 0). */
static void test_sgd_rules(void)
{
    for (int nesterov = 0; nesterov < 2; nesterov++) {
        float p[3] = {1.0f, -2.0f, 0.5f}, buf[3] = {0, 0, 0};
        const float g1[3] = {0.1f, 0.2f, -0.3f}, g2[3] = {-0.4f, 0.0f, 0.25f};
        double pe[3] = {1.0, -2.0, 0.5}, be[3] = {0, 0, 0};
        const float *gs[2] = {g1, g2};
        for (int step = 0; step < 2; step++) {
            cs_sgd_step(p, gs[step], buf, 3, 0.1f, 0.9f, 0.01f, nesterov, 2);
            for (int i = 0; i < 3; i++) {
                double g = gs[step][i] + 0.01 * pe[i];
                be[i] = 0.9 * be[i] + g;
                pe[i] -= 0.1 * (nesterov ? g + 0.9 * be[i] : be[i]);
            }
        }
        for (int i = 0; i < 3; i++) {
            CHECK_NEAR(p[i], pe[i], 1e-6);
            CHECK_NEAR(buf[i], be[i], 1e-6);
        }
    }
    /* AdamW's first step moves each weight by about lr against its gradient's sign */
    float p[2] = {1.0f, 1.0f}, m[2] = {0, 0}, v[2] = {0, 0}, g[2] = {3.0f, -0.01f};
    cs_adamw_step(p, g, m, v, 2, 0.01f, 0.9f, 0.999f, 1e-8f, 0.0f, 1, 1);
    CHECK_NEAR(p[0], 0.99, 1e-6);
    CHECK_NEAR(p[1], 1.01, 1e-5);
}

static void test_lr_cosine(void)
{
    CHECK_NEAR(cs_lr_cosine(0, 100, 10, 0.1, 0.0), 0.01, 1e-12);
    CHECK_NEAR(cs_lr_cosine(9, 100, 10, 0.1, 0.0), 0.1, 1e-12);
    CHECK_NEAR(cs_lr_cosine(10, 100, 10, 0.1, 0.0), 0.1, 1e-12);
    CHECK_NEAR(cs_lr_cosine(55, 100, 10, 0.1, 0.0), 0.05, 1e-12);
    CHECK_NEAR(cs_lr_cosine(100, 100, 10, 0.1, 0.001), 0.001, 1e-12);
    CHECK_NEAR(cs_lr_cosine(5, 10, 0, 1.0, 0.0), 0.5, 1e-12);
}

/* --- backend errors ------------------------------------------------------------------ */

/* A backend's own table with ops that fail on demand: the wrapper runs the real op, then
 * keeps an error for status(), the way the oneDNN backend reports a failed kernel. */
enum { FAIL_BACKWARD, FAIL_CAM, FAIL_STEP };
static const char *const fail_name[] = {"training backward", "Grad-CAM backward", "optimiser step"};
static const cs_backend_ops *real_ops;
static cs_backend_ops failing_ops;
static int fail_in, fail_pending;

static void failing_conv_backward(void *ctx, const cs_window *d, float *din, float *dw, float *db,
                                  const float *dout, const float *in, const float *w, float *ws)
{
    real_ops->conv_backward(ctx, d, din, dw, db, dout, in, w, ws);
    /* the training backward wants weight gradients, Grad-CAM's never does */
    if (fail_in == (dw ? FAIL_BACKWARD : FAIL_CAM))
        fail_pending = 1;
}

static void failing_sgd_step(void *ctx, float *p, const float *g, float *buf, size_t n, float lr,
                             float momentum, float wd, int nesterov)
{
    real_ops->sgd_step(ctx, p, g, buf, n, lr, momentum, wd, nesterov);
    if (fail_in == FAIL_STEP)
        fail_pending = 1;
}

static int failing_status(void *ctx)
{
    if (fail_pending) {
        fail_pending = 0;
        return cs_error(CS_EINTERNAL, "injected backend failure");
    }
    return real_ops->status ? real_ops->status(ctx) : 0;
}

/* From now on `be` fails in `where`, until fail_stop. */
static void fail_start(cs_backend *be, int where)
{
    real_ops = be->ops;
    failing_ops = *be->ops;
    failing_ops.conv_backward = failing_conv_backward;
    failing_ops.sgd_step = failing_sgd_step;
    failing_ops.status = failing_status;
    fail_in = where;
    fail_pending = 0;
    be->ops = &failing_ops;
}

static void fail_stop(cs_backend *be)
{
    be->ops = real_ops;
    fail_pending = 0;
}

/* The pass that met the error returns it, with the message, and leaves nothing pending
 * for the next forward. */
static void test_backend_errors_model(void)
{
    cs_backend *be = NULL;
    CHECK_OK(cs_backend_ref_create(&be, 2));
    cs_model_spec s = spec2d("cnn-small", 1, 12, 12, 3, 16);
    cs_model *m = NULL;
    cs_optim *o = NULL;
    cs_optim_cfg oc;
    cs_optim_cfg_init(&oc, CS_OPT_SGD);
    CHECK_OK(be ? cs_model_create(&m, &s, 2, be) : -1);
    CHECK_OK(m ? cs_optim_create(&o, &oc, m) : -1);
    if (!o)
        goto out;
    cs_rng rng;
    cs_rng_seed(&rng, 2);
    CHECK_OK(cs_model_init_params(m, &rng));
    float x[2 * 144], g[2 * 16 * 36];
    int y[2] = {0, 2};
    fill(x, 2 * 144, 3);
    int block2 = cs_model_find_layer(m, "block2");
    for (int where = FAIL_BACKWARD; where <= FAIL_STEP; where++) {
        CHECK_OK(cs_model_forward(m, x, 2, 1));
        cs_model_xent(m, y, 0.0f);
        fail_start(be, where);
        cs_error_clear();
        int rc;
        if (where == FAIL_BACKWARD) {
            cs_model_zero_grad(m);
            rc = cs_model_backward(m, cs_model_dlogits(m));
        } else if (where == FAIL_CAM) {
            rc = cs_model_backward_to_layer(m, cs_model_dlogits(m), block2, g);
        } else {
            rc = cs_optim_step(o, 0.01f);
        }
        CHECK_MSG(rc == CS_EINTERNAL && strstr(cs_errmsg(), "injected"), "%s returned %d: %s",
                  fail_name[where], rc, cs_errmsg());
        fail_stop(be);
        CHECK_OK(cs_model_forward(m, x, 2, 1));
    }
out:
    cs_optim_free(o);
    cs_model_free(m);
    cs_backend_free(be);
}

/* Eight 12x12 images of 3 classes, for a trainer. */
static void tiny_data(cs_data *d, float *x, int32_t *y)
{
    fill(x, 8 * 144, 6);
    for (int i = 0; i < 8; i++)
        y[i] = i % 3;
    *d = (cs_data){.n = 8, .channels = 1, .rank = 2, .dims = {12, 12}, .sample_elems = 144,
                   .x = x, .y = y, .num_classes = 3};
}

static void tiny_config(cs_config *cfg)
{
    cs_config_init(cfg);
    cfg->model.name = CS_MODEL_CNN_SMALL;
    cfg->model.width = 16;
    cfg->train.batch_size = 4;
    cfg->train.epochs = 1;
    cfg->train.threads = 2;
}

/* An error in a batch's backward, its optimiser step or its Grad-CAM (at an inner layer:
 * the backward pass) ends cs_trainer_epoch in that batch, before anything else runs on
 * it; it used to surface only at the next batch's forward (or never, after the last). */
static void test_backend_errors_trainer(void)
{
    float x[8 * 144];
    int32_t y[8];
    cs_data d;
    tiny_data(&d, x, y);
    cs_config cfg;
    tiny_config(&cfg);
    cfg.record.focus_every = 1;
    snprintf(cfg.record.focus_layer, sizeof cfg.record.focus_layer, "block2");
    for (int where = FAIL_BACKWARD; where <= FAIL_STEP; where++) {
        cs_trainer t;
        CHECK_OK(cs_trainer_init(&t, &cfg, &d, 0, 1));
        if (!t.model)
            return;
        fail_start(t.be, where);
        cs_error_clear();
        cs_epoch_stats st;
        int rc = cs_trainer_epoch(&t, &st);
        CHECK_MSG(rc == CS_EINTERNAL && strstr(cs_errmsg(), "injected"), "%s: epoch returned %d: %s",
                  fail_name[where], rc, cs_errmsg());
        /* stopped in the first of the two batches; stepped only if the step failed */
        CHECK_MSG(t.iter == 0, "%s: the epoch went on to batch %ld", fail_name[where], t.iter + 1);
        CHECK_MSG(cs_optim_steps(t.opt) == (where == FAIL_STEP), "%s: %ld optimiser steps",
                  fail_name[where], cs_optim_steps(t.opt));
        fail_stop(t.be);
        cs_trainer_release(&t);
    }
}

/* --- allocation failures ----------------------------------------------------------- */

/* This program's malloc, calloc, realloc and aligned_alloc are glibc's, except that an
 * armed hook makes one chosen call on the arming thread return NULL: the n-th from now,
 * or the next of exactly so many bytes.  The library's buffers are far too small to fail
 * for real, so this is the only way to reach its out-of-memory paths, plain malloc calls
 * included.  Sanitizers bring allocators of their own, which memory from glibc's would
 * confuse: their builds skip these tests. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ALLOC_HOOK 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define ALLOC_HOOK 0
#endif
#endif
#ifndef ALLOC_HOOK
#define ALLOC_HOOK 1
#endif

static _Thread_local long hook_nth;    /* fail the hook_nth-th allocation from now (0: no) */
static _Thread_local size_t hook_size; /* fail the next allocation of hook_size bytes (0: no) */
static _Thread_local int hook_hits;    /* failures made since the hook was armed */

#if ALLOC_HOOK
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void *__libc_memalign(size_t align, size_t n);

static int hook_fails(size_t bytes)
{
    if ((hook_nth > 0 && --hook_nth == 0) || (hook_size && bytes == hook_size)) {
        hook_nth = 0;
        hook_size = 0;
        hook_hits++;
        return 1;
    }
    return 0;
}

void *malloc(size_t n) { return hook_fails(n) ? NULL : __libc_malloc(n); }
void *calloc(size_t n, size_t size) { return hook_fails(n * size) ? NULL : __libc_calloc(n, size); }
void *realloc(void *p, size_t n) { return hook_fails(n) ? NULL : __libc_realloc(p, n); }
void *aligned_alloc(size_t align, size_t n) { return hook_fails(n) ? NULL : __libc_memalign(align, n); }
#endif

/* 1 if this build has the hook, else SKIP the running test and 0. */
static int hook_present(void)
{
    if (!ALLOC_HOOK)
        harness_skip("allocation failures need glibc's allocator, and this build has a sanitizer's");
    return ALLOC_HOOK;
}

/* Arm the hook (nth and size as above) and clear the message. */
static void hook_arm(long nth, size_t size)
{
    cs_error_clear();
    hook_hits = 0;
    hook_nth = nth;
    hook_size = size;
}

/* Disarm; the number of failures it made. */
static int hook_disarm(void)
{
    hook_nth = 0;
    hook_size = 0;
    return hook_hits;
}

/* The host buffer cs_model_init_params fills failing in cs_trainer_init must fail the
 * init, not leave a model on its all-zero weights to train. */
static void test_alloc_trainer_init_params(void)
{
    if (!hook_present())
        return;
    float x[8 * 144];
    int32_t y[8];
    cs_data d;
    tiny_data(&d, x, y);
    cs_config cfg;
    tiny_config(&cfg);
    cs_model_spec spec;
    cs_model *m = NULL;
    CHECK_OK(cs_trainer_spec(&cfg, &d, &spec));
    CHECK_OK(cs_model_create(&m, &spec, 1, NULL));
    if (!m)
        return;
    size_t bytes = sizeof(float) * cs_model_num_state(m); /* the whole slab, parameters and BN state */
    cs_model_free(m);
    hook_arm(0, bytes);
    cs_trainer t;
    int rc = cs_trainer_init(&t, &cfg, &d, 0, 0);
    int hits = hook_disarm();
    char want[96];
    snprintf(want, sizeof want, "out of memory allocating %zu bytes", bytes);
    CHECK_MSG(hits == 1, "%d failures", hits);
    CHECK_MSG(rc == CS_ENOMEM && strstr(cs_errmsg(), want), "cs_trainer_init returned %d: '%s'", rc,
              cs_errmsg());
    if (rc == 0)
        cs_trainer_release(&t);
    else
        CHECK(t.model == NULL && t.be == NULL);
}

/* What the sweep below runs: one library call on a fresh state, undone when it worked. */
typedef struct sweep_arg {
    cs_backend *be;
    cs_model_spec spec;
    cs_model *m; /* made for the calls that need a model */
} sweep_arg;

static int sweep_model_create(sweep_arg *a)
{
    cs_model *m = NULL;
    int rc = cs_model_create(&m, &a->spec, 2, a->be);
    CHECK(!rc == !!m);
    cs_model_free(m);
    return rc;
}

static int sweep_optim_create(sweep_arg *a)
{
    cs_optim_cfg oc;
    cs_optim_cfg_init(&oc, CS_OPT_ADAMW);
    cs_optim *o = NULL;
    int rc = cs_optim_create(&o, &oc, a->m);
    cs_optim_free(o);
    return rc;
}

static int sweep_init_params(sweep_arg *a)
{
    cs_rng rng;
    cs_rng_seed(&rng, 1);
    return cs_model_init_params(a->m, &rng);
}

static int sweep_class_weights(sweep_arg *a)
{
    const float w[3] = {1.0f, 0.5f, 2.0f};
    return cs_model_set_class_weights(a->m, w);
}

static int sweep_cam_init(sweep_arg *a)
{
    cs_cam c;
    int rc = cs_cam_init(&c, a->m, "block2", 1);
    if (!rc)
        cs_cam_release(&c);
    return rc;
}

/* Fail each allocation of a call in turn, the first, the second, ... until the call runs
 * through without a failure: every failure must come back as CS_ENOMEM with an
 * out-of-memory message (the hook clears the message, so a stale one cannot pass). */
static void sweep_allocs(const char *what, int (*call)(sweep_arg *), sweep_arg *a)
{
    for (long nth = 1; nth < 100000; nth++) {
        hook_arm(nth, 0);
        int rc = call(a);
        if (!hook_disarm()) {
            CHECK_MSG(rc == 0, "%s: %d: %s", what, rc, cs_errmsg());
            return;
        }
        CHECK_MSG(rc == CS_ENOMEM && strstr(cs_errmsg(), "out of memory"),
                  "%s, allocation %ld failing: returned %d, message '%s'", what, nth, rc, cs_errmsg());
    }
    CHECK_MSG(0, "%s: no end to its allocations", what);
}

/* Every allocation failure in the model, its optimiser and Grad-CAM state reports itself
 * (on the reference backend: oneDNN's own allocations throw when they fail). */
static void test_alloc_failures_report(void)
{
    if (!hook_present())
        return;
    sweep_arg a = {.spec = spec2d("cnn-small", 1, 12, 12, 3, 16)};
    CHECK_OK(cs_backend_ref_create(&a.be, 2));
    CHECK_OK(a.be ? cs_model_create(&a.m, &a.spec, 2, a.be) : -1);
    if (a.m) {
        sweep_allocs("cs_model_create", sweep_model_create, &a);
        a.spec = spec2d("resnet18", 2, 12, 12, 3, 8);
        sweep_allocs("cs_model_create resnet18", sweep_model_create, &a);
        sweep_allocs("cs_optim_create", sweep_optim_create, &a);
        sweep_allocs("cs_model_init_params", sweep_init_params, &a);
        sweep_allocs("cs_model_set_class_weights", sweep_class_weights, &a);
        sweep_allocs("cs_cam_init", sweep_cam_init, &a);
    }
    cs_model_free(a.m);
    cs_backend_free(a.be);
}

/* train.class_weight balanced: its count and weight buffers in cs_trainer_init.  1000
 * classes give them sizes nothing before them in the init allocates. */
static void test_alloc_trainer_class_weights(void)
{
    if (!hook_present())
        return;
    float x[8 * 144];
    int32_t y[8];
    cs_data d;
    tiny_data(&d, x, y);
    d.num_classes = 1000;
    cs_config cfg;
    tiny_config(&cfg);
    cfg.train.class_weight = CS_CLASS_WEIGHT_BALANCED;
    hook_arm(0, 1000 * sizeof(int64_t));
    cs_trainer t;
    int rc = cs_trainer_init(&t, &cfg, &d, 0, 0);
    int hits = hook_disarm();
    CHECK_MSG(hits == 1, "%d failures", hits);
    CHECK_MSG(rc == CS_ENOMEM && strstr(cs_errmsg(), "out of memory allocating 1000 x 8 bytes"),
              "cs_trainer_init returned %d: '%s'", rc, cs_errmsg());
    if (rc == 0)
        cs_trainer_release(&t);
}

int main(void)
{
    RUN(test_param_counts_and_layout);
    RUN(test_size_checks);
    RUN(test_model_table);
    RUN(test_determinism);
    RUN(test_gradcam_path);
    RUN(test_backward_to_layer);
    RUN(test_batch_sizes);
    RUN(test_init_statistics);
    RUN(test_sgd_rules);
    RUN(test_lr_cosine);
    RUN(test_backend_errors_model);
    RUN(test_backend_errors_trainer);
    RUN(test_alloc_trainer_init_params);
    RUN(test_alloc_failures_report);
    RUN(test_alloc_trainer_class_weights);
    return harness_done();
}
