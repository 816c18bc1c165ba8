/* conv2d_dnnl.c - convolutions through oneDNN behind the layer interface (conv2d_dnnl.h).
 *
 * One cache entry per window shape (batch size included) holds the three primitives,
 * the reorders between the model's plain weights and the kernels' weight layouts, and
 * memory objects whose data pointers are set per call.
 *
 * Each pass runs on the caller's layouts (blocked where the channel count is a multiple
 * of 16, else NCHW) unless oneDNN has only its slow reference kernel for that mix of
 * layouts (backward passes between an 8- and a 16-channel tensor, say): then the pass
 * runs in plain NCHW on both sides (oneDNN's gemm kernels) with the blocked side
 * reordered around it.  The common first layer (plain input, blocked output) keeps its
 * fast direct kernels for forward and backward-weights and never runs backward-data.
 *
 * Workspace (plan()): [kernel weights | kernel weight gradient | plain copy of a blocked
 * input side | plain copy of a blocked output side]. */
#include "conv2d_dnnl.h"

#ifdef CS_HAVE_DNNL

#include <oneapi/dnnl/dnnl.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "layout_c16.h"

enum { PASS_FWD, PASS_BWD_D, PASS_BWD_W };

typedef struct conv_entry {
    cs_window d;
    dnnl_primitive_desc_t pd[3];
    dnnl_primitive_t prim[3];
    int plain[3];                       /* the pass runs on plain copies */
    dnnl_memory_t src[3], dst[3];       /* what each pass sees */
    dnnl_memory_t src_user, dst_user;   /* the caller's tensors, for the reorders */
    dnnl_primitive_t src_to_plain, src_to_user, dst_to_plain, dst_to_user; /* or NULL */
    dnnl_primitive_t w_to_fwd, w_to_bwd; /* plain -> kernel weights; NULL when the same */
    dnnl_primitive_t dw_add;             /* kernel weight gradient -> plain, accumulating */
    dnnl_memory_t w_plain, w_fwd, w_bwd, dw_kernel, dw_plain;
    dnnl_memory_t scratch[3];           /* each pass's view of the shared scratchpad */
} conv_entry;

struct cs_dnnl_conv {
    int nt, winograd;
    dnnl_engine_t eng;
    dnnl_stream_t stream;
    dnnl_primitive_attr_t attr; /* user-managed scratchpad */
    void *scratch;              /* one scratchpad for every primitive: calls are sequential */
    size_t scratch_bytes;
    conv_entry **e;
    int ne, cap;
};

/* oneDNN's parallel regions take omp_get_max_threads(): pin it around calls to the team
 * a shape runs with (conv_threads), the same at creation and at every execution. */
#define PIN_THREADS(nt) int saved_nt_ = omp_get_max_threads(); omp_set_num_threads(nt)
#define UNPIN_THREADS() omp_set_num_threads(saved_nt_)

/* Below this many forward multiply-adds a convolution runs on one thread.  Each pass
 * opens several parallel regions (weight reorder, kernel, gradient reorder), and on a
 * machine busier than its cores a region can cost milliseconds of spinning while the
 * partner thread waits to be scheduled: small models (8-32 channels, 28x28) trained 5-20x
 * slower with two threads than with one.  ResNet-18's smallest convolution at 28x28,
 * batch 128 is about 130M. */
#define CONV_SERIAL_MACS 8000000.0

static int conv_threads(const cs_dnnl_conv *cc, const cs_window *d)
{
    double macs = (double)d->n * d->k * d->c * d->kh * d->kw * d->ho * d->wo;
    return macs < CONV_SERIAL_MACS ? 1 : cc->nt;
}

static int dnnl_fail(dnnl_status_t s, const char *what, const cs_window *d)
{
    return cs_error(CS_EINTERNAL, "oneDNN: %s failed (status %d) for a %dx%d convolution %d->%d channels on %dx%d, batch %d",
                    what, (int)s, d->kh, d->kw, d->c, d->k, d->h, d->w, d->n);
}

static size_t round16(size_t x) { return (x + 15) / 16 * 16; }

/* Offsets into the workspace, in floats (each a multiple of 16: 64-byte aligned). */
typedef struct ws_plan {
    size_t wmax;    /* room for one weight tensor in a kernel layout; the gradient's at wmax */
    size_t src_tmp; /* plain copy of a blocked input or input gradient */
    size_t dst_tmp; /* plain copy of a blocked output or output gradient */
    size_t total;
} ws_plan;

static ws_plan plan(const cs_window *d)
{
    ws_plan p;
    /* no fp32 weight layout oneDNN uses pads more than to 16 in each of O and I */
    p.wmax = round16((size_t)d->k) * round16((size_t)d->c) * d->kh * d->kw;
    p.src_tmp = 2 * p.wmax;
    /* Room for a plain copy of each blocked side, also when both sides are blocked: a
     * pass whose only kernel there is oneDNN's reference one runs on plain copies
     * (entry_get), which is every blocked pass on a CPU without AVX-512 (AMD Zen 2/3:
     * its jit kernels block by 8).  Sizing this from the layouts alone overran the
     * workspace on such CPUs (heap corruption in test_nn_backend). */
    size_t src_n = cs_c16_blocked(d->c) ? (size_t)d->n * d->c * d->h * d->w : 0;
    size_t dst_n = cs_c16_blocked(d->k) ? (size_t)d->n * d->k * d->ho * d->wo : 0;
    p.dst_tmp = p.src_tmp + round16(src_n);
    p.total = p.dst_tmp + round16(dst_n);
    return p;
}

size_t cs_dnnl_conv_ws_floats(const cs_window *d) { return plan(d).total; }

int cs_dnnl_conv_create(cs_dnnl_conv **out, int nthreads, int winograd)
{
    *out = NULL;
    cs_dnnl_conv *cc = cs_calloc(1, sizeof *cc);
    if (!cc)
        return CS_ENOMEM;
    cc->nt = nthreads > 0 ? nthreads : omp_get_max_threads();
    cc->winograd = winograd;
    dnnl_status_t s = dnnl_engine_create(&cc->eng, dnnl_cpu, 0);
    if (s == dnnl_success)
        s = dnnl_stream_create(&cc->stream, cc->eng, dnnl_stream_default_flags);
    /* oneDNN's own scratchpads came from malloc per execution: large ones were mapped,
     * faulted in and unmapped every step (a tenth of a ResNet-18 step in the kernel) */
    if (s == dnnl_success)
        s = dnnl_primitive_attr_create(&cc->attr);
    if (s == dnnl_success)
        s = dnnl_primitive_attr_set_scratchpad_mode(cc->attr, dnnl_scratchpad_mode_user);
    if (s != dnnl_success) {
        cs_dnnl_conv_free(cc);
        return cs_error(CS_EINTERNAL, "oneDNN: cannot create a CPU engine (status %d)", (int)s);
    }
    *out = cc;
    return 0;
}

static void entry_free(conv_entry *e)
{
    if (!e)
        return;
    for (int i = 0; i < 3; i++) {
        dnnl_primitive_destroy(e->prim[i]);
        dnnl_primitive_desc_destroy(e->pd[i]);
        dnnl_memory_destroy(e->src[i]);
        dnnl_memory_destroy(e->dst[i]);
        dnnl_memory_destroy(e->scratch[i]);
    }
    dnnl_primitive_t prims[] = {e->src_to_plain, e->src_to_user, e->dst_to_plain, e->dst_to_user,
                                e->w_to_fwd,     e->w_to_bwd,    e->dw_add};
    for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++)
        dnnl_primitive_destroy(prims[i]);
    dnnl_memory_t mems[] = {e->src_user, e->dst_user, e->w_plain, e->w_fwd,
                            e->w_bwd,    e->dw_kernel, e->dw_plain};
    for (size_t i = 0; i < sizeof mems / sizeof mems[0]; i++)
        dnnl_memory_destroy(mems[i]);
    free(e);
}

void cs_dnnl_conv_free(cs_dnnl_conv *cc)
{
    if (!cc)
        return;
    for (int i = 0; i < cc->ne; i++)
        entry_free(cc->e[i]);
    free(cc->e);
    free(cc->scratch);
    dnnl_primitive_attr_destroy(cc->attr);
    dnnl_stream_destroy(cc->stream);
    dnnl_engine_destroy(cc->eng);
    free(cc);
}

/* A reorder from `from` to `to` (accumulating into `to` when add), or NULL with 0 when
 * the layouts are equal and nothing is to be added. */
static dnnl_status_t make_reorder(dnnl_primitive_t *r, dnnl_engine_t eng,
                                  const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to,
                                  int add)
{
    *r = NULL;
    if (!add && dnnl_memory_desc_equal(from, to))
        return dnnl_success;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t s = dnnl_primitive_attr_create(&attr);
    if (s == dnnl_success && add) {
        if ((s = dnnl_post_ops_create(&po)) == dnnl_success &&
            (s = dnnl_post_ops_append_sum(po, 1.0f)) == dnnl_success)
            s = dnnl_primitive_attr_set_post_ops(attr, po);
    }
    if (s == dnnl_success)
        s = dnnl_reorder_primitive_desc_create(&pd, from, eng, to, eng, attr);
    if (s == dnnl_success)
        s = dnnl_primitive_create(r, pd);
    dnnl_primitive_desc_destroy(pd);
    dnnl_post_ops_destroy(po);
    dnnl_primitive_attr_destroy(attr);
    return s;
}

static int wants_winograd(const cs_dnnl_conv *cc, const cs_window *d)
{
    return cc->winograd && d->kh == 3 && d->kw == 3 && d->sh == 1 && d->sw == 1 &&
           cs_c16_blocked(d->c) && cs_c16_blocked(d->k);
}

/* Primitive descriptor for one pass, Winograd first where wanted, else direct. */
static dnnl_status_t make_pd(const cs_dnnl_conv *cc, const cs_window *d, int pass,
                             const dnnl_memory_desc_t *src, const dnnl_memory_desc_t *wei,
                             const dnnl_memory_desc_t *dst, const dnnl_dims_t strides,
                             const dnnl_dims_t pl, const dnnl_dims_t pr,
                             const_dnnl_primitive_desc_t hint, dnnl_primitive_desc_t *pd)
{
    dnnl_alg_kind_t algs[2] = {dnnl_convolution_winograd, dnnl_convolution_direct};
    dnnl_status_t s = dnnl_unimplemented;
    for (int a = wants_winograd(cc, d) ? 0 : 1; a < 2; a++) {
        dnnl_convolution_desc_t cd;
        if (pass == PASS_FWD)
            s = dnnl_convolution_forward_desc_init(&cd, dnnl_forward_training, algs[a], src, wei,
                                                   NULL, dst, strides, pl, pr);
        else if (pass == PASS_BWD_D)
            s = dnnl_convolution_backward_data_desc_init(&cd, algs[a], src, wei, dst, strides, pl,
                                                         pr);
        else
            s = dnnl_convolution_backward_weights_desc_init(&cd, algs[a], src, wei, NULL, dst,
                                                            strides, pl, pr);
        if (s == dnnl_success)
            s = dnnl_primitive_desc_create(pd, &cd, cc->attr, cc->eng, hint);
        if (s == dnnl_success)
            return s;
    }
    return s;
}

static int is_reference_impl(const_dnnl_primitive_desc_t pd)
{
    const char *name = NULL;
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name);
    return name && strncmp(name, "ref", 3) == 0;
}

static int entry_create(cs_dnnl_conv *cc, const cs_window *d, conv_entry **out)
{
    *out = NULL;
    conv_entry *e = cs_calloc(1, sizeof *e);
    if (!e)
        return CS_ENOMEM;
    e->d = *d;
    dnnl_dims_t src_dims = {d->n, d->c, d->h, d->w}, wei_dims = {d->k, d->c, d->kh, d->kw},
                dst_dims = {d->n, d->k, d->ho, d->wo}, strides = {d->sh, d->sw},
                pl = {d->ph, d->pw},
                pr = {(d->ho - 1) * d->sh + d->kh - d->h - d->ph,
                      (d->wo - 1) * d->sw + d->kw - d->w - d->pw};
    dnnl_memory_desc_t src_user, dst_user, src_plain, dst_plain, wei_any, wei_plain;
    const char *what = "memory descriptors";
    dnnl_status_t s = dnnl_memory_desc_init_by_tag(
        &src_user, 4, src_dims, dnnl_f32, cs_c16_blocked(d->c) ? dnnl_nChw16c : dnnl_nchw);
    if (s == dnnl_success)
        s = dnnl_memory_desc_init_by_tag(&dst_user, 4, dst_dims, dnnl_f32,
                                         cs_c16_blocked(d->k) ? dnnl_nChw16c : dnnl_nchw);
    if (s == dnnl_success)
        s = dnnl_memory_desc_init_by_tag(&src_plain, 4, src_dims, dnnl_f32, dnnl_nchw);
    if (s == dnnl_success)
        s = dnnl_memory_desc_init_by_tag(&dst_plain, 4, dst_dims, dnnl_f32, dnnl_nchw);
    if (s == dnnl_success)
        s = dnnl_memory_desc_init_by_tag(&wei_any, 4, wei_dims, dnnl_f32, dnnl_format_tag_any);
    if (s == dnnl_success)
        s = dnnl_memory_desc_init_by_tag(&wei_plain, 4, wei_dims, dnnl_f32, dnnl_oihw);
    const char *names[3] = {"forward convolution", "backward-data convolution",
                            "backward-weights convolution"};
    int same = dnnl_memory_desc_equal(&src_user, &src_plain) &&
               dnnl_memory_desc_equal(&dst_user, &dst_plain);
    for (int p = 0; p < 3 && s == dnnl_success; p++) {
        what = names[p];
        s = make_pd(cc, d, p, &src_user, &wei_any, &dst_user, strides, pl, pr,
                    p ? e->pd[0] : NULL, &e->pd[p]);
        if (s == dnnl_success && !same && is_reference_impl(e->pd[p])) {
            dnnl_primitive_desc_destroy(e->pd[p]);
            e->pd[p] = NULL;
            e->plain[p] = 1;
            s = make_pd(cc, d, p, &src_plain, &wei_any, &dst_plain, strides, pl, pr, NULL,
                        &e->pd[p]);
        }
        if (s == dnnl_success)
            s = dnnl_primitive_create(&e->prim[p], e->pd[p]);
        if (s == dnnl_success)
            s = dnnl_memory_create(&e->src[p], e->plain[p] ? &src_plain : &src_user, cc->eng,
                                   DNNL_MEMORY_NONE);
        if (s == dnnl_success)
            s = dnnl_memory_create(&e->dst[p], e->plain[p] ? &dst_plain : &dst_user, cc->eng,
                                   DNNL_MEMORY_NONE);
        if (s == dnnl_success) {
            const dnnl_memory_desc_t *sp =
                dnnl_primitive_desc_query_md(e->pd[p], dnnl_query_scratchpad_md, 0);
            s = dnnl_memory_create(&e->scratch[p], sp, cc->eng, DNNL_MEMORY_NONE);
            if (s == dnnl_success && dnnl_memory_desc_get_size(sp) > cc->scratch_bytes) {
                size_t bytes = (dnnl_memory_desc_get_size(sp) + 63) & ~(size_t)63;
                free(cc->scratch);
                cc->scratch_bytes = 0;
                if (!(cc->scratch = aligned_alloc(64, bytes))) {
                    entry_free(e);
                    return cs_error(CS_ENOMEM, "out of memory (%zu bytes) for oneDNN's scratchpad",
                                    bytes);
                }
                cc->scratch_bytes = bytes;
            }
        }
    }
    const dnnl_memory_desc_t *wf = NULL, *wb = NULL, *dwk = NULL;
    if (s == dnnl_success) {
        what = "weight reorders";
        wf = dnnl_primitive_desc_query_md(e->pd[PASS_FWD], dnnl_query_weights_md, 0);
        wb = dnnl_primitive_desc_query_md(e->pd[PASS_BWD_D], dnnl_query_weights_md, 0);
        dwk = dnnl_primitive_desc_query_md(e->pd[PASS_BWD_W], dnnl_query_diff_weights_md, 0);
        size_t wmax = sizeof(float) * plan(d).wmax;
        if (dnnl_memory_desc_get_size(wf) > wmax || dnnl_memory_desc_get_size(wb) > wmax ||
            dnnl_memory_desc_get_size(dwk) > wmax)
            s = dnnl_unimplemented; /* a layout padded beyond our workspace bound */
    }
    if (s == dnnl_success)
        s = make_reorder(&e->w_to_fwd, cc->eng, &wei_plain, wf, 0);
    if (s == dnnl_success)
        s = make_reorder(&e->w_to_bwd, cc->eng, &wei_plain, wb, 0);
    if (s == dnnl_success)
        s = make_reorder(&e->dw_add, cc->eng, dwk, &wei_plain, 1);
    if (s == dnnl_success && (e->plain[0] || e->plain[1] || e->plain[2])) {
        what = "activation reorders";
        s = make_reorder(&e->src_to_plain, cc->eng, &src_user, &src_plain, 0);
        if (s == dnnl_success)
            s = make_reorder(&e->src_to_user, cc->eng, &src_plain, &src_user, 0);
        if (s == dnnl_success)
            s = make_reorder(&e->dst_to_plain, cc->eng, &dst_user, &dst_plain, 0);
        if (s == dnnl_success)
            s = make_reorder(&e->dst_to_user, cc->eng, &dst_plain, &dst_user, 0);
    }
    if (s == dnnl_success) {
        what = "memory objects";
        struct {
            dnnl_memory_t *m;
            const dnnl_memory_desc_t *md;
        } mk[] = {{&e->src_user, &src_user}, {&e->dst_user, &dst_user}, {&e->w_plain, &wei_plain},
                  {&e->w_fwd, wf},           {&e->w_bwd, wb},           {&e->dw_kernel, dwk},
                  {&e->dw_plain, &wei_plain}};
        for (size_t i = 0; i < sizeof mk / sizeof mk[0] && s == dnnl_success; i++)
            s = dnnl_memory_create(mk[i].m, mk[i].md, cc->eng, DNNL_MEMORY_NONE);
    }
    if (s != dnnl_success) {
        entry_free(e);
        return dnnl_fail(s, what, d);
    }
    *out = e;
    return 0;
}

static int entry_get(cs_dnnl_conv *cc, const cs_window *d, conv_entry **out)
{
    for (int i = 0; i < cc->ne; i++)
        if (memcmp(&cc->e[i]->d, d, sizeof *d) == 0) {
            *out = cc->e[i];
            return 0;
        }
    if (cc->ne == cc->cap) {
        int nc = cc->cap ? 2 * cc->cap : 32;
        conv_entry **ne = realloc(cc->e, sizeof *ne * (size_t)nc);
        if (!ne)
            return cs_error(CS_ENOMEM, "out of memory for the convolution cache");
        cc->e = ne;
        cc->cap = nc;
    }
    int rc = entry_create(cc, d, out);
    if (rc == 0)
        cc->e[cc->ne++] = *out;
    return rc;
}

int cs_dnnl_conv_prepare(cs_dnnl_conv *cc, const cs_window *d)
{
    conv_entry *e;
    PIN_THREADS(conv_threads(cc, d));
    int rc = entry_get(cc, d, &e);
    UNPIN_THREADS();
    return rc;
}

const char *cs_dnnl_conv_impl(cs_dnnl_conv *cc, const cs_window *d, int pass)
{
    for (int i = 0; i < cc->ne; i++)
        if (memcmp(&cc->e[i]->d, d, sizeof *d) == 0) {
            const char *s = NULL;
            dnnl_primitive_desc_query(cc->e[i]->pd[pass], dnnl_query_impl_info_str, 0, &s);
            return s;
        }
    return NULL;
}

static dnnl_status_t run(cs_dnnl_conv *cc, dnnl_primitive_t p, dnnl_memory_t from,
                         dnnl_memory_t to)
{
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    return dnnl_primitive_execute(p, cc->stream, 2, args);
}

static dnnl_status_t set(dnnl_memory_t m, const void *p)
{
    return dnnl_memory_set_data_handle(m, (void *)p);
}

/* Point pass p's view of a caller tensor at it, or at a plain copy in tmp (made from it
 * first when `fill`, the tensor being read).  Reorder NULL: the layouts agree. */
static dnnl_status_t bind(cs_dnnl_conv *cc, dnnl_memory_t view, int plain, dnnl_memory_t user,
                          dnnl_primitive_t to_plain, const float *tensor, float *tmp, int fill)
{
    if (!plain || !to_plain)
        return set(view, tensor);
    dnnl_status_t s = set(view, tmp);
    if (s == dnnl_success && fill && (s = set(user, tensor)) == dnnl_success)
        s = run(cc, to_plain, user, view);
    return s;
}

/* After pass p wrote a plain copy in its view: move it into the caller's tensor. */
static dnnl_status_t unbind(cs_dnnl_conv *cc, dnnl_memory_t view, int plain, dnnl_memory_t user,
                            dnnl_primitive_t to_user, float *tensor)
{
    if (!plain || !to_user)
        return dnnl_success;
    dnnl_status_t s = set(user, tensor);
    return s == dnnl_success ? run(cc, to_user, view, user) : s;
}

/* Pass p with its three tensor arguments and the shared scratchpad. */
static dnnl_status_t exec(cs_dnnl_conv *cc, conv_entry *e, int p, const dnnl_exec_arg_t args[3])
{
    dnnl_exec_arg_t all[4] = {args[0], args[1], args[2], {DNNL_ARG_SCRATCHPAD, e->scratch[p]}};
    dnnl_status_t s = set(e->scratch[p], cc->scratch);
    return s == dnnl_success ? dnnl_primitive_execute(e->prim[p], cc->stream, 4, all) : s;
}

/* Kernel weights for pass p: the plain slab itself, or reordered into ws. */
static dnnl_status_t weights(cs_dnnl_conv *cc, conv_entry *e, dnnl_primitive_t reorder,
                             dnnl_memory_t kernel, const float *w, float *ws,
                             dnnl_memory_t *use)
{
    dnnl_status_t s = set(e->w_plain, w);
    *use = e->w_plain;
    if (s == dnnl_success && reorder && (s = set(kernel, ws)) == dnnl_success) {
        s = run(cc, reorder, e->w_plain, kernel);
        *use = kernel;
    }
    return s;
}

/* (N,K,P) in d's output layout += b (K) */
static void add_bias(const cs_window *d, float *out, const float *b)
{
    size_t P = (size_t)d->ho * d->wo;
    int blocked = cs_c16_blocked(d->k);
    for (int n = 0; n < d->n; n++)
        for (int k = 0; k < d->k; k++) {
            float *o = blocked ? out + (((size_t)n * (d->k / 16) + k / 16) * P) * 16 + k % 16
                               : out + ((size_t)n * d->k + k) * P;
            size_t step = blocked ? 16 : 1;
            for (size_t p = 0; p < P; p++)
                o[p * step] += b[k];
        }
}

/* db (K) += sums of dout over n and p, per channel in (n, p) order */
static void add_bias_grad(const cs_window *d, float *db, const float *dout)
{
    size_t P = (size_t)d->ho * d->wo;
    int blocked = cs_c16_blocked(d->k);
    for (int k = 0; k < d->k; k++) {
        float s = 0.0f;
        for (int n = 0; n < d->n; n++) {
            const float *g = blocked ? dout + (((size_t)n * (d->k / 16) + k / 16) * P) * 16 + k % 16
                                     : dout + ((size_t)n * d->k + k) * P;
            size_t step = blocked ? 16 : 1;
            for (size_t p = 0; p < P; p++)
                s += g[p * step];
        }
        db[k] += s;
    }
}

int cs_dnnl_conv_forward(cs_dnnl_conv *cc, const cs_window *d, float *out, const float *in,
                         const float *w, const float *b, float *ws)
{
    conv_entry *e;
    PIN_THREADS(conv_threads(cc, d));
    int rc = entry_get(cc, d, &e);
    if (rc)
        goto out;
    ws_plan wp = plan(d);
    int pl = e->plain[PASS_FWD];
    dnnl_memory_t wk;
    dnnl_status_t s = weights(cc, e, e->w_to_fwd, e->w_fwd, w, ws, &wk);
    if (s == dnnl_success)
        s = bind(cc, e->src[PASS_FWD], pl, e->src_user, e->src_to_plain, in, ws + wp.src_tmp, 1);
    if (s == dnnl_success)
        s = bind(cc, e->dst[PASS_FWD], pl, e->dst_user, e->dst_to_plain, out, ws + wp.dst_tmp, 0);
    if (s == dnnl_success) {
        dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, e->src[PASS_FWD]}, {DNNL_ARG_WEIGHTS, wk},
                                   {DNNL_ARG_DST, e->dst[PASS_FWD]}};
        s = exec(cc, e, PASS_FWD, args);
    }
    if (s == dnnl_success)
        s = unbind(cc, e->dst[PASS_FWD], pl, e->dst_user, e->dst_to_user, out);
    if (s == dnnl_success)
        s = dnnl_stream_wait(cc->stream);
    if (s != dnnl_success) {
        rc = dnnl_fail(s, "forward convolution", d);
        goto out;
    }
    if (b)
        add_bias(d, out, b);
out:
    UNPIN_THREADS();
    return rc;
}

int cs_dnnl_conv_backward(cs_dnnl_conv *cc, const cs_window *d, float *din, float *dw, float *db,
                          const float *dout, const float *in, const float *w, float *ws)
{
    conv_entry *e;
    PIN_THREADS(conv_threads(cc, d));
    int rc = entry_get(cc, d, &e);
    if (rc)
        goto out;
    ws_plan wp = plan(d);
    dnnl_status_t s = dnnl_success;
    const char *what = "backward-data convolution";
    /* a plain copy of dout, when made, serves both passes */
    int dout_copied = 0;
    if (din) {
        int pl = e->plain[PASS_BWD_D];
        dnnl_memory_t wk;
        s = weights(cc, e, e->w_to_bwd, e->w_bwd, w, ws, &wk);
        if (s == dnnl_success)
            s = bind(cc, e->dst[PASS_BWD_D], pl, e->dst_user, e->dst_to_plain, dout,
                     ws + wp.dst_tmp, 1);
        dout_copied = pl && e->dst_to_plain;
        if (s == dnnl_success)
            s = bind(cc, e->src[PASS_BWD_D], pl, e->src_user, e->src_to_plain, din,
                     ws + wp.src_tmp, 0);
        if (s == dnnl_success) {
            dnnl_exec_arg_t args[3] = {{DNNL_ARG_DIFF_DST, e->dst[PASS_BWD_D]},
                                       {DNNL_ARG_WEIGHTS, wk},
                                       {DNNL_ARG_DIFF_SRC, e->src[PASS_BWD_D]}};
            s = exec(cc, e, PASS_BWD_D, args);
        }
        if (s == dnnl_success)
            s = unbind(cc, e->src[PASS_BWD_D], pl, e->src_user, e->src_to_user, din);
    }
    if (dw && s == dnnl_success) {
        int pl = e->plain[PASS_BWD_W];
        what = "backward-weights convolution";
        s = bind(cc, e->dst[PASS_BWD_W], pl, e->dst_user, e->dst_to_plain, dout, ws + wp.dst_tmp,
                 !dout_copied);
        if (s == dnnl_success)
            s = bind(cc, e->src[PASS_BWD_W], pl, e->src_user, e->src_to_plain, in,
                     ws + wp.src_tmp, 1);
        if (s == dnnl_success && (s = set(e->dw_kernel, ws + wp.wmax)) == dnnl_success &&
            (s = set(e->dw_plain, dw)) == dnnl_success) {
            dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, e->src[PASS_BWD_W]},
                                       {DNNL_ARG_DIFF_DST, e->dst[PASS_BWD_W]},
                                       {DNNL_ARG_DIFF_WEIGHTS, e->dw_kernel}};
            s = exec(cc, e, PASS_BWD_W, args);
        }
        if (s == dnnl_success)
            s = run(cc, e->dw_add, e->dw_kernel, e->dw_plain);
    }
    if (s == dnnl_success)
        s = dnnl_stream_wait(cc->stream);
    if (s != dnnl_success) {
        rc = dnnl_fail(s, what, d);
        goto out;
    }
    if (db)
        add_bias_grad(d, db, dout);
out:
    UNPIN_THREADS();
    return rc;
}

#else

typedef int cs_conv2d_dnnl_unused; /* ISO C wants a translation unit to declare something */

#endif
