/* test_wfdb.c - the WFDB reader: hand-packed samples, header parsing and its
 * refusals, MIT-BIH record 100 against numbers from its header and the
 * PhysioNet tables, and a full read (with checksum verification) of every
 * bundled record.
 *
 * `test_wfdb --digest HEADER...` prints "NAME RAW_SHA256 PHYS_SHA256" per
 * record instead, for tests/t_wfdb_ref.sh to compare with tests/ref_wfdb.py. */
#include "harness.h"

#include "../common/err.h"
#include "../common/sha256.h"
#include "../codecs/wfdb.h"

#include <dirent.h>
#include <stdint.h>

static void test_decode_16(void)
{
    const uint8_t b[] = {0x34, 0x12, 0xff, 0xff, 0x00, 0x80, 0xff, 0x7f};
    int32_t v[4];
    CHECK_OK(cs_wfdb_decode(16, b, sizeof b, 4, v));
    CHECK(v[0] == 0x1234 && v[1] == -1 && v[2] == -32768 && v[3] == 32767);
    CHECK(cs_wfdb_decode(16, b, sizeof b, 5, v) == CS_EINVAL);
}

static void test_decode_212(void)
{
    /* 100 = 0x064 and -200 = 0xf38 (12-bit) pack as 64 f0 38; 2047 = 0x7ff
     * and -2048 = 0x800 as ff 87 00; an odd 5th sample, -1 = 0xfff, as ff 0f. */
    const uint8_t b[] = {0x64, 0xf0, 0x38, 0xff, 0x87, 0x00, 0xff, 0x0f};
    int32_t v[5];
    CHECK(cs_wfdb_bytes_for(212, 5) == 8);
    CHECK(cs_wfdb_bytes_for(212, 4) == 6);
    CHECK_OK(cs_wfdb_decode(212, b, sizeof b, 5, v));
    CHECK(v[0] == 100 && v[1] == -200 && v[2] == 2047 && v[3] == -2048 && v[4] == -1);
    CHECK(cs_wfdb_decode(212, b, 7, 5, v) == CS_EINVAL);
    CHECK(cs_wfdb_decode(310, b, sizeof b, 2, v) == CS_EUNSUP);
}

static void test_parse_header(void)
{
    const char *t = "# leading comment\r\n"
                    "rec 3 360/720(5) 1000 12:30:00 01/02/2003\r\n"
                    "a.mat 16x1+24 1000.5(-7)/uV 15 3 9 -3 0 lead I (left)\n"
                    "a.mat 16+24 0 12 4\n"
                    "b.dat 212\n"
                    "#Dx: 426783006\n"
                    "\n";
    cs_wfdb_header h;
    CHECK_OK(cs_wfdb_parse_header_mem(&h, t, strlen(t), "rec.hea", "/data"));
    CHECK(!strcmp(h.name, "rec") && h.nsig == 3 && h.nsamples == 1000);
    CHECK(h.fs == 360 && h.counter_fs == 720 && h.base_counter == 5);
    CHECK(h.base_time && !strcmp(h.base_time, "12:30:00"));
    CHECK(h.base_date && !strcmp(h.base_date, "01/02/2003"));
    CHECK(!strcmp(h.dir, "/data"));
    CHECK(h.ncomments == 2);
    if (h.ncomments == 2)
        CHECK(!strcmp(h.comments[0], " leading comment") && !strcmp(h.comments[1], "Dx: 426783006"));
    if (h.nsig == 3) {
        const cs_wfdb_signal *s = h.sig;
        CHECK(!strcmp(s[0].fname, "a.mat") && s[0].fmt == 16 && s[0].byte_offset == 24);
        CHECK(s[0].gain == 1000.5 && s[0].baseline == -7 && !strcmp(s[0].units, "uV"));
        CHECK(s[0].adc_res == 15 && s[0].adc_zero == 3 && s[0].init_value == 9);
        CHECK(s[0].has_checksum && s[0].checksum == 65533 && s[0].block_size == 0);
        CHECK(!strcmp(s[0].description, "lead I (left)"));
        /* gain 0 means 200; baseline defaults to ADC zero; init value to ADC zero. */
        CHECK(s[1].gain == 200 && s[1].baseline == 4 && s[1].init_value == 4);
        CHECK(!s[1].has_init_value && !s[1].has_checksum && !strcmp(s[1].units, "mV"));
        CHECK(!strcmp(s[1].description, ""));
        CHECK(s[2].fmt == 212 && s[2].gain == 200 && s[2].adc_res == 12 && s[2].baseline == 0);
    }
    cs_wfdb_header_release(&h);

    const char *minimal = "r 0\n";
    CHECK_OK(cs_wfdb_parse_header_mem(&h, minimal, strlen(minimal), "r.hea", NULL));
    CHECK(h.nsig == 0 && h.fs == 250 && h.nsamples == 0 && !strcmp(h.dir, "."));
    cs_wfdb_header_release(&h);
}

/* The header must be refused with `code` and a message containing `want`. */
static void refuse(const char *text, int code, const char *want)
{
    cs_wfdb_header h;
    int rc = cs_wfdb_parse_header_mem(&h, text, strlen(text), "bad.hea", NULL);
    CHECK_MSG(rc == code, "rc %d for %s", rc, text);
    CHECK_MSG(strstr(cs_errmsg(), want) && strstr(cs_errmsg(), "'bad.hea'"), "message '%s'",
              cs_errmsg());
    CHECK(h.sig == NULL && h.name == NULL);
}

static void test_header_refusals(void)
{
    refuse("multi/2 2 360 1000\nmulti_1 500\nmulti_2 500\n", CS_EUNSUP, "multi-segment");
    refuse("r 1 360 10\nr.dat 310 200\n", CS_EUNSUP, "format 310 is not supported");
    refuse("r 1 360 10\nr.dat 16x2 200\n", CS_EUNSUP, "2 samples per frame");
    refuse("r 1 360 10\nr.dat 212:3 200\n", CS_EUNSUP, "skewed");
    refuse("r 1 360 10\nr.dat 16 abc 12 0\n", CS_EFORMAT, "line 2: bad ADC gain 'abc'");
    refuse("r 1 360 10\nr.dat 16 200 12 zero\n", CS_EFORMAT, "bad ADC zero 'zero'");
    refuse("r 1 360 10\nr.dat 16 200 12 0 0 70000\n", CS_EFORMAT, "bad checksum '70000'");
    refuse("r 2 360 10\nr.dat 16\n", CS_EFORMAT, "says 2 signals, header describes 1");
    refuse("r 1 360 10\nr.dat 16\nextra 16\n", CS_EFORMAT, "line 3: unexpected line");
    refuse("r 1 -360 10\nr.dat 16\n", CS_EFORMAT, "bad sampling frequency '-360'");
    refuse("r x 360\n", CS_EFORMAT, "bad signal count 'x'");
    refuse("r 1 360 -5\nr.dat 16\n", CS_EFORMAT, "bad sample count '-5'");
    refuse("# only a comment\n", CS_EFORMAT, "no record line");
    refuse("r 3 360 10\na.dat 16\nb.dat 16\na.dat 16\n", CS_EFORMAT, "not consecutive");
    refuse("r 2 360 10\na.dat 16\na.dat 212\n", CS_EUNSUP, "different formats");
}

static void test_mitdb_100(void)
{
    const char *rec = harness_data_path("mitdb/100.hea");
    if (!rec)
        return;
    cs_wfdb_header h;
    int32_t *raw = NULL;
    float *phys = NULL;
    CHECK_OK(cs_wfdb_read_header(&h, rec));
    CHECK(!strcmp(h.name, "100") && h.nsig == 2 && h.fs == 360 && h.nsamples == 650000);
    CHECK(h.ncomments == 2);
    if (h.nsig != 2)
        goto out;
    CHECK(!strcmp(h.sig[0].description, "MLII") && !strcmp(h.sig[1].description, "V5"));
    CHECK(h.sig[0].fmt == 212 && h.sig[0].gain == 200 && h.sig[0].baseline == 1024);
    CHECK(h.sig[0].adc_res == 11 && h.sig[0].checksum == (uint16_t)-22131);
    CHECK_OK(cs_wfdb_read_signals(&h, NULL, &raw));
    CHECK_OK(cs_wfdb_read_physical(&h, NULL, &phys));
    if (!raw || !phys)
        goto out;
    /* The header's initial values (995, 1011) and checksums, recomputed here. */
    CHECK(raw[0] == 995 && raw[1] == 1011);
    int64_t sum[2] = {0, 0};
    int32_t lo = 1 << 30, hi = -lo;
    for (int64_t t = 0; t < h.nsamples; t++)
        for (int s = 0; s < 2; s++) {
            int32_t v = raw[t * 2 + s];
            sum[s] += v;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    CHECK((int16_t)(uint16_t)(sum[0] & 0xffff) == -22131);
    CHECK((int16_t)(uint16_t)(sum[1] & 0xffff) == 20052);
    CHECK(lo >= 0 && hi < 2048); /* 11-bit ADC */
    CHECK_NEAR(phys[0], (995 - 1024) / 200.0, 1e-6);
    CHECK_NEAR(phys[2 * 1000 + 1], (raw[2 * 1000 + 1] - 1024) / 200.0, 1e-6);
    /* Reading from another folder than the header's fails on the signal file. */
    free(raw);
    raw = NULL;
    CHECK(cs_wfdb_read_signals(&h, "/nonexistent", &raw) == CS_EIO);
    CHECK(strstr(cs_errmsg(), "cannot open '/nonexistent/100.dat'") != NULL);
out:
    free(raw);
    free(phys);
    cs_wfdb_header_release(&h);
}

static void test_mitdb_100_annotations(void)
{
    const char *rec = harness_data_path("mitdb/100.hea"); /* the reader drops ".hea" */
    if (!rec || !harness_data_path("mitdb/100.atr"))
        return;
    cs_wfdb_ann *a = NULL;
    int64_t n = 0, beats = 0, cN = 0, cA = 0, cV = 0, cplus = 0;
    CHECK_OK(cs_wfdb_read_annotations(rec, "atr", 650000, &a, &n));
    CHECK(n == 2274);
    for (int64_t i = 0; i < n; i++) {
        beats += cs_wfdb_ann_is_beat(a[i].code);
        cN += !strcmp(a[i].symbol, "N");
        cA += !strcmp(a[i].symbol, "A");
        cV += !strcmp(a[i].symbol, "V");
        if (!strcmp(a[i].symbol, "+")) {
            cplus++;
            CHECK(a[i].aux && !strcmp(a[i].aux, "(N"));
        }
        CHECK(i == 0 || a[i].sample >= a[i - 1].sample);
        CHECK(a[i].sample >= 0 && a[i].sample < 650000);
    }
    CHECK(beats == 2273 && cN == 2239 && cA == 33 && cV == 1 && cplus == 1);
    cs_wfdb_ann_free(a, n);
    /* A record length below the last annotation is refused. */
    CHECK(cs_wfdb_read_annotations(rec, "atr", 100000, &a, &n) == CS_EFORMAT);
    CHECK(strstr(cs_errmsg(), "100.atr'") && strstr(cs_errmsg(), "outside the record"));
    CHECK(cs_wfdb_read_annotations(rec, "nope", 0, &a, &n) == CS_EIO);
    CHECK(strstr(cs_errmsg(), "cannot open") && strstr(cs_errmsg(), "100.nope'"));
}

static void test_annotations_mem(void)
{
    /* N at 5; SKIP +70000 then V at 70000+5+3; its SUB -1, CHN 2, NUM 7, AUX "(AFIB"
     * (5 bytes, padded); then a '+' 1 later inherits chan 2, num 7; end. */
    const uint8_t b[] = {
        0x05, 1 << 2,                 /* N, dt 5 */
        0x00, 59 << 2, 0x01, 0x00, 0x70, 0x11, /* SKIP 0x00011170 = 70000 */
        0x03, 5 << 2,                 /* V, dt 3 */
        0xff, 61 << 2,                /* SUB -1 */
        0x02, 62 << 2,                /* CHN 2 */
        0x07, 60 << 2,                /* NUM 7 */
        0x05, 63 << 2, '(', 'A', 'F', 'I', 'B', 0, /* AUX */
        0x01, 28 << 2,                /* +, dt 1 */
        0x00, 0x00};
    cs_wfdb_ann *a = NULL;
    int64_t n = 0;
    CHECK_OK(cs_wfdb_parse_annotations_mem(b, sizeof b, "m.atr", 0, &a, &n));
    CHECK(n == 3);
    if (n == 3) {
        CHECK(a[0].sample == 5 && !strcmp(a[0].symbol, "N") && a[0].aux == NULL);
        CHECK(a[1].sample == 70008 && a[1].code == 5 && a[1].subtype == -1);
        CHECK(a[1].chan == 2 && a[1].num == 7 && a[1].aux && !strcmp(a[1].aux, "(AFIB"));
        CHECK(a[2].sample == 70009 && !strcmp(a[2].symbol, "+") && a[2].subtype == 0);
        CHECK(a[2].chan == 2 && a[2].num == 7 && a[2].aux == NULL);
    }
    cs_wfdb_ann_free(a, n);
    CHECK(cs_wfdb_parse_annotations_mem(b, sizeof b, "m.atr", 70008, &a, &n) == CS_EFORMAT);
    CHECK(strstr(cs_errmsg(), "'m.atr': annotation 2 ('+') at sample 70009") != NULL);
    CHECK(cs_wfdb_parse_annotations_mem(b, sizeof b - 2, "m.atr", 0, &a, &n) == CS_EFORMAT);
    CHECK(strstr(cs_errmsg(), "no end-of-file marker") != NULL);
    CHECK(cs_wfdb_parse_annotations_mem(b, 20, "m.atr", 0, &a, &n) == CS_EFORMAT);
    CHECK(strstr(cs_errmsg(), "aux string runs past") != NULL);
    const uint8_t bad_code[] = {0x01, 50 << 2, 0, 0};
    CHECK(cs_wfdb_parse_annotations_mem(bad_code, 4, "m.atr", 0, &a, &n) == CS_EFORMAT);
    CHECK(strstr(cs_errmsg(), "invalid annotation code 50") != NULL);
    const uint8_t lone_mod[] = {0x01, 61 << 2, 0, 0};
    CHECK(cs_wfdb_parse_annotations_mem(lone_mod, 4, "m.atr", 0, &a, &n) == CS_EFORMAT);
}

static void test_symbols(void)
{
    const char *want[] = {"N", "L", "R", "a", "V", "F", "J", "A", "S", "E", "j", "/", "Q", "~"};
    for (int c = 1; c <= 14; c++)
        CHECK(!strcmp(cs_wfdb_ann_symbol(c), want[c - 1]));
    CHECK(!strcmp(cs_wfdb_ann_symbol(28), "+") && !strcmp(cs_wfdb_ann_symbol(31), "!"));
    CHECK(!strcmp(cs_wfdb_ann_symbol(41), "r") && !strcmp(cs_wfdb_ann_symbol(15), ""));
    CHECK(!strcmp(cs_wfdb_ann_symbol(60), ""));
    CHECK(cs_wfdb_ann_is_beat(1) && cs_wfdb_ann_is_beat(12) && !cs_wfdb_ann_is_beat(28));
    CHECK(!cs_wfdb_ann_is_beat(14) && !cs_wfdb_ann_is_beat(37) && cs_wfdb_ann_is_beat(38));
}

/* Read one record completely (checksums verified by the reader); annotations too if any. */
static int read_record(const char *hea, int64_t *beats)
{
    cs_wfdb_header h;
    int32_t *raw = NULL;
    int rc = cs_wfdb_read_header(&h, hea);
    if (!rc)
        rc = cs_wfdb_read_signals(&h, NULL, &raw);
    char atr[1024];
    snprintf(atr, sizeof atr, "%.*s.atr", (int)(strlen(hea) - 4), hea);
    if (!rc && access(atr, R_OK) == 0) {
        cs_wfdb_ann *a = NULL;
        int64_t n = 0;
        rc = cs_wfdb_read_annotations(hea, "atr", h.nsamples, &a, &n);
        for (int64_t i = 0; i < n; i++)
            *beats += cs_wfdb_ann_is_beat(a[i].code);
        cs_wfdb_ann_free(a, n);
    }
    free(raw);
    cs_wfdb_header_release(&h);
    return rc;
}

/* Every *.hea in `dir` (one level); returns how many were read, -1 if `dir` is absent. */
static int read_folder(const char *dir, int64_t *beats)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".hea"))
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        int rc = read_record(path, beats);
        CHECK_MSG(rc == 0, "%s: %s", path, cs_errmsg());
        count++;
    }
    closedir(d);
    return count;
}

static void test_all_records(void)
{
    const char *mitdb = harness_data_path("mitdb");
    if (!mitdb)
        return;
    int64_t beats = 0;
    CHECK(read_folder(mitdb, &beats) == 48);
    /* PhysioNet's MIT-BIH beat table (and the data README) total 109,966 beats. */
    CHECK_MSG(beats == 109966, "%lld beats", (long long)beats);
    const char *d;
    char path[1024];
    if ((d = harness_data_path("ptbxl/records100"))) {
        int count = 0;
        for (int k = 0; k < 100; k++) {
            snprintf(path, sizeof path, "%s/%05d", d, k * 1000);
            int c = read_folder(path, &beats);
            count += c > 0 ? c : 0;
        }
        CHECK_MSG(count == 500, "%d PTB-XL records", count);
    }
    if ((d = harness_data_path("cpsc2021")))
        CHECK(read_folder(d, &beats) == 18);
    if ((d = harness_data_path("cinc2021")))
        CHECK(read_folder(d, &beats) == 50);
}

static int digest(const char *hea)
{
    cs_wfdb_header h;
    int32_t *raw = NULL;
    float *phys = NULL;
    int rc = cs_wfdb_read_header(&h, hea);
    if (rc)
        goto out;
    if ((rc = cs_wfdb_read_signals(&h, NULL, &raw)))
        goto out;
    size_t n = (size_t)(h.nsamples * h.nsig);
    if (!(phys = cs_malloc(n * sizeof *phys))) {
        rc = CS_ENOMEM;
        goto out;
    }
    cs_wfdb_to_physical(&h, raw, h.nsamples, phys);
    /* Bytes as they lie in memory: little-endian on every machine we build for. */
    uint8_t d[32];
    char hr[65], hp[65];
    cs_sha256 s;
    cs_sha256_init(&s);
    cs_sha256_update(&s, raw, n * sizeof *raw);
    cs_sha256_final(&s, d);
    cs_sha256_hex(d, hr);
    cs_sha256_init(&s);
    cs_sha256_update(&s, phys, n * sizeof *phys);
    cs_sha256_final(&s, d);
    cs_sha256_hex(d, hp);
    printf("%s %s %s\n", h.name, hr, hp);
out:
    free(raw);
    free(phys);
    cs_wfdb_header_release(&h);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--digest")) {
        for (int i = 2; i < argc; i++)
            if (digest(argv[i])) {
                fprintf(stderr, "test_wfdb: %s\n", cs_errmsg());
                return 1;
            }
        return 0;
    }
    RUN(test_decode_16);
    RUN(test_decode_212);
    RUN(test_parse_header);
    RUN(test_header_refusals);
    RUN(test_annotations_mem);
    RUN(test_symbols);
    RUN(test_mitdb_100);
    RUN(test_mitdb_100_annotations);
    RUN(test_all_records);
    return harness_done();
}
