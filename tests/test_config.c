/* test_config.c - the config schema, YAML loader, --set, writer and checks.
 *
 * With an argument it is instead a tiny generator the shell tests use:
 *   test_config --man-keys     the KEYS section of man/coreset-config.5
 *   test_config --annotated    every key at its default, with help comments */
#include "../config/config.h"
#include "../run/run_prov.h"
#include "../datasets/dataset.h"
#include "../common/err.h"
#include "harness.h"

#include <stddef.h>

static char path_buf[1024];

/* Write `text` to a scratch file and return its path. */
static const char *scratch(const char *name, const char *text)
{
    snprintf(path_buf, sizeof path_buf, "%s/%s", harness_tmpdir(), name);
    FILE *fp = fopen(path_buf, "w");
    if (!fp) {
        perror(path_buf);
        exit(1);
    }
    fputs(text, fp);
    fclose(fp);
    return path_buf;
}

static void test_schema_is_consistent(void)
{
    CHECK(cs_config_nkeys <= CS_CFG_MAX_KEYS);
    /* model.name's choices are the table of nn/models.c, not a copy of it. */
    CHECK(cs_config_find_key("model.name")->choices == cs_model_names);
    for (size_t i = 0; i < cs_config_nkeys; i++) {
        const cs_cfg_key *k = &cs_config_keys[i];
        const char *dot = strchr(k->key, '.');
        CHECK_MSG(dot && !strchr(dot + 1, '.'), "%s: want section.key", k->key);
        CHECK_MSG(k->help && *k->help, "%s has no help", k->key);
        CHECK_MSG(k->def != NULL, "%s has no default", k->key);
        CHECK_MSG(k->type != CS_CFG_ENUM || (k->choices && k->choices[0]), "%s has no choices", k->key);
        CHECK_MSG(k->offset + k->size <= offsetof(cs_config, source), "%s lies outside the fields", k->key);
        CHECK_MSG(cs_config_find_key(k->key) == k, "%s is listed twice", k->key);
        /* The default parses and is in range. */
        cs_config c;
        memset(&c, 0, sizeof c);
        CHECK_MSG(cs_config_parse_value(&c, k, k->def) == 0, "%s default '%s': %s", k->key, k->def, cs_errmsg());
        /* Fields never overlap: sections are written in order, so ordering by offset suffices within one. */
        for (size_t j = 0; j < i; j++) {
            const cs_cfg_key *o = &cs_config_keys[j];
            CHECK_MSG(o->offset + o->size <= k->offset || k->offset + k->size <= o->offset,
                      "%s and %s share memory", k->key, o->key);
        }
        /* Keys of a section are contiguous in the table (the writer relies on it). */
        if (i > 0) {
            size_t sn = (size_t)(dot - k->key);
            const char *prev = cs_config_keys[i - 1].key;
            if (strncmp(prev, k->key, sn + 1) != 0)
                for (size_t j = 0; j + 1 < i; j++)
                    CHECK_MSG(strncmp(cs_config_keys[j].key, k->key, sn + 1) != 0, "section of %s is split",
                              k->key);
        }
    }
}

static void test_defaults(void)
{
    cs_config c;
    cs_config_init(&c);
    CHECK(c.dataset.path[0] == 0);
    CHECK(c.dataset.kind == CS_KIND_AUTO);
    CHECK(!strcmp(c.dataset.train_split, "train") && !strcmp(c.dataset.test_split, "test"));
    CHECK(c.model.name == CS_MODEL_CNN_SMALL && c.model.width == 64 && c.model.kernel_size == 7);
    CHECK(!strcmp(c.model.blocks, "2,2,2,2"));
    CHECK(c.train.epochs == 10 && c.train.batch_size == 128 && c.train.optimizer == CS_OPTIMIZER_SGD);
    CHECK(c.train.lr == 0.1 && c.train.momentum == 0.9 && c.train.weight_decay == 5e-4);
    CHECK(c.train.beta1 == 0.9 && c.train.beta2 == 0.999 && !c.train.nesterov);
    CHECK(c.train.schedule == CS_SCHED_COSINE && !strcmp(c.train.device, "cpu"));
    CHECK(c.train.threads == 0);
    CHECK(c.record.probs == CS_AUTO && c.record.focus_every == 1 && !strcmp(c.record.focus_layer, "last"));
    CHECK(c.dropout.method == CS_DROP_NONE && c.dropout.tau == 0.7 && c.dropout.gamma == 0.99);
    CHECK(c.score.runs == 1 && c.score.eva_k == 10 && c.score.eva_weight == 0.5);
    CHECK(c.score.el2n_from == 1 && c.score.el2n_to == 10 && c.score.forgetting_never == CS_NEVER_INF);
    for (size_t i = 0; i < cs_config_nkeys; i++)
        CHECK(c.source[i] == CS_CFG_DEFAULT);
    CHECK(cs_config_validate(&c) == CS_EINVAL);
    CHECK(!strcmp(cs_errmsg(), "config has no dataset.path"));
    cs_config_release(&c);
}

static void test_load_good_file(void)
{
    const char *p = scratch("good.yaml", "# a comment\n"
                                         "dataset:\n"
                                         "  path: \"/data/x y.npz\"   # quoted, with a space\n"
                                         "  kind: npz\n"
                                         "  num_classes: 3\n"
                                         "model: {name: resnet18, width: 32}\n"
                                         "train.epochs: 25\n"
                                         "train:\n"
                                         "  lr: 1e-2\n"
                                         "  nesterov: yes\n"
                                         "  device: 'cuda:1'\n"
                                         "  optimizer: adamw\n"
                                         "record:\n"
                                         "  probs: no\n"
                                         "score:\n"
                                         "  eva_combine: weighted\n"
                                         "dropout:\n");
    cs_config c;
    cs_config_init(&c);
    CHECK_OK(cs_config_load(&c, p));
    CHECK(!strcmp(c.dataset.path, "/data/x y.npz"));
    CHECK(c.dataset.kind == CS_KIND_NPZ && c.dataset.num_classes == 3);
    CHECK(c.model.name == CS_MODEL_RESNET18 && c.model.width == 32);
    CHECK(c.train.epochs == 25 && c.train.lr == 0.01 && c.train.nesterov);
    CHECK(!strcmp(c.train.device, "cuda:1") && c.train.optimizer == CS_OPTIMIZER_ADAMW);
    CHECK(c.record.probs == CS_NO && c.score.eva_combine == CS_EVA_WEIGHTED);
    CHECK(c.train.batch_size == 128); /* untouched keys keep their defaults */
    CHECK(c.source[cs_config_find_key("train.epochs") - cs_config_keys] == CS_CFG_FROM_FILE);
    CHECK(c.source[cs_config_find_key("train.batch_size") - cs_config_keys] == CS_CFG_DEFAULT);
    CHECK_OK(cs_config_validate(&c));
}

static void test_only_path_is_valid(void)
{
    cs_config c;
    cs_config_init(&c);
    CHECK_OK(cs_config_load(&c, scratch("min.yaml", "dataset:\n  path: /x\n")));
    CHECK_OK(cs_config_validate(&c));
    /* An empty or comment-only file is a config of defaults. */
    cs_config d, e;
    cs_config_init(&d);
    cs_config_init(&e);
    CHECK_OK(cs_config_load(&d, scratch("empty.yaml", "")));
    CHECK_OK(cs_config_load(&d, scratch("comments.yaml", "# nothing\n---\n")));
    CHECK(cs_config_equal(&d, &e));
}

/* Each bad file must fail with exactly this message after "path:". */
static const struct {
    const char *yaml, *msg;
} bad[] = {
    {"train:\n  epoch: 5\n", "2:3: unknown key 'train.epoch', did you mean 'train.epochs'?"},
    {"epochs: 5\n", "1:1: unknown key 'epochs', did you mean 'train.epochs'?"},
    {"trian:\n  epochs: 1\n", "1:1: unknown key 'trian', did you mean 'train'?"},
    {"dataset:\n  path: x\n  colour: red\n", "3:3: unknown key 'dataset.colour'"},
    {"train:\n  checkpoint_every: 2\n", "2:3: key 'train.checkpoint_every' is no longer used (the surrogate pass "
                                        "writes a checkpoint after every epoch (resume needs it)); remove it"},
    {"train:\n  epochs: ten\n", "2:11: expected an integer, got 'ten'"},
    {"train:\n  epochs: 10.5\n", "2:11: expected an integer, got '10.5'"},
    {"train.lr: -1\n", "1:11: train.lr must be > 0, got -1"},
    {"train:\n  lr: .nan\n", "2:7: expected a number, got '.nan'"},
    {"train:\n  epochs: 0\n", "2:11: train.epochs must be in 1..100000, got 0"},
    {"train:\n  epochs: 99999999999999999999\n",
     "2:11: train.epochs must be in 1..100000, got 99999999999999999999"},
    {"train:\n  momentum: 1\n", "2:13: train.momentum must be in [0, 1), got 1"},
    {"dropout:\n  gamma: 0\n", "2:10: dropout.gamma must be in (0, 1], got 0"},
    {"model:\n  name: vgg\n", "2:9: model.name must be one of cnn-small, resnet18, resnet1d, got 'vgg'"},
    {"train:\n  nesterov: maybe\n", "2:13: expected true or false, got 'maybe'"},
    {"train:\n  device: gpu\n", "2:11: train.device must be cpu, cuda or cuda:N, got 'gpu'"},
    {"model:\n  blocks: 2,0,2\n", "2:11: model.blocks must be comma-separated positive block counts such as "
                                  "2,2,2,2, got '2,0,2'"},
    {"train:\n  epochs: 5\n  epochs: 6\n", "3:3: duplicate key 'train.epochs' (first given at line 2)"},
    {"train.epochs: 5\ntrain:\n  epochs: 6\n", "3:3: duplicate key 'train.epochs' (first given at line 1)"},
    {"train: {}\ntrain: {}\n", "2:1: duplicate key 'train' (first given at line 1)"},
    {"- a\n- b\n", "1:1: expected a mapping of config keys at the top level, got a sequence"},
    {"hello\n", "1:1: expected a mapping of config keys at the top level, got a scalar"},
    {"train:\n  epochs: [1, 2]\n", "2:11: expected an integer, got a sequence"},
    {"train:\n  lr:\n    x: 1\n", "3:5: expected a number, got a mapping"},
    {"train: 5\n", "1:8: 'train' is a section: expected a mapping of its keys, got a scalar"},
    {"train:\n  epochs: &e 5\n  batch_size: *e\n", "3:15: expected an integer, got an alias"},
    {"[a]: 1\n", "1:1: expected a key name, got a sequence"},
    {"train:\n  epochs: 1\n---\ntrain:\n  epochs: 2\n", "3:1: a config holds one YAML document, this is a second one"},
    /* libyaml's own syntax errors, with its problem and context. */
    {"train: {epochs: 5\n", "2:1: did not find expected ',' or '}' (while parsing a flow mapping at line 1)"},
    {"train:\n  epochs: 5\n lr: 2\n", "3:2: did not find expected key (while parsing a block mapping at line 1)"},
    {"train:\n\tepochs: 5\n", "2:1: found character that cannot start any token (while scanning for the next "
                              "token at line 2)"},
};

static void test_bad_files(void)
{
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "bad%zu.yaml", i);
        const char *p = scratch(name, bad[i].yaml);
        char want[1200];
        snprintf(want, sizeof want, "%s:%s", p, bad[i].msg);
        cs_config c, fresh;
        cs_config_init(&c);
        cs_config_init(&fresh);
        int rc = cs_config_load(&c, p);
        CHECK_MSG(rc < 0, "bad[%zu] loaded", i);
        CHECK_MSG(!strcmp(cs_errmsg(), want), "bad[%zu]:\n    got  %s\n    want %s", i, cs_errmsg(), want);
        /* A failed load leaves the config as it was. */
        CHECK_MSG(cs_config_equal(&c, &fresh), "bad[%zu] changed the config", i);
    }
}

static void test_missing_file(void)
{
    cs_config c;
    cs_config_init(&c);
    char p[1100], want[1200];
    snprintf(p, sizeof p, "%s/nope.yaml", harness_tmpdir());
    snprintf(want, sizeof want, "cannot open '%s': No such file or directory", p);
    CHECK(cs_config_load(&c, p) == CS_EIO);
    CHECK_MSG(!strcmp(cs_errmsg(), want), "got %s", cs_errmsg());
}

static void test_set(void)
{
    cs_config c;
    cs_config_init(&c);
    CHECK_OK(cs_config_load(&c, scratch("set.yaml", "train:\n  epochs: 5\n")));
    CHECK_OK(cs_config_set(&c, "train.epochs=20"));
    CHECK(c.train.epochs == 20);
    CHECK(c.source[cs_config_find_key("train.epochs") - cs_config_keys] == CS_CFG_FROM_SET);
    CHECK_OK(cs_config_set(&c, "dataset.path=a=b"));
    CHECK(!strcmp(c.dataset.path, "a=b"));
    CHECK_OK(cs_config_set(&c, "model.name=resnet1d"));
    CHECK(c.model.name == CS_MODEL_RESNET1D);
    static const struct {
        const char *arg, *msg;
    } errs[] = {
        {"train.epochs=abc", "--set train.epochs=abc: expected an integer, got 'abc'"},
        {"train.epochs= 5", "--set train.epochs= 5: expected an integer, got ' 5'"},
        {"train.epochs", "--set train.epochs: expected KEY=VALUE"},
        {"train.epoch=3", "--set train.epoch=3: unknown key 'train.epoch', did you mean 'train.epochs'?"},
        {"=3", "--set =3: unknown key ''"},
        {"train.lr=-1", "--set train.lr=-1: train.lr must be > 0, got -1"},
        {"train.lr=0x10", "--set train.lr=0x10: expected a number, got '0x10'"},
        {"train.lr=inf", "--set train.lr=inf: expected a number, got 'inf'"},
        {"model.name=vgg", "--set model.name=vgg: model.name must be one of cnn-small, resnet18, resnet1d, got 'vgg'"},
        {"train.device=cuda:", "--set train.device=cuda:: train.device must be cpu, cuda or cuda:N, got 'cuda:'"},
        {"dataset.images=a\xff" "b", "--set dataset.images=a\xff" "b: dataset.images is not valid UTF-8 (byte 2)"},
        {"dataset.images=\xed\xa0\x80", "--set dataset.images=\xed\xa0\x80: dataset.images is not valid UTF-8 (byte 1)"},
        {"train.augment_hflip=2", "--set train.augment_hflip=2: expected true or false, got '2'"},
    };
    cs_config before = c;
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        CHECK_MSG(cs_config_set(&c, errs[i].arg) == CS_EINVAL, "%s accepted", errs[i].arg);
        CHECK_MSG(!strcmp(cs_errmsg(), errs[i].msg), "\n    got  %s\n    want %s", cs_errmsg(), errs[i].msg);
    }
    CHECK(cs_config_equal(&c, &before) && !memcmp(c.source, before.source, sizeof c.source));
    /* A string longer than its field is refused, not cut. */
    char big[CS_CFG_PATH_MAX + 32];
    snprintf(big, sizeof big, "dataset.path=%0*d", CS_CFG_PATH_MAX, 0);
    CHECK(cs_config_set(&c, big) == CS_EINVAL);
    CHECK(strstr(cs_errmsg(), "dataset.path is too long (4096 bytes, at most 4095)") != NULL);
}

/* A valid value for k different from its default. */
static void other_value(const cs_cfg_key *k, char *buf, size_t size)
{
    cs_config c;
    memset(&c, 0, sizeof c);
    switch (k->type) {
    case CS_CFG_INT:
    case CS_CFG_FLOAT: {
        double d = strtod(k->def, NULL);
        double cand[] = {d / 3, d + 1.0 / 3, d - 1.0 / 3, d + 1, d - 1};
        for (size_t i = 0; i < 5; i++) {
            if (k->type == CS_CFG_INT)
                snprintf(buf, size, "%d", (int)cand[i]);
            else
                snprintf(buf, size, "%.17g", cand[i]);
            if (strcmp(buf, k->def) && strtod(buf, NULL) != d && cs_config_parse_value(&c, k, buf) == 0)
                return;
        }
        break;
    }
    case CS_CFG_BOOL: snprintf(buf, size, "%s", strcmp(k->def, "true") ? "true" : "false"); return;
    case CS_CFG_ENUM: snprintf(buf, size, "%s", k->choices[1] ? k->choices[1] : k->choices[0]); return;
    case CS_CFG_STRING: {
        /* Awkward strings first: quotes, backslash, colon, '#', leading dash, a YAML keyword. */
        /* ... and UTF-8: e-acute, NEL (a YAML line break), LINE SEPARATOR, a BOM. */
        const char *cand[] = {"-x: \"q\" \\ #y 'z'\ttab \xc3\xa9\xc2\x85\xe2\x80\xa8\xef\xbb\xbf", "yes", "cuda:3",
                              "3,4,6,3"};
        for (size_t i = 0; i < 4; i++)
            if (cs_config_parse_value(&c, k, cand[i]) == 0) {
                snprintf(buf, size, "%s", cand[i]);
                return;
            }
        break;
    }
    }
    snprintf(buf, size, "?");
}

static void check_round_trip(const cs_config *c, int annotated)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    CHECK_OK(annotated ? cs_config_write_annotated(c, fp) : cs_config_write(c, fp));
    fclose(fp);
    cs_config back;
    cs_config_init(&back);
    CHECK_OK(cs_config_load_mem(&back, "written", text, len));
    CHECK_MSG(cs_config_equal(c, &back), "round trip differs:\n%s", text);
    for (size_t i = 0; i < cs_config_nkeys; i++)
        CHECK_MSG(back.source[i] == CS_CFG_FROM_FILE, "%s not written", cs_config_keys[i].key);
    free(text);
}

/* A run.yaml written before a key was removed still loads, the key skipped:
 * such a run must resume and rescore.  --set refuses the key with the reason. */
static void test_retired_keys(void)
{
    static const char run_yaml[] = "dataset:\n  path: /x\ntrain:\n  epochs: 7\n"
                                   "  checkpoint_every: 1\nprovenance:\n  seed: 0\n";
    cs_config c, want;
    cs_config_init(&c);
    cs_config_init(&want);
    CHECK_OK(cs_config_load_run(&c, scratch("old-run.yaml", run_yaml)));
    CHECK_OK(cs_config_set(&want, "dataset.path=/x"));
    CHECK_OK(cs_config_set(&want, "train.epochs=7"));
    CHECK(cs_config_equal(&c, &want));
    cs_config_init(&c);
    CHECK(cs_config_load(&c, path_buf) == CS_EINVAL && strstr(cs_errmsg(), "'train.checkpoint_every' is no longer used"));
    CHECK(cs_config_set(&c, "train.checkpoint_every=1") == CS_EINVAL);
    CHECK_MSG(strstr(cs_errmsg(), "--set train.checkpoint_every=1: key 'train.checkpoint_every' is no longer used"),
              "%s", cs_errmsg());
    CHECK(cs_config_retired("train.epochs") == NULL && cs_config_find_key("train.checkpoint_every") == NULL);
}

static void test_round_trip(void)
{
    cs_config c;
    cs_config_init(&c);
    check_round_trip(&c, 0);
    char arg[256], val[200];
    for (size_t i = 0; i < cs_config_nkeys; i++) {
        other_value(&cs_config_keys[i], val, sizeof val);
        snprintf(arg, sizeof arg, "%s=%s", cs_config_keys[i].key, val);
        CHECK_MSG(cs_config_set(&c, arg) == 0, "%s: %s", arg, cs_errmsg());
    }
    /* Every key now differs from its default, so equality is a real check of every field. */
    cs_config d;
    cs_config_init(&d);
    for (size_t i = 0; i < cs_config_nkeys; i++) {
        cs_config one = d;
        char arg2[256];
        cs_config_value_text(&c, &cs_config_keys[i], val, sizeof val);
        snprintf(arg2, sizeof arg2, "%s=%s", cs_config_keys[i].key, val);
        CHECK_OK(cs_config_set(&one, arg2));
        CHECK_MSG(!cs_config_equal(&one, &d), "%s: other value equals the default", cs_config_keys[i].key);
    }
    check_round_trip(&c, 0);
    check_round_trip(&c, 1);
}

static void test_validate(void)
{
    static const struct {
        const char *set, *msg;
    } cases[] = {
        {"score.el2n_from=5", "score.el2n_from (5) is after score.el2n_to (3)"},
        {"train.nesterov=true", "train.nesterov needs train.momentum > 0"},
        {"train.warmup_epochs=12.5", "train.warmup_epochs (12.5) exceeds train.epochs (10)"},
        {"dropout.revision_epochs=11", "dropout.revision_epochs (11) exceeds train.epochs (10)"},
        {"score.eva_late_start=5", "score.eva_late_start (5) overlaps the early window (epochs 1 to 10 of score.eva_k 10)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cs_config c;
        cs_config_init(&c);
        CHECK_OK(cs_config_set(&c, "dataset.path=x"));
        CHECK_OK(cs_config_set(&c, "score.el2n_to=3"));
        CHECK_OK(cs_config_set(&c, "train.momentum=0"));
        CHECK_OK(cs_config_set(&c, "dropout.method=srd"));
        CHECK_OK(cs_config_validate(&c));
        CHECK_OK(cs_config_set(&c, cases[i].set));
        CHECK(cs_config_validate(&c) == CS_EINVAL);
        CHECK_MSG(!strcmp(cs_errmsg(), cases[i].msg), "\n    got  %s\n    want %s", cs_errmsg(), cases[i].msg);
    }
}

static void test_defaults_used(void)
{
    cs_config c;
    cs_config_init(&c);
    CHECK_OK(cs_config_load(&c, scratch("du.yaml", "dataset.path: p\ntrain:\n  epochs: 3\n")));
    CHECK_OK(cs_config_set(&c, "train.lr=0.5"));
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    CHECK_OK(cs_config_print_defaults_used(&c, fp));
    fclose(fp);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    CHECK(lines == cs_config_nkeys - 3);
    CHECK(strstr(text, "train.epochs:") == NULL && strstr(text, "train.lr:") == NULL);
    CHECK(strstr(text, "dataset.path:") == NULL);
    CHECK(strstr(text, "train.batch_size: 128 (default)\n") != NULL);
    CHECK(strstr(text, "dataset.images: \"\" (default)\n") != NULL);
    free(text);
}

static void test_closest_key(void)
{
    CHECK(cs_config_closest_key("train.epohcs") && !strcmp(cs_config_closest_key("train.epohcs"), "train.epochs"));
    CHECK(cs_config_closest_key("modle") && !strcmp(cs_config_closest_key("modle"), "model"));
    CHECK(cs_config_closest_key("lr") && !strcmp(cs_config_closest_key("lr"), "train.lr"));
    CHECK(cs_config_closest_key("zzzzzzzz") == NULL);
    CHECK(cs_config_closest_key("train.learning_rate") == NULL);
}

static void test_bundled_configs(void)
{
    cs_config c;
    cs_config_init(&c);
    CHECK_OK(cs_config_load(&c, "configs/fashion-mnist.yaml"));
    CHECK_OK(cs_config_validate(&c));
    CHECK(!strcmp(c.dataset.path, "/usr/share/datasets/fashion-mnist") && c.model.name == CS_MODEL_CNN_SMALL);
    CHECK(c.train.optimizer == CS_OPTIMIZER_SGD && c.train.schedule == CS_SCHED_COSINE);

    cs_config_init(&c);
    CHECK_OK(cs_config_load(&c, "configs/pneumoniamnist.yaml"));
    CHECK_OK(cs_config_validate(&c));
    CHECK(!strcmp(c.dataset.path, "../shared/data/medmnist/pneumoniamnist.npz"));
    CHECK(c.model.name == CS_MODEL_RESNET18);

    /* The example sets every key explicitly, so it documents them all. */
    cs_config_init(&c);
    CHECK_OK(cs_config_load(&c, "configs/coreset-example.yaml"));
    CHECK_OK(cs_config_validate(&c));
    for (size_t i = 0; i < cs_config_nkeys; i++)
        CHECK_MSG(c.source[i] == CS_CFG_FROM_FILE, "coreset-example.yaml lacks %s", cs_config_keys[i].key);
}

/* run.yaml's provenance mapping through run/run_prov.c: strings written
 * by cs_yaml_put_string read back as they were (quotes, backslashes, ": ",
 * non-ASCII), lists come back as "[a, b]", other sections and nested
 * mappings are skipped, and bad YAML names the file and line. */
static void test_run_provenance(void)
{
    static const char *const odd[] = {"plain/path.h5", "with \"quotes\" and \\ back", "a: b # c", "yes",
                                      "0.5", "", "caf\xc3\xa9 \t tab"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *fp = open_memstream(&buf, &len);
        fputs("train:\n  epochs: 3\nprovenance:\n  dataset: ", fp);
        cs_yaml_put_string(odd[i], fp);
        fputs("\n  nested:\n    a: 1\n  effective_epochs: [1.5000, 2.2500]\n  seed: 7\nafter: 1\n", fp);
        fclose(fp);
        cs_run_prov p;
        int rc = cs_run_prov_read_mem(&p, "run.yaml", buf, len);
        CHECK(rc == 0);
        const char *d = cs_run_prov_get(&p, "dataset");
        CHECK(d && !strcmp(d, odd[i]));
        const char *ee = cs_run_prov_get(&p, "effective_epochs");
        CHECK(ee && !strcmp(ee, "[1.5000, 2.2500]"));
        CHECK(cs_run_prov_get(&p, "seed") && !strcmp(cs_run_prov_get(&p, "seed"), "7"));
        CHECK(!cs_run_prov_get(&p, "nested") && !cs_run_prov_get(&p, "after") && !cs_run_prov_get(&p, "epochs"));
        CHECK(p.n == 3);
        cs_run_prov_release(&p);
        free(buf);
    }
    /* class_names: each name written by cs_yaml_put_string comes back as an
     * item; the list is used only when it names every class. */
    {
        char *buf = NULL;
        size_t len = 0;
        FILE *fp = open_memstream(&buf, &len);
        fputs("provenance:\n  class_names: [", fp);
        for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
            fputs(i ? ", " : "", fp);
            cs_yaml_put_string(odd[i], fp);
        }
        fputs(", \"a, b]\", N]\n", fp);
        fclose(fp);
        cs_run_prov p;
        CHECK(cs_run_prov_read_mem(&p, "run.yaml", buf, len) == 0);
        int nn = (int)(sizeof odd / sizeof odd[0]) + 2;
        const char *names[16] = {0};
        CHECK(cs_run_prov_class_names(&p, nn, names) == 1);
        for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
            CHECK(names[i] && !strcmp(names[i], odd[i]));
        CHECK(names[nn - 2] && !strcmp(names[nn - 2], "a, b]"));
        CHECK(names[nn - 1] && !strcmp(names[nn - 1], "N"));
        CHECK(cs_run_prov_class_names(&p, nn - 1, names) == 0);
        cs_run_prov_release(&p);
        free(buf);
    }
    /* Lists that are not plain: nested items are skipped (the item has no
     * list then), an empty list is an empty list, and a name that is not
     * UTF-8 is written as \xNN escapes and reads back as Latin-1 text. */
    {
        char *buf = NULL;
        size_t len = 0;
        FILE *fp = open_memstream(&buf, &len);
        fputs("provenance:\n  extra: [[1, 2], a, {b: 1}]\n  class_names: []\n  latin: ", fp);
        cs_yaml_put_string("caf\xe9", fp);
        fputs("\n", fp);
        fclose(fp);
        cs_run_prov p;
        CHECK(cs_run_prov_read_mem(&p, "run.yaml", buf, len) == 0);
        CHECK(cs_run_prov_get(&p, "extra") && !strcmp(cs_run_prov_get(&p, "extra"), "[a]"));
        CHECK(p.n == 3 && p.item[0].list == NULL && p.item[1].list != NULL && p.item[1].nlist == 0);
        CHECK(cs_run_prov_get(&p, "latin") && !strcmp(cs_run_prov_get(&p, "latin"), "caf\xc3\xa9"));
        const char *names[2];
        CHECK(cs_run_prov_class_names(&p, 0, names) == 1 && cs_run_prov_class_names(&p, 1, names) == 0);
        cs_run_prov_release(&p);
        free(buf);
    }
    cs_run_prov p;
    static const char none[] = "train:\n  epochs: 3\n";
    CHECK(cs_run_prov_read_mem(&p, "run.yaml", none, sizeof none - 1) == 0 && p.n == 0);
    cs_run_prov_release(&p);
    static const char broken[] = "provenance:\n  dataset: \"unclosed\n  seed: 1\n";
    CHECK(cs_run_prov_read_mem(&p, "x/run.yaml", broken, sizeof broken - 1) != 0);
    CHECK(strstr(cs_errmsg(), "x/run.yaml:") != NULL);
    cs_run_prov_release(&p);
    CHECK(cs_run_prov_read(&p, "/nonexistent/run.yaml") != 0 && p.n == 0);
    cs_run_prov_release(&p);
}

/* dataset.kind's choices are "auto" and the dataset readers' table, no more,
 * no less: a reader added to the table must also be nameable in a config. */
static void test_dataset_kinds_are_the_readers(void)
{
    const cs_cfg_key *k = cs_config_find_key("dataset.kind");
    CHECK(k && k->choices && !strcmp(k->choices[0], "auto"));
    if (!k || !k->choices)
        return;
    int nk = 0, nr = 0;
    while (k->choices[1 + nk])
        nk++;
    while (cs_dataset_kind_at(nr))
        nr++;
    CHECK(nk == nr && nr == 8);
    for (int r = 0; r < nr; r++) {
        int found = 0;
        for (int c = 1; k->choices[c]; c++)
            found |= !strcmp(k->choices[c], cs_dataset_kind_at(r));
        CHECK(found);
    }
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--man-keys"))
        return cs_config_write_man_keys(stdout) ? 1 : 0;
    if (argc == 2 && !strcmp(argv[1], "--annotated")) {
        cs_config c;
        cs_config_init(&c);
        return cs_config_write_annotated(&c, stdout) ? 1 : 0;
    }
    RUN(test_schema_is_consistent);
    RUN(test_defaults);
    RUN(test_load_good_file);
    RUN(test_only_path_is_valid);
    RUN(test_bad_files);
    RUN(test_missing_file);
    RUN(test_set);
    RUN(test_retired_keys);
    RUN(test_round_trip);
    RUN(test_validate);
    RUN(test_defaults_used);
    RUN(test_closest_key);
    RUN(test_bundled_configs);
    RUN(test_run_provenance);
    RUN(test_dataset_kinds_are_the_readers);
    return harness_done();
}
