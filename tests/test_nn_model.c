/* test_nn_model.c - the model layer: parameter tables, size checks and their messages,
 * determinism, the Grad-CAM path, init statistics, the LR schedule. */
#include "harness.h"

#include "../common/err.h"
#include "../common/rng.h"
#include "../nn/model.h"
#include "../nn/models.h"
#include "../nn/optim.h"

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
    CHECK(strcmp(cs_model_names[CS_MODEL_CNN_SMALL], "cnn-small") == 0 &&
          strcmp(cs_model_names[CS_MODEL_RESNET18], "resnet18") == 0 &&
          strcmp(cs_model_names[CS_MODEL_RESNET1D], "resnet1d") == 0);
    char known[256] = "";
    for (int i = 0; i < CS_MODEL_COUNT; i++) {
        const cs_model_info *info = cs_model_info_at(i);
        CHECK(info && info->name && info->build && info->layers);
        if (!info)
            continue;
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
    CHECK(cs_model_find_layer(m, "layer5") < 0 && strstr(cs_errmsg(), "no layer 'layer5'"));
    CHECK(cs_model_find_layer(m, "block1") < 0);

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
    return harness_done();
}
