/* test_traj.c - the trajectory file: round trips, checksums on every byte,
 * torn-frame repair at every cut point, version refusal, size per sample.
 *
 * Extra modes (no test lines) for the shell crash test and the benchmark:
 *   test_traj --write-forever PATH   append simulated epochs until killed
 *   test_traj --check-resume PATH    open-append, verify content, append 3 more
 *   test_traj --bench [N]            decompress+unshuffle+verify throughput */
#include "../common/err.h"
#include "../formats/checksum.h"
#include "../codecs/shuffle.h"
#include "../formats/traj.h"
#include "harness.h"

#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <zstd.h>

/* --- a deterministic simulated surrogate pass -------------------------------- */

typedef struct sim {
    int64_t n;
    int32_t c;
    uint32_t fields;
    int32_t *labels;
    float *cols[6]; /* err conf margin entropy loss focus */
    uint8_t *correct, *used;
    float *probs;
    cs_epoch_record rec;
} sim;

static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double unif(uint64_t *s)
{
    return (double)(mix(s) >> 11) * (1.0 / 9007199254740992.0);
}

static double gauss(uint64_t *s)
{
    double u = unif(s), v = unif(s);
    return sqrt(-2.0 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

static void sim_init(sim *m, int64_t n, int32_t c, uint32_t fields)
{
    memset(m, 0, sizeof *m);
    m->n = n;
    m->c = c;
    m->fields = fields;
    m->labels = malloc(n * sizeof *m->labels);
    uint64_t s = 7;
    for (int64_t i = 0; i < n; i++)
        m->labels[i] = (int32_t)(mix(&s) % (uint64_t)c);
    for (int k = 0; k < 6; k++)
        m->cols[k] = malloc(n * sizeof(float));
    m->correct = malloc(n);
    m->used = malloc(n);
    m->probs = malloc(n * c * sizeof(float));
}

static void sim_release(sim *m)
{
    free(m->labels);
    for (int k = 0; k < 6; k++)
        free(m->cols[k]);
    free(m->correct);
    free(m->used);
    free(m->probs);
}

/* Logits drift towards the label as training goes on, at a per-sample pace;
 * every column is then computed from them as METHODS.md section 1 defines. */
static cs_epoch_record *sim_epoch(sim *m, int32_t run, int32_t epoch)
{
    uint64_t s = 1000003ULL * (uint64_t)run + (uint64_t)epoch;
    double z[64], p[64];
    for (int64_t i = 0; i < m->n; i++) {
        uint64_t si = 99991ULL * (uint64_t)i + 17;
        double pace = 0.05 + 0.5 * unif(&si), y = m->labels[i];
        int c = m->c < 64 ? m->c : 64, best = 0;
        double zmax = -1e300, sum = 0;
        for (int j = 0; j < c; j++) {
            z[j] = gauss(&s) + (j == y ? pace * epoch : 0);
            if (z[j] > zmax)
                zmax = z[j], best = j;
        }
        for (int j = 0; j < c; j++)
            sum += (p[j] = exp(z[j] - zmax));
        double err2 = 0, ent = 0, other = -1e300;
        for (int j = 0; j < c; j++) {
            p[j] /= sum;
            err2 += (p[j] - (j == y)) * (p[j] - (j == y));
            ent -= p[j] > 0 ? p[j] * log(p[j]) : 0;
            if (j != y && z[j] > other)
                other = z[j];
            if (m->fields & CS_TRAJ_PROBS)
                m->probs[i * m->c + j] = (float)p[j];
        }
        int yi = (int)y;
        m->cols[0][i] = (float)sqrt(err2);
        m->cols[1][i] = (float)p[yi];
        m->cols[2][i] = (float)(z[yi] - other);
        m->cols[3][i] = (float)ent;
        m->cols[4][i] = (float)-log(p[yi]);
        m->cols[5][i] = epoch % 5 == 0 ? (float)unif(&s) : NAN;
        m->correct[i] = best == yi;
        m->used[i] = unif(&s) > 0.03;
    }
    cs_epoch_record *r = &m->rec;
    memset(r, 0, sizeof *r);
    r->epoch = epoch;
    r->run = run;
    r->n = m->n;
    r->num_classes = m->c;
    r->err = m->cols[0];
    r->conf = m->cols[1];
    r->margin = m->cols[2];
    r->entropy = m->cols[3];
    r->loss = m->cols[4];
    r->focus = m->cols[5];
    r->correct = m->correct;
    r->used = m->used;
    r->probs = (m->fields & CS_TRAJ_PROBS) ? m->probs : NULL;
    return r;
}

static const char META[] = "dataset=/data/pneumonia.npz\nsha256=ab12\nseed=42\nmodel=resnet18\ntool=coreset test\n";

static cs_traj_header_info sim_info(const sim *m)
{
    cs_traj_header_info h = {.n = m->n, .num_classes = m->c, .fields = m->fields, .labels = m->labels,
                             .meta = META, .meta_len = sizeof META - 1};
    return h;
}

/* Frames are (run, epoch) = (k / per_run, k % per_run + 1). */
static void frame_id(int k, int per_run, int32_t *run, int32_t *epoch)
{
    *run = k / per_run;
    *epoch = k % per_run + 1;
}

static int write_sim(const char *path, sim *m, int frames, int per_run)
{
    cs_traj_header_info h = sim_info(m);
    cs_traj_writer *w = NULL;
    int rc = cs_traj_writer_create(&w, path, &h);
    for (int k = 0; !rc && k < frames; k++) {
        int32_t run, epoch;
        frame_id(k, per_run, &run, &epoch);
        rc = cs_traj_writer_append(w, sim_epoch(m, run, epoch));
    }
    int rc2 = cs_traj_writer_close(w);
    return rc ? rc : rc2;
}

/* Bit-exact comparison of every column in the field mask (NaNs included). */
static int same_record(const cs_epoch_record *a, const cs_epoch_record *b, uint32_t fields)
{
    if (a->epoch != b->epoch || a->run != b->run || a->n != b->n || a->num_classes != b->num_classes)
        return 0;
    size_t n = (size_t)a->n;
    const void *pa[9] = {a->err, a->conf, a->margin, a->entropy, a->loss, a->focus, a->correct, a->used, a->probs};
    const void *pb[9] = {b->err, b->conf, b->margin, b->entropy, b->loss, b->focus, b->correct, b->used, b->probs};
    for (int k = 0; k < 9; k++) {
        if (!(fields & (1u << k))) {
            if (pb[k])
                return 0; /* absent columns come back NULL */
            continue;
        }
        size_t bytes = k == 8 ? 4 * n * (size_t)a->num_classes : (k >= 6 ? n : 4 * n);
        if (!pb[k] || memcmp(pa[k], pb[k], bytes))
            return 0;
    }
    return 1;
}

/* Read every frame of path and compare with the simulation; returns frames read or -1. */
static int verify_sim(const char *path, sim *m, int per_run)
{
    cs_traj_reader *r = NULL;
    cs_epoch_record got;
    int k = 0, rc;
    if (cs_traj_reader_open(&r, path))
        return -1;
    while ((rc = cs_traj_reader_next(r, &got)) == 1) {
        int32_t run, epoch;
        frame_id(k, per_run, &run, &epoch);
        if (!same_record(sim_epoch(m, run, epoch), &got, m->fields)) {
            fprintf(stderr, "  frame %d differs\n", k);
            rc = -1;
            break;
        }
        k++;
    }
    cs_traj_reader_free(r);
    return rc == 0 ? k : -1;
}

static char *tmp_path(const char *name)
{
    static char buf[8][600];
    static int i;
    char *p = buf[i++ & 7];
    snprintf(p, sizeof buf[0], "%s/%s", harness_tmpdir(), name);
    unlink(p);
    return p;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(*len + 1);
    if (fread(b, 1, *len, f) != *len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

static int spit(const char *path, const uint8_t *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t put = fwrite(b, 1, len, f);
    return fclose(f) == 0 && put == len ? 0 : -1;
}

/* --- tests ------------------------------------------------------------------- */

static void test_xxh64_vectors(void)
{
    /* Published XXH64 values (seed 0). */
    CHECK(cs_xxh64("", 0, 0) == 0xEF46DB3751D8E999ULL);
    CHECK(cs_xxh64("a", 1, 0) == 0xD24EC4F1A98C6E5BULL);
    CHECK(cs_xxh64("abc", 3, 0) == 0x44BC2CF5AD770999ULL);
    CHECK(cs_xxh64("xxhash", 6, 0) == 0x32DD38952C4BC720ULL);
    CHECK(cs_xxh64("abcdefghijklmnopqrstuvwxyz12345", 31, 0) == 0x467605901B01D6F6ULL);
    CHECK(cs_xxh64("", 0, 668718853) == 0x04E830582A31A119ULL);
    /* zstd stores the low 32 bits of XXH64(content) as its frame checksum: an
     * independent implementation to hold ours against, at every tail length. */
    enum { LEN = 70000 };
    uint8_t *src = malloc(LEN), *dst = malloc(ZSTD_compressBound(LEN));
    uint64_t s = 3;
    for (int i = 0; i < LEN; i++)
        src[i] = (uint8_t)mix(&s);
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
    size_t lens[] = {0, 1, 3, 4, 7, 8, 31, 32, 33, 63, 64, 65, 100, 1000, 4097, LEN};
    for (size_t k = 0; k < sizeof lens / sizeof *lens; k++) {
        size_t c = ZSTD_compress2(cc, dst, ZSTD_compressBound(LEN), src, lens[k]);
        CHECK(!ZSTD_isError(c));
        uint32_t zsum = (uint32_t)dst[c - 4] | (uint32_t)dst[c - 3] << 8 | (uint32_t)dst[c - 2] << 16 |
                        (uint32_t)dst[c - 1] << 24;
        CHECK_MSG(zsum == (uint32_t)cs_xxh64(src, lens[k], 0), "length %zu", lens[k]);
    }
    ZSTD_freeCCtx(cc);
    free(src);
    free(dst);
}

static void test_shuffle_roundtrip(void)
{
    for (size_t n = 0; n < 70; n++) {
        uint8_t src[280] = {0}, mid[280] = {0}, back[280] = {0};
        for (size_t i = 0; i < 4 * n; i++)
            src[i] = (uint8_t)(i * 37 + n);
        cs_shuffle4(mid, src, n);
        for (size_t i = 0; i < n; i++)
            for (size_t b = 0; b < 4; b++)
                CHECK(mid[b * n + i] == src[4 * i + b]);
        cs_unshuffle4(back, mid, n);
        CHECK_MSG(memcmp(back, src, 4 * n) == 0, "n = %zu", n);
    }
}

static void roundtrip(uint32_t fields, int64_t n, int32_t c)
{
    sim m;
    sim_init(&m, n, c, fields);
    const char *path = tmp_path("rt.cst");
    CHECK_OK(write_sim(path, &m, 14, 7));
    cs_traj_reader *r = NULL;
    CHECK_OK(cs_traj_reader_open(&r, path));
    if (!r) {
        sim_release(&m);
        return;
    }
    const cs_traj_header_info *h = cs_traj_reader_header(r);
    CHECK(h->n == n && h->num_classes == c && h->fields == fields);
    CHECK(h->meta_len == sizeof META - 1 && memcmp(h->meta, META, h->meta_len) == 0);
    CHECK(memcmp(h->labels, m.labels, n * sizeof *m.labels) == 0);
    CHECK(cs_traj_reader_frames(r) == -1);
    cs_epoch_record got;
    int k = 0, rc;
    while ((rc = cs_traj_reader_next(r, &got)) == 1) {
        int32_t run, epoch;
        frame_id(k, 7, &run, &epoch);
        CHECK_MSG(same_record(sim_epoch(&m, run, epoch), &got, fields), "frame %d", k);
        /* float columns readable as floats: aligned even after the N-byte columns of an odd N */
        const float *fc[] = {got.err, got.conf, got.margin, got.entropy, got.loss, got.focus, got.probs};
        for (size_t j = 0; j < sizeof fc / sizeof fc[0]; j++)
            CHECK_MSG((uintptr_t)fc[j] % sizeof(float) == 0, "frame %d column %zu misaligned", k, j);
        if (epoch % 5)
            CHECK(isnan(got.focus ? got.focus[0] : NAN));
        k++;
    }
    CHECK(rc == 0 && k == 14);
    CHECK(cs_traj_reader_frames(r) == 14);
    cs_traj_reader_free(r);
    sim_release(&m);
}

static void test_roundtrip_scalars(void)
{
    roundtrip(CS_TRAJ_SCALARS, 1237, 7);
}

static void test_roundtrip_probs(void)
{
    roundtrip(CS_TRAJ_SCALARS | CS_TRAJ_PROBS, 333, 10);
}

static void test_roundtrip_some_columns(void)
{
    roundtrip(CS_TRAJ_ERR | CS_TRAJ_CORRECT | CS_TRAJ_FOCUS, 1, 2);
}

static void test_scan_and_seek(void)
{
    sim m;
    sim_init(&m, 501, 4, CS_TRAJ_SCALARS);
    const char *path = tmp_path("seek.cst");
    CHECK_OK(write_sim(path, &m, 9, 3));
    cs_traj_reader *r = NULL;
    int64_t frames = 0;
    CHECK_OK(cs_traj_reader_open(&r, path));
    CHECK_OK(cs_traj_reader_scan(r, &frames));
    CHECK(frames == 9 && cs_traj_reader_frames(r) == 9);
    for (int k = 0; k < 9; k++) {
        const cs_traj_frame_info *fi = cs_traj_reader_frame(r, k);
        int32_t run, epoch;
        frame_id(k, 3, &run, &epoch);
        CHECK(fi && fi->run == run && fi->epoch == epoch && fi->usize == 501 * 26);
    }
    CHECK(cs_traj_reader_frame(r, 9) == NULL);
    cs_epoch_record got;
    CHECK_OK(cs_traj_reader_seek(r, 5));
    CHECK(cs_traj_reader_next(r, &got) == 1);
    CHECK(same_record(sim_epoch(&m, 1, 3), &got, m.fields));
    CHECK_OK(cs_traj_reader_seek(r, 0));
    CHECK(cs_traj_reader_next(r, &got) == 1 && got.run == 0 && got.epoch == 1);
    CHECK(cs_traj_reader_seek(r, 10) < 0 && strstr(cs_errmsg(), "no frame 10"));
    CHECK_OK(cs_traj_reader_seek(r, 9));
    CHECK(cs_traj_reader_next(r, &got) == 0);
    cs_traj_reader_free(r);
    double bps = 0;
    CHECK_OK(cs_traj_bytes_per_sample(path, &bps));
    CHECK(bps > 1 && bps < 26 + 1);
    sim_release(&m);
}

/* Read all frames of an in-memory file; returns the final status. */
static int read_all_mem(const uint8_t *b, size_t len, int *frames)
{
    cs_traj_reader *r = NULL;
    cs_epoch_record got;
    int rc = cs_traj_reader_open_mem(&r, b, len, "run/trajectory.cst");
    *frames = 0;
    if (rc)
        return rc;
    while ((rc = cs_traj_reader_next(r, &got)) == 1)
        (*frames)++;
    cs_traj_reader_free(r);
    return rc;
}

static void test_flip_every_byte(void)
{
    sim m;
    sim_init(&m, 13, 3, CS_TRAJ_SCALARS | CS_TRAJ_PROBS);
    const char *path = tmp_path("flip.cst");
    CHECK_OK(write_sim(path, &m, 3, 3));
    size_t len = 0;
    uint8_t *b = slurp(path, &len);
    cs_traj_reader *r = NULL;
    CHECK_OK(cs_traj_reader_open(&r, path));
    CHECK_OK(cs_traj_reader_scan(r, NULL));
    int64_t start[4];
    for (int k = 0; k < 3; k++)
        start[k] = cs_traj_reader_frame(r, k)->offset;
    start[3] = (int64_t)len;
    cs_traj_reader_free(r);
    int bad = 0;
    for (size_t off = 0; off < len && bad < 5; off++) {
        b[off] ^= 0x10;
        int frames = 0;
        int rc = read_all_mem(b, len, &frames);
        const char *msg = cs_errmsg();
        char want[64];
        if ((int64_t)off < start[0]) {
            snprintf(want, sizeof want, "'run/trajectory.cst': ");
            if (rc >= 0 || !strstr(msg, want) ||
                (!strstr(msg, "header") && !strstr(msg, "magic") && !strstr(msg, "version")))
                bad++, fprintf(stderr, "  header byte %zu: rc %d: %s\n", off, rc, msg);
        } else {
            int k = (int)((int64_t)off >= start[2] ? 2 : (int64_t)off >= start[1] ? 1 : 0);
            snprintf(want, sizeof want, "'run/trajectory.cst': frame %d ", k);
            if (rc >= 0 || frames != k || !strstr(msg, want) || !strstr(msg, "at offset"))
                bad++, fprintf(stderr, "  frame byte %zu: rc %d, %d frames: %s\n", off, rc, frames, msg);
        }
        b[off] ^= 0x10;
    }
    CHECK(bad == 0);
    /* The message names run and epoch where the frame header is intact. */
    b[start[1] + CS_TRAJ_FRAME_HEADER_SIZE + 3] ^= 1;
    int frames;
    CHECK(read_all_mem(b, len, &frames) < 0);
    char want[128];
    snprintf(want, sizeof want, "'run/trajectory.cst': frame 1 (run 0, epoch 2) at offset %lld: checksum mismatch",
             (long long)start[1]);
    CHECK_MSG(strstr(cs_errmsg(), want), "%s", cs_errmsg());
    free(b);
    sim_release(&m);
}

static void test_header_flip_on_disk(void)
{
    sim m;
    sim_init(&m, 40, 3, CS_TRAJ_SCALARS);
    const char *path = tmp_path("hflip.cst");
    CHECK_OK(write_sim(path, &m, 1, 1));
    size_t len = 0;
    uint8_t *b = slurp(path, &len);
    b[CS_TRAJ_FIXED_SIZE + 5] ^= 0x40; /* inside the metadata */
    CHECK(spit(path, b, len) == 0);
    cs_traj_reader *r = NULL;
    CHECK(cs_traj_reader_open(&r, path) == CS_EFORMAT);
    CHECK(strstr(cs_errmsg(), path) && strstr(cs_errmsg(), "header checksum mismatch"));
    free(b);
    sim_release(&m);
}

static void set_version(uint8_t *b, uint32_t v)
{
    b[8] = (uint8_t)v;
    b[9] = (uint8_t)(v >> 8);
    b[10] = b[11] = 0;
}

static void test_wrong_version(void)
{
    sim m;
    sim_init(&m, 10, 2, CS_TRAJ_ERR);
    const char *path = tmp_path("ver.cst");
    CHECK_OK(write_sim(path, &m, 1, 1));
    size_t len = 0;
    uint8_t *b = slurp(path, &len);
    cs_traj_reader *r = NULL;
    /* Re-seal the header so the refusal is about the version, not the checksum. */
    uint64_t hs = cs_traj_header_size(10, sizeof META - 1);
    set_version(b, 2);
    uint64_t sum = cs_xxh64(b, hs - 8, 0);
    for (int i = 0; i < 8; i++)
        b[hs - 8 + i] = (uint8_t)(sum >> (8 * i));
    CHECK(spit(path, b, len) == 0);
    CHECK(cs_traj_reader_open(&r, path) == CS_EUNSUP);
    CHECK_MSG(strstr(cs_errmsg(), path) && strstr(cs_errmsg(), "version 2") && strstr(cs_errmsg(), "hint: upgrade"),
              "%s", cs_errmsg());
    cs_traj_writer *w = NULL;
    CHECK(cs_traj_writer_open_append(&w, path, NULL, NULL) == CS_EUNSUP);
    set_version(b, 0);
    CHECK(cs_traj_reader_open_mem(&r, b, len, "v0") == CS_EUNSUP && strstr(cs_errmsg(), "version 0"));
    free(b);
    sim_release(&m);
}

/* Cut the file at every byte of its last frame (and a few earlier points):
 * the reader reports the torn frame, open_append cuts it, and appending the
 * missing frames gives a file byte-identical to the uninterrupted one. */
static void test_truncate_and_repair(void)
{
    sim m;
    sim_init(&m, 11, 3, CS_TRAJ_SCALARS);
    const char *full = tmp_path("full.cst"), *cut = tmp_path("cut.cst");
    enum { FRAMES = 4 };
    CHECK_OK(write_sim(full, &m, FRAMES, 2));
    size_t len = 0;
    uint8_t *b = slurp(full, &len);
    cs_traj_reader *r = NULL;
    CHECK_OK(cs_traj_reader_open(&r, full));
    CHECK_OK(cs_traj_reader_scan(r, NULL));
    int64_t start[FRAMES + 1];
    for (int k = 0; k < FRAMES; k++)
        start[k] = cs_traj_reader_frame(r, k)->offset;
    start[FRAMES] = (int64_t)len;
    cs_traj_reader_free(r);
    int bad = 0, cuts = 0;
    for (int64_t at = start[0] + 1; at < (int64_t)len && bad < 5; at++) {
        int k = 0;
        while (start[k + 1] <= at)
            k++;
        if (k < FRAMES - 1 && at % 17) /* every byte of the last frame, a sample of the others */
            continue;
        cuts++;
        int frames;
        int rc = read_all_mem(b, (size_t)at, &frames);
        char want[64];
        snprintf(want, sizeof want, "file ends inside frame %d at offset %lld", k, (long long)start[k]);
        if (at == start[k] ? rc != 0 || frames != k
                           : rc >= 0 || frames != k || !strstr(cs_errmsg(), want) || !strstr(cs_errmsg(), "--resume"))
            bad++, fprintf(stderr, "  cut %lld: rc %d frames %d: %s\n", (long long)at, rc, frames, cs_errmsg());
        unlink(cut);
        spit(cut, b, (size_t)at);
        cs_traj_writer *w = NULL;
        cs_traj_resume res;
        cs_traj_header_info h = sim_info(&m);
        if (cs_traj_writer_open_append(&w, cut, &h, &res) != 0 || res.frames != k ||
            res.truncated_bytes != at - start[k]) {
            bad++, fprintf(stderr, "  cut %lld: open_append: %s\n", (long long)at, cs_errmsg());
            cs_traj_writer_close(w);
            continue;
        }
        int32_t run, epoch;
        frame_id(k - 1, 2, &run, &epoch);
        if (k > 0 && (res.last_run != run || res.last_epoch != epoch))
            bad++, fprintf(stderr, "  cut %lld: last frame %d/%d\n", (long long)at, res.last_run, res.last_epoch);
        for (int j = k; j < FRAMES; j++) {
            frame_id(j, 2, &run, &epoch);
            if (cs_traj_writer_append(w, sim_epoch(&m, run, epoch)))
                bad++;
        }
        cs_traj_writer_close(w);
        size_t len2 = 0;
        uint8_t *b2 = slurp(cut, &len2);
        if (!b2 || len2 != len || memcmp(b, b2, len))
            bad++, fprintf(stderr, "  cut %lld: repaired file differs\n", (long long)at);
        free(b2);
    }
    CHECK(bad == 0);
    CHECK(cuts > start[FRAMES] - start[FRAMES - 1] - 1);
    /* A cut inside the file header is not repairable: it is an error naming the file. */
    spit(cut, b, 40);
    cs_traj_writer *w = NULL;
    CHECK(cs_traj_writer_open_append(&w, cut, NULL, NULL) < 0 && strstr(cs_errmsg(), "header truncated"));
    free(b);
    sim_release(&m);
}

static void test_zero_tail(void)
{
    sim m;
    sim_init(&m, 20, 2, CS_TRAJ_SCALARS);
    const char *path = tmp_path("zero.cst");
    CHECK_OK(write_sim(path, &m, 2, 5));
    size_t len = 0;
    uint8_t *b = slurp(path, &len);
    b = realloc(b, len + 300);
    memset(b + len, 0, 300);
    CHECK(spit(path, b, len + 300) == 0);
    int frames;
    CHECK(read_all_mem(b, len + 300, &frames) < 0 && frames == 2 && strstr(cs_errmsg(), "zero-filled tail"));
    cs_traj_writer *w = NULL;
    cs_traj_resume res;
    CHECK_OK(cs_traj_writer_open_append(&w, path, NULL, &res));
    CHECK(res.frames == 2 && res.truncated_bytes == 300 && res.last_epoch == 2);
    CHECK_OK(cs_traj_writer_append(w, sim_epoch(&m, 0, 3)));
    CHECK_OK(cs_traj_writer_close(w));
    CHECK(verify_sim(path, &m, 5) == 3);
    free(b);
    sim_release(&m);
}

static void test_bad_inputs(void)
{
    sim m;
    sim_init(&m, 30, 3, CS_TRAJ_SCALARS);
    cs_traj_reader *r = NULL;
    cs_traj_writer *w = NULL;
    const char *missing = tmp_path("missing.cst");
    CHECK(cs_traj_reader_open(&r, missing) == CS_EIO && strstr(cs_errmsg(), "cannot open") &&
          strstr(cs_errmsg(), missing));
    const char *text = tmp_path("text.cst");
    spit(text, (const uint8_t *)"epoch,err\n1,0.5\n", 16);
    CHECK(cs_traj_reader_open(&r, text) == CS_EFORMAT && strstr(cs_errmsg(), "not a coreset trajectory"));
    const char *path = tmp_path("bad.cst");
    CHECK_OK(write_sim(path, &m, 1, 1));
    cs_traj_header_info h = sim_info(&m);
    CHECK(cs_traj_writer_create(&w, path, &h) == CS_EINVAL && strstr(cs_errmsg(), "already exists"));
    /* Resuming with different metadata or labels is refused. */
    h.meta = "seed=43\n";
    h.meta_len = 8;
    CHECK(cs_traj_writer_open_append(&w, path, &h, NULL) == CS_EINVAL && strstr(cs_errmsg(), "metadata differs"));
    h = sim_info(&m);
    m.labels[3] ^= 1;
    CHECK(cs_traj_writer_open_append(&w, path, &h, NULL) == CS_EINVAL && strstr(cs_errmsg(), "labels differ"));
    m.labels[3] ^= 1;
    CHECK_OK(cs_traj_writer_open_append(&w, path, &h, NULL));
    cs_epoch_record *rec = sim_epoch(&m, 0, 2);
    rec->focus = NULL;
    CHECK(cs_traj_writer_append(w, rec) == CS_EINVAL && strstr(cs_errmsg(), "lacks column 'focus'"));
    rec = sim_epoch(&m, 0, 2);
    rec->n = 29;
    CHECK(cs_traj_writer_append(w, rec) == CS_EINVAL && strstr(cs_errmsg(), "29 samples"));
    rec = sim_epoch(&m, 0, 0);
    CHECK(cs_traj_writer_append(w, rec) == CS_EINVAL && strstr(cs_errmsg(), "epoch 0"));
    CHECK_OK(cs_traj_writer_close(w));
    CHECK(verify_sim(path, &m, 1) == 1);
    h.num_classes = 0;
    CHECK(cs_traj_writer_create(&w, tmp_path("c0.cst"), &h) == CS_EINVAL);
    sim_release(&m);
}

static void test_bytes_per_sample(void)
{
    /* Ten classes, 40 epochs of simulated training: what a real run stores. */
    sim m;
    sim_init(&m, 10000, 10, CS_TRAJ_SCALARS);
    const char *path = tmp_path("size.cst");
    CHECK_OK(write_sim(path, &m, 40, 40));
    double bps = 0;
    CHECK_OK(cs_traj_bytes_per_sample(path, &bps));
    printf("bytes per sample per epoch (8 columns, raw 26): %.2f\n", bps);
    CHECK(bps > 5 && bps < 26);
    sim_release(&m);
}

/* --- modes for the crash test and the benchmark ------------------------------ */

enum { CRASH_N = 3000, CRASH_C = 5 };

static int write_forever(const char *path)
{
    sim m;
    sim_init(&m, CRASH_N, CRASH_C, CS_TRAJ_SCALARS);
    cs_traj_header_info h = sim_info(&m);
    cs_traj_writer *w = NULL;
    cs_traj_resume res = {0};
    int rc = (access(path, F_OK) == 0) ? cs_traj_writer_open_append(&w, path, &h, &res)
                                     : cs_traj_writer_create(&w, path, &h);
    for (int32_t e = (int32_t)res.frames + 1; !rc; e++)
        rc = cs_traj_writer_append(w, sim_epoch(&m, 0, e));
    fprintf(stderr, "write-forever: %s\n", cs_errmsg());
    cs_traj_writer_close(w);
    sim_release(&m);
    return 1;
}

static int check_resume(const char *path)
{
    sim m;
    sim_init(&m, CRASH_N, CRASH_C, CS_TRAJ_SCALARS);
    cs_traj_header_info h = sim_info(&m);
    cs_traj_writer *w = NULL;
    cs_traj_resume res = {0};
    int rc = (access(path, F_OK) == 0) ? cs_traj_writer_open_append(&w, path, &h, &res)
                                     : cs_traj_writer_create(&w, path, &h);
    if (rc) {
        fprintf(stderr, "check-resume: %s\n", cs_errmsg());
        sim_release(&m);
        return 1;
    }
    int before = verify_sim(path, &m, 1 << 30);
    for (int32_t e = (int32_t)res.frames + 1; !rc && e <= res.frames + 3; e++)
        rc = cs_traj_writer_append(w, sim_epoch(&m, 0, e));
    rc |= cs_traj_writer_close(w);
    int after = verify_sim(path, &m, 1 << 30);
    printf("frames=%lld cut=%lld verified=%d after=%d\n", (long long)res.frames, (long long)res.truncated_bytes,
           before, after);
    sim_release(&m);
    return rc || before != res.frames || after != res.frames + 3;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int bench(int64_t n)
{
    sim m;
    sim_init(&m, n, 10, CS_TRAJ_SCALARS);
    const char *path = tmp_path("bench.cst");
    enum { EPOCHS = 30 };
    cs_traj_header_info h = sim_info(&m);
    cs_traj_writer *w = NULL;
    double t_write = 0;
    if (cs_traj_writer_create(&w, path, &h))
        goto fail;
    for (int e = 1; e <= EPOCHS; e++) {
        cs_epoch_record *rec = sim_epoch(&m, 0, e);
        double t0 = now();
        if (cs_traj_writer_append(w, rec))
            goto fail;
        t_write += now() - t0;
    }
    cs_traj_writer_close(w);
    w = NULL;
    double bps = 0, best = 1e30;
    cs_traj_bytes_per_sample(path, &bps);
    uint64_t usize = cs_traj_payload_size(n, 10, CS_TRAJ_SCALARS);
    for (int rep = 0; rep < 5; rep++) {
        cs_traj_reader *r = NULL;
        cs_epoch_record rec;
        if (cs_traj_reader_open(&r, path))
            goto fail;
        double t0 = now();
        int k = 0;
        while (cs_traj_reader_next(r, &rec) == 1)
            k++;
        double t = now() - t0;
        cs_traj_reader_free(r);
        if (k != EPOCHS)
            goto fail;
        if (t < best)
            best = t;
    }
    printf("N=%lld C=10 fields=8 scalar columns, %d epochs, zstd level 3, one core\n", (long long)n, EPOCHS);
    printf("payload per frame: %llu bytes raw, %.2f bytes/sample/epoch stored (ratio %.2f)\n",
           (unsigned long long)usize, bps, 26.0 / bps);
    printf("read (pread+checksums+zstd decompress+unshuffle): %.0f MB/s of decompressed data (best of 5)\n",
           EPOCHS * (double)usize / best / 1e6);
    printf("write (shuffle+zstd compress+checksums+pwrite+fdatasync): %.0f MB/s\n",
           EPOCHS * (double)usize / t_write / 1e6);
    sim_release(&m);
    return 0;
fail:
    fprintf(stderr, "bench: %s\n", cs_errmsg());
    cs_traj_writer_close(w);
    sim_release(&m);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--write-forever"))
        return write_forever(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "--check-resume"))
        return check_resume(argv[2]);
    if (argc >= 2 && !strcmp(argv[1], "--bench"))
        return bench(argc > 2 ? atoll(argv[2]) : 60000);
    RUN(test_xxh64_vectors);
    RUN(test_shuffle_roundtrip);
    RUN(test_roundtrip_scalars);
    RUN(test_roundtrip_probs);
    RUN(test_roundtrip_some_columns);
    RUN(test_scan_and_seek);
    RUN(test_flip_every_byte);
    RUN(test_header_flip_on_disk);
    RUN(test_wrong_version);
    RUN(test_truncate_and_repair);
    RUN(test_zero_tail);
    RUN(test_bad_inputs);
    RUN(test_bytes_per_sample);
    return harness_done();
}
