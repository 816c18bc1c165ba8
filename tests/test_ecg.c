/* test_ecg.c - the ECG dataset readers: the CSV reader, the scp_codes
 * parser, the AAMI table, fold and record lists, resampling, per-sample
 * normalisation, and on the bundled data the MIT-BIH beat table of record
 * 100, the random and record beat splits, PTB-XL splits, a partial PTB-XL
 * copy and CinC records through a dx_mapping_scored.csv-style table.
 *
 * `test_ecg --dump PATH OUT MAXDATA [KEY=VALUE...]` opens PATH with the config
 * keys given and writes, per split, OUT.<split>.ids ("id label" per sample)
 * and OUT.<split>.f32 (the first MAXDATA samples as float32), for
 * tests/ref_ecg.py to hold against its own NumPy reader. */
#include "harness.h"

#include "../common/err.h"
#include "../config/dataset_opts.h"
#include "../codecs/csv.h"
#include "../datasets/ds_ecg.h"
#include "../train/data.h"

#include <stdint.h>
#include <sys/stat.h>

static void test_csv_quoting(void)
{
    const char *t = "\xEF\xBB\xBF" "a,b,\"c, \"\"quoted\"\"\"\r\n"
                    "\r\n"
                    "1,,\"two\nlines\"\n"
                    "x,\"\",\"{'NORM': 100.0}\"";
    cs_csv c;
    CHECK_OK(cs_csv_open_mem(&c, t, strlen(t), "t.csv"));
    CHECK(cs_csv_next(&c) == 1);
    CHECK(c.nfields == 3 && c.line == 1);
    if (c.nfields == 3)
        CHECK(!strcmp(c.field[0], "a") && !strcmp(c.field[2], "c, \"quoted\""));
    CHECK(cs_csv_column(&c, "b") == 1 && cs_csv_column(&c, "z") == -1);
    CHECK(cs_csv_next(&c) == 1);
    CHECK(c.nfields == 3 && c.line == 3);
    if (c.nfields == 3)
        CHECK(!strcmp(c.field[1], "") && !strcmp(c.field[2], "two\nlines"));
    CHECK(cs_csv_next(&c) == 1);
    CHECK(c.nfields == 3 && c.line == 5);
    if (c.nfields == 3)
        CHECK(!strcmp(c.field[1], "") && !strcmp(c.field[2], "{'NORM': 100.0}"));
    CHECK(cs_csv_next(&c) == 0);
    cs_csv_release(&c);
}

static void expect_csv_error(const char *t, const char *want)
{
    cs_csv c;
    int rc = cs_csv_open_mem(&c, t, strlen(t), "bad.csv");
    if (rc == 0)
        while ((rc = cs_csv_next(&c)) > 0)
            ;
    CHECK_MSG(rc == CS_EFORMAT && strstr(cs_errmsg(), want), "'%s': got %d '%s', want '%s'", t, rc, cs_errmsg(),
              want);
    cs_csv_release(&c);
}

static void test_csv_errors(void)
{
    expect_csv_error("a,b\n1,\"open", "'bad.csv': line 2: quoted field never closes");
    expect_csv_error("a,b\n\n1,\"x\"y\n", "'bad.csv': line 3: text after a closing quote");
    expect_csv_error("a,b\"c\n", "'bad.csv': line 1: quote inside an unquoted field");
}

static void test_scp_codes(void)
{
    ecg_scp_code c[4];
    int n;
    CHECK_OK(ecg_parse_scp_codes("{'NORM': 100.0, 'LVOLT': 0.0, \"SR\": 0}", c, 4, &n));
    CHECK(n == 3 && !strcmp(c[0].code, "NORM") && c[0].likelihood == 100 && !strcmp(c[2].code, "SR"));
    CHECK_OK(ecg_parse_scp_codes(" {} ", c, 4, &n));
    CHECK(n == 0);
    CHECK_OK(ecg_parse_scp_codes("{'IMI': 35.0,}", c, 4, &n));
    CHECK(n == 1 && c[0].likelihood == 35);
    const char *bad[] = {"", "NORM: 100", "{'NORM': 100.0", "{'NORM' 100.0}", "{'NORM': x}", "{NORM: 1}",
                         "{'NORM': 1} x", "{'NORM': nan}", "{'A': 1, 'B': 2, 'C': 3, 'D': 4, 'E': 5}",
                         "{'': 1}", "{'NORM: 1}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_MSG(ecg_parse_scp_codes(bad[i], c, 4, &n) == CS_EFORMAT, "'%s' accepted", bad[i]);
}

static void test_aami_table(void)
{
    /* The AAMI EC57 table as the man page gives it. */
    const char *table[5] = {"NLRej", "AaJS", "VE", "F", "/fQ"};
    int mapped = 0;
    for (int code = 0; code < 50; code++) {
        const char *sym = cs_wfdb_ann_symbol(code);
        int want = -1;
        for (int k = 0; k < 5 && sym[0] && !sym[1]; k++)
            if (strchr(table[k], sym[0]))
                want = k;
        CHECK_MSG(ecg_aami_class(sym) == want, "symbol '%s' -> %d, want %d", sym, ecg_aami_class(sym), want);
        if (want >= 0) {
            mapped++;
            CHECK_MSG(cs_wfdb_ann_is_beat(code), "'%s' is not a beat code", sym);
        }
    }
    CHECK(mapped == 15);
    CHECK(ecg_aami_class("B") == -1 && ecg_aami_class("!") == -1 && ecg_aami_class("+") == -1);
}

static void test_lists(void)
{
    uint8_t m[11] = {0};
    CHECK_OK(ecg_parse_numbers("1-3, 5,9-10", 1, 10, m, "k"));
    CHECK(m[1] && m[2] && m[3] && !m[4] && m[5] && !m[8] && m[9] && m[10]);
    memset(m, 0, sizeof m);
    CHECK_OK(ecg_parse_numbers("", 1, 10, m, "k"));
    CHECK(!memchr(m, 1, sizeof m));
    CHECK(ecg_parse_numbers("0-3", 1, 10, m, "k") == CS_EINVAL);
    CHECK(ecg_parse_numbers("5-3", 1, 10, m, "k") == CS_EINVAL);
    CHECK(ecg_parse_numbers("1,,2", 1, 10, m, "k") == CS_EINVAL);
    CHECK(ecg_parse_numbers("11", 1, 10, m, "k") == CS_EINVAL);
    CHECK(ecg_name_listed("101", "DS1") && !ecg_name_listed("100", "DS1"));
    CHECK(ecg_name_listed("100", "DS2") && ecg_name_listed("234", "DS2") && !ecg_name_listed("102", "DS2"));
    CHECK(ecg_name_listed("102", "DS1, 102") && !ecg_name_listed("10", "100,101") && !ecg_name_listed("1", ""));
}

static void test_resample(void)
{
    float x[8], out[5];
    for (int i = 0; i < 8; i++)
        x[i] = (float)(3 * i + 1);
    /* 2-strided: the samples of the second of two interleaved signals. */
    float xi[16];
    for (int i = 0; i < 8; i++)
        xi[2 * i] = -1, xi[2 * i + 1] = x[i];
    ecg_resample(xi + 1, 2, 8, 1.5, 1.375, 5, out); /* 1.5 .. 7.0 */
    for (int k = 0; k < 5; k++)
        CHECK_NEAR(out[k], 3 * (1.5 + 1.375 * k) + 1, 1e-5);
    ecg_resample(x, 1, 8, 0, 7.0 / 4, 5, out);
    CHECK(out[0] == 1 && out[4] == 22);
}

static void test_norm_per_sample(void)
{
    float x[2 * 2 * 4] = {1, 2, 3, 4, 10, 10, 10, 10, -4, 0, 4, 8, 5, 5, 5, 7};
    cs_data d = {.n = 2, .channels = 2, .rank = 1, .dims = {4, 1}, .sample_elems = 8, .x = x};
    cs_norm_per_sample(&d);
    for (int s = 0; s < 4; s++) {
        if (s == 1)
            continue; /* the flat lead: mean removed, divided by the std floor */
        double m = 0, v = 0;
        for (int k = 0; k < 4; k++)
            m += x[s * 4 + k] / 4.0;
        for (int k = 0; k < 4; k++)
            v += (x[s * 4 + k] - m) * (x[s * 4 + k] - m) / 4.0;
        CHECK_NEAR(m, 0, 1e-6);
        CHECK_NEAR(v, 1, 1e-5);
    }
    CHECK(x[4] == 0 && x[7] == 0);
    CHECK_NEAR(x[0], (1 - 2.5) / sqrt(1.25), 1e-6);
}

/* Open `path` with config keys `sets` (NULL-terminated). */
static int open_with(cs_dataset **ds, const char *path, const char *const *sets)
{
    static cs_config cfg;
    cs_dataset_opts o;
    cs_ecg_opts e;
    cs_config_init(&cfg);
    for (; sets && *sets; sets++) {
        int rc = cs_config_set(&cfg, *sets);
        if (rc)
            return rc;
    }
    cs_config_dataset_opts(&cfg, &o, &e);
    return cs_dataset_open(ds, path, &o);
}

static void histogram(cs_dataset *ds, const char *split, int64_t h[5])
{
    const cs_split_info *s = cs_dataset_split(ds, split);
    memset(h, 0, 5 * sizeof *h);
    if (!s)
        return;
    int32_t *y = malloc((size_t)(s->n + 1) * sizeof *y);
    CHECK_OK(cs_dataset_read(ds, split, 0, s->n, NULL, y));
    for (int64_t i = 0; i < s->n; i++)
        if (y[i] >= 0 && y[i] < 5)
            h[y[i]]++;
    free(y);
}

/* MIT-BIH record 100 holds 2273 beats: N 2239, A 33 (-> S), V 1 (PhysioNet's
 * table).  With a window the first beat (sample 77) and the last (649991 of
 * 650000) fit in, all are kept; the default window drops both. */
static void test_record_100_table(void)
{
    const char *dir = harness_data_path("mitdb");
    if (!dir || !harness_data_path("mitdb/100.atr"))
        return;
    const char *narrow[] = {"ecg.records=100", "ecg.split=records", "ecg.train_records=100", "ecg.test_records=",
                            "ecg.beat_before=0.2", "ecg.beat_after=0.02", NULL};
    cs_dataset *ds = NULL;
    int64_t h[5];
    CHECK_OK(open_with(&ds, dir, narrow));
    if (!ds)
        return;
    CHECK(cs_dataset_num_splits(ds) == 1 && cs_dataset_num_classes(ds) == 5);
    CHECK(!strcmp(cs_dataset_class_name(ds, 1), "S") && !strcmp(cs_dataset_format(ds), "wfdb-beats"));
    histogram(ds, "train", h);
    CHECK_MSG(h[0] == 2239 && h[1] == 33 && h[2] == 1 && h[3] == 0 && h[4] == 0, "%lld %lld %lld %lld %lld",
              (long long)h[0], (long long)h[1], (long long)h[2], (long long)h[3], (long long)h[4]);
    char id[64];
    CHECK(cs_dataset_sample_id(ds, "train", 0, id, sizeof id) && !strcmp(id, "100:77"));
    CHECK(cs_dataset_split(ds, "train")->shape[0] == 1 && cs_dataset_split(ds, "train")->shape[1] == 256);
    cs_dataset_free(ds);

    const char *wide[] = {"ecg.records=100", "ecg.split=records", "ecg.train_records=100", "ecg.test_records=",
                          NULL};
    CHECK_OK(open_with(&ds, dir, wide));
    if (!ds)
        return;
    histogram(ds, "train", h);
    CHECK(h[0] == 2237 && h[1] == 33 && h[2] == 1);
    CHECK(cs_dataset_sample_id(ds, "train", 0, id, sizeof id) && !strcmp(id, "100:370"));
    cs_dataset_free(ds);
}

/* Collect a split's sample ids (record:sample) as one sorted-by-order list. */
static char **ids_of(cs_dataset *ds, const char *split, int64_t *n)
{
    const cs_split_info *s = cs_dataset_split(ds, split);
    *n = s ? s->n : 0;
    char **ids = calloc((size_t)(*n + 1), sizeof *ids);
    for (int64_t i = 0; i < *n; i++) {
        char buf[64];
        ids[i] = strdup(cs_dataset_sample_id(ds, split, i, buf, sizeof buf));
    }
    return ids;
}

static void free_ids(char **ids, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

static int cmp_strp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Random beat split: per class round(20%) in test, the splits disjoint and
 * together every beat, the same for the same seed and not for another. */
static void test_random_split(void)
{
    const char *dir = harness_data_path("mitdb");
    if (!dir || !harness_data_path("mitdb/208.atr"))
        return;
    const char *all[] = {"ecg.records=100,208", "ecg.split=records", "ecg.train_records=100,208",
                         "ecg.test_records=", NULL};
    const char *seed0[] = {"ecg.records=100,208", NULL};
    const char *seed0v[] = {"ecg.records=100,208", "ecg.val_fraction=0.1", NULL};
    const char *seed1[] = {"ecg.records=100,208", "ecg.split_seed=1", NULL};
    cs_dataset *a = NULL, *b = NULL, *c = NULL, *v = NULL;
    CHECK_OK(open_with(&a, dir, all));
    CHECK_OK(open_with(&b, dir, seed0));
    CHECK_OK(open_with(&c, dir, seed1));
    CHECK_OK(open_with(&v, dir, seed0v));
    if (!a || !b || !c || !v)
        goto out;
    int64_t ha[5], htr[5], hte[5], hv[5];
    histogram(a, "train", ha);
    histogram(b, "train", htr);
    histogram(b, "test", hte);
    CHECK(ha[3] > 300 && ha[2] > 900); /* 208 is rich in F and V beats */
    for (int k = 0; k < 5; k++) {
        CHECK_MSG(hte[k] == llround(0.2 * (double)ha[k]), "class %d: %lld of %lld in test", k, (long long)hte[k],
                  (long long)ha[k]);
        CHECK(htr[k] + hte[k] == ha[k]);
    }
    histogram(v, "val", hv);
    for (int k = 0; k < 5; k++)
        CHECK(hv[k] == llround(0.1 * (double)ha[k]));
    CHECK(cs_dataset_num_splits(v) == 3 && cs_dataset_num_splits(b) == 2);
    int64_t n_all, n_tr, n_te, n_te1;
    char **ia = ids_of(a, "train", &n_all), **itr = ids_of(b, "train", &n_tr), **ite = ids_of(b, "test", &n_te);
    char **ite1 = ids_of(c, "test", &n_te1);
    char **u = calloc((size_t)(n_tr + n_te + 1), sizeof *u);
    memcpy(u, itr, (size_t)n_tr * sizeof *u);
    memcpy(u + n_tr, ite, (size_t)n_te * sizeof *u);
    qsort(u, (size_t)(n_tr + n_te), sizeof *u, cmp_strp);
    char **sa = calloc((size_t)(n_all + 1), sizeof *sa);
    memcpy(sa, ia, (size_t)n_all * sizeof *sa);
    qsort(sa, (size_t)n_all, sizeof *sa, cmp_strp);
    int same = n_tr + n_te == n_all;
    for (int64_t i = 0; same && i < n_all; i++)
        same = !strcmp(u[i], sa[i]);
    CHECK_MSG(same, "train + test is not every beat exactly once");
    int differ = n_te1 != n_te;
    for (int64_t i = 0; !differ && i < n_te; i++)
        differ = strcmp(ite[i], ite1[i]) != 0;
    CHECK_MSG(differ, "seeds 0 and 1 give the same test split");
    /* Reopening with the same seed gives the same split. */
    cs_dataset *b2 = NULL;
    CHECK_OK(open_with(&b2, dir, seed0));
    if (b2) {
        int64_t n2;
        char **ite2 = ids_of(b2, "test", &n2);
        int equal = n2 == n_te;
        for (int64_t i = 0; equal && i < n2; i++)
            equal = !strcmp(ite[i], ite2[i]);
        CHECK(equal);
        free_ids(ite2, n2);
        cs_dataset_free(b2);
    }
    free(u);
    free(sa);
    free_ids(ia, n_all);
    free_ids(itr, n_tr);
    free_ids(ite, n_te);
    free_ids(ite1, n_te1);
out:
    cs_dataset_free(a);
    cs_dataset_free(b);
    cs_dataset_free(c);
    cs_dataset_free(v);
}

/* Record split: DS1 records train, DS2 records test, others nowhere; a lead
 * named that some records lack skips them. */
static void test_record_split(void)
{
    const char *dir = harness_data_path("mitdb");
    if (!dir || !harness_data_path("mitdb/101.atr"))
        return;
    const char *sets[] = {"ecg.records=100,101,102,103,106", "ecg.split=records", "ecg.leads=MLII", NULL};
    cs_dataset *ds = NULL;
    CHECK_OK(open_with(&ds, dir, sets));
    if (!ds)
        return;
    const cs_split_info *tr = cs_dataset_split(ds, "train"), *te = cs_dataset_split(ds, "test");
    CHECK(tr && te && !cs_dataset_split(ds, "val"));
    if (!tr || !te)
        goto out;
    CHECK(tr->shape[0] == 1 && tr->shape[1] == 256);
    const char *want[2][3] = {{"101:", "106:", NULL}, {"100:", "103:", NULL}};
    const char *splits[2] = {"train", "test"};
    for (int s = 0; s < 2; s++) {
        int64_t n;
        char **ids = ids_of(ds, splits[s], &n);
        int seen[2] = {0, 0}, stray = 0;
        for (int64_t i = 0; i < n; i++) {
            int k = !strncmp(ids[i], want[s][0], 4) ? 0 : !strncmp(ids[i], want[s][1], 4) ? 1 : -1;
            if (k < 0)
                stray++;
            else
                seen[k]++;
        }
        CHECK_MSG(!stray && seen[0] > 1000 && seen[1] > 1000, "%s: %d stray, %d + %d", splits[s], stray,
                  seen[0], seen[1]);
        free_ids(ids, n);
    }
    cs_dataset_free(ds);
    /* V1: 101 and 106 have it, 100 (MLII, V5) and 103 (MLII, V2) do not. */
    const char *v1[] = {"ecg.records=100,101,103,106", "ecg.split=records", "ecg.leads=MLII,V1", NULL};
    CHECK_OK(open_with(&ds, dir, v1));
    if (!ds)
        return;
    tr = cs_dataset_split(ds, "train");
    te = cs_dataset_split(ds, "test");
    CHECK(tr && tr->shape[0] == 2 && tr->n > 2000 && te && te->n == 0);
out:
    cs_dataset_free(ds);
}

/* The bundled PTB-XL: the CSV split by strat_fold, 12 x 1000 samples. */
static void test_ptbxl_bundled(void)
{
    const char *dir = harness_data_path("ptbxl");
    if (!dir || !harness_data_path("ptbxl/ptbxl_database.csv"))
        return;
    cs_dataset *ds = NULL;
    CHECK_OK(open_with(&ds, dir, NULL));
    if (!ds)
        return;
    CHECK(!strcmp(cs_dataset_format(ds), "ptbxl") && cs_dataset_num_splits(ds) == 3);
    CHECK(cs_dataset_num_classes(ds) == 5 && !strcmp(cs_dataset_class_name(ds, 2), "STTC"));
    const cs_split_info *s = cs_dataset_split(ds, "train");
    CHECK(s && s->rank == 2 && s->shape[0] == 12 && s->shape[1] == 1000 && s->dtype == CS_F32);
    char id[256];
    CHECK(cs_dataset_sample_id(ds, "train", 0, id, sizeof id) && !strcmp(id, "records100/00000/00001_lr"));
    cs_dataset_free(ds);

    /* Everything in train with multi-label records taken by likelihood: more records. */
    const char *first[] = {"ecg.multi_label=first", "ecg.train_folds=1-10", "ecg.val_folds=", "ecg.test_folds=",
                           "ecg.leads=II,V1", NULL};
    CHECK_OK(open_with(&ds, dir, first));
    if (!ds)
        return;
    s = cs_dataset_split(ds, "train");
    CHECK(cs_dataset_num_splits(ds) == 1 && s && s->shape[0] == 2);
    CHECK(s && s->n > 415 && s->n < 500); /* 415 single-class records plus the multi-class ones */
    cs_dataset_free(ds);

    const char *overlap[] = {"ecg.val_folds=8", NULL};
    CHECK(open_with(&ds, dir, overlap) == CS_EINVAL && strstr(cs_errmsg(), "fold 8 is in both"));
    const char *nolead[] = {"ecg.leads=MLII", NULL};
    CHECK(open_with(&ds, dir, nolead) == CS_EFORMAT && strstr(cs_errmsg(), "no lead 'MLII'"));
}

static int copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    char buf[65536];
    size_t n;
    int ok = a && b;
    while (ok && (n = fread(buf, 1, sizeof buf, a)) > 0)
        ok = fwrite(buf, 1, n, b) == n;
    if (a)
        fclose(a);
    if (b)
        fclose(b);
    return ok ? 0 : -1;
}

/* A copy with 40 of the 500 records: the rest are skipped, not an error. */
static void test_ptbxl_partial(void)
{
    const char *dir = harness_data_path("ptbxl");
    if (!dir || !harness_data_path("ptbxl/records100/00000/00040_lr.dat"))
        return;
    char root[600], p[800], q[800];
    snprintf(root, sizeof root, "%s/ptbxl_part", harness_tmpdir());
    snprintf(p, sizeof p, "%s/records100", root);
    mkdir(root, 0755);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/records100/00000", root);
    mkdir(p, 0755);
    const char *csvs[] = {"ptbxl_database.csv", "scp_statements.csv"};
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, csvs[i]);
        snprintf(q, sizeof q, "%s/%s", root, csvs[i]);
        CHECK(copy_file(p, q) == 0);
    }
    for (int r = 1; r <= 40; r++)
        for (int e = 0; e < 2; e++) {
            snprintf(p, sizeof p, "%s/records100/00000/%05d_lr.%s", dir, r, e ? "dat" : "hea");
            snprintf(q, sizeof q, "%s/records100/00000/%05d_lr.%s", root, r, e ? "dat" : "hea");
            CHECK(copy_file(p, q) == 0);
        }
    cs_dataset *ds = NULL, *full = NULL;
    CHECK_OK(open_with(&ds, root, NULL));
    CHECK_OK(open_with(&full, dir, NULL));
    if (ds && full) {
        int64_t n = 0, want = 0;
        const char *sp[3] = {"train", "val", "test"};
        for (int s = 0; s < 3; s++) {
            n += cs_dataset_split(ds, sp[s])->n;
            for (int64_t i = 0; i < cs_dataset_split(full, sp[s])->n; i++) {
                char id[256];
                cs_dataset_sample_id(full, sp[s], i, id, sizeof id);
                want += atoi(id + strlen("records100/00000/")) <= 40;
            }
        }
        CHECK_MSG(n == want && n > 20, "%lld records in the partial copy, want %lld", (long long)n, (long long)want);
        /* The same samples as the full copy's (the first train record). */
        float a[12000], b[12000];
        CHECK_OK(cs_dataset_read(ds, "train", 0, 1, a, NULL));
        CHECK_OK(cs_dataset_read(full, "train", 0, 1, b, NULL));
        CHECK(!memcmp(a, b, sizeof a));
    }
    cs_dataset_free(ds);
    cs_dataset_free(full);
}

/* CinC: classes in table order, a stratified record split, 12 x 5000. */
static void test_cinc(void)
{
    const char *dir = harness_data_path("cinc2021");
    if (!dir || !harness_data_path("cinc2021/E07500.mat"))
        return;
    char table[600], set[700];
    snprintf(table, sizeof table, "%s/classes.csv", harness_tmpdir());
    FILE *f = fopen(table, "w");
    fputs("Dx,SNOMEDCTCode,Abbreviation\nsinus rhythm,426783006,NSR\nsinus tachycardia,427084000,STach\n"
          "sinus bradycardia,426177001,SB\n",
          f);
    fclose(f);
    snprintf(set, sizeof set, "ecg.classes=%s", table);
    const char *sets[] = {set, "ecg.test_fraction=0.25", NULL};
    cs_dataset *ds = NULL;
    CHECK_OK(open_with(&ds, dir, sets));
    if (!ds)
        return;
    CHECK(!strcmp(cs_dataset_format(ds), "cinc") && cs_dataset_num_classes(ds) == 3);
    CHECK(!strcmp(cs_dataset_class_name(ds, 0), "NSR") && !strcmp(cs_dataset_class_name(ds, 2), "SB"));
    const cs_split_info *tr = cs_dataset_split(ds, "train");
    CHECK(tr && tr->shape[0] == 12 && tr->shape[1] == 5000);
    int64_t htr[5], hte[5];
    histogram(ds, "train", htr);
    histogram(ds, "test", hte);
    for (int k = 0; k < 3; k++)
        CHECK_MSG(hte[k] == llround(0.25 * (double)(htr[k] + hte[k])), "class %d: %lld test of %lld", k,
                  (long long)hte[k], (long long)(htr[k] + hte[k]));
    CHECK(htr[1] + hte[1] > 10);
    char id[64];
    CHECK(cs_dataset_sample_id(ds, "train", 0, id, sizeof id) && id[0] != 0);
    cs_dataset_free(ds);
}

static void test_kind_checks(void)
{
    cs_dataset *ds = NULL;
    const char *dir = harness_data_path("mitdb/100.hea");
    if (!dir)
        return;
    const char *sets[] = {"dataset.kind=ptbxl", NULL};
    CHECK(open_with(&ds, dir, sets) == CS_EINVAL && strstr(cs_errmsg(), "a ptbxl dataset is a folder"));
}

/* --dump: see the top of the file. */
static int dump(int argc, char **argv)
{
    cs_dataset *ds = NULL;
    int rc = open_with(&ds, argv[2], (const char *const *)argv + 5);
    (void)argc;
    if (rc) {
        fprintf(stderr, "test_ecg: %s\n", cs_errmsg());
        return 1;
    }
    long maxdata = atol(argv[4]);
    for (int s = 0; s < cs_dataset_num_splits(ds) && !rc; s++) {
        const cs_split_info *sp = cs_dataset_split_at(ds, s);
        char path[1024], id[256];
        snprintf(path, sizeof path, "%s.%s.ids", argv[3], sp->name);
        FILE *f = fopen(path, "w");
        int32_t *y = malloc((size_t)(sp->n + 1) * sizeof *y);
        rc = !f || !y || cs_dataset_read(ds, sp->name, 0, sp->n, NULL, y);
        for (int64_t i = 0; !rc && i < sp->n; i++)
            fprintf(f, "%s %d\n", cs_dataset_sample_id(ds, sp->name, i, id, sizeof id), y[i]);
        if (f)
            fclose(f);
        free(y);
        int64_t m = sp->n < maxdata ? sp->n : maxdata, elems = cs_split_sample_elems(sp);
        float *x = malloc((size_t)(m * elems + 1) * sizeof *x);
        snprintf(path, sizeof path, "%s.%s.f32", argv[3], sp->name);
        f = fopen(path, "wb");
        rc = rc || !x || !f || cs_dataset_read(ds, sp->name, 0, m, x, NULL) ||
             fwrite(x, sizeof *x, (size_t)(m * elems), f) != (size_t)(m * elems);
        if (f)
            fclose(f);
        free(x);
    }
    if (rc)
        fprintf(stderr, "test_ecg: dump failed: %s\n", cs_errmsg());
    cs_dataset_free(ds);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--dump")) {
        if (argc < 5) {
            fprintf(stderr, "usage: test_ecg --dump PATH OUT MAXDATA [KEY=VALUE...]\n");
            return 2;
        }
        return dump(argc, argv);
    }
    RUN(test_csv_quoting);
    RUN(test_csv_errors);
    RUN(test_scp_codes);
    RUN(test_aami_table);
    RUN(test_lists);
    RUN(test_resample);
    RUN(test_norm_per_sample);
    RUN(test_kind_checks);
    RUN(test_record_100_table);
    RUN(test_random_split);
    RUN(test_record_split);
    RUN(test_ptbxl_bundled);
    RUN(test_ptbxl_partial);
    RUN(test_cinc);
    return harness_done();
}
