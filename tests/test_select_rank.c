/* test_select_rank.c - orders (hard, easy, band), the bounded-heap top-n,
 * tie-breaking by index, the reliability tiers, determinism and argument
 * errors of cs_select_run. */
#include "../common/err.h"
#include "../common/rng.h"
#include "../select/filter.h"
#include "../select/quota.h"
#include "../select/rank.h"
#include "../select/rule.h"
#include "../select/select.h"
#include "harness.h"

#include <string.h>

/* Run a selection and return the indices (static buffer, m <= 64). */
static int64_t *run(const cs_select_params *p, const cs_select_inputs *in, int64_t *m)
{
    static int64_t buf[64];
    int64_t *idx = NULL;
    *m = -1;
    int rc = cs_select_run(p, in, &idx, m, NULL);
    CHECK_MSG(rc == 0, "%s", cs_errmsg());
    if (rc)
        return buf;
    CHECK(*m <= 64);
    memcpy(buf, idx, sizeof *idx * (size_t)*m);
    free(idx);
    return buf;
}

static int same(const int64_t *a, int64_t m, const int64_t *want, int64_t k)
{
    if (m != k)
        return 0;
    for (int64_t i = 0; i < m; i++)
        if (a[i] != want[i])
            return 0;
    return 1;
}

static void test_hard_easy(void)
{
    double s[8] = {0.5, 0.9, 0.1, 0.7, 0.3, 0.9, 0.2, 0.8};
    cs_select_inputs in = {.n = 8, .score = s, .dir = CS_DIR_HIGH};
    cs_select_params p;
    cs_select_params_init(&p);
    p.count = 3;
    int64_t m, *got = run(&p, &in, &m);
    CHECK(same(got, m, (int64_t[]){1, 5, 7}, 3));
    p.order = CS_ORDER_EASY;
    got = run(&p, &in, &m);
    CHECK(same(got, m, (int64_t[]){2, 4, 6}, 3));
    in.dir = CS_DIR_LOW; /* e.g. AUM: low is hard */
    p.order = CS_ORDER_HARD;
    got = run(&p, &in, &m);
    CHECK(same(got, m, (int64_t[]){2, 4, 6}, 3));
    /* Ties: 0.9 at indices 1 and 5; one slot goes to the lower index. */
    in.dir = CS_DIR_HIGH;
    p.count = 1;
    got = run(&p, &in, &m);
    CHECK(same(got, m, (int64_t[]){1}, 1));
    double flat[6] = {1, 1, 1, 1, 1, 1};
    in.score = flat;
    in.n = 6;
    p.count = 4;
    got = run(&p, &in, &m);
    CHECK(same(got, m, (int64_t[]){0, 1, 2, 3}, 4));
    p.order = CS_ORDER_EASY;
    got = run(&p, &in, &m);
    CHECK(same(got, m, (int64_t[]){0, 1, 2, 3}, 4));
}

static int cmp_cand_q(const void *a, const void *b) { return cs_cand_cmp(a, b); }

static void test_topn_matches_sort(void)
{
    cs_rng r;
    cs_rng_seed(&r, 11);
    enum { L = 700 };
    static cs_cand a[L], b[L];
    for (int trial = 0; trial < 40; trial++) {
        for (int i = 0; i < L; i++) {
            a[i] = (cs_cand){.idx = i, .tier = (int)cs_rng_below(&r, 2),
                             .key = (double)cs_rng_below(&r, 20)}; /* many ties */
            b[i] = a[i];
        }
        int64_t n = (int64_t)cs_rng_below(&r, L + 1);
        cs_cand_topn(a, L, n);
        qsort(b, L, sizeof *b, cmp_cand_q);
        qsort(a, (size_t)n, sizeof *a, cmp_cand_q);
        int ok = 1;
        for (int64_t i = 0; i < n; i++)
            ok &= a[i].idx == b[i].idx;
        CHECK_MSG(ok, "trial %d n %lld", trial, (long long)n);
    }
}

static void test_band(void)
{
    /* Ten samples; ascending score order is 3,7,0,9,1,5,8,2,6,4 (ranks 0..9). */
    double s[10] = {0.30, 0.50, 0.80, 0.00, 0.99, 0.55, 0.90, 0.10, 0.70, 0.40};
    cs_select_inputs in = {.n = 10, .score = s, .dir = CS_DIR_HIGH};
    cs_select_params p;
    cs_select_params_init(&p);
    p.order = CS_ORDER_BAND;
    p.band_lo = 0.25;
    p.band_hi = 0.75;
    p.count = 4;
    /* q = r/9; in [0.25, 0.75]: ranks 3..6 (indices 9, 1, 5, 8). */
    int64_t m, *got = run(&p, &in, &m);
    CHECK(same(got, m, (int64_t[]){1, 5, 8, 9}, 4));
    /* Two of them: nearest the centre 4.5 are ranks 4 and 5 (indices 1, 5). */
    p.count = 2;
    got = run(&p, &in, &m);
    CHECK(same(got, m, (int64_t[]){1, 5}, 2));
    /* Band [0.9, 1] holds rank 9 only; fill from the nearest: ranks 8, 7. */
    p.band_lo = 0.9;
    p.band_hi = 1.0;
    p.count = 3;
    got = run(&p, &in, &m);
    CHECK(same(got, m, (int64_t[]){2, 4, 6}, 3));
    /* Band on the direction-free quantile: a low-is-hard score gives the same set. */
    in.dir = CS_DIR_LOW;
    got = run(&p, &in, &m);
    CHECK(same(got, m, (int64_t[]){2, 4, 6}, 3));
    /* An equal distance on both sides goes to the lower index: band 0.5:0.5
     * with 10 samples has centre 4.5, ranks 4 (index 1) and 5 (index 5) tie. */
    p.band_lo = p.band_hi = 0.5;
    p.count = 1;
    got = run(&p, &in, &m);
    CHECK(same(got, m, (int64_t[]){1}, 1));
}

static void test_order_parse(void)
{
    cs_order o;
    double lo = -1, hi = -1;
    CHECK_OK(cs_order_parse("band:0.25:0.75", &o, &lo, &hi));
    CHECK(o == CS_ORDER_BAND && lo == 0.25 && hi == 0.75);
    CHECK_OK(cs_order_parse("band 0:0.5", &o, &lo, &hi));
    CHECK(o == CS_ORDER_BAND && lo == 0 && hi == 0.5);
    CHECK_OK(cs_order_parse("easy", &o, &lo, &hi));
    CHECK(o == CS_ORDER_EASY);
    CHECK(cs_order_parse("band:0.8:0.2", &o, &lo, &hi) == CS_EINVAL);
    CHECK(strstr(cs_errmsg(), "LO is above HI"));
    CHECK(cs_order_parse("band:0.2:1.5", &o, &lo, &hi) == CS_EINVAL);
    CHECK(cs_order_parse("band:0.2", &o, &lo, &hi) == CS_EINVAL);
    CHECK(cs_order_parse("band:0.2:0.3x", &o, &lo, &hi) == CS_EINVAL);
    CHECK(cs_order_parse("medium", &o, &lo, &hi) == CS_EINVAL);
    CHECK(strstr(cs_errmsg(), "'medium'"));
    char buf[64];
    cs_order_format(CS_ORDER_BAND, 0.25, 0.75, buf, sizeof buf);
    CHECK(strcmp(buf, "band:0.25:0.75") == 0);
    cs_quota_mode q;
    CHECK_OK(cs_quota_parse("sqrt", &q));
    CHECK(q == CS_QUOTA_SQRT && strcmp(cs_quota_name(q), "sqrt") == 0);
    CHECK(cs_quota_parse("square", &q) == CS_EINVAL);
    cs_pick k;
    CHECK_OK(cs_pick_parse("ccs", &k));
    CHECK(k == CS_PICK_CCS);
}

/* The tables of rules and quota modes: every entry complete, names round-trip through
 * the parsers, and the lists in messages are the tables'. */
static void test_tables(void)
{
    CHECK(cs_select_rule_at(-1) == NULL && cs_select_rule_at(CS_PICK_COUNT) == NULL);
    char names[256] = "", options[256] = "";
    for (int i = 0; i < CS_PICK_COUNT; i++) {
        const cs_select_rule *r = cs_select_rule_at(i);
        CHECK(r && r->name && r->check && r->pick && r->describe);
        if (!r)
            continue;
        cs_pick k;
        CHECK(cs_select_rule_find(r->name, &k) == r && k == (cs_pick)i);
        CHECK_OK(cs_pick_parse(r->name, &k));
        CHECK(k == (cs_pick)i && strcmp(cs_pick_name(k), r->name) == 0);
        /* The header's sampling line begins with the name. */
        cs_select_params p;
        cs_select_params_init(&p);
        char buf[128];
        r->describe(&p, buf, sizeof buf);
        size_t l = strlen(r->name);
        CHECK_MSG(strncmp(buf, r->name, l) == 0 && (buf[l] == 0 || buf[l] == ' '), "rule %s: '%s'", r->name, buf);
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "", r->name);
        snprintf(options + strlen(options), sizeof options - strlen(options), "%s--%s",
                 i == 0 ? "" : i == CS_PICK_COUNT - 1 ? " and " : ", ", r->name);
    }
    char want[300], list[256];
    snprintf(want, sizeof want, "unknown sampling 'best' (%s)", names);
    CHECK(cs_select_rule_find("best", NULL) == NULL && strcmp(cs_errmsg(), want) == 0);
    cs_select_rule_list("--", " and ", list, sizeof list);
    CHECK_MSG(strcmp(list, options) == 0, "'%s', want '%s'", list, options);
    CHECK(strcmp(cs_pick_name(CS_PICK_COUNT), "?") == 0);

    CHECK(cs_quota_info_at(-1) == NULL && cs_quota_info_at(CS_QUOTA_COUNT) == NULL);
    names[0] = 0;
    for (int i = 0; i < CS_QUOTA_COUNT; i++) {
        const cs_quota_info *q = cs_quota_info_at(i);
        CHECK(q && q->name);
        if (!q)
            continue;
        /* A mode with classes has weights; the global one has none. */
        CHECK_MSG(q->per_class == (q->weights != NULL), "quota %s", q->name);
        CHECK(!q->class_loss || q->per_class);
        cs_quota_mode m;
        CHECK_OK(cs_quota_parse(q->name, &m));
        CHECK(m == (cs_quota_mode)i && strcmp(cs_quota_name(m), q->name) == 0);
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "", q->name);
    }
    snprintf(want, sizeof want, "unknown quota 'square' (%s)", names);
    cs_quota_mode m;
    CHECK(cs_quota_parse("square", &m) == CS_EINVAL && strcmp(cs_errmsg(), want) == 0);
    CHECK(strcmp(cs_quota_name(CS_QUOTA_COUNT), "?") == 0);
}

static void test_filter(void)
{
    double conf[6] = {0.9, 0.5, 0.5, 0.69, 0.7, 0.1};
    double focus[6] = {0.1, 0.9, 0.2, 0.69, 0.1, NAN};
    uint8_t u[6];
    int64_t k;
    CHECK_OK(cs_reliability_flags(conf, focus, 6, 0.7, 0.7, u, &k));
    /* Certain (0, 4), uncertain but focused (1), uncertain and diffuse (2, 3),
     * uncertain with focus never computed (5: no evidence, reliable). */
    CHECK(!u[0] && !u[1] && u[2] && u[3] && !u[4] && !u[5] && k == 2);

    /* Unreliable samples come after every reliable one of their class, even
     * when their score is the hardest. */
    double s[6] = {0.1, 0.2, 0.99, 0.98, 0.3, 0.4};
    int32_t lab[6] = {0, 0, 0, 0, 1, 1};
    cs_select_inputs in = {.n = 6, .num_classes = 2, .labels = lab, .score = s,
                           .dir = CS_DIR_HIGH, .late_conf = conf, .focus = focus};
    cs_select_params p;
    cs_select_params_init(&p);
    p.quota = CS_QUOTA_BALANCED;
    p.count = 4;
    int64_t m, *got = run(&p, &in, &m);
    CHECK(same(got, m, (int64_t[]){2, 3, 4, 5}, 4));
    p.filter = 1;
    got = run(&p, &in, &m);
    CHECK(same(got, m, (int64_t[]){0, 1, 4, 5}, 4));
    /* Three from class 0 must dip into the unreliable tier, hardest first. */
    p.count = 5;
    got = run(&p, &in, &m);
    CHECK(same(got, m, (int64_t[]){0, 1, 2, 4, 5}, 5));
    cs_select_report rep;
    cs_select_report_init(&rep);
    int64_t *idx;
    CHECK_OK(cs_select_run(&p, &in, &idx, &m, &rep));
    CHECK(rep.num_rows == 2 && rep.rows[0].n_total == 4 && rep.rows[0].n_kept == 3);
    CHECK(rep.rows[0].n_unreliable == 2 && rep.rows[1].n_kept == 2);
    CHECK_NEAR(rep.rows[0].mean_kept, (0.1 + 0.2 + 0.99) / 3, 1e-12);
    CHECK_NEAR(rep.rows[0].mean_dropped, 0.98, 1e-12);
    CHECK(isnan(rep.rows[1].mean_dropped));
    free(idx);
    cs_select_report_release(&rep);
}

static void test_determinism(void)
{
    enum { N = 3000 };
    static double s[N], loss[N], conf[N];
    static float emb[N * 3]; /* for the rules in embedding space */
    static int32_t lab[N];
    cs_rng r;
    cs_rng_seed(&r, 5);
    for (int i = 0; i < N; i++) {
        for (int t = 0; t < 3; t++)
            emb[i * 3 + t] = (float)cs_rng_uniform(&r);
        s[i] = cs_rng_uniform(&r);
        loss[i] = 2.0 * cs_rng_uniform(&r);
        lab[i] = (int32_t)cs_rng_below(&r, 4);
        conf[i] = (double)i / N; /* a rule's helper in [0, 1] (dual: the early mean conf) */
    }
    /* High end important, score >= 0 and a helper: what every rule may need. */
    cs_select_inputs in = {.n = N, .num_classes = 4, .labels = lab, .score = s,
                           .dir = CS_DIR_HIGH, .loss = loss, .embed = emb, .embed_dim = 3,
                           .helper = conf};
    for (int pick = 0; pick < CS_PICK_COUNT; pick++) {
        cs_select_params p;
        cs_select_params_init(&p);
        p.quota = CS_QUOTA_RCAP;
        p.pick = (cs_pick)pick;
        p.rate = 0.2;
        p.seed = 99;
        /* d2-strat draws only inside strata of at most k members: many strata make some. */
        p.d2_strata = 200;
        int64_t *a, *b, *c, ma, mb, mc;
        CHECK_OK(cs_select_run(&p, &in, &a, &ma, NULL));
        CHECK_OK(cs_select_run(&p, &in, &b, &mb, NULL));
        p.seed = 100;
        CHECK_OK(cs_select_run(&p, &in, &c, &mc, NULL));
        CHECK(ma == 600 && mb == ma && mc == ma);
        CHECK(memcmp(a, b, sizeof *a * (size_t)ma) == 0);
        /* Top-n ignores the seed; a rule that draws (sampling, CCS) must not. */
        int differ = memcmp(a, c, sizeof *a * (size_t)ma) != 0;
        CHECK_MSG(differ == cs_select_rule_at(pick)->draws, "rule %s", cs_select_rule_at(pick)->name);
        for (int64_t j = 1; j < ma; j++)
            CHECK(a[j] > a[j - 1]);
        free(a);
        free(b);
        free(c);
    }
}

static void expect_err(const cs_select_params *p, const cs_select_inputs *in, const char *frag)
{
    int64_t *idx = NULL, m = 0;
    int rc = cs_select_run(p, in, &idx, &m, NULL);
    CHECK_MSG(rc == CS_EINVAL, "want an error mentioning '%s', got %d", frag, rc);
    CHECK_MSG(strstr(cs_errmsg(), frag), "message '%s' lacks '%s'", cs_errmsg(), frag);
    CHECK(idx == NULL);
}

static void test_errors(void)
{
    double s[4] = {1, 2, 3, NAN};
    int32_t lab[4] = {0, 1, 0, 5};
    cs_select_inputs in = {.n = 3, .num_classes = 2, .labels = lab, .score = s, .dir = CS_DIR_HIGH};
    cs_select_params p;
    cs_select_params_init(&p);
    p.rate = 0;
    expect_err(&p, &in, "rate 0");
    p.rate = 1.01;
    expect_err(&p, &in, "rate 1.01");
    p.rate = 0.5;
    p.count = 4;
    expect_err(&p, &in, "count 4");
    p.count = -1;
    expect_err(&p, &in, "count -1");
    p.count = 0;
    p.order = CS_ORDER_BAND;
    p.band_lo = 0.8;
    p.band_hi = 0.2;
    expect_err(&p, &in, "LO is above HI");
    p.band_lo = -0.1;
    expect_err(&p, &in, "[0, 1]");
    p.pick = CS_PICK_SAMPLE;
    p.band_lo = 0.1;
    expect_err(&p, &in, "top-n only");
    p.order = CS_ORDER_HARD;
    expect_err(&p, &in, "loss");
    p.pick = CS_PICK_TOP;
    p.quota = CS_QUOTA_RCAP;
    expect_err(&p, &in, "loss");
    p.rcap_mass = CS_RCAP_GIVEN;
    expect_err(&p, &in, "per-class");
    p.quota = CS_QUOTA_SQRT;
    p.filter = 1;
    expect_err(&p, &in, "focus");
    p.filter = 0;
    in.labels = NULL;
    expect_err(&p, &in, "labels");
    in.labels = lab;
    in.n = 4;
    expect_err(&p, &in, "sample 3: label 5");
    lab[3] = 1;
    expect_err(&p, &in, "sample 3: score is NaN");
    in.score = NULL;
    expect_err(&p, &in, "needs a score");
    in.score = s;
    in.n = 0;
    expect_err(&p, &in, "empty");
    in.n = 3;
    p.pick = CS_PICK_CCS;
    p.ccs_drop = 1.0;
    int64_t *idx, m;
    CHECK(cs_select_run(&p, &in, &idx, &m, NULL) == CS_EINVAL);
    CHECK(strstr(cs_errmsg(), "drop"));
}

int main(void)
{
    RUN(test_hard_easy);
    RUN(test_topn_matches_sort);
    RUN(test_band);
    RUN(test_order_parse);
    RUN(test_tables);
    RUN(test_filter);
    RUN(test_determinism);
    RUN(test_errors);
    return harness_done();
}
