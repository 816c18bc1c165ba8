/* model.c - the layer graph: builders, the parameter slab, forward, backward, init.
 *
 * A model is a list of nodes in execution order over numbered tensors.  Backward walks
 * the list in reverse; a tensor read by two nodes (a residual block's input) gets its
 * first gradient written in place and the second added from a scratch buffer, so the
 * layers themselves only ever write input gradients. */
#include "model_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"

#define BN_MOMENTUM 0.1f
#define BN_EPS 1e-5f

void cs_model_spec_init(cs_model_spec *s)
{
    *s = (cs_model_spec){.name = "cnn-small", .in_channels = 1, .in_ndim = 2,
                         .in_shape = {28, 28}, .num_classes = 10, .width = 64, .num_stages = 4,
                         .blocks = {2, 2, 2, 2}, .kernel_size = 7, .stem_stride = 2};
}

/* --- builders ------------------------------------------------------------------ */

static int grow(void **arr, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return 0;
    int nc = *cap ? *cap * 2 : 16;
    while (nc < need)
        nc *= 2;
    void *p = realloc(*arr, elem * (size_t)nc);
    if (!p)
        return cs_error(CS_ENOMEM, "out of memory building the model");
    memset((char *)p + elem * (size_t)*cap, 0, elem * (size_t)(nc - *cap));
    *arr = p;
    *cap = nc;
    return 0;
}

static int new_tensor(cs_model *m, int c, int h, int w)
{
    int rc = grow((void **)&m->tensors, &m->cap_tensors, m->ntensors + 1, sizeof(mtensor));
    if (rc) {
        m->failed = rc;
        return -1;
    }
    m->tensors[m->ntensors] = (mtensor){.c = c, .h = h, .w = w};
    return m->ntensors++;
}

static mnode *new_node(cs_model *m, int kind, int in)
{
    if (m->failed || in < 0)
        return NULL;
    int rc = grow((void **)&m->nodes, &m->cap_nodes, m->nnodes + 1, sizeof(mnode));
    if (rc) {
        m->failed = rc;
        return NULL;
    }
    mnode *nd = &m->nodes[m->nnodes++];
    *nd = (mnode){.kind = kind, .in = in, .in2 = -1, .out = -1, .pw = -1, .pb = -1, .prm = -1,
                  .prv = -1};
    return nd;
}

static int new_param(cs_model *m, const char *prefix, const char *suffix, int kind, int ndim,
                     const int *shape)
{
    if (m->failed)
        return -1;
    int rc = grow((void **)&m->params, &m->cap_params, m->nparams + 1, sizeof(cs_param_info));
    if (rc) {
        m->failed = rc;
        return -1;
    }
    int *pk = realloc(m->pkind, sizeof(int) * (size_t)m->cap_params);
    if (!pk) {
        m->failed = cs_error(CS_ENOMEM, "out of memory building the model");
        return -1;
    }
    m->pkind = pk;
    cs_param_info *p = &m->params[m->nparams];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s.%s", prefix, suffix);
    p->ndim = ndim;
    p->numel = 1;
    for (int i = 0; i < ndim; i++) {
        p->shape[i] = shape[i];
        p->numel *= (size_t)shape[i];
    }
    p->trainable = kind != PK_BN_RM && kind != PK_BN_RV;
    /* running statistics are placed after all trainable floats in finalize() */
    if (p->trainable) {
        p->offset = m->n_train;
        m->n_train += p->numel;
    } else {
        p->offset = m->n_buf;
        m->n_buf += p->numel;
    }
    m->pkind[m->nparams] = kind;
    return m->nparams++;
}

int mb_input(cs_model *m, int c, int h, int w) { return new_tensor(m, c, h, w); }

int mb_conv(cs_model *m, int in, int k, int kh, int kw, int sh, int sw, int ph, int pw, int bias,
            const char *prefix)
{
    mnode *nd = new_node(m, NODE_CONV, in);
    if (!nd)
        return -1;
    const mtensor *t = &m->tensors[in];
    nd->win = (cs_window){.n = m->max_batch, .c = t->c, .h = t->h, .w = t->w, .k = k, .kh = kh,
                          .kw = kw, .sh = sh, .sw = sw, .ph = ph, .pw = pw};
    if (cs_window_set(&nd->win)) {
        m->failed = cs_error(CS_EINVAL, "model '%s': layer '%s': a %dx%d kernel does not fit a %dx%d input",
                             m->spec.name, prefix, kh, kw, t->h, t->w);
        return -1;
    }
    int shape[4] = {k, t->c, kh, kw};
    int sh1[1] = {k};
    if (m->tensors[in].h == 1 && kh == 1) { /* 1-D: PyTorch's Conv1d weight is (K,C,k) */
        shape[2] = kw;
        nd->pw = new_param(m, prefix, "weight", PK_CONV_W, 3, shape);
    } else {
        nd->pw = new_param(m, prefix, "weight", PK_CONV_W, 4, shape);
    }
    if (bias)
        nd->pb = new_param(m, prefix, "bias", PK_CONV_B, 1, sh1);
    if (m->failed)
        return -1;
    int ho = nd->win.ho, wo = nd->win.wo;
    return nd->out = new_tensor(m, k, ho, wo);
}

int mb_bn(cs_model *m, int in, const char *prefix)
{
    mnode *nd = new_node(m, NODE_BN, in);
    if (!nd)
        return -1;
    int c = m->tensors[in].c;
    int sh[1] = {c};
    nd->pw = new_param(m, prefix, "weight", PK_BN_W, 1, sh);
    nd->pb = new_param(m, prefix, "bias", PK_BN_B, 1, sh);
    nd->prm = new_param(m, prefix, "running_mean", PK_BN_RM, 1, sh);
    nd->prv = new_param(m, prefix, "running_var", PK_BN_RV, 1, sh);
    if (m->failed)
        return -1;
    const mtensor *t = &m->tensors[in];
    return nd->out = new_tensor(m, t->c, t->h, t->w);
}

int mb_relu(cs_model *m, int in)
{
    mnode *nd = new_node(m, NODE_RELU, in);
    if (!nd)
        return -1;
    const mtensor *t = &m->tensors[in];
    return nd->out = new_tensor(m, t->c, t->h, t->w);
}

int mb_maxpool(cs_model *m, int in, int kh, int kw, int sh, int sw, int ph, int pw)
{
    mnode *nd = new_node(m, NODE_MAXPOOL, in);
    if (!nd)
        return -1;
    const mtensor *t = &m->tensors[in];
    nd->win = (cs_window){.n = m->max_batch, .c = t->c, .h = t->h, .w = t->w, .k = t->c,
                          .kh = kh, .kw = kw, .sh = sh, .sw = sw, .ph = ph, .pw = pw};
    if (cs_window_set(&nd->win)) {
        m->failed = cs_error(CS_EINVAL, "model '%s': a %dx%d max pool does not fit a %dx%d input",
                             m->spec.name, kh, kw, t->h, t->w);
        return -1;
    }
    return nd->out = new_tensor(m, t->c, nd->win.ho, nd->win.wo);
}

int mb_gap(cs_model *m, int in)
{
    mnode *nd = new_node(m, NODE_GAP, in);
    if (!nd)
        return -1;
    return nd->out = new_tensor(m, m->tensors[in].c, 1, 1);
}

int mb_linear(cs_model *m, int in, int out_f, const char *prefix)
{
    mnode *nd = new_node(m, NODE_LINEAR, in);
    if (!nd)
        return -1;
    const mtensor *t = &m->tensors[in];
    /* backends may keep activations in their own layout, which agrees with NCHW only for
     * a 1x1 input: linear layers follow global pooling */
    if (t->h * t->w != 1) {
        m->failed = cs_error(CS_EINTERNAL, "model '%s': linear layer '%s' on a %dx%d input; it must follow global pooling",
                             m->spec.name, prefix, t->h, t->w);
        return -1;
    }
    int in_f = t->c * t->h * t->w;
    int shape[2] = {out_f, in_f};
    nd->pw = new_param(m, prefix, "weight", PK_LIN_W, 2, shape);
    nd->pb = new_param(m, prefix, "bias", PK_LIN_B, 1, shape);
    if (m->failed)
        return -1;
    return nd->out = new_tensor(m, out_f, 1, 1);
}

int mb_add(cs_model *m, int a, int b)
{
    if (b < 0)
        return -1;
    mnode *nd = new_node(m, NODE_ADD, a);
    if (!nd)
        return -1;
    nd->in2 = b;
    const mtensor *t = &m->tensors[a];
    return nd->out = new_tensor(m, t->c, t->h, t->w);
}

int mb_name(cs_model *m, int t, const char *name)
{
    if (m->failed || t < 0)
        return -1;
    int rc = grow((void **)&m->layers, &m->cap_layers, m->nlayers + 1, sizeof(mlayer));
    if (rc) {
        m->failed = rc;
        return -1;
    }
    mlayer *l = &m->layers[m->nlayers++];
    snprintf(l->name, sizeof l->name, "%s", name);
    l->t = t;
    return t;
}

/* --- create / free ------------------------------------------------------------- */

static size_t tsize(const mtensor *t) { return (size_t)t->c * t->h * t->w; }

static void *balloc(cs_model *m, size_t bytes)
{
    void *p = m->be->ops->alloc(m->be->ctx, bytes);
    if (!p)
        cs_error(CS_ENOMEM, "model '%s': out of memory (%zu bytes) for batch size %d",
                 m->spec.name, bytes, m->max_batch);
    return p;
}

/* Activation gradients live only from their first consumer's backward (in reverse order)
 * to their producer's: tensor t needs its buffer over node indices [prod, last use], and
 * tensors whose intervals do not overlap share a slot of the largest tensor's size.  A
 * ResNet needs a handful of slots instead of one per tensor (about half the memory). */
static int assign_grad_slots(cs_model *m, size_t slot_floats)
{
    int nt = m->ntensors, rc = 0;
    int *prod = cs_calloc((size_t)nt, sizeof(int)), *last = cs_calloc((size_t)nt, sizeof(int));
    int *slot_free_below = cs_calloc((size_t)nt, sizeof(int)); /* slot s free below index */
    if (!prod || !last || !slot_free_below) {
        rc = CS_ENOMEM;
        goto out;
    }
    for (int i = 0; i < m->nnodes; i++) {
        const mnode *nd = &m->nodes[i];
        prod[nd->out] = i;
        last[nd->in] = i > last[nd->in] ? i : last[nd->in];
        if (nd->in2 >= 0)
            last[nd->in2] = i > last[nd->in2] ? i : last[nd->in2];
    }
    last[m->ntensors - 1] = m->nnodes; /* the logits' gradient arrives before any node */
    /* tensors were created in node order, so decreasing id is decreasing `last` enough for
     * a first-fit: a slot is reusable once its occupant's producer index lies above ours */
    int nslots = 0;
    for (int t = nt - 1; t > 0; t--) {
        int s = 0;
        while (s < nslots && slot_free_below[s] <= last[t])
            s++;
        if (s == nslots) {
            if (nslots == (int)(sizeof m->grad_slots / sizeof m->grad_slots[0])) {
                rc = cs_error(CS_EINTERNAL, "model '%s': more than %d live gradients",
                              m->spec.name, nslots);
                goto out;
            }
            if (!(m->grad_slots[nslots] = balloc(m, sizeof(float) * slot_floats))) {
                rc = CS_ENOMEM;
                goto out;
            }
            nslots++;
        }
        slot_free_below[s] = prod[t];
        m->tensors[t].grad = m->grad_slots[s];
    }
    m->n_grad_slots = nslots;
out:
    free(prod);
    free(last);
    free(slot_free_below);
    return rc;
}

/* A ReLU whose input comes from batch norm or a residual add and feeds nothing else runs
 * in place, as torchvision's ReLU(inplace=True) does: no backward pass reads that input
 * (batch norm's backward reads the norm's own input, the add's reads nothing, ReLU's
 * reads its output), so its buffer can hold the output.  In a ResNet-18 that is every
 * ReLU, about a quarter of the activation memory.  Returns the number shared. */
static int share_relu_inputs(cs_model *m)
{
    int nt = m->ntensors, shared = 0;
    int *uses = cs_calloc((size_t)nt, sizeof(int)), *producer = cs_calloc((size_t)nt, sizeof(int));
    if (!uses || !producer) {
        free(uses);
        free(producer);
        return -1;
    }
    for (int i = 0; i < m->nnodes; i++) {
        const mnode *nd = &m->nodes[i];
        uses[nd->in]++;
        if (nd->in2 >= 0)
            uses[nd->in2]++;
        producer[nd->out] = nd->kind;
    }
    for (int i = 0; i < m->nnodes; i++) {
        const mnode *nd = &m->nodes[i];
        int t = nd->in;
        if (nd->kind == NODE_RELU && t > 0 && uses[t] == 1 && !m->tensors[t].shares_val &&
            (producer[t] == NODE_BN || producer[t] == NODE_ADD)) {
            m->tensors[nd->out].shares_val = 1;
            shared++;
        }
    }
    free(uses);
    free(producer);
    return shared;
}

static int finalize(cs_model *m)
{
    for (int i = 0; i < m->nparams; i++)
        if (!m->params[i].trainable)
            m->params[i].offset += m->n_train;
    size_t B = (size_t)m->max_batch, maxt = 0;
    if (!(m->slab = balloc(m, sizeof(float) * (m->n_train + m->n_buf))) ||
        !(m->grads = balloc(m, sizeof(float) * (m->n_train ? m->n_train : 1))))
        return CS_ENOMEM;
    if (share_relu_inputs(m) < 0)
        return CS_ENOMEM;
    for (int i = 0; i < m->ntensors; i++) {
        mtensor *t = &m->tensors[i];
        if (tsize(t) > maxt)
            maxt = tsize(t);
        if (!t->shares_val && !(t->val = balloc(m, sizeof(float) * B * tsize(t))))
            return CS_ENOMEM;
    }
    for (int i = 0; i < m->nnodes; i++) /* in node order: chains resolve front to back */
        if (m->tensors[m->nodes[i].out].shares_val)
            m->tensors[m->nodes[i].out].val = m->tensors[m->nodes[i].in].val;
    if (assign_grad_slots(m, B * maxt))
        return CS_ENOMEM;
    for (int i = 0; i < m->nnodes; i++) {
        mnode *nd = &m->nodes[i];
        if (nd->kind == NODE_CONV) {
            size_t w = m->be->ops->conv_ws_floats(m->be->ctx, &nd->win);
            if (w > m->ws_floats)
                m->ws_floats = w;
            int rc;
            if (m->be->ops->conv_prepare && (rc = m->be->ops->conv_prepare(m->be->ctx, &nd->win)))
                return rc;
        } else if (nd->kind == NODE_BN) {
            int c = m->tensors[nd->in].c;
            if (!(nd->mean = balloc(m, sizeof(float) * c)) ||
                !(nd->invstd = balloc(m, sizeof(float) * c)))
                return CS_ENOMEM;
        } else if (nd->kind == NODE_MAXPOOL) {
            if (!(nd->argmax = balloc(m, sizeof(int) * B * tsize(&m->tensors[nd->out]))))
                return CS_ENOMEM;
        } else if (nd->kind == NODE_GAP) {
            m->gap_node = i;
            m->last_conv_t = nd->in;
        } else if (nd->kind == NODE_LINEAR) {
            m->fc_node = i;
        }
    }
    m->scratch_floats = B * maxt;
    size_t K = (size_t)m->spec.num_classes;
    if (!(m->ws = balloc(m, sizeof(float) * (m->ws_floats ? m->ws_floats : 1))) ||
        !(m->scratch = balloc(m, sizeof(float) * m->scratch_floats)))
        return CS_ENOMEM;
    m->logits_host = cs_calloc(B * K, sizeof(float));
    m->probs = cs_calloc(B * K, sizeof(float));
    m->dlogits = cs_calloc(B * K, sizeof(float));
    m->loss = cs_calloc(B, sizeof(float));
    if (!m->logits_host || !m->probs || !m->dlogits || !m->loss)
        return CS_ENOMEM;
    if (m->gap_node >= 0 &&
        !(m->features_host = cs_calloc(B * tsize(&m->tensors[m->nodes[m->gap_node].out]), sizeof(float))))
        return CS_ENOMEM;
    if (m->be->ops->act_download && m->last_conv_t >= 0 &&
        (!(m->last_conv_host = cs_calloc(B * tsize(&m->tensors[m->last_conv_t]), sizeof(float))) ||
         !(m->layer_host = cs_calloc(B * maxt, sizeof(float)))))
        return CS_ENOMEM;
    m->logits_t = m->ntensors - 1;
    return 0;
}

int cs_model_create(cs_model **out, const cs_model_spec *spec, int max_batch, const cs_backend *be)
{
    *out = NULL;
    int rc;
    if (max_batch < 1)
        return cs_error(CS_EINVAL, "model '%s': batch size %d must be at least 1",
                        spec->name ? spec->name : "", max_batch);
    if (spec->in_channels < 1 || spec->num_classes < 2)
        return cs_error(CS_EINVAL, "model '%s': need at least 1 input channel and 2 classes, got %d and %d",
                        spec->name ? spec->name : "", spec->in_channels, spec->num_classes);
    cs_model *m = cs_calloc(1, sizeof *m);
    if (!m)
        return CS_ENOMEM;
    m->spec = *spec;
    m->max_batch = max_batch;
    m->gap_node = m->fc_node = m->last_conv_t = -1;
    if (!be) {
        if ((rc = cs_backend_cpu_create(&m->own_be, 0)))
            goto out;
        be = m->own_be;
    }
    /* before m->be is set: cs_model_free must not call a backend's missing free */
    if ((rc = cs_backend_check(be)))
        goto out;
    m->be = be;
    if ((rc = cs_model_build_arch(m)))
        goto out;
    if ((rc = finalize(m)))
        goto out;
    *out = m;
    return 0;
out:
    cs_model_free(m);
    return rc;
}

void cs_model_free(cs_model *m)
{
    if (!m)
        return;
    const cs_backend *be = m->be;
    if (be) {
        void (*bfree)(void *, void *) = be->ops->free;
        for (int i = 0; i < m->ntensors; i++)
            if (!m->tensors[i].shares_val)
                bfree(be->ctx, m->tensors[i].val);
        for (int i = 0; i < m->nnodes; i++) {
            bfree(be->ctx, m->nodes[i].mean);
            bfree(be->ctx, m->nodes[i].invstd);
            bfree(be->ctx, m->nodes[i].argmax);
        }
        for (int i = 0; i < m->n_grad_slots; i++)
            bfree(be->ctx, m->grad_slots[i]);
        bfree(be->ctx, m->slab);
        bfree(be->ctx, m->grads);
        bfree(be->ctx, m->ws);
        bfree(be->ctx, m->scratch);
    }
    free(m->logits_host);
    free(m->class_weight);
    free(m->probs);
    free(m->dlogits);
    free(m->loss);
    free(m->last_conv_host);
    free(m->features_host);
    free(m->layer_host);
    free(m->tensors);
    free(m->nodes);
    free(m->layers);
    free(m->params);
    free(m->pkind);
    cs_backend_free(m->own_be);
    free(m);
}

/* --- init ------------------------------------------------------------------------- */

int cs_model_init_params(cs_model *m, cs_rng *rng)
{
    size_t n = m->n_train + m->n_buf;
    float *h = cs_malloc(sizeof(float) * (n ? n : 1));
    if (!h)
        return CS_ENOMEM;
    for (int i = 0; i < m->nparams; i++) {
        const cs_param_info *p = &m->params[i];
        float *x = h + p->offset;
        size_t fan_out = p->ndim > 1 ? p->numel / (size_t)p->shape[1] : 1;
        size_t fan_in = p->ndim > 1 ? p->numel / (size_t)p->shape[0] : 1;
        double std = sqrt(2.0 / (double)fan_out);
        double bound = 1.0 / sqrt((double)fan_in);
        for (size_t j = 0; j < p->numel; j++) {
            switch (m->pkind[i]) {
            case PK_CONV_W:
                x[j] = (float)(std * cs_rng_normal(rng));
                break;
            case PK_BN_W:
            case PK_BN_RV:
                x[j] = 1.0f;
                break;
            case PK_BN_B:
            case PK_BN_RM:
                x[j] = 0.0f;
                break;
            case PK_LIN_W:
                x[j] = (float)((2.0 * cs_rng_uniform(rng) - 1.0) * bound);
                break;
            default: { /* biases: bound from the weight's fan-in (the previous entry) */
                const cs_param_info *w = &m->params[i - 1];
                double b = 1.0 / sqrt((double)(w->numel / (size_t)w->shape[0]));
                x[j] = (float)((2.0 * cs_rng_uniform(rng) - 1.0) * b);
            }
            }
        }
    }
    m->be->ops->upload(m->be->ctx, m->slab, h, sizeof(float) * n);
    free(h);
    return 0;
}

/* --- passes --------------------------------------------------------------------- */

/* ops return nothing: a backend keeps its first error for status(), which every pass
 * asks once it has run its ops, so an error surfaces in the pass that raised it */
static int backend_status(const cs_model *m)
{
    const cs_backend *be = m->be;
    return be->ops->status ? be->ops->status(be->ctx) : 0;
}

static float *P(cs_model *m, int idx) { return idx < 0 ? NULL : m->slab + m->params[idx].offset; }
static float *G(cs_model *m, int idx) { return idx < 0 ? NULL : m->grads + m->params[idx].offset; }

int cs_model_forward(cs_model *m, const float *x, int batch, int train)
{
    if (batch < 1 || batch > m->max_batch)
        return cs_error(CS_EINVAL, "model '%s': batch of %d samples, the model was built for 1 to %d",
                        m->spec.name, batch, m->max_batch);
    const cs_backend_ops *ops = m->be->ops;
    void *ctx = m->be->ctx;
    m->batch = batch;
    m->train = train;
    mtensor *t0 = &m->tensors[0];
    if (ops->act_upload)
        ops->act_upload(ctx, t0->val, x, batch, t0->c, t0->h * t0->w);
    else
        ops->upload(ctx, t0->val, x, sizeof(float) * batch * tsize(t0));
    for (int i = 0; i < m->nnodes; i++) {
        mnode *nd = &m->nodes[i];
        mtensor *in = &m->tensors[nd->in], *out = &m->tensors[nd->out];
        size_t nel = (size_t)batch * tsize(in);
        cs_window w = nd->win;
        w.n = batch;
        switch (nd->kind) {
        case NODE_CONV:
            ops->conv_forward(ctx, &w, out->val, in->val, P(m, nd->pw), P(m, nd->pb), m->ws);
            break;
        case NODE_BN:
            ops->bn_forward(ctx, out->val, nd->mean, nd->invstd, P(m, nd->prm), P(m, nd->prv),
                            in->val, P(m, nd->pw), P(m, nd->pb), batch, in->c, in->h * in->w,
                            train, BN_MOMENTUM, BN_EPS);
            break;
        case NODE_RELU:
            ops->relu_forward(ctx, out->val, in->val, nel);
            break;
        case NODE_MAXPOOL:
            ops->maxpool_forward(ctx, &w, out->val, nd->argmax, in->val);
            break;
        case NODE_GAP:
            ops->gap_forward(ctx, out->val, in->val, batch, in->c, in->h * in->w);
            break;
        case NODE_LINEAR:
            ops->linear_forward(ctx, out->val, in->val, P(m, nd->pw), P(m, nd->pb), batch,
                                (int)tsize(in), out->c);
            break;
        case NODE_ADD:
            ops->add_forward(ctx, out->val, in->val, m->tensors[nd->in2].val, nel);
            break;
        }
    }
    ops->download(ctx, m->logits_host, m->tensors[m->logits_t].val,
                  sizeof(float) * batch * m->spec.num_classes);
    /* the NCHW copy of the last conv block is made when asked for (Grad-CAM epochs), not
     * on every step: from a GPU it is the largest copy of the step */
    m->last_conv_stale = m->last_conv_host != NULL;
    return backend_status(m);
}

/* The host copy of the last conv block's activations, brought up to date (the model is
 * not const here: only its cache changes). */
static const float *last_conv_fresh(const cs_model *cm)
{
    cs_model *m = (cs_model *)cm;
    if (m->last_conv_stale) {
        const mtensor *lc = &m->tensors[m->last_conv_t];
        m->be->ops->act_download(m->be->ctx, m->last_conv_host, lc->val, m->batch, lc->c, lc->h * lc->w);
        m->last_conv_stale = 0;
    }
    return m->last_conv_host;
}

/* Where an input gradient goes: the tensor's grad the first time, scratch after. */
static float *grad_target(cs_model *m, int t)
{
    if (t == 0)
        return NULL;
    return m->tensors[t].written ? m->scratch : m->tensors[t].grad;
}

static void grad_done(cs_model *m, int t)
{
    if (t == 0)
        return;
    mtensor *tt = &m->tensors[t];
    if (tt->written)
        m->be->ops->add_inplace(m->be->ctx, tt->grad, m->scratch, (size_t)m->batch * tsize(tt));
    tt->written = 1;
}

/* Backpropagate dlogits through nodes nnodes-1 .. stop+1.  Grad-CAM mode (cam) leaves the
 * parameter gradients alone and differentiates BN as the affine map it applied in the
 * forward (its statistics held fixed), so no sample's gradient leaks into another's. */
static void backward_nodes(cs_model *m, const float *dlogits, int stop, int cam)
{
    const cs_backend_ops *ops = m->be->ops;
    void *ctx = m->be->ctx;
    int B = m->batch, bn_train = cam ? 0 : m->train;
    for (int i = 0; i < m->ntensors; i++)
        m->tensors[i].written = 0;
    mtensor *lt = &m->tensors[m->logits_t];
    ops->upload(ctx, lt->grad, dlogits, sizeof(float) * B * tsize(lt));
    for (int i = m->nnodes - 1; i > stop; i--) {
        mnode *nd = &m->nodes[i];
        mtensor *in = &m->tensors[nd->in], *out = &m->tensors[nd->out];
        size_t nel = (size_t)B * tsize(in);
        cs_window w = nd->win;
        w.n = B;
        float *din = grad_target(m, nd->in);
        float *gw = cam ? NULL : G(m, nd->pw), *gb = cam ? NULL : G(m, nd->pb);
        /* only layers that take din == NULL may read the model input (ours: conv) */
        if (!din && (cam || (nd->kind != NODE_CONV && nd->kind != NODE_BN && nd->kind != NODE_LINEAR)))
            continue;
        switch (nd->kind) {
        case NODE_CONV:
            ops->conv_backward(ctx, &w, din, gw, gb, out->grad, in->val, P(m, nd->pw), m->ws);
            break;
        case NODE_BN:
            ops->bn_backward(ctx, din, gw, gb, out->grad, in->val, nd->mean, nd->invstd,
                             P(m, nd->pw), B, in->c, in->h * in->w, bn_train);
            break;
        case NODE_RELU:
            ops->relu_backward(ctx, din, out->grad, out->val, nel);
            break;
        case NODE_MAXPOOL:
            ops->maxpool_backward(ctx, &w, din, out->grad, nd->argmax);
            break;
        case NODE_GAP:
            ops->gap_backward(ctx, din, out->grad, B, in->c, in->h * in->w);
            break;
        case NODE_LINEAR:
            ops->linear_backward(ctx, din, gw, gb, out->grad, in->val, P(m, nd->pw), B,
                                 (int)tsize(in), out->c);
            break;
        case NODE_ADD:
            ops->copy(ctx, din, out->grad, nel);
            grad_done(m, nd->in);
            din = grad_target(m, nd->in2);
            ops->copy(ctx, din, out->grad, nel);
            grad_done(m, nd->in2);
            continue;
        }
        grad_done(m, nd->in);
    }
}

int cs_model_backward(cs_model *m, const float *dlogits)
{
    backward_nodes(m, dlogits, -1, 0);
    return backend_status(m);
}

int cs_model_backward_to_last_conv(cs_model *m, const float *dlogits, float *dlast)
{
    const cs_backend_ops *ops = m->be->ops;
    void *ctx = m->be->ctx;
    int B = m->batch;
    const mnode *fc = &m->nodes[m->fc_node];
    const mtensor *fin = &m->tensors[fc->in], *lc = &m->tensors[m->last_conv_t];
    float *dl = m->tensors[m->logits_t].grad, *dg = m->scratch;
    ops->upload(ctx, dl, dlogits, sizeof(float) * B * m->spec.num_classes);
    ops->linear_backward(ctx, dg, NULL, NULL, dl, fin->val, P(m, fc->pw), B, (int)tsize(fin),
                         m->spec.num_classes);
    if (ops->act_download) { /* into the backend's layout, then NCHW for the caller */
        ops->gap_backward(ctx, lc->grad, dg, B, lc->c, lc->h * lc->w);
        ops->act_download(ctx, dlast, lc->grad, B, lc->c, lc->h * lc->w);
    } else {
        ops->gap_backward(ctx, dlast, dg, B, lc->c, lc->h * lc->w);
    }
    return backend_status(m);
}

int cs_model_find_layer(const cs_model *m, const char *name)
{
    if (strcmp(name, "last") == 0) {
        if (m->last_conv_t < 0) /* -1 would read as CS_EIO, with no message */
            return cs_error(CS_EINVAL, "model '%s' has no global pooling, so no layer 'last' for Grad-CAM",
                            m->spec.name);
        return m->last_conv_t;
    }
    for (int i = 0; i < m->nlayers; i++)
        if (strcmp(m->layers[i].name, name) == 0)
            return m->layers[i].t;
    return cs_error(CS_EINVAL, "model '%s' has no layer '%s' for Grad-CAM (known: last, %s)",
                    m->spec.name, name, cs_model_info_find(m->spec.name)->layers);
}

/* Whether `layer` is a handle cs_model_find_layer gives out: the last conv block or a
 * named layer (never the model input, which no node produces). */
static int is_layer(const cs_model *m, int layer)
{
    if (layer >= 0 && layer == m->last_conv_t)
        return 1;
    for (int i = 0; i < m->nlayers; i++)
        if (m->layers[i].t == layer)
            return 1;
    return 0;
}

static int not_a_layer(const cs_model *m, int layer)
{
    return cs_error(CS_EINVAL, "model '%s': %d is not a layer handle from cs_model_find_layer",
                    m->spec.name, layer);
}

const float *cs_model_layer_act(const cs_model *m, int layer, int shape[4])
{
    if (!is_layer(m, layer)) {
        not_a_layer(m, layer);
        return NULL;
    }
    const mtensor *t = &m->tensors[layer];
    shape[0] = m->batch;
    shape[1] = t->c;
    shape[2] = t->h;
    shape[3] = t->w;
    if (!m->layer_host)
        return t->val;
    if (layer == m->last_conv_t)
        return last_conv_fresh(m);
    m->be->ops->act_download(m->be->ctx, m->layer_host, t->val, m->batch, t->c, t->h * t->w);
    return m->layer_host;
}

int cs_model_layer_is_last(const cs_model *m, int layer) { return layer == m->last_conv_t; }

int cs_model_backward_to_layer(cs_model *m, const float *dlogits, int layer, float *dact)
{
    if (!is_layer(m, layer))
        return not_a_layer(m, layer);
    int prod = 0; /* the node whose output it is */
    while (prod < m->nnodes && m->nodes[prod].out != layer)
        prod++;
    if (prod == m->nnodes)
        return not_a_layer(m, layer);
    backward_nodes(m, dlogits, prod, 1);
    const mtensor *t = &m->tensors[layer];
    if (m->be->ops->act_download)
        m->be->ops->act_download(m->be->ctx, dact, t->grad, m->batch, t->c, t->h * t->w);
    else
        m->be->ops->download(m->be->ctx, dact, t->grad,
                             sizeof(float) * (size_t)m->batch * tsize(t));
    return backend_status(m);
}

void cs_model_zero_grad(cs_model *m) { m->be->ops->zero(m->be->ctx, m->grads, m->n_train); }

double cs_model_xent(cs_model *m, const int *labels, float smoothing)
{
    return cs_xent_forward_backward(m->probs, m->loss, m->dlogits, m->logits_host, labels,
                                    m->batch, m->spec.num_classes, smoothing, m->class_weight);
}

int cs_model_set_class_weights(cs_model *m, const float *w)
{
    free(m->class_weight);
    m->class_weight = NULL;
    if (!w)
        return 0;
    int K = m->spec.num_classes;
    for (int k = 0; k < K; k++)
        if (!(w[k] >= 0) || !isfinite(w[k]))
            return cs_error(CS_EINVAL, "class weight %d is %g; weights must be finite and >= 0", k, (double)w[k]);
    if (!(m->class_weight = cs_malloc(sizeof(float) * (size_t)K)))
        return CS_ENOMEM;
    memcpy(m->class_weight, w, sizeof(float) * (size_t)K);
    return 0;
}

/* --- accessors -------------------------------------------------------------------- */

const float *cs_model_logits(const cs_model *m) { return m->logits_host; }
const float *cs_model_probs(const cs_model *m) { return m->probs; }
const float *cs_model_sample_loss(const cs_model *m) { return m->loss; }
const float *cs_model_dlogits(const cs_model *m) { return m->dlogits; }

const float *cs_model_features(cs_model *m, int *d)
{
    if (m->gap_node < 0) {
        cs_error(CS_EINVAL, "model '%s' has no global pooling, so no embeddings", m->spec.name);
        return NULL;
    }
    const mtensor *t = &m->tensors[m->nodes[m->gap_node].out];
    *d = t->c;
    /* The pooled (B, D) rows are plain on every backend (the linear layer reads them so);
     * download copies them on a device backend and is a copy on the CPU one. */
    m->be->ops->download(m->be->ctx, m->features_host, t->val, sizeof(float) * (size_t)m->batch * (size_t)t->c);
    return m->features_host;
}

const float *cs_model_last_conv(const cs_model *m, int shape[4])
{
    const mtensor *t = &m->tensors[m->last_conv_t];
    shape[0] = m->batch;
    shape[1] = t->c;
    shape[2] = t->h;
    shape[3] = t->w;
    return m->last_conv_host ? last_conv_fresh(m) : t->val;
}

size_t cs_model_num_params(const cs_model *m) { return m->n_train; }
size_t cs_model_num_state(const cs_model *m) { return m->n_train + m->n_buf; }
float *cs_model_params(cs_model *m) { return m->slab; }
float *cs_model_grads(cs_model *m) { return m->grads; }

void cs_model_state_get(const cs_model *m, float *host, size_t off, size_t n)
{
    m->be->ops->download(m->be->ctx, host, m->slab + off, sizeof(float) * n);
}

void cs_model_state_set(cs_model *m, const float *host, size_t off, size_t n)
{
    m->be->ops->upload(m->be->ctx, m->slab + off, host, sizeof(float) * n);
}

void cs_model_grads_get(const cs_model *m, float *host, size_t off, size_t n)
{
    m->be->ops->download(m->be->ctx, host, m->grads + off, sizeof(float) * n);
}
int cs_model_num_tensors(const cs_model *m) { return m->nparams; }
const cs_param_info *cs_model_tensor(const cs_model *m, int i) { return &m->params[i]; }
int cs_model_num_classes(const cs_model *m) { return m->spec.num_classes; }
int cs_model_max_batch(const cs_model *m) { return m->max_batch; }
const cs_backend *cs_model_backend(const cs_model *m) { return m->be; }

int cs_model_find(const cs_model *m, const char *name)
{
    for (int i = 0; i < m->nparams; i++)
        if (strcmp(m->params[i].name, name) == 0)
            return i;
    return -1;
}
