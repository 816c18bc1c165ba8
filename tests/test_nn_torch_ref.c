/* test_nn_torch_ref.c - the three models against PyTorch (tests/torch_ref.py).
 *
 * For each case the script writes PyTorch's initial weights, an input batch and labels,
 * and its results; we load the same weights by parameter name and check, per tensor,
 * relative error = max|ours - torch| / max(max|torch|, 1e-12) <= 1e-4 for the train-mode
 * logits and loss, every parameter gradient, every state tensor (weights and BN running
 * statistics) after three optimiser steps on the batch, and the eval-mode logits after
 * them.  Each case runs on the default CPU backend (oneDNN in builds that have it) and on
 * the reference backend.  Skips visibly when $PY has no torch. */
#include "harness.h"

#include <stdint.h>

#include "../common/err.h"
#include "../common/fsio.h"
#include "../nn/model.h"
#include "../nn/optim.h"
#include "ref_file.h"

#define TOL 1e-4

static double rel_err(const float *a, const float *b, size_t n)
{
    double md = 0.0, mb = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]);
        if (!(d <= md))
            md = d; /* NaN-safe: a NaN difference wins */
        if (fabs(b[i]) > mb)
            mb = fabs(b[i]);
    }
    return md / (mb > 1e-12 ? mb : 1e-12);
}

static const char *refdir;

static int make_refs(void)
{
    static int done, ok;
    if (done)
        return ok;
    done = 1;
    const char *py = getenv("PY");
    if (!py || !*py)
        py = "/usr/bin/python3";
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' -c 'import torch' 2>/dev/null", py);
    if (system(cmd) != 0)
        return ok = 0;
    if (access("tests/torch_ref.py", R_OK) != 0)
        return ok = -1;
    refdir = harness_tmpdir();
    snprintf(cmd, sizeof cmd, "'%s' tests/torch_ref.py '%s'", py, refdir);
    ok = system(cmd) == 0 ? 1 : -2;
    return ok;
}

/* Compare one model tensor (n floats at `ours`) with the reference record `name`. */
static double cmp(const reffile *f, const char *name, const float *ours, size_t n, double *worst)
{
    float *ref = ref_floats(f, name, n);
    if (!ref) {
        CHECK_MSG(0, "no reference for '%s'", name);
        return INFINITY;
    }
    double e = rel_err(ours, ref, n);
    CHECK_MSG(e <= TOL, "'%s': relative error %.3g > %g", name, e, TOL);
    if (e > *worst || isnan(e))
        *worst = e;
    free(ref);
    return e;
}

/* One case on one backend: the default CPU backend (oneDNN where built), or the reference. */
static void run_case_on(const char *file, const char *arch, int ndim, int width, int nstages,
                        const int *blocks, int ksize, int stem_stride, int reference)
{
    int have = make_refs();
    if (have == 0) {
        harness_skip("no torch in $PY (Debian: apt-get install python3-torch)");
        return;
    }
    CHECK_MSG(have == 1, "tests/torch_ref.py failed (status %d)", have);
    if (have != 1)
        return;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", refdir, file);
    reffile f;
    cs_model *m = NULL;
    cs_backend *be = NULL;
    cs_optim *opt = NULL;
    float *x = NULL, *meta = NULL, *yf = NULL;
    int *y = NULL;
    CHECK_MSG(ref_load(&f, path) == 0, "cannot parse '%s'", path);
    const rec *xr = ref_get(&f, "x");
    CHECK(xr != NULL);
    if (!xr)
        goto out;
    int B = xr->dims[0];
    cs_model_spec s;
    cs_model_spec_init(&s);
    s.name = arch;
    s.in_ndim = ndim;
    s.in_channels = xr->dims[1];
    s.in_shape[0] = xr->dims[2];
    s.in_shape[1] = ndim == 2 ? xr->dims[3] : 0;
    s.width = width;
    s.num_stages = nstages;
    for (int i = 0; i < nstages; i++)
        s.blocks[i] = blocks[i];
    s.kernel_size = ksize;
    s.stem_stride = stem_stride;
    const rec *lr = ref_get(&f, "logits");
    CHECK(lr != NULL);
    if (!lr)
        goto out;
    s.num_classes = lr->dims[1];
    if (reference)
        CHECK_OK(cs_backend_ref_create(&be, 2));
    else
        CHECK_OK(cs_backend_cpu_create(&be, 2));
    if (!be)
        goto out;
    CHECK_OK(cs_model_create(&m, &s, B, be));
    if (!m)
        goto out;
    x = ref_floats(&f, "x", xr->n);
    meta = ref_floats(&f, "meta", 4);
    yf = ref_floats(&f, "y", (size_t)B);
    if (!x || !meta || !yf)
        goto out;
    y = malloc(sizeof(int) * B);
    for (int i = 0; i < B; i++)
        y[i] = (int)yf[i];
    const rec *cwr = ref_get(&f, "class_weight");
    if (cwr) {
        float *cw = ref_floats(&f, "class_weight", cwr->n);
        CHECK(cw && (int)cwr->n == s.num_classes);
        if (cw)
            CHECK_OK(cs_model_set_class_weights(m, cw));
        free(cw);
    }

    /* same weights: every model tensor from init.<name>, and no torch tensor left over */
    int ninit = 0;
    for (int i = 0; i < f.nr; i++)
        ninit += strncmp(f.r[i].name, "init.", 5) == 0;
    CHECK_MSG(ninit == cs_model_num_tensors(m), "torch has %d state tensors, we have %d", ninit,
              cs_model_num_tensors(m));
    for (int i = 0; i < cs_model_num_tensors(m); i++) {
        const cs_param_info *p = cs_model_tensor(m, i);
        char nm[128];
        snprintf(nm, sizeof nm, "init.%s", p->name);
        const rec *r = ref_get(&f, nm);
        CHECK_MSG(r && r->ndim == p->ndim, "'%s' missing or of another rank", nm);
        if (!r)
            continue;
        for (int d = 0; d < p->ndim && d < r->ndim; d++)
            CHECK_MSG(r->dims[d] == p->shape[d], "'%s' dim %d: torch %d, ours %d", nm, d,
                      r->dims[d], p->shape[d]);
        float *v = ref_floats(&f, nm, p->numel);
        if (v)
            memcpy(cs_model_params(m) + p->offset, v, sizeof(float) * p->numel);
        free(v);
    }

    cs_optim_cfg oc;
    cs_optim_cfg_init(&oc, meta[3] == 0 ? CS_OPT_SGD : CS_OPT_ADAMW);
    if (oc.kind == CS_OPT_SGD) {
        oc.momentum = 0.9f;
        oc.weight_decay = 5e-4f;
    } else {
        oc.weight_decay = 0.01f;
    }
    CHECK_OK(cs_optim_create(&opt, &oc, m));
    if (!opt)
        goto out;
    double w_logit = 0, w_grad = 0, w_step = 0, w_eval = 0;
    for (int step = 0; step < 3; step++) {
        cs_model_zero_grad(m);
        CHECK_OK(cs_model_forward(m, x, B, 1));
        double loss = cs_model_xent(m, y, meta[1]);
        if (step == 0) {
            cmp(&f, "logits", cs_model_logits(m), (size_t)B * s.num_classes, &w_logit);
            float lf = (float)loss;
            cmp(&f, "loss", &lf, 1, &w_logit);
        }
        cs_model_backward(m, cs_model_dlogits(m));
        if (step == 0)
            for (int i = 0; i < cs_model_num_tensors(m); i++) {
                const cs_param_info *p = cs_model_tensor(m, i);
                if (!p->trainable)
                    continue;
                char nm[128];
                snprintf(nm, sizeof nm, "grad.%s", p->name);
                cmp(&f, nm, cs_model_grads(m) + p->offset, p->numel, &w_grad);
            }
        cs_optim_step(opt, meta[0]);
    }
    for (int i = 0; i < cs_model_num_tensors(m); i++) {
        const cs_param_info *p = cs_model_tensor(m, i);
        char nm[128];
        snprintf(nm, sizeof nm, "step3.%s", p->name);
        cmp(&f, nm, cs_model_params(m) + p->offset, p->numel, &w_step);
    }
    CHECK_OK(cs_model_forward(m, x, B, 0));
    cmp(&f, "eval_logits", cs_model_logits(m), (size_t)B * s.num_classes, &w_eval);
    printf("  %s on %s: worst relative error: logits+loss %.2g, gradients %.2g, after 3 steps %.2g, "
           "eval logits %.2g (bound %g)\n",
           file, be->ops->name, w_logit, w_grad, w_step, w_eval, TOL);
out:
    free(x);
    free(meta);
    free(yf);
    free(y);
    cs_optim_free(opt);
    cs_model_free(m);
    cs_backend_free(be);
    ref_release(&f);
}

static void run_case(const char *file, const char *arch, int ndim, int width, int nstages,
                     const int *blocks, int ksize, int stem_stride)
{
    run_case_on(file, arch, ndim, width, nstages, blocks, ksize, stem_stride, 0);
    if (!h_skipped_now)
        run_case_on(file, arch, ndim, width, nstages, blocks, ksize, stem_stride, 1);
}

static void test_cnn_small_sgd(void)
{
    run_case("cnn-small.ref", "cnn-small", 2, 64, 4, (const int[]){2, 2, 2, 2}, 7, 2);
}

static void test_resnet18_sgd(void)
{
    run_case("resnet18.ref", "resnet18", 2, 16, 4, (const int[]){2, 2, 2, 2}, 3, 1);
}

static void test_resnet1d_sgd(void)
{
    run_case("resnet1d.ref", "resnet1d", 1, 16, 4, (const int[]){2, 1, 2, 1}, 7, 2);
}

static void test_cnn_small_adamw_smoothing(void)
{
    run_case("cnn-small-adamw.ref", "cnn-small", 2, 32, 4, (const int[]){2, 2, 2, 2}, 7, 2);
}

static void test_cnn_small_class_weights(void)
{
    run_case("cnn-small-weighted.ref", "cnn-small", 2, 32, 4, (const int[]){2, 2, 2, 2}, 7, 2);
}

int main(void)
{
    RUN(test_cnn_small_sgd);
    RUN(test_resnet18_sgd);
    RUN(test_resnet1d_sgd);
    RUN(test_cnn_small_adamw_smoothing);
    RUN(test_cnn_small_class_weights);
    if (refdir) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", refdir);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove '%s'\n", refdir);
    }
    return harness_done();
}
