/* test_report.c - the report's parts that need no run: the scatter subsample
 * (exact count, sorted, uniform, reproducible), histograms, the selection cut
 * and the confidence-focus categories on hand-made data, the rasteriser and
 * PNG writer (decoded again with libpng), SVG escaping, and the page size of
 * a synthetic million-sample run: bounded, and no bigger than for 10,000. */
#include "../common/err.h"
#include "../common/rng.h"
#include "../report/png_write.h"
#include "../report/raster.h"
#include "../report/report_figs.h"
#include "../report/stats.h"
#include "../report/svg_write.h"
#include "../score/score.h"
#include "harness.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>

/* The page of a synthetic million-sample run must stay under this. */
#define PAGE_BOUND (1536 * 1024)

static void test_subsample(void)
{
    enum { N = 1000, K = 100, ROUNDS = 400 };
    int64_t a[K], b[K];
    CHECK(cs_subsample(N, K, 7, a) == K);
    CHECK(cs_subsample(N, K, 7, b) == K);
    CHECK(memcmp(a, b, sizeof a) == 0);
    for (int i = 0; i < K; i++)
        CHECK(a[i] >= 0 && a[i] < N && (i == 0 || a[i] > a[i - 1]));
    cs_subsample(N, K, 8, b);
    CHECK(memcmp(a, b, sizeof a) != 0);
    int64_t all[10];
    CHECK(cs_subsample(10, 50, 1, all) == 10);
    for (int i = 0; i < 10; i++)
        CHECK(all[i] == i);
    CHECK(cs_subsample(0, 5, 1, all) == 0);
    /* uniform: over many seeds every tenth of the range gets ~ K / 10 per round */
    int64_t decile[10] = {0};
    for (int r = 0; r < ROUNDS; r++) {
        cs_subsample(N, K, (uint64_t)r + 100, a);
        for (int i = 0; i < K; i++)
            decile[a[i] * 10 / N]++;
    }
    for (int k = 0; k < 10; k++)
        CHECK_MSG(labs((long)(decile[k] - ROUNDS * K / 10)) < ROUNDS * K / 10 / 10, "decile %d: %lld", k,
                  (long long)decile[k]);
}

/* Eight samples of two classes, scores given, some kept. */
static void tiny(cs_report_data *d, int32_t *labels, double *score, uint8_t *kept, int64_t *class_n)
{
    cs_report_data_init(d);
    d->n = 8;
    d->num_classes = 2;
    d->labels = labels;
    d->score_v = score;
    d->kept = kept;
    d->class_n = class_n;
    d->score_dir = CS_SCORE_HIGH;
}

static void test_hist_and_cut(void)
{
    int32_t labels[8] = {0, 0, 0, 0, 1, 1, 1, 1};
    double score[8] = {0.0, 0.25, 0.5, 1.0, 0.1, INFINITY, NAN, 0.9};
    uint8_t kept[8] = {0, 0, 1, 1, 1, 1, 0, 0};
    int64_t class_n[2] = {4, 4};
    cs_report_data d;
    tiny(&d, labels, score, kept, class_n);
    double lo, hi, cut = -1;
    cs_value_range(score, 8, &lo, &hi);
    CHECK(lo == 0.0 && hi == 1.0);
    cs_hist h;
    cs_report_hist(&d, 0, lo, hi, &h);
    CHECK(h.total == 4 && h.total_kept == 2);
    CHECK(h.all[0] == 1 && h.all[10] == 1 && h.all[20] == 1 && h.all[CS_REPORT_BINS - 1] == 1);
    CHECK(h.kept[20] == 1 && h.kept[CS_REPORT_BINS - 1] == 1 && h.kept[0] == 0);
    cs_report_hist(&d, 1, lo, hi, &h);
    CHECK(h.pos_inf == 1 && h.nan == 1 && h.all[4] == 1 && h.all[36] == 1 && h.total_kept == 2);
    /* class 0: kept {0.5, 1.0} above removed {0, 0.25}: the cut is 0.5 */
    CHECK(cs_report_cut(&d, 0, &cut) == 1 && cut == 0.5);
    /* class 1: kept {0.1, inf} and removed 0.9 interleave: no single cut */
    CHECK(cs_report_cut(&d, 1, &cut) == 0);
    /* the low end important: class 0 kept the high end, so no cut */
    d.score_dir = CS_SCORE_LOW;
    CHECK(cs_report_cut(&d, 0, &cut) == 0);
    kept[0] = 1, kept[1] = 1, kept[2] = 0, kept[3] = 0;
    CHECK(cs_report_cut(&d, 0, &cut) == 1 && cut == 0.25);
    d.kept = NULL;
    CHECK(cs_report_cut(&d, 0, &cut) == 0);
}

static void test_plane_kind(void)
{
    int32_t labels[8] = {0};
    double score[8] = {0};
    uint8_t kept[8] = {1, 0, 0, 0, 0, 0, 0, 0};
    int64_t class_n[2] = {8, 0};
    double conf[8] = {0.9, 0.9, 0.2, 0.2, 0.69, NAN, 0.7, 0.1};
    double focus[8] = {0.1, 0.1, 0.1, 0.9, 0.7, 0.5, 0.2, NAN};
    cs_report_data d;
    tiny(&d, labels, score, kept, class_n);
    d.late_conf = conf;
    d.focus = focus;
    int want[8] = {CS_PLANE_KEPT, CS_PLANE_CONF,  CS_PLANE_FOCUS, CS_PLANE_OTHER,
                   CS_PLANE_OTHER, CS_PLANE_UNKNOWN, CS_PLANE_CONF, CS_PLANE_UNKNOWN};
    for (int i = 0; i < 8; i++)
        CHECK_MSG(cs_report_plane_kind(&d, i) == want[i], "sample %d: %d", i, cs_report_plane_kind(&d, i));
    /* without an index: ERTS's own split, uncertain and focused are retained */
    d.kept = NULL;
    CHECK(cs_report_plane_kind(&d, 0) == CS_PLANE_CONF && cs_report_plane_kind(&d, 3) == CS_PLANE_KEPT &&
          cs_report_plane_kind(&d, 2) == CS_PLANE_FOCUS);
}

/* A PNG decoded with libpng's simplified reader into RGBA. */
static uint8_t *decode(const uint8_t *png, size_t len, int *w, int *h)
{
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&im, png, len))
        return NULL;
    im.format = PNG_FORMAT_RGBA;
    uint8_t *px = malloc(PNG_IMAGE_SIZE(im));
    if (px && !png_image_finish_read(&im, NULL, px, 0, NULL)) {
        free(px);
        px = NULL;
    }
    *w = (int)im.width;
    *h = (int)im.height;
    return px;
}

static const uint8_t *at(const uint8_t *px, int w, int x, int y) { return px + ((size_t)y * (size_t)w + (size_t)x) * 4; }

static void test_raster_png(void)
{
    cs_fig f;
    cs_fig_init(&f, "t", 40, 30);
    cs_fig_rect(&f, 10, 5, 10, 10, 0xff0000ffu);
    cs_fig_segment(&f, 0, 25, 40, 25, 0x0000ffffu, 2, 0);
    cs_fig_circle(&f, 32, 10, 4, 0x00ff0080u);
    uint8_t *img = malloc(4 * 4 * 4);
    for (int k = 0; k < 16; k++) {
        img[4 * k] = (uint8_t)(k * 16);
        img[4 * k + 1] = img[4 * k + 2] = 0;
        img[4 * k + 3] = 255;
    }
    cs_fig_image(&f, 0, 0, 8, 8, img, 4, 4, 0);
    cs_fig_text(&f, 2, 20, "Ab", 10, CS_FIG_START, 0, 0x000000ffu);
    uint8_t *px, *png, *back;
    int w, h, bw, bh;
    size_t len;
    CHECK_OK(cs_raster_fig(&f, 2, &px, &w, &h));
    CHECK(w == 80 && h == 60);
    CHECK_OK(cs_png_encode(px, w, h, &png, &len));
    back = decode(png, len, &bw, &bh);
    CHECK(back && bw == w && bh == h && memcmp(back, px, (size_t)w * (size_t)h * 4) == 0);
    /* inside the red square, white outside, blue on the line, half green in the circle */
    CHECK(memcmp(at(px, w, 30, 20), "\xff\x00\x00\xff", 4) == 0);
    CHECK(memcmp(at(px, w, 60, 40), "\xff\xff\xff\xff", 4) == 0);
    CHECK(memcmp(at(px, w, 40, 50), "\x00\x00\xff\xff", 4) == 0);
    const uint8_t *g = at(px, w, 64, 20);
    CHECK(g[0] > 120 && g[0] < 135 && g[1] == 255 && g[2] > 120 && g[2] < 135);
    /* the image, nearest neighbour: its pixel (1, 0) covers device (4..7, 0..3), (3, 3) (12..15, 12..15) */
    CHECK(at(px, w, 5, 1)[0] == 16 && at(px, w, 13, 13)[0] == 16 * 15);
    /* text leaves dark pixels in its cell, and only there */
    int dark = 0;
    for (int y = 24; y < 40; y++)
        for (int x = 4; x < 30; x++)
            dark += at(px, w, x, y)[0] < 100;
    CHECK(dark > 20);
    free(px);
    free(png);
    free(back);
    cs_fig_release(&f);
}

static void test_svg_escape(void)
{
    cs_fig f;
    cs_fig_init(&f, "e", 10, 10);
    cs_fig_text(&f, 1, 1, "a<b & \"c\">", 10, CS_FIG_START, 0, 0x000000ffu);
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    CHECK_OK(cs_svg_write(fp, &f, "t<i>"));
    fclose(fp);
    CHECK(strstr(buf, ">a&lt;b &amp; &quot;c&quot;&gt;</text>") != NULL);
    CHECK(strstr(buf, "aria-label=\"t&lt;i&gt;\"") != NULL);
    CHECK(strstr(buf, "<b") == NULL);
    free(buf);
    cs_fig_release(&f);
}

/* A synthetic run of n samples, 10 classes, 50 epochs, 10% kept, with
 * 28 x 28 image thumbnails and maps (or 256-point signals). */
static int synthetic(cs_report_data *d, int64_t n, int signal)
{
    enum { C = 10, T = 50 };
    cs_report_data_init(d);
    cs_rng rng;
    cs_rng_seed(&rng, 42);
    d->n = n;
    d->num_classes = C;
    d->sf.labels = malloc(sizeof(int32_t) * (size_t)n);
    d->labels = d->sf.labels;
    d->class_n = calloc(C, sizeof *d->class_n);
    d->class_kept = calloc(C, sizeof *d->class_kept);
    d->kept = calloc((size_t)n, 1);
    d->score_v = malloc(sizeof(double) * (size_t)n);
    d->late_conf = malloc(sizeof(double) * (size_t)n);
    d->focus = malloc(sizeof(double) * (size_t)n);
    if (!d->labels || !d->class_n || !d->class_kept || !d->kept || !d->score_v || !d->late_conf || !d->focus)
        return CS_ENOMEM;
    for (int64_t i = 0; i < n; i++) {
        int c = (int)(i % C);
        d->labels[i] = c;
        d->class_n[c]++;
        d->score_v[i] = cs_rng_uniform(&rng);
        d->kept[i] = d->score_v[i] >= 0.9;
        d->class_kept[c] += d->kept[i];
        d->index.m += d->kept[i];
        d->late_conf[i] = cs_rng_uniform(&rng);
        d->focus[i] = cs_rng_uniform(&rng);
    }
    d->index.n = n;
    d->have_index = 1;
    snprintf(d->run, sizeof d->run, "synthetic");
    snprintf(d->score, sizeof d->score, "eva");
    snprintf(d->trace_score, sizeof d->trace_score, "eva");
    d->score_dir = CS_SCORE_HIGH;
    d->epochs = calloc(T, sizeof *d->epochs);
    if (!d->epochs)
        return CS_ENOMEM;
    for (int e = 0; e < T; e++)
        d->epochs[e] = (cs_report_epoch){0, e + 1, 1.0 / (e + 1), 1 - 0.5 / (e + 1), 1.0};
    d->nepochs = d->max_epoch = T;
    d->nruns = 1;
    d->first_run = 0;
    d->eva_window[0] = 1, d->eva_window[1] = 10, d->eva_window[2] = 41, d->eva_window[3] = 50;
    int rc = cs_report_pick_traces(d, d->score_v);
    if (rc || (rc = cs_report_pick_samples(d)))
        return rc;
    for (int t = 0; t < d->ntraces; t++) {
        if (!(d->traces[t].err = malloc(sizeof(float) * T)))
            return CS_ENOMEM;
        for (int e = 0; e < T; e++)
            d->traces[t].err[e] = (float)(0.7 + 0.6 * sin(e * (t + 1) * 0.1));
    }
    d->is_signal = signal;
    d->channels = 1;
    d->dims[0] = signal ? 256 : 28;
    d->dims[1] = signal ? 1 : 28;
    size_t per = (size_t)(d->dims[0] * d->dims[1]);
    for (int s = 0; s < d->nsamples; s++) {
        cs_report_sample *x = &d->samples[s];
        x->x = malloc(sizeof(float) * per);
        x->map = malloc(sizeof(float) * per);
        if (!x->x || !x->map)
            return CS_ENOMEM;
        for (size_t k = 0; k < per; k++) {
            x->x[k] = (float)sin(0.2 * (double)k + s);
            x->map[k] = (float)k / (float)per;
        }
        x->predicted = x->target = x->label;
        x->map_focus = 0.5;
    }
    return 0;
}

/* The page of a synthetic run, in memory; its size, or 0 on failure. */
static size_t page_size(int64_t n, int signal, int64_t *drawn, size_t *circles)
{
    static cs_report_data d;
    cs_report_figs figs;
    char *buf = NULL;
    size_t len = 0;
    int rc = synthetic(&d, n, signal);
    CHECK_OK(rc);
    if (!rc) {
        CHECK_OK(rc = cs_report_figs_build(&figs, &d));
        FILE *fp = open_memstream(&buf, &len);
        if (!rc)
            CHECK_OK(rc = cs_report_html(fp, &d, &figs));
        fclose(fp);
        for (int k = 0; k < CS_RFIG_COUNT; k++)
            CHECK_MSG(figs.have[k], "figure %d not drawn", k);
        *drawn = figs.plane_drawn;
        cs_report_figs_release(&figs);
    }
    *circles = 0;
    for (const char *p = buf ? strstr(buf, "id=\"svg-plane\"") : NULL; p && (p = strstr(p + 1, "<circle"));)
        if (p < strstr(buf, "id=\"svg-traces\""))
            (*circles)++;
    free(buf);
    cs_report_data_release(&d);
    return rc ? 0 : len;
}

static void test_page_bounded(void)
{
    int64_t drawn_small, drawn_big;
    size_t circles_small, circles_big;
    size_t small = page_size(10000, 0, &drawn_small, &circles_small);
    size_t big = page_size(1000000, 0, &drawn_big, &circles_big);
    CHECK(drawn_small == CS_REPORT_MAX_POINTS && drawn_big == CS_REPORT_MAX_POINTS);
    CHECK_MSG(circles_big == CS_REPORT_MAX_POINTS, "%zu circles in the plane", circles_big);
    CHECK_MSG(big > 0 && big < PAGE_BOUND, "a million samples give a page of %zu bytes", big);
    /* only the digits of the counts grow with n */
    CHECK_MSG(big < small + small / 20, "10^4 samples: %zu bytes, 10^6: %zu", small, big);
    size_t sig = page_size(20000, 1, &drawn_small, &circles_small);
    CHECK_MSG(sig > 0 && sig < PAGE_BOUND, "signal page %zu bytes", sig);
    fprintf(stderr, "  page bytes: 10^4 images %zu, 10^6 images %zu, 2 x 10^4 signals %zu (bound %d)\n", small, big, sig,
            PAGE_BOUND);
}

int main(void)
{
    RUN(test_subsample);
    RUN(test_hist_and_cut);
    RUN(test_plane_kind);
    RUN(test_raster_png);
    RUN(test_svg_escape);
    RUN(test_page_bounded);
    return harness_done();
}
