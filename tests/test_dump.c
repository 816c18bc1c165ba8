/* test_dump.c - `coreset dump`'s engine (dump/traj_dump.h) and the fixture
 * behind tests/t_dump.sh.
 *
 *   test_dump                      unit tests: field lists, raw export of a
 *                                  selection equals the generated values, gaps,
 *                                  refusals (nothing written)
 *   test_dump --fixture RUNDIR     write RUNDIR/trajectory.cst: a seeded synthetic
 *                                  run (N = 2000, C = 3, T = 25, 2 runs, probs,
 *                                  focus only every 5th epoch, a few samples never)
 *
 * Every frame of the fixture is a function of (seed, run, epoch) alone, so a
 * test can regenerate any frame to compare an export with. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/err.h"
#include "../common/rng.h"
#include "../formats/traj.h"
#include "../dump/traj_dump.h"
#include "harness.h"

enum { FN = 2000, FC = 3, FT = 25, FR = 2 };
#define FSEED 20261123u

/* One generated frame's columns. */
typedef struct frame {
    int64_t n;
    int c;
    float *err, *conf, *margin, *entropy, *loss, *focus, *probs;
    uint8_t *correct, *used;
    int32_t *labels;
    double *ease;
} frame;

static int frame_init(frame *f, int64_t n, int c, uint64_t seed)
{
    memset(f, 0, sizeof *f);
    f->n = n;
    f->c = c;
    size_t m = (size_t)n;
    f->err = malloc(m * 4), f->conf = malloc(m * 4), f->margin = malloc(m * 4);
    f->entropy = malloc(m * 4), f->loss = malloc(m * 4), f->focus = malloc(m * 4);
    f->probs = malloc(m * (size_t)c * 4);
    f->correct = malloc(m), f->used = malloc(m);
    f->labels = malloc(m * 4);
    f->ease = malloc(m * 8);
    if (!f->err || !f->conf || !f->margin || !f->entropy || !f->loss || !f->focus || !f->probs ||
        !f->correct || !f->used || !f->labels || !f->ease)
        return -1;
    cs_rng rng;
    cs_rng_seed(&rng, seed);
    for (int64_t i = 0; i < n; i++) {
        f->labels[i] = (int32_t)cs_rng_below(&rng, (uint64_t)c);
        f->ease[i] = i % 97 == 3 ? -5.0 : 5.0 * cs_rng_uniform(&rng); /* some never learn */
    }
    return 0;
}

static void frame_release(frame *f)
{
    free(f->err), free(f->conf), free(f->margin), free(f->entropy), free(f->loss), free(f->focus);
    free(f->probs), free(f->correct), free(f->used), free(f->labels), free(f->ease);
}

/* Fill the columns of (run, epoch) of T epochs: softmax of noisy logits whose
 * true-class boost grows over the epochs. */
static void frame_make(frame *f, uint64_t seed, int run, int epoch, int T)
{
    cs_rng rng;
    cs_rng_seed2(&rng, seed, (uint64_t)run * 100000u + (uint64_t)epoch);
    int C = f->c;
    for (int64_t i = 0; i < f->n; i++) {
        int y = f->labels[i], arg = 0;
        double z[16], p[16], mx = -INFINITY, zo = -INFINITY, sum = 0, e2 = 0, ent = 0;
        for (int j = 0; j < C; j++) {
            z[j] = cs_rng_normal(&rng) + (j == y ? f->ease[i] * epoch / T : 0.0);
            mx = fmax(mx, z[j]);
            if (j != y)
                zo = fmax(zo, z[j]);
            if (z[j] > z[arg])
                arg = j;
        }
        for (int j = 0; j < C; j++)
            sum += p[j] = exp(z[j] - mx);
        for (int j = 0; j < C; j++) {
            p[j] /= sum;
            e2 += (p[j] - (j == y)) * (p[j] - (j == y));
            ent -= p[j] * log(p[j]);
            f->probs[i * C + j] = (float)p[j];
        }
        f->err[i] = (float)sqrt(e2);
        f->conf[i] = (float)p[y];
        f->margin[i] = (float)(z[y] - zo);
        f->entropy[i] = (float)ent;
        f->loss[i] = (float)-log(p[y]);
        f->correct[i] = arg == y;
        f->used[i] = cs_rng_uniform(&rng) >= 0.1;
        double u = cs_rng_uniform(&rng);
        f->focus[i] = epoch % 5 == 0 && i % 101 != 5 ? (float)u : NAN;
    }
}

static cs_epoch_record frame_record(const frame *f, int run, int epoch)
{
    cs_epoch_record rec = {epoch, run, f->n, f->c, f->err, f->conf, f->margin, f->entropy, f->loss,
                           f->focus, f->correct, f->used, f->probs};
    return rec;
}

/* A trajectory at path holding `fields`, with the frames (run, epochs[run]) in run-major order. */
static int write_traj(const char *path, int64_t n, int c, uint32_t fields, int runs, const int *epochs, int T)
{
    frame f;
    cs_traj_writer *w = NULL;
    int rc = -1;
    if (frame_init(&f, n, c, FSEED))
        goto out;
    static const char meta[] = "dataset=synthetic\nseed=20261123\nmodel=none\ntool=test_dump\n";
    cs_traj_header_info info = {n, c, fields, f.labels, meta, sizeof meta - 1, 0};
    if ((rc = cs_traj_writer_create(&w, path, &info)))
        goto out;
    for (int r = 0; r < runs && !rc; r++)
        for (int t = 1; t <= epochs[r] && !rc; t++) {
            frame_make(&f, FSEED, r, t, T);
            cs_epoch_record rec = frame_record(&f, r, t);
            rc = cs_traj_writer_append(w, &rec);
        }
out:
    if (w) {
        int crc = cs_traj_writer_close(w);
        rc = rc ? rc : crc;
    }
    frame_release(&f);
    return rc;
}

static int make_fixture(const char *dir)
{
    char path[4096];
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        perror(dir);
        return 1;
    }
    snprintf(path, sizeof path, "%s/trajectory.cst", dir);
    int epochs[FR];
    for (int r = 0; r < FR; r++)
        epochs[r] = FT;
    if (write_traj(path, FN, FC, CS_TRAJ_KNOWN, FR, epochs, FT)) {
        fprintf(stderr, "test_dump: %s\n", cs_errmsg());
        return 1;
    }
    return 0;
}

/* --- unit tests -------------------------------------------------------------- */

static float *read_f32(const char *path, size_t count)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    float *v = malloc(count * sizeof *v + 1);
    size_t got = v ? fread(v, sizeof *v, count + 1, fp) : 0;
    fclose(fp);
    if (got != count) { /* also refuses a file longer than expected */
        free(v);
        return NULL;
    }
    return v;
}

static void test_fields_parse(void)
{
    uint32_t m = 0;
    CHECK_OK(cs_traj_fields_parse("err,probs,correct", &m));
    CHECK(m == (CS_TRAJ_ERR | CS_TRAJ_PROBS | CS_TRAJ_CORRECT));
    CHECK(cs_traj_fields_parse("loss,bogus", &m) == CS_EINVAL);
    CHECK(strstr(cs_errmsg(), "unknown field 'bogus'") != NULL);
    CHECK(cs_traj_fields_parse("", &m) == CS_EINVAL);
    CHECK(!strcmp(cs_traj_field_name(CS_TRAJ_USED), "used"));
    CHECK(cs_traj_field_name(1u << 12) == NULL);
}

/* Run 1, epochs 3..7, fields loss, correct, probs: every value equals the generator's. */
static void test_raw_selection(void)
{
    char cst[600], dir[600], path[700];
    snprintf(cst, sizeof cst, "%s/sel.cst", harness_tmpdir());
    snprintf(dir, sizeof dir, "%s/sel", harness_tmpdir());
    int n = 300, C = 4, T = 8, epochs[3] = {8, 8, 8};
    CHECK_OK(write_traj(cst, n, C, CS_TRAJ_KNOWN, 3, epochs, T));
    int32_t runs[1] = {1};
    cs_dump_opts o = {CS_DUMP_RAW, dir, NULL, CS_TRAJ_LOSS | CS_TRAJ_CORRECT | CS_TRAJ_PROBS, runs, 1, 3, 7};
    CHECK_OK(cs_traj_dump(cst, &o));
    snprintf(path, sizeof path, "%s/loss_0.f32", dir);
    float *loss = read_f32(path, 5 * (size_t)n);
    snprintf(path, sizeof path, "%s/correct_0.f32", dir);
    float *cor = read_f32(path, 5 * (size_t)n);
    snprintf(path, sizeof path, "%s/probs_0.f32", dir);
    float *probs = read_f32(path, 5 * (size_t)n * C);
    snprintf(path, sizeof path, "%s/err_0.f32", dir);
    CHECK(access(path, F_OK) != 0); /* not selected */
    snprintf(path, sizeof path, "%s/loss_1.f32", dir);
    CHECK(access(path, F_OK) != 0); /* one run selected: files count from 0 */
    snprintf(path, sizeof path, "%s.tmp", dir);
    CHECK(access(path, F_OK) != 0);
    CHECK(loss && cor && probs);
    frame f;
    CHECK(frame_init(&f, n, C, FSEED) == 0);
    int64_t bad = 0;
    for (int t = 3; loss && cor && probs && t <= 7; t++) {
        frame_make(&f, FSEED, 1, t, T);
        size_t o0 = (size_t)(t - 3) * n;
        for (int i = 0; i < n; i++) {
            bad += memcmp(&loss[o0 + i], &f.loss[i], 4) != 0;
            bad += cor[o0 + i] != (f.correct[i] ? 1.0f : 0.0f);
            for (int j = 0; j < C; j++)
                bad += memcmp(&probs[(o0 + i) * C + j], &f.probs[i * C + j], 4) != 0;
        }
    }
    CHECK_MSG(bad == 0, "%lld values differ", (long long)bad);
    snprintf(path, sizeof path, "%s/params.json", dir);
    uint8_t buf[2048] = {0};
    FILE *fp = fopen(path, "rb");
    CHECK(fp != NULL);
    if (fp) {
        CHECK(fread(buf, 1, sizeof buf - 1, fp) > 0);
        fclose(fp);
    }
    CHECK(strstr((char *)buf, "\"n\": 300, \"num_classes\": 4, \"epochs\": 5, \"runs\": 1, \"first_epoch\": 3") != NULL);
    CHECK(strstr((char *)buf, "\"run_ids\": [1]") != NULL);
    CHECK(strstr((char *)buf, "\"fields\": [\"loss\", \"correct\", \"probs\"]}") != NULL);
    snprintf(path, sizeof path, "%s/labels.i32", dir);
    int32_t *lab = (int32_t *)read_f32(path, (size_t)n);
    CHECK(lab && !memcmp(lab, f.labels, (size_t)n * 4));
    free(lab);
    frame_release(&f);
    free(loss), free(cor), free(probs);
}

/* Run 1 stops at epoch 2 of 3: the array formats refuse the default selection
 * naming the gap, accept epochs 1:2; CSV takes whatever is there. */
static void test_gap(void)
{
    char cst[600], dir[600], h5[600], csv[600];
    snprintf(cst, sizeof cst, "%s/gap.cst", harness_tmpdir());
    snprintf(dir, sizeof dir, "%s/gap", harness_tmpdir());
    snprintf(h5, sizeof h5, "%s/gap.h5", harness_tmpdir());
    snprintf(csv, sizeof csv, "%s/gap.csv", harness_tmpdir());
    int epochs[2] = {3, 2};
    CHECK_OK(write_traj(cst, 50, 2, CS_TRAJ_SCALARS, 2, epochs, 3));
    cs_dump_opts o = {CS_DUMP_RAW, dir, NULL, 0, NULL, 0, 0, 0};
    CHECK(cs_traj_dump(cst, &o) == CS_EINVAL);
    CHECK_MSG(strstr(cs_errmsg(), "run 1 has no epoch 3") != NULL, "%s", cs_errmsg());
    CHECK(access(dir, F_OK) != 0);
    o.format = CS_DUMP_H5;
    o.out = h5;
    CHECK(cs_traj_dump(cst, &o) == CS_EINVAL);
    CHECK(access(h5, F_OK) != 0);
    o.last_epoch = 2;
    CHECK_OK(cs_traj_dump(cst, &o));
    CHECK(access(h5, F_OK) == 0);
    o.format = CS_DUMP_CSV;
    o.out = csv;
    o.last_epoch = 0;
    CHECK_OK(cs_traj_dump(cst, &o));
    FILE *fp = fopen(csv, "r");
    int lines = 0, ch;
    while (fp && (ch = fgetc(fp)) != EOF)
        lines += ch == '\n';
    if (fp)
        fclose(fp);
    CHECK(lines == 1 + 5 * 50);
}

static void test_refusals(void)
{
    char cst[600], dir[600], keep[700];
    snprintf(cst, sizeof cst, "%s/ref.cst", harness_tmpdir());
    snprintf(dir, sizeof dir, "%s/full", harness_tmpdir());
    snprintf(keep, sizeof keep, "%s/keep", dir);
    int epochs[1] = {2};
    CHECK_OK(write_traj(cst, 20, 2, CS_TRAJ_SCALARS, 1, epochs, 2));
    /* A field the file lacks. */
    cs_dump_opts o = {CS_DUMP_RAW, dir, NULL, CS_TRAJ_PROBS, NULL, 0, 0, 0};
    CHECK(cs_traj_dump(cst, &o) == CS_EINVAL);
    CHECK_MSG(strstr(cs_errmsg(), "has no field 'probs'") != NULL, "%s", cs_errmsg());
    /* A run the file lacks. */
    int32_t runs[1] = {4};
    o.fields = 0;
    o.runs = runs;
    o.nruns = 1;
    CHECK(cs_traj_dump(cst, &o) == CS_EINVAL);
    CHECK_MSG(strstr(cs_errmsg(), "has no run 4 (it has: 0)") != NULL, "%s", cs_errmsg());
    /* A non-empty output directory is left alone. */
    o.runs = NULL;
    o.nruns = 0;
    CHECK(mkdir(dir, 0755) == 0);
    FILE *fp = fopen(keep, "w");
    if (fp)
        fclose(fp);
    CHECK(cs_traj_dump(cst, &o) == CS_EIO);
    CHECK_MSG(strstr(cs_errmsg(), "not empty") != NULL, "%s", cs_errmsg());
    CHECK(access(keep, F_OK) == 0);
    /* A missing trajectory. */
    char nope[700];
    snprintf(nope, sizeof nope, "%s/nope.cst", harness_tmpdir());
    CHECK(cs_traj_dump(nope, &o) == CS_EIO);
    CHECK(strstr(cs_errmsg(), "nope.cst") != NULL);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--fixture"))
        return make_fixture(argv[2]);
    if (argc != 1) {
        fprintf(stderr, "usage: test_dump [--fixture RUNDIR]\n");
        return 2;
    }
    RUN(test_fields_parse);
    RUN(test_raw_selection);
    RUN(test_gap);
    RUN(test_refusals);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", harness_tmpdir());
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove '%s'\n", harness_tmpdir());
    return harness_done();
}
