/* model_arch.c - the builders of the architectures in the table of models.c, the checks
 * every model shares (input rank, width), and the size checks that refuse inputs too
 * small for each one's downsampling. */
#include "model_impl.h"

#include <stdio.h>

#include "../common/err.h"

/* Size after a k-tap window with stride s and padding p (0 when it does not fit). */
static int out_size(int n, int k, int s, int p)
{
    int e = n + 2 * p - k;
    return e < 0 ? 0 : e / s + 1;
}

/* Walk a side of `n` through the stem and `nstride2` stride-2 3-tap stages; 0 if every
 * stride-2 stage sees at least 2 positions. */
static int fits(int n, int stem_k, int stem_s, int nstride2)
{
    n = out_size(n, stem_k, stem_s, stem_k / 2);
    if (n < 1)
        return -1;
    for (int i = 0; i < nstride2; i++) {
        if (n < 2)
            return -1;
        n = out_size(n, 3, 2, 1);
    }
    return 0;
}

static int min_fit(int stem_k, int stem_s, int nstride2)
{
    int n = 1;
    while (fits(n, stem_k, stem_s, nstride2))
        n++;
    return n;
}

/* An architecture's result from its last tensor: the first builder's error as it was
 * raised (out of memory stays CS_ENOMEM), else 0. */
static int built(cs_model *m, int t)
{
    if (m->failed)
        return m->failed;
    return t < 0 ? cs_error(CS_EINTERNAL, "model '%s': a layer was built on no input", m->spec.name) : 0;
}

int cs_arch_cnn_small(cs_model *m)
{
    const cs_model_spec *s = &m->spec;
    int H = s->in_shape[0], W = s->in_shape[1];
    if (H < 4 || W < 4)
        return cs_error(CS_EINVAL, "model '%s': input %dx%d is too small for its two 2x2 max pools; need at least 4x4",
                        s->name, H, W);
    int t = mb_input(m, s->in_channels, H, W);
    static const int base[3] = {32, 64, 128};
    char name[32];
    for (int b = 0; b < 3; b++) {
        int c = base[b] * s->width / 64;
        snprintf(name, sizeof name, "block%d.conv", b + 1);
        t = mb_conv(m, t, c, 3, 3, 1, 1, 1, 1, 0, name);
        snprintf(name, sizeof name, "block%d.bn", b + 1);
        t = mb_bn(m, t, name);
        t = mb_relu(m, t);
        snprintf(name, sizeof name, "block%d", b + 1);
        t = mb_name(m, t, name);
        if (b < 2)
            t = mb_maxpool(m, t, 2, 2, 2, 2, 0, 0);
    }
    t = mb_gap(m, t);
    t = mb_linear(m, t, s->num_classes, "fc");
    return built(m, t);
}

/* torchvision BasicBlock; 1-D when d1 (3-tap convs along W, H = 1). */
static int basic_block(cs_model *m, int in, int planes, int stride, const char *pre, int d1)
{
    char n[64];
    int kh = d1 ? 1 : 3, ph = d1 ? 0 : 1, sh = d1 ? 1 : stride;
    snprintf(n, sizeof n, "%s.conv1", pre);
    int t = mb_conv(m, in, planes, kh, 3, sh, stride, ph, 1, 0, n);
    snprintf(n, sizeof n, "%s.bn1", pre);
    t = mb_relu(m, mb_bn(m, t, n));
    snprintf(n, sizeof n, "%s.conv2", pre);
    t = mb_conv(m, t, planes, kh, 3, 1, 1, ph, 1, 0, n);
    snprintf(n, sizeof n, "%s.bn2", pre);
    t = mb_bn(m, t, n);
    int sc = in;
    if (in >= 0 && (stride != 1 || m->tensors[in].c != planes)) {
        snprintf(n, sizeof n, "%s.downsample.0", pre);
        sc = mb_conv(m, in, planes, 1, 1, sh, stride, 0, 0, 0, n);
        snprintf(n, sizeof n, "%s.downsample.1", pre);
        sc = mb_bn(m, sc, n);
    }
    return mb_relu(m, mb_add(m, t, sc));
}

static int resnet(cs_model *m, int d1)
{
    const cs_model_spec *s = &m->spec;
    int nst = d1 ? s->num_stages : 4;
    int k = d1 ? s->kernel_size : 3, ss = d1 ? s->stem_stride : 1;
    const char *nm = s->name;
    if (nst < 1 || nst > CS_MODEL_MAX_STAGES)
        return cs_error(CS_EINVAL, "model '%s': %d stages, must be 1 to %d", nm, nst,
                        CS_MODEL_MAX_STAGES);
    if (k < 1 || k % 2 == 0 || (ss != 1 && ss != 2))
        return cs_error(CS_EINVAL, "model '%s': stem kernel %d must be odd and stride %d 1 or 2",
                        nm, k, ss);
    for (int i = 0; i < nst; i++)
        if (d1 && (s->blocks[i] < 1 || s->blocks[i] > 64))
            return cs_error(CS_EINVAL, "model '%s': stage %d has %d blocks, must be 1 to 64", nm,
                            i + 1, s->blocks[i]);
    int H = d1 ? 1 : s->in_shape[0], W = d1 ? s->in_shape[0] : s->in_shape[1];
    if (d1) {
        if (fits(W, k, ss, nst - 1))
            return cs_error(CS_EINVAL, "model '%s': input length %d is too short for a stride-%d stem and %d stride-2 stages; need at least %d",
                            nm, W, ss, nst - 1, min_fit(k, ss, nst - 1));
    } else if (fits(H, 3, 1, 3) || fits(W, 3, 1, 3)) {
        return cs_error(CS_EINVAL, "model '%s': input %dx%d is too small for its 3 stride-2 stages; need at least %dx%d",
                        nm, H, W, min_fit(3, 1, 3), min_fit(3, 1, 3));
    }
    int t = mb_input(m, s->in_channels, H, W);
    t = mb_conv(m, t, s->width, d1 ? 1 : k, k, d1 ? 1 : ss, ss, d1 ? 0 : k / 2, k / 2, 0, "conv1");
    t = mb_relu(m, mb_bn(m, t, "bn1"));
    char pre[32];
    for (int st = 0; st < nst; st++) {
        int planes = s->width << st, nb = d1 ? s->blocks[st] : 2;
        for (int b = 0; b < nb; b++) {
            snprintf(pre, sizeof pre, "layer%d.%d", st + 1, b);
            t = mb_name(m, basic_block(m, t, planes, (st > 0 && b == 0) ? 2 : 1, pre, d1), pre);
        }
        snprintf(pre, sizeof pre, "layer%d", st + 1);
        t = mb_name(m, t, pre);
    }
    t = mb_gap(m, t);
    t = mb_linear(m, t, s->num_classes, "fc");
    return built(m, t);
}

int cs_arch_resnet18(cs_model *m) { return resnet(m, 0); }

int cs_arch_resnet1d(cs_model *m) { return resnet(m, 1); }

int cs_model_build_arch(cs_model *m)
{
    const cs_model_spec *s = &m->spec;
    int id = cs_model_lookup(s->name);
    if (id < 0)
        return id;
    const cs_model_info *info = cs_model_info_at(id);
    const char *nm = info->name;
    if (s->in_ndim != info->in_ndim)
        return cs_error(CS_EINVAL, "model '%s' takes %s input, the data is %d-D", nm,
                        info->in_ndim == 1 ? "1-D (leads x length)" : "2-D (channels x H x W)",
                        s->in_ndim);
    if (s->width < 2 || s->width > 4096 || s->width % 2)
        return cs_error(CS_EINVAL, "model '%s': width %d must be even and 2 to 4096", nm, s->width);
    return info->build(m);
}
