/* config.h - coreset's configuration: a plain struct read directly by the
 * stages (cfg->train.epochs), and the one schema table (schema.c) of YAML keys
 * with types, ranges, defaults and help that drives loading, --set overrides,
 * writing, the man page's KEYS section and the tests.
 *
 *   cs_config cfg;
 *   cs_config_init(&cfg);                       all defaults
 *   cs_config_load(&cfg, "run.yaml");           file values on top
 *   cs_config_set(&cfg, "train.epochs=20");     --set on top of the file
 *   cs_config_validate(&cfg);                   cross-field checks
 *   cs_config_write(&cfg, stdout);              the resolved config as YAML
 *   cs_config_release(&cfg);
 *
 * A failed load or set leaves the config as it was. */
#ifndef CS_CONFIG_H
#define CS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../nn/models.h" /* cs_model_name: model.name's choices are that table's names */

#define CS_CFG_PATH_MAX 4096 /* string keys holding paths */
#define CS_CFG_NAME_MAX 64   /* other string keys */
#define CS_CFG_MAX_KEYS 128  /* room in cs_config.source; the schema must fit */

/* Enum keys: each C enum's order is the order of its choices in schema.c. */
typedef enum cs_dataset_kind {
    CS_KIND_AUTO, CS_KIND_HDF5, CS_KIND_NPZ, CS_KIND_NPY, CS_KIND_IDX, CS_KIND_PTBXL,
    CS_KIND_WFDB_BEATS, CS_KIND_CINC, CS_KIND_FOLDER
} cs_dataset_kind;
/* dataset.on_bad_file (image folders): stop at the first file that fails, or leave it out. */
typedef enum cs_on_bad_file { CS_BAD_ERROR, CS_BAD_SKIP } cs_on_bad_file;
typedef enum cs_normalize { CS_NORM_DATASET, CS_NORM_NONE, CS_NORM_SAMPLE } cs_normalize;
typedef enum cs_optimizer { CS_OPTIMIZER_SGD, CS_OPTIMIZER_ADAMW } cs_optimizer;
typedef enum cs_schedule { CS_SCHED_COSINE, CS_SCHED_CONSTANT } cs_schedule;
typedef enum cs_tristate { CS_AUTO, CS_YES, CS_NO } cs_tristate;
typedef enum cs_focus_target { CS_FOCUS_PREDICTED, CS_FOCUS_TRUE } cs_focus_target;
/* Whose focus an epoch computes: every sample's, or only the ERTS filter's candidates'. */
/* Class weights of the training loss. */
typedef enum cs_class_weight { CS_CLASS_WEIGHT_NONE, CS_CLASS_WEIGHT_BALANCED } cs_class_weight;
typedef enum cs_focus_for { CS_FOCUS_FOR_ALL, CS_FOCUS_FOR_CANDIDATES } cs_focus_for;
typedef enum cs_dropout_method { CS_DROP_NONE, CS_DROP_DBPD, CS_DROP_SMRD, CS_DROP_SRD } cs_dropout_method;
typedef enum cs_eva_combine { CS_EVA_SUM, CS_EVA_WEIGHTED } cs_eva_combine;
typedef enum cs_never_forgotten { CS_NEVER_INF, CS_NEVER_ZERO } cs_never_forgotten;
typedef enum cs_ptbxl_rate { CS_PTBXL_100, CS_PTBXL_500 } cs_ptbxl_rate;
typedef enum cs_multi_label { CS_MULTI_SKIP, CS_MULTI_FIRST } cs_multi_label;
typedef enum cs_beat_split { CS_SPLIT_RANDOM, CS_SPLIT_RECORDS } cs_beat_split;
typedef enum cs_embed_dtype_key { CS_EMBED_DTYPE_FLOAT16, CS_EMBED_DTYPE_FLOAT32 } cs_embed_dtype_key;
typedef enum cs_embed_pass { CS_EMBED_PASS_RECORD, CS_EMBED_PASS_EVAL } cs_embed_pass;

typedef struct cs_config_dataset {
    char path[CS_CFG_PATH_MAX];
    cs_dataset_kind kind;
    char images[CS_CFG_NAME_MAX]; /* "" = the format's default */
    char labels[CS_CFG_NAME_MAX]; /* "" = the format's default */
    int num_classes;              /* 0 = infer */
    cs_normalize normalize;
    char train_split[CS_CFG_NAME_MAX];
    char test_split[CS_CFG_NAME_MAX];
    /* Image folders (dataset.kind folder). */
    char csv[CS_CFG_PATH_MAX];            /* "" = ImageFolder layout, else the label table */
    char csv_path_column[CS_CFG_NAME_MAX];
    char csv_label_column[CS_CFG_NAME_MAX];
    char classes[CS_CFG_PATH_MAX];        /* "" = from the data, else "a,b,c" */
    int channels;                         /* 0 = as the files, 1 grey, 3 RGB */
    int size;                             /* 0 = as the files, else N x N */
    cs_on_bad_file on_bad_file;
    char val_split[CS_CFG_NAME_MAX]; /* "" = none: select --by auto holds some training samples out */
} cs_config_dataset;

/* ECG datasets (dataset.kind ptbxl, wfdb-beats, cinc). */
typedef struct cs_config_ecg {
    char leads[256];              /* "" = every lead (the first for beats) */
    cs_ptbxl_rate ptbxl_rate;
    cs_multi_label multi_label;
    char train_folds[CS_CFG_NAME_MAX], val_folds[CS_CFG_NAME_MAX], test_folds[CS_CFG_NAME_MAX];
    double beat_before, beat_after; /* seconds */
    int beat_length;
    bool paced;
    cs_beat_split split;
    double test_fraction, val_fraction;
    int split_seed;
    char train_records[1024], val_records[1024], test_records[1024];
    char records[1024];           /* "" = every record */
    char classes[CS_CFG_PATH_MAX]; /* cinc: code-to-class table */
    int cinc_rate;
    int cinc_length;
} cs_config_ecg;

typedef struct cs_config_model {
    cs_model_name name;
    int width;                    /* base channel width */
    char blocks[CS_CFG_NAME_MAX]; /* "2,2,2,2": blocks per stage (resnets) */
    int kernel_size;              /* resnet1d */
} cs_config_model;

typedef struct cs_config_train {
    int epochs;
    int batch_size;
    cs_optimizer optimizer;
    double lr;
    double momentum;
    bool nesterov;
    double weight_decay;
    double beta1, beta2; /* adamw */
    cs_schedule schedule;
    double warmup_epochs;
    double label_smoothing;
    cs_class_weight class_weight;
    int seed;
    int threads;                  /* 0 = all cores */
    char device[CS_CFG_NAME_MAX]; /* cpu, cuda, cuda:N */
    int augment_crop_padding;
    bool augment_hflip;
    bool augment_vflip;
} cs_config_train;

typedef struct cs_config_record {
    bool eval_pass;
    cs_tristate probs;
    int focus_every; /* 0 = never */
    cs_focus_target focus_target;
    cs_focus_for focus_for;
    char focus_layer[CS_CFG_NAME_MAX];
    bool focus_resize;
    bool embed;                         /* store embeddings.h5 (train/embed_capture.h) */
    char embed_epochs[CS_CFG_NAME_MAX]; /* "auto" or epoch numbers "5,10" */
    cs_embed_dtype_key embed_dtype;
    cs_embed_pass embed_pass;           /* record = the recording pass; eval = an eval pass at the stored epochs */
} cs_config_record;

typedef struct cs_config_dropout {
    cs_dropout_method method;
    double tau;
    double gamma;
    bool erts;
    double phi;
    int revision_epochs;
} cs_config_dropout;

typedef struct cs_config_score {
    int runs;
    int folds; /* out-of-fold recording: K surrogates per run, each on K-1 folds (train/folds.h) */
    int eva_k;
    int eva_early_start;
    int eva_late_start; /* 0 = the last K epochs */
    bool eva_unbiased;
    bool eva_normalize;
    double eva_weight;
    cs_eva_combine eva_combine;
    int el2n_from, el2n_to;
    cs_never_forgotten forgetting_never;
    int uncertainty_last;
    int du_window;
    double focus_gamma;
    int dual_window, dual_epochs; /* 0: automatic (score/dual.c) */
    int tdds_window, tdds_epochs; /* 0: automatic (score/tdds.c) */
    double tdds_beta;
} cs_config_score;

/* Where a key's value came from. */
enum { CS_CFG_DEFAULT = 0, CS_CFG_FROM_FILE = 1, CS_CFG_FROM_SET = 2 };

typedef struct cs_config {
    cs_config_dataset dataset;
    cs_config_ecg ecg;
    cs_config_model model;
    cs_config_train train;
    cs_config_record record;
    cs_config_dropout dropout;
    cs_config_score score;
    unsigned char source[CS_CFG_MAX_KEYS]; /* CS_CFG_DEFAULT/FROM_FILE/FROM_SET, by schema index */
} cs_config;

/* --- the schema ------------------------------------------------------------ */
typedef enum cs_cfg_type { CS_CFG_INT, CS_CFG_FLOAT, CS_CFG_BOOL, CS_CFG_STRING, CS_CFG_ENUM } cs_cfg_type;
enum { CS_CFG_UNBOUNDED = 0, CS_CFG_INCL = 1, CS_CFG_EXCL = 2 }; /* kinds of range ends */

typedef struct cs_cfg_key {
    const char *key;  /* dotted: "train.epochs" */
    cs_cfg_type type;
    size_t offset;    /* offsetof(cs_config, ...) */
    size_t size;      /* sizeof the field (the buffer size of strings) */
    int lo_kind;      /* CS_CFG_UNBOUNDED, CS_CFG_INCL or CS_CFG_EXCL */
    double lo;
    int hi_kind;
    double hi;
    const char *def;                 /* the default, as it would be written in YAML */
    const char *const *choices;      /* enum: NULL-terminated, in the C enum's order */
    const char *(*check)(const char *value); /* strings: NULL if fine, else what is expected */
    const char *help;                /* one line */
} cs_cfg_key;

extern const cs_cfg_key cs_config_keys[];
extern const size_t cs_config_nkeys;

/* The schema entry for a dotted key, or NULL. */
const cs_cfg_key *cs_config_find_key(const char *key);
/* 1 if `prefix` names a section: some key starts with "<prefix>.". */
int cs_config_is_section(const char *prefix);
/* A key that was removed from the schema: why, or NULL.  run.yaml files skip
 * it (an older run still loads); a config or --set that gives it is refused. */
const char *cs_config_retired(const char *key);
/* The known key or section name closest to `key` by edit distance, or NULL if none is close. */
const char *cs_config_closest_key(const char *key);
/* "must be > 0", "must be in [0, 1)", "must be in 1..100000", or "" for an unbounded key. */
void cs_config_range_text(const cs_cfg_key *k, char *buf, size_t size);
/* "an integer", "a number", "true or false", "a string", "one of a, b, c". */
void cs_config_type_text(const cs_cfg_key *k, char *buf, size_t size);

/* --- the config -------------------------------------------------------------- */
void cs_config_init(cs_config *cfg);
void cs_config_release(cs_config *cfg); /* nothing is allocated today; call it anyway */

/* Load YAML (nested mappings, dotted keys allowed) on top of cfg.  Errors name
 * the file, line and column: "x.yaml:3:11: unknown key 'train.epoch', did you mean 'train.epochs'?" */
int cs_config_load(cs_config *cfg, const char *path);
/* As cs_config_load from memory; `name` stands for the file in messages. */
int cs_config_load_mem(cs_config *cfg, const char *name, const void *buf, size_t len);
/* As cs_config_load, for a run's run.yaml: its top-level `provenance:`
 * mapping (what coreset score recorded about the run) is skipped. */
int cs_config_load_run(cs_config *cfg, const char *path);
/* Apply one "KEY=VALUE" override (--set); errors start "--set KEY=VALUE: ". */
int cs_config_set(cs_config *cfg, const char *assignment);
/* Cross-field checks ("config has no dataset.path"). */
int cs_config_validate(const cs_config *cfg);

/* The resolved config as YAML: every key, nested by section, in schema order.
 * Loading the output gives back an equal config. */
int cs_config_write(const cs_config *cfg, FILE *fp);
/* A string as a YAML scalar that reads back as the same string: plain where
 * that is safe, else double-quoted with escapes (run.yaml's provenance too). */
void cs_yaml_put_string(const char *s, FILE *fp);
/* As cs_config_write, with each key's help, type and range as comments. */
int cs_config_write_annotated(const cs_config *cfg, FILE *fp);
/* One line per key still at its default: "train.epochs: 10 (default)". */
int cs_config_print_defaults_used(const cs_config *cfg, FILE *fp);
/* The man page's KEYS section body (roff), generated from the schema. */
int cs_config_write_man_keys(FILE *fp);

/* Length of the valid UTF-8 sequence at s (1..4) with its code point in *cp, or 0. */
int cs_config_utf8_next(const unsigned char *s, unsigned *cp);
/* 1 if every schema field of a and b is equal (sources are not compared). */
int cs_config_equal(const cs_config *a, const cs_config *b);
/* A key's value as YAML text (strings unquoted) into buf. */
void cs_config_value_text(const cs_config *cfg, const cs_cfg_key *k, char *buf, size_t size);
/* Parse `text` as key k's value into cfg (type, range, choices, check); on error
 * the message is "<problem>" without location, e.g. "expected an integer, got 'ten'". */
int cs_config_parse_value(cs_config *cfg, const cs_cfg_key *k, const char *text);

#endif
