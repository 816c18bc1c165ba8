/* test_nn_gradcheck.c - every layer against an independent float64 reference.
 *
 * For each layer and variant: naive float64 forwards written here (no code shared with
 * nn/), the loss L = sum(out * R) for a random R, and its true gradient by central finite
 * differences in float64 (h = 1e-5).  Checked:
 *   forward:  max|ours - ref| / max|ref| <= 1e-5 (our float32 against float64 on the same inputs)
 *   backward: per input/parameter block, max|ours - fd| / max|fd| <= 1e-4
 * and that parameter gradients accumulate (they start at 1 and must end at 1 + grad). */
#include "harness.h"

#include "../common/rng.h"
#include "../nn/layers.h"

#define FWD_TOL 1e-5
#define BWD_TOL 1e-4
#define NT 2

typedef struct lcfg {
    cs_window w;
    int bias, train;
    int n, c, hw;            /* bn, gap */
    int in_f, out_f;         /* linear */
    size_t nx;               /* elements of the first input */
    double run_mean[16], run_var[16];
    int labels[8];
    float smoothing;
    const float *class_weight; /* xent: PyTorch's weight=, or NULL */
} lcfg;

/* ref: float64 forward of all parts packed in v into out.  ours: float32 forward into out,
 * and with dout != NULL the backward into g (same packing as v, params pre-set to 1). */
typedef void (*ref_fn)(const lcfg *c, const double *v, double *out);
typedef void (*our_fn)(const lcfg *c, const float *v, float *out, const float *dout, float *g);

static double maxabs(const double *a, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fabs(a[i]) > m ? fabs(a[i]) : m;
    return m;
}

/* parts: sizes of the packed blocks; block 0 is the input, whose gradient is written */
static void gradcheck(const char *what, const lcfg *c, ref_fn ref, our_fn ours, int nparts,
                      const size_t *parts, size_t nout, uint64_t seed)
{
    cs_rng rng;
    cs_rng_seed(&rng, seed);
    size_t nv = 0;
    for (int i = 0; i < nparts; i++)
        nv += parts[i];
    double *v = malloc(sizeof(double) * nv), *out = malloc(sizeof(double) * nout);
    double *R = malloc(sizeof(double) * nout), *fd = malloc(sizeof(double) * nv);
    double *ourd = malloc(sizeof(double) * nv), *ofd = malloc(sizeof(double) * nout);
    float *vf = malloc(sizeof(float) * nv), *of = malloc(sizeof(float) * nout);
    float *Rf = malloc(sizeof(float) * nout), *g = malloc(sizeof(float) * nv);
    for (size_t i = 0; i < nv; i++) {
        vf[i] = (float)cs_rng_normal(&rng);
        v[i] = vf[i]; /* the reference sees exactly our inputs */
    }
    for (size_t i = 0; i < nout; i++) {
        Rf[i] = (float)cs_rng_normal(&rng);
        R[i] = Rf[i];
    }
    /* forward */
    ref(c, v, out);
    ours(c, vf, of, NULL, NULL);
    for (size_t i = 0; i < nout; i++)
        ofd[i] = fabs(of[i] - out[i]);
    double fe = maxabs(ofd, nout) / fmax(maxabs(out, nout), 1e-30);
    CHECK_MSG(fe <= FWD_TOL, "%s: forward relative error %.3g > %g", what, fe, FWD_TOL);
    /* finite differences of L = sum(out * R) */
    const double h = 1e-5;
    for (size_t i = 0; i < nv; i++) {
        double keep = v[i], lp = 0, lm = 0;
        v[i] = keep + h;
        ref(c, v, out);
        for (size_t j = 0; j < nout; j++)
            lp += out[j] * R[j];
        v[i] = keep - h;
        ref(c, v, out);
        for (size_t j = 0; j < nout; j++)
            lm += out[j] * R[j];
        v[i] = keep;
        fd[i] = (lp - lm) / (2 * h);
    }
    /* ours: input gradient poisoned (must be written), parameter gradients at 1 (accumulate) */
    for (size_t i = 0; i < nv; i++)
        g[i] = i < parts[0] ? NAN : 1.0f;
    ours(c, vf, of, Rf, g);
    for (size_t i = 0; i < nv; i++)
        ourd[i] = g[i] - (i < parts[0] ? 0.0 : 1.0);
    size_t off = 0;
    for (int p = 0; p < nparts; p++) {
        double md = 0;
        for (size_t i = off; i < off + parts[p]; i++) {
            double d = fabs(ourd[i] - fd[i]);
            md = (d > md || isnan(d)) ? d : md;
        }
        double e = md / fmax(maxabs(fd + off, parts[p]), 1e-30);
        CHECK_MSG(e <= BWD_TOL, "%s: gradient of block %d: relative error %.3g > %g", what, p, e,
                  BWD_TOL);
        off += parts[p];
    }
    free(v), free(out), free(R), free(fd), free(ourd), free(ofd), free(vf), free(of), free(Rf),
        free(g);
}

/* ---- convolution ----------------------------------------------------------------- */

static void conv_ref(const lcfg *c, const double *v, double *out)
{
    const cs_window *d = &c->w;
    const double *x = v, *w = v + c->nx, *b = w + (size_t)d->k * d->c * d->kh * d->kw;
    for (int n = 0; n < d->n; n++)
        for (int k = 0; k < d->k; k++)
            for (int oh = 0; oh < d->ho; oh++)
                for (int ow = 0; ow < d->wo; ow++) {
                    double s = c->bias ? b[k] : 0.0;
                    for (int ch = 0; ch < d->c; ch++)
                        for (int i = 0; i < d->kh; i++)
                            for (int j = 0; j < d->kw; j++) {
                                int y = oh * d->sh - d->ph + i, xx = ow * d->sw - d->pw + j;
                                if (y < 0 || y >= d->h || xx < 0 || xx >= d->w)
                                    continue;
                                s += x[((n * d->c + ch) * d->h + y) * d->w + xx] *
                                     w[((k * d->c + ch) * d->kh + i) * d->kw + j];
                            }
                    out[((n * d->k + k) * d->ho + oh) * d->wo + ow] = s;
                }
}

static void conv_ours(const lcfg *c, const float *v, float *out, const float *dout, float *g)
{
    const cs_window *d = &c->w;
    size_t wn = (size_t)d->k * d->c * d->kh * d->kw;
    float *ws = malloc(sizeof(float) * cs_conv2d_ws_floats(d, NT));
    const float *b = c->bias ? v + c->nx + wn : NULL;
    cs_conv2d_forward(d, out, v, v + c->nx, b, ws, NT);
    if (dout)
        cs_conv2d_backward(d, g, g + c->nx, c->bias ? g + c->nx + wn : NULL, dout, v, v + c->nx,
                           ws, NT);
    free(ws);
}

static void conv_case(const char *what, cs_window w, int bias, uint64_t seed)
{
    lcfg c = {.w = w, .bias = bias};
    CHECK(cs_window_set(&c.w) == 0);
    c.nx = (size_t)w.n * w.c * w.h * w.w;
    size_t parts[3] = {c.nx, (size_t)w.k * w.c * w.kh * w.kw, (size_t)w.k};
    gradcheck(what, &c, conv_ref, conv_ours, bias ? 3 : 2, parts,
              (size_t)w.n * w.k * c.w.ho * c.w.wo, seed);
}

static void test_conv2d(void)
{
    conv_case("conv2d 3x3 s1 p1 bias", (cs_window){.n = 3, .c = 2, .h = 6, .w = 5, .k = 3,
              .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1, .pw = 1}, 1, 1);
    conv_case("conv2d 3x3 s2 p1", (cs_window){.n = 2, .c = 3, .h = 7, .w = 6, .k = 4, .kh = 3,
              .kw = 3, .sh = 2, .sw = 2, .ph = 1, .pw = 1}, 0, 2);
    conv_case("conv2d 1x1 s1 p0 (pointwise path)", (cs_window){.n = 3, .c = 4, .h = 3, .w = 4,
              .k = 5, .kh = 1, .kw = 1, .sh = 1, .sw = 1, .ph = 0, .pw = 0}, 1, 3);
    conv_case("conv2d 1x1 s2 (downsample)", (cs_window){.n = 2, .c = 3, .h = 5, .w = 5, .k = 2,
              .kh = 1, .kw = 1, .sh = 2, .sw = 2, .ph = 0, .pw = 0}, 0, 4);
    conv_case("conv2d 2x3 s(2,1) p(0,2)", (cs_window){.n = 2, .c = 2, .h = 5, .w = 4, .k = 3,
              .kh = 2, .kw = 3, .sh = 2, .sw = 1, .ph = 0, .pw = 2}, 1, 5);
}

static void test_conv1d(void)
{
    cs_window w;
    cs_window_1d(&w, 3, 2, 11, 4, 7, 2, 3);
    conv_case("conv1d k7 s2 p3", w, 0, 6);
    cs_window_1d(&w, 2, 3, 9, 2, 3, 1, 1);
    conv_case("conv1d k3 s1 p1 bias", w, 1, 7);
    CHECK(w.ho == 1 && w.wo == 9);
}

/* ---- batch norm ------------------------------------------------------------------- */

static void bn_ref(const lcfg *c, const double *v, double *out)
{
    const double *x = v, *gm = v + c->nx, *bt = gm + c->c;
    for (int ch = 0; ch < c->c; ch++) {
        double mu = 0, var = 0, cnt = (double)c->n * c->hw;
        if (c->train) {
            for (int n = 0; n < c->n; n++)
                for (int j = 0; j < c->hw; j++)
                    mu += x[(n * c->c + ch) * c->hw + j];
            mu /= cnt;
            for (int n = 0; n < c->n; n++)
                for (int j = 0; j < c->hw; j++) {
                    double d = x[(n * c->c + ch) * c->hw + j] - mu;
                    var += d * d;
                }
            var /= cnt;
        } else {
            mu = c->run_mean[ch];
            var = c->run_var[ch];
        }
        for (int n = 0; n < c->n; n++)
            for (int j = 0; j < c->hw; j++) {
                size_t i = ((size_t)n * c->c + ch) * c->hw + j;
                out[i] = (x[i] - mu) / sqrt(var + 1e-5) * gm[ch] + bt[ch];
            }
    }
}

static void bn_ours(const lcfg *c, const float *v, float *out, const float *dout, float *g)
{
    float mean[16], invstd[16], rm[16], rv[16];
    for (int ch = 0; ch < c->c; ch++) {
        rm[ch] = (float)c->run_mean[ch];
        rv[ch] = (float)c->run_var[ch];
    }
    cs_batchnorm_forward(out, mean, invstd, rm, rv, v, v + c->nx, v + c->nx + c->c, c->n, c->c,
                         c->hw, c->train, 0.1f, 1e-5f, NT);
    if (dout)
        cs_batchnorm_backward(g, g + c->nx, g + c->nx + c->c, dout, v, mean, invstd, v + c->nx,
                              c->n, c->c, c->hw, c->train, NT);
}

static void bn_case(const char *what, int n, int ch, int hw, int train, uint64_t seed)
{
    lcfg c = {.n = n, .c = ch, .hw = hw, .train = train};
    c.nx = (size_t)n * ch * hw;
    for (int i = 0; i < ch; i++) {
        c.run_mean[i] = 0.3 * i - 0.2;
        c.run_var[i] = 0.5 + 0.25 * i;
    }
    size_t parts[3] = {c.nx, (size_t)ch, (size_t)ch};
    gradcheck(what, &c, bn_ref, bn_ours, 3, parts, c.nx, seed);
}

static void test_batchnorm(void)
{
    bn_case("bn2d train", 3, 4, 6, 1, 11);
    bn_case("bn1d train (hw 1)", 5, 3, 1, 1, 12);
    bn_case("bn2d eval", 3, 4, 6, 0, 13);
}

/* Running statistics: momentum 0.1, unbiased variance, eval leaves them alone. */
static void test_batchnorm_running_stats(void)
{
    enum { N = 4, C = 2, HW = 3 };
    float x[N * C * HW], out[N * C * HW], gm[C] = {1, 1}, bt[C] = {0, 0}, mean[C], is[C];
    float rm[C] = {0.5f, -1.0f}, rv[C] = {2.0f, 1.0f};
    for (int i = 0; i < N * C * HW; i++)
        x[i] = (float)((i * 37) % 11) - 4.0f;
    cs_batchnorm_forward(out, mean, is, rm, rv, x, gm, bt, N, C, HW, 1, 0.1f, 1e-5f, NT);
    for (int ch = 0; ch < C; ch++) {
        double mu = 0, ss = 0;
        for (int n = 0; n < N; n++)
            for (int j = 0; j < HW; j++)
                mu += x[(n * C + ch) * HW + j];
        mu /= N * HW;
        for (int n = 0; n < N; n++)
            for (int j = 0; j < HW; j++)
                ss += pow(x[(n * C + ch) * HW + j] - mu, 2);
        double want_rm = 0.9 * (ch ? -1.0 : 0.5) + 0.1 * mu;
        double want_rv = 0.9 * (ch ? 1.0 : 2.0) + 0.1 * ss / (N * HW - 1);
        CHECK_NEAR(rm[ch], want_rm, 1e-6);
        CHECK_NEAR(rv[ch], want_rv, 1e-5);
        CHECK_NEAR(is[ch], 1.0 / sqrt(ss / (N * HW) + 1e-5), 1e-5);
    }
    float rm2[C] = {rm[0], rm[1]}, rv2[C] = {rv[0], rv[1]};
    cs_batchnorm_forward(out, mean, is, rm, rv, x, gm, bt, N, C, HW, 0, 0.1f, 1e-5f, NT);
    CHECK(rm[0] == rm2[0] && rm[1] == rm2[1] && rv[0] == rv2[0] && rv[1] == rv2[1]);
}

/* ---- ReLU, max pool, GAP, linear, add ---------------------------------------------- */

static void relu_ref(const lcfg *c, const double *v, double *out)
{
    for (size_t i = 0; i < c->nx; i++)
        out[i] = v[i] > 0 ? v[i] : 0;
}

static void relu_ours(const lcfg *c, const float *v, float *out, const float *dout, float *g)
{
    cs_relu_forward(out, v, c->nx);
    if (dout)
        cs_relu_backward(g, dout, out, c->nx);
}

static void test_relu(void)
{
    lcfg c = {.nx = 200};
    size_t parts[1] = {c.nx};
    gradcheck("relu", &c, relu_ref, relu_ours, 1, parts, c.nx, 21);
}

static void pool_ref(const lcfg *c, const double *v, double *out)
{
    const cs_window *d = &c->w;
    for (int pl = 0; pl < d->n * d->c; pl++)
        for (int oh = 0; oh < d->ho; oh++)
            for (int ow = 0; ow < d->wo; ow++) {
                double m = -INFINITY;
                for (int i = 0; i < d->kh; i++)
                    for (int j = 0; j < d->kw; j++) {
                        int y = oh * d->sh - d->ph + i, x = ow * d->sw - d->pw + j;
                        if (y >= 0 && y < d->h && x >= 0 && x < d->w)
                            m = fmax(m, v[((size_t)pl * d->h + y) * d->w + x]);
                    }
                out[((size_t)pl * d->ho + oh) * d->wo + ow] = m;
            }
}

static void pool_ours(const lcfg *c, const float *v, float *out, const float *dout, float *g)
{
    const cs_window *d = &c->w;
    int *am = malloc(sizeof(int) * (size_t)d->n * d->c * d->ho * d->wo);
    cs_maxpool2d_forward(d, out, am, v, NT);
    if (dout)
        cs_maxpool2d_backward(d, g, dout, am, NT);
    free(am);
}

static void pool_case(const char *what, cs_window w, uint64_t seed)
{
    lcfg c = {.w = w};
    CHECK(cs_window_set(&c.w) == 0);
    c.nx = (size_t)w.n * w.c * w.h * w.w;
    size_t parts[1] = {c.nx};
    gradcheck(what, &c, pool_ref, pool_ours, 1, parts, (size_t)w.n * w.c * c.w.ho * c.w.wo, seed);
}

static void test_maxpool(void)
{
    pool_case("maxpool2d 2x2 s2", (cs_window){.n = 2, .c = 3, .h = 6, .w = 7, .kh = 2, .kw = 2,
              .sh = 2, .sw = 2}, 31);
    pool_case("maxpool2d 3x3 s2 p1 (overlapping)", (cs_window){.n = 2, .c = 2, .h = 7, .w = 6,
              .kh = 3, .kw = 3, .sh = 2, .sw = 2, .ph = 1, .pw = 1}, 32);
    cs_window w;
    cs_window_1d(&w, 3, 2, 13, 2, 3, 2, 1);
    pool_case("maxpool1d k3 s2 p1", w, 33);
}

static void gap_ref(const lcfg *c, const double *v, double *out)
{
    for (int i = 0; i < c->n * c->c; i++) {
        double s = 0;
        for (int j = 0; j < c->hw; j++)
            s += v[(size_t)i * c->hw + j];
        out[i] = s / c->hw;
    }
}

static void gap_ours(const lcfg *c, const float *v, float *out, const float *dout, float *g)
{
    cs_gap_forward(out, v, c->n, c->c, c->hw);
    if (dout)
        cs_gap_backward(g, dout, c->n, c->c, c->hw);
}

static void test_gap(void)
{
    lcfg c = {.n = 3, .c = 4, .hw = 12, .nx = 3 * 4 * 12};
    size_t parts[1] = {c.nx};
    gradcheck("gap2d (4x3)", &c, gap_ref, gap_ours, 1, parts, 12, 41);
    lcfg c1 = {.n = 2, .c = 3, .hw = 17, .nx = 2 * 3 * 17};
    size_t parts1[1] = {c1.nx};
    gradcheck("gap1d (17)", &c1, gap_ref, gap_ours, 1, parts1, 6, 42);
}

static void linear_ref(const lcfg *c, const double *v, double *out)
{
    const double *x = v, *w = v + c->nx, *b = w + (size_t)c->in_f * c->out_f;
    for (int n = 0; n < c->n; n++)
        for (int o = 0; o < c->out_f; o++) {
            double s = b[o];
            for (int i = 0; i < c->in_f; i++)
                s += x[n * c->in_f + i] * w[o * c->in_f + i];
            out[n * c->out_f + o] = s;
        }
}

static void linear_ours(const lcfg *c, const float *v, float *out, const float *dout, float *g)
{
    size_t wn = (size_t)c->in_f * c->out_f;
    cs_linear_forward(out, v, v + c->nx, v + c->nx + wn, c->n, c->in_f, c->out_f);
    if (dout)
        cs_linear_backward(g, g + c->nx, g + c->nx + wn, dout, v, v + c->nx, c->n, c->in_f,
                           c->out_f);
}

static void test_linear(void)
{
    lcfg c = {.n = 5, .in_f = 7, .out_f = 4, .nx = 35};
    size_t parts[3] = {35, 28, 4};
    gradcheck("linear", &c, linear_ref, linear_ours, 3, parts, 20, 51);
}

static void add_ref(const lcfg *c, const double *v, double *out)
{
    for (size_t i = 0; i < c->nx; i++)
        out[i] = v[i] + v[c->nx + i];
}

/* the residual join: both addends receive dout; the second accumulates like a parameter */
static void add_ours(const lcfg *c, const float *v, float *out, const float *dout, float *g)
{
    cs_add_forward(out, v, v + c->nx, c->nx);
    if (dout) {
        memcpy(g, dout, sizeof(float) * c->nx);
        cs_add_inplace(g + c->nx, dout, c->nx);
    }
}

static void test_residual_add(void)
{
    lcfg c = {.nx = 30};
    size_t parts[2] = {30, 30};
    gradcheck("residual add", &c, add_ref, add_ours, 2, parts, 30, 61);
}

/* ---- softmax cross-entropy: the loss itself is the output (R = 1 picked by nout 1) ---- */

static void xent_ref(const lcfg *c, const double *v, double *out)
{
    int K = c->out_f;
    double tot = 0;
    for (int n = 0; n < c->n; n++) {
        double mx = -INFINITY, se = 0;
        for (int k = 0; k < K; k++)
            mx = fmax(mx, v[n * K + k]);
        for (int k = 0; k < K; k++)
            se += exp(v[n * K + k] - mx);
        for (int k = 0; k < K; k++) {
            double q = c->smoothing / K + (k == c->labels[n] ? 1.0 - c->smoothing : 0.0);
            double w = c->class_weight ? c->class_weight[k] : 1.0;
            tot -= w * q * (v[n * K + k] - mx - log(se));
        }
    }
    /* PyTorch's weighted mean divides by the weights of the labels present */
    double wsum = 0;
    for (int n = 0; n < c->n; n++)
        wsum += c->class_weight ? c->class_weight[c->labels[n]] : 1.0;
    out[0] = tot / wsum;
}

static void xent_ours(const lcfg *c, const float *v, float *out, const float *dout, float *g)
{
    float probs[64], loss[8];
    out[0] = (float)cs_xent_forward_backward(probs, loss, dout ? g : NULL, v, c->labels, c->n,
                                             c->out_f, c->smoothing, c->class_weight);
    if (dout)
        for (int i = 0; i < c->n * c->out_f; i++)
            g[i] *= dout[0];
    double s = 0;
    for (int i = 0; i < c->n; i++)
        s += loss[i];
    if (!c->class_weight) /* the per-sample losses are unweighted */
        CHECK_NEAR(s / c->n, out[0], 1e-6);
    for (int n = 0; n < c->n; n++) {
        double ps = 0;
        for (int k = 0; k < c->out_f; k++)
            ps += probs[n * c->out_f + k];
        CHECK_NEAR(ps, 1.0, 1e-6);
    }
}

static void test_xent(void)
{
    lcfg c = {.n = 4, .out_f = 5, .nx = 20, .labels = {0, 4, 2, 2}};
    size_t parts[1] = {20};
    gradcheck("xent", &c, xent_ref, xent_ours, 1, parts, 1, 71);
    c.smoothing = 0.1f;
    gradcheck("xent label smoothing 0.1", &c, xent_ref, xent_ours, 1, parts, 1, 72);
    static const float w[5] = {0.5f, 2.0f, 1.0f, 0.25f, 3.0f};
    c.class_weight = w;
    gradcheck("xent class weights, label smoothing 0.1", &c, xent_ref, xent_ours, 1, parts, 1, 73);
    c.smoothing = 0;
    gradcheck("xent class weights", &c, xent_ref, xent_ours, 1, parts, 1, 74);
}

int main(void)
{
    RUN(test_conv2d);
    RUN(test_conv1d);
    RUN(test_batchnorm);
    RUN(test_batchnorm_running_stats);
    RUN(test_relu);
    RUN(test_maxpool);
    RUN(test_gap);
    RUN(test_linear);
    RUN(test_residual_add);
    RUN(test_xent);
    return harness_done();
}
