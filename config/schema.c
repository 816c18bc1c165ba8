/* schema.c - the one table of config keys: type, place in cs_config, range,
 * default, choices and help.  Loading, --set, writing, the man page's KEYS
 * section and the tests all read it; a new key is one line here plus its
 * field in config.h.  Keys are grouped by section, and that order is the order
 * cs_config_write uses. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define F(field) offsetof(cs_config, field), sizeof(((cs_config *)0)->field)
/* Range ends: lower kind and value, upper kind and value. */
#define ANY CS_CFG_UNBOUNDED, 0, CS_CFG_UNBOUNDED, 0
#define GE(a) CS_CFG_INCL, (a), CS_CFG_UNBOUNDED, 0
#define GT(a) CS_CFG_EXCL, (a), CS_CFG_UNBOUNDED, 0
#define IN(a, b) CS_CFG_INCL, (a), CS_CFG_INCL, (b)
#define IN_HALF(a, b) CS_CFG_INCL, (a), CS_CFG_EXCL, (b)
#define IN_OPEN_LO(a, b) CS_CFG_EXCL, (a), CS_CFG_INCL, (b)

#define INT CS_CFG_INT
#define FLT CS_CFG_FLOAT
#define BOOL CS_CFG_BOOL
#define STR CS_CFG_STRING
#define ENUM CS_CFG_ENUM

static const char *const kinds[] = {"auto", "hdf5", "npz", "npy", "idx", "ptbxl", "wfdb-beats", "cinc", "folder", NULL};
static const char *const bad_files[] = {"error", "skip", NULL};
static const char *const normalizations[] = {"dataset", "none", "sample", NULL};
static const char *const rates[] = {"100", "500", NULL};
static const char *const multi_labels[] = {"skip", "first", NULL};
static const char *const beat_splits[] = {"random", "records", NULL};
static const char *const optimizers[] = {"sgd", "adamw", NULL};
static const char *const schedules[] = {"cosine", "constant", NULL};
static const char *const tristate[] = {"auto", "yes", "no", NULL};
static const char *const focus_targets[] = {"predicted", "true", NULL};
static const char *const class_weights[] = {"none", "balanced", NULL};
static const char *const focus_fors[] = {"all", "candidates", NULL};
static const char *const dropouts[] = {"none", "dbpd", "smrd", "srd", NULL};
static const char *const combines[] = {"sum", "weighted", NULL};
static const char *const nevers[] = {"inf", "zero", NULL};
static const char *const embed_dtypes[] = {"float16", "float32", NULL};
static const char *const embed_passes[] = {"record", "eval", NULL};

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static const char *check_device(const char *v)
{
    if (!strcmp(v, "cpu") || !strcmp(v, "cuda"))
        return NULL;
    if (!strncmp(v, "cuda:", 5) && all_digits(v + 5) && strlen(v + 5) <= 4)
        return NULL;
    return "cpu, cuda or cuda:N";
}

/* "2,2,2,2": one to eight positive counts of at most three digits. */
static const char *check_blocks(const char *v)
{
    const char *want = "comma-separated positive block counts such as 2,2,2,2";
    int stages = 0;
    const char *p = v;
    for (;;) {
        const char *start = p;
        while (*p >= '0' && *p <= '9')
            p++;
        size_t len = (size_t)(p - start);
        if (len == 0 || len > 3 || atoi(start) == 0 || ++stages > 8)
            return want;
        if (!*p)
            return NULL;
        if (*p != ',')
            return want;
        p++;
    }
}

static const char *check_name(const char *v) { return *v ? NULL : "a non-empty name"; }

/* record.embed_epochs: "auto", or epoch numbers such as 5,10 (in any order; checked
 * against train.epochs when the run starts, train/embed_capture.c). */
static const char *check_embed_epochs(const char *v)
{
    const char *want = "auto, or epoch numbers such as 5,10";
    if (!strcmp(v, "auto"))
        return NULL;
    for (const char *p = v;;) {
        char *end;
        if (*p < '0' || *p > '9')
            return want;
        long e = strtol(p, &end, 10);
        if (e < 1 || e > 100000)
            return want;
        if (!*end)
            return NULL;
        if (*end != ',')
            return want;
        p = end + 1;
    }
}

/* Comma-separated non-empty names of letters, digits and _ . / - (maybe empty). */
static const char *names_problem(const char *v)
{
    if (!*v)
        return NULL;
    for (const char *p = v;;) {
        while (*p == ' ')
            p++;
        size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-");
        if (n == 0)
            return "bad";
        p += n;
        while (*p == ' ')
            p++;
        if (!*p)
            return NULL;
        if (*p++ != ',')
            return "bad";
    }
}

static const char *check_leads(const char *v)
{
    return names_problem(v) ? "comma-separated lead names such as MLII or I,II,V1 (empty = the default)" : NULL;
}

static const char *check_records(const char *v)
{
    return names_problem(v) ? "comma-separated record names, DS1 or DS2, such as DS1,232 (may be empty)" : NULL;
}

/* "1-8", "9", "1,3-5": folds 1..10, ascending within a range; empty = none. */
static const char *check_folds(const char *v)
{
    const char *want = "folds 1..10 as numbers and ranges such as 1-8 or 1,3,5 (may be empty)";
    const char *p = v;
    while (*p == ' ')
        p++;
    if (!*p)
        return NULL;
    for (;;) {
        char *end;
        long a = strtol(p, &end, 10), b = a;
        if (end == p || *p < '0' || *p > '9')
            return want;
        p = end;
        if (*p == '-') {
            p++;
            if (*p < '0' || *p > '9')
                return want;
            b = strtol(p, &end, 10);
            p = end;
        }
        if (a < 1 || b > 10 || b < a)
            return want;
        while (*p == ' ')
            p++;
        if (!*p)
            return NULL;
        if (*p++ != ',')
            return want;
        while (*p == ' ')
            p++;
    }
}

const cs_cfg_key cs_config_keys[] = {
    /* dataset */
    {"dataset.path", STR, F(dataset.path), ANY, "", NULL, NULL,
     "the training data: a file (.h5, .npz, .npy, IDX) or a folder (IDX, PTB-XL, WFDB database, CinC); required"},
    {"dataset.kind", ENUM, F(dataset.kind), ANY, "auto", kinds, NULL,
     "the data set's format; auto picks it from the path (a folder by its ptbxl_database.csv, RECORDS, .atr or .mat files)"},
    {"dataset.images", STR, F(dataset.images), ANY, "", NULL, NULL,
     "name of the sample array inside the file; empty = the format's default"},
    {"dataset.labels", STR, F(dataset.labels), ANY, "", NULL, NULL,
     "name of the label array inside the file; empty = the format's default"},
    {"dataset.num_classes", INT, F(dataset.num_classes), GE(0), "0", NULL, NULL,
     "number of classes; 0 = infer from the file (class names, else the largest label + 1)"},
    {"dataset.normalize", ENUM, F(dataset.normalize), ANY, "dataset", normalizations, NULL,
     "input normalisation: per-channel mean and std of the training split, none, or per sample and lead (z-score of each record or beat)"},
    {"dataset.train_split", STR, F(dataset.train_split), ANY, "train", NULL, check_name,
     "name of the split the surrogate trains on and the coreset is drawn from"},
    {"dataset.test_split", STR, F(dataset.test_split), ANY, "test", NULL, check_name,
     "name of the split used to evaluate"},
    {"dataset.csv", STR, F(dataset.csv), ANY, "", NULL, NULL,
     "folder kind: a CSV of labels (relative to dataset.path unless absolute); empty = ImageFolder layout (one sub-folder per class)"},
    {"dataset.csv_path_column", STR, F(dataset.csv_path_column), ANY, "path", NULL, check_name,
     "folder kind: the CSV column holding each image's path, relative to dataset.path (a first folder train/, val/ or test/ names the split)"},
    {"dataset.csv_label_column", STR, F(dataset.csv_label_column), ANY, "label", NULL, check_name,
     "folder kind: the CSV column holding each image's label, an integer or a class name"},
    {"dataset.classes", STR, F(dataset.classes), ANY, "", NULL, NULL,
     "folder kind: the class names in label order, comma-separated; empty = the sub-folder or label names, sorted"},
    {"dataset.channels", INT, F(dataset.channels), IN(0, 3), "0", NULL, NULL,
     "folder kind: 1 grey or 3 RGB (converted with ITU-R 601-2 luma or copied); 0 = as the files, which must agree"},
    {"dataset.size", INT, F(dataset.size), IN(0, 4096), "0", NULL, NULL,
     "folder kind: resize every image to size x size with the box (area) filter, as PIL's Image.BOX; 0 = keep, all files of one size"},
    {"dataset.on_bad_file", ENUM, F(dataset.on_bad_file), ANY, "error", bad_files, NULL,
     "folder kind: a file that fails to decode stops the command with its name (error), or is left out and counted (skip)"},
    {"dataset.val_split", STR, F(dataset.val_split), ANY, "val", NULL, NULL,
     "name of the validation split `coreset select --by auto` chooses the rule on; empty, or absent from the file = "
     "a stratified holdout of the training split (select --val)"},
    /* ecg */
    {"ecg.leads", STR, F(ecg.leads), ANY, "", NULL, check_leads,
     "leads by name as in the headers (MLII, V1, I, AVR, ...); empty = every lead, for wfdb-beats the first"},
    {"ecg.ptbxl_rate", ENUM, F(ecg.ptbxl_rate), ANY, "100", rates, NULL,
     "PTB-XL records to read: records100/ (100 Hz, 1000 samples) or records500/ (500 Hz, 5000)"},
    {"ecg.multi_label", ENUM, F(ecg.multi_label), ANY, "skip", multi_labels, NULL,
     "records with several classes: skip them, or take the first (PTB-XL: by likelihood; cinc: as listed)"},
    {"ecg.train_folds", STR, F(ecg.train_folds), ANY, "1-8", NULL, check_folds,
     "PTB-XL strat_fold values of the train split"},
    {"ecg.val_folds", STR, F(ecg.val_folds), ANY, "9", NULL, check_folds,
     "PTB-XL strat_fold values of the val split; empty = no val split"},
    {"ecg.test_folds", STR, F(ecg.test_folds), ANY, "10", NULL, check_folds,
     "PTB-XL strat_fold values of the test split; empty = no test split"},
    {"ecg.beat_before", FLT, F(ecg.beat_before), IN(0, 10), "0.25", NULL, NULL,
     "wfdb-beats: seconds of signal before the annotated R peak"},
    {"ecg.beat_after", FLT, F(ecg.beat_after), IN(0, 10), "0.45", NULL, NULL,
     "wfdb-beats: seconds of signal after the annotated R peak"},
    {"ecg.beat_length", INT, F(ecg.beat_length), IN(2, 65536), "256", NULL, NULL,
     "wfdb-beats: points per beat after linear resampling of the window"},
    {"ecg.paced", BOOL, F(ecg.paced), ANY, "false", NULL, NULL,
     "wfdb-beats: keep records holding paced beats (MIT-BIH 102, 104, 107, 217)"},
    {"ecg.split", ENUM, F(ecg.split), ANY, "random", beat_splits, NULL,
     "wfdb-beats and cinc splits: random by beat or record (stratified by class), or by the record lists"},
    {"ecg.test_fraction", FLT, F(ecg.test_fraction), IN_HALF(0, 1), "0.2", NULL, NULL,
     "random split: share of each class in the test split"},
    {"ecg.val_fraction", FLT, F(ecg.val_fraction), IN_HALF(0, 1), "0", NULL, NULL,
     "random split: share of each class in the val split; 0 = no val split"},
    {"ecg.split_seed", INT, F(ecg.split_seed), IN(0, INT_MAX), "0", NULL, NULL,
     "seed of the random split"},
    {"ecg.train_records", STR, F(ecg.train_records), ANY, "DS1", NULL, check_records,
     "record split: records of the train split; DS1 and DS2 are de Chazal's MIT-BIH lists"},
    {"ecg.val_records", STR, F(ecg.val_records), ANY, "", NULL, check_records,
     "record split: records of the val split; empty = no val split"},
    {"ecg.test_records", STR, F(ecg.test_records), ANY, "DS2", NULL, check_records,
     "record split: records of the test split; empty = no test split"},
    {"ecg.records", STR, F(ecg.records), ANY, "", NULL, check_records,
     "wfdb-beats, cinc: use only these records (names, DS1, DS2); empty = every record"},
    {"ecg.classes", STR, F(ecg.classes), ANY, "", NULL, NULL,
     "cinc: CSV table of SNOMED CT codes and their classes (code,class rows, or dx_mapping_scored.csv)"},
    {"ecg.cinc_rate", INT, F(ecg.cinc_rate), IN(1, 100000), "500", NULL, NULL,
     "cinc: samples per second; records at another rate are resampled linearly"},
    {"ecg.cinc_length", INT, F(ecg.cinc_length), IN(1, 10000000), "5000", NULL, NULL,
     "cinc: samples per lead; longer records are cut, shorter ones padded with zeros"},
    /* model */
    {"model.name", ENUM, F(model.name), ANY, "cnn-small", cs_model_names, NULL,
     "the surrogate network: a small CNN, ResNet-18 (images) or a 1-D ResNet (ECG)"},
    {"model.width", INT, F(model.width), IN(4, 1024), "64", NULL, NULL,
     "base channel width (channels of the first stage; later stages double it)"},
    {"model.blocks", STR, F(model.blocks), ANY, "2,2,2,2", NULL, check_blocks,
     "residual blocks per stage, comma-separated (resnet18, resnet1d)"},
    {"model.kernel_size", INT, F(model.kernel_size), IN(1, 255), "7", NULL, NULL,
     "convolution kernel length of resnet1d"},
    /* train */
    {"train.epochs", INT, F(train.epochs), IN(1, 100000), "10", NULL, NULL,
     "epochs of surrogate training (every one is recorded)"},
    {"train.batch_size", INT, F(train.batch_size), IN(1, 65536), "128", NULL, NULL,
     "mini-batch size"},
    {"train.optimizer", ENUM, F(train.optimizer), ANY, "sgd", optimizers, NULL,
     "the optimiser"},
    {"train.lr", FLT, F(train.lr), GT(0), "0.1", NULL, NULL,
     "peak learning rate"},
    {"train.momentum", FLT, F(train.momentum), IN_HALF(0, 1), "0.9", NULL, NULL,
     "SGD momentum"},
    {"train.nesterov", BOOL, F(train.nesterov), ANY, "false", NULL, NULL,
     "use Nesterov momentum (SGD; needs train.momentum > 0)"},
    {"train.weight_decay", FLT, F(train.weight_decay), GE(0), "0.0005", NULL, NULL,
     "weight decay (L2 for SGD, decoupled for AdamW)"},
    {"train.beta1", FLT, F(train.beta1), IN_HALF(0, 1), "0.9", NULL, NULL,
     "AdamW first-moment decay"},
    {"train.beta2", FLT, F(train.beta2), IN_HALF(0, 1), "0.999", NULL, NULL,
     "AdamW second-moment decay"},
    {"train.schedule", ENUM, F(train.schedule), ANY, "cosine", schedules, NULL,
     "learning-rate schedule after warm-up: cosine decay to 0, or constant"},
    {"train.warmup_epochs", FLT, F(train.warmup_epochs), GE(0), "0", NULL, NULL,
     "epochs of linear warm-up from 0 to train.lr (fractions allowed)"},
    {"train.label_smoothing", FLT, F(train.label_smoothing), IN_HALF(0, 1), "0", NULL, NULL,
     "label smoothing of the training loss (records always use the plain loss)"},
    {"train.class_weight", ENUM, F(train.class_weight), ANY, "none", class_weights, NULL,
     "class weights of the training loss: balanced = N / (C N_c) from the training labels (PyTorch's "
     "weighted mean), for imbalanced data; records always use the plain loss"},
    {"train.seed", INT, F(train.seed), IN(0, INT_MAX), "0", NULL, NULL,
     "seed of the first surrogate run (run r uses seed + r)"},
    {"train.threads", INT, F(train.threads), IN(0, 4096), "0", NULL, NULL,
     "CPU threads; 0 = all cores"},
    {"train.device", STR, F(train.device), ANY, "cpu", NULL, check_device,
     "where to train: cpu, cuda (the first GPU) or cuda:N"},
    {"train.augment_crop_padding", INT, F(train.augment_crop_padding), IN(0, 1024), "0", NULL, NULL,
     "random-crop augmentation: pad by this many pixels, crop back; 0 = off"},
    {"train.augment_hflip", BOOL, F(train.augment_hflip), ANY, "false", NULL, NULL,
     "random horizontal flips"},
    {"train.augment_vflip", BOOL, F(train.augment_vflip), ANY, "false", NULL, NULL,
     "random vertical flips"},
    /* record */
    {"record.eval_pass", BOOL, F(record.eval_pass), ANY, "false", NULL, NULL,
     "record from a separate eval-mode pass without augmentation instead of the training pass"},
    {"record.probs", ENUM, F(record.probs), ANY, "auto", tristate, NULL,
     "keep every sample's full probability vector; auto = when there are at most 16 classes (with more, "
     "coreset score says so and leaves out tdds, least_confidence and margin, which need them beyond 2 classes)"},
    {"record.focus_every", INT, F(record.focus_every), GE(0), "1", NULL, NULL,
     "compute Grad-CAM focus every this many epochs; 0 = never"},
    {"record.focus_target", ENUM, F(record.focus_target), ANY, "predicted", focus_targets, NULL,
     "Grad-CAM target class: the predicted class or the true label"},
    {"record.focus_for", ENUM, F(record.focus_for), ANY, "all", focus_fors, NULL,
     "all = every sample's focus in the epochs record.focus_every names; candidates = only the ERTS filter's "
     "candidates (the samples the dropout rule would back-propagate) in dropout epochs, NaN for the rest and "
     "record.focus_every unused: the cheapest way to run ERTS; needs dropout.erts"},
    {"record.focus_layer", STR, F(record.focus_layer), ANY, "last", NULL, check_name,
     "Grad-CAM layer: last = the block feeding global average pooling (no backward pass), "
     "or through the backward pass layer1..layer4, layerS.B (ResNets), block1..block3 (cnn-small)"},
    {"record.focus_resize", BOOL, F(record.focus_resize), ANY, "false", NULL, NULL,
     "compute focus on the map resized to the input resolution"},
    {"record.embed", BOOL, F(record.embed), ANY, "true", NULL, NULL,
     "store every sample's embedding (the pooled features feeding the linear head) in embeddings.h5"},
    {"record.embed_epochs", STR, F(record.embed_epochs), ANY, "auto", NULL, check_embed_epochs,
     "epochs whose embeddings are stored: auto = the last epoch of each EVA window and the last epoch, "
     "or epoch numbers such as 5,10"},
    {"record.embed_dtype", ENUM, F(record.embed_dtype), ANY, "float16", embed_dtypes, NULL,
     "embeddings stored as float16 (half the disk) or float32"},
    {"record.embed_pass", ENUM, F(record.embed_pass), ANY, "record", embed_passes, NULL,
     "embeddings from the pass that records (the training pass, or the eval pass with record.eval_pass), "
     "or from an eval-mode pass run in the stored epochs only (a third of an epoch more each)"},
    /* dropout */
    {"dropout.method", ENUM, F(dropout.method), ANY, "none", dropouts, NULL,
     "training-time data dropout before the revision epochs"},
    {"dropout.tau", FLT, F(dropout.tau), IN(0, 1), "0.7", NULL, NULL,
     "DBPD/SMRD confidence threshold: samples with p_y < tau are back-propagated"},
    {"dropout.gamma", FLT, F(dropout.gamma), IN_OPEN_LO(0, 1), "0.99", NULL, NULL,
     "SRD decay: epoch t back-propagates floor(gamma^(t-1) * B) samples per batch"},
    {"dropout.erts", BOOL, F(dropout.erts), ANY, "false", NULL, NULL,
     "ERTS: of the dropout's candidates keep those with focus >= phi"},
    {"dropout.phi", FLT, F(dropout.phi), IN(0, 1), "0.7", NULL, NULL,
     "ERTS focus threshold (also the reliability filter's focus threshold)"},
    {"dropout.revision_epochs", INT, F(dropout.revision_epochs), GE(0), "1", NULL, NULL,
     "final epochs that train on every sample"},
    /* score */
    {"score.runs", INT, F(score.runs), IN(1, 100), "1", NULL, NULL,
     "surrogate runs (seeds) to record; scores average over them"},
    {"score.folds", INT, F(score.folds), IN(1, 10), "1", NULL, NULL,
     "out-of-fold scores: K surrogates per run each train on K-1 stratified folds and record the held-out one"},
    {"score.eva_k", INT, F(score.eva_k), IN(2, 100000), "10", NULL, NULL,
     "EVA window length K in epochs"},
    {"score.eva_early_start", INT, F(score.eva_early_start), IN(1, 100000), "1", NULL, NULL,
     "first epoch of EVA's early window"},
    {"score.eva_late_start", INT, F(score.eva_late_start), IN(0, 100000), "0", NULL, NULL,
     "first epoch of EVA's late window; 0 = the last K epochs"},
    {"score.eva_unbiased", BOOL, F(score.eva_unbiased), ANY, "false", NULL, NULL,
     "EVA window variance with 1/(K-1) instead of 1/K"},
    {"score.eva_normalize", BOOL, F(score.eva_normalize), ANY, "false", NULL, NULL,
     "L1-normalise each EVA window's variances over samples"},
    {"score.eva_weight", FLT, F(score.eva_weight), IN(0, 1), "0.5", NULL, NULL,
     "early-window weight w of score.eva_combine weighted: w*V_e + (1-w)*V_l"},
    {"score.eva_combine", ENUM, F(score.eva_combine), ANY, "sum", combines, NULL,
     "how EVA combines its windows: V_e + V_l, or weighted"},
    {"score.el2n_from", INT, F(score.el2n_from), IN(1, 100000), "1", NULL, NULL,
     "first epoch EL2N averages"},
    {"score.el2n_to", INT, F(score.el2n_to), IN(1, 100000), "10", NULL, NULL,
     "last epoch EL2N averages"},
    {"score.forgetting_never", ENUM, F(score.forgetting_never), ANY, "inf", nevers, NULL,
     "forgetting score of a sample never classified correctly: infinite, or 0 as DeepCore"},
    {"score.uncertainty_last", INT, F(score.uncertainty_last), IN(1, 100000), "1", NULL, NULL,
     "entropy, least confidence and margin average the last this many epochs"},
    {"score.du_window", INT, F(score.du_window), IN(2, 100000), "10", NULL, NULL,
     "dynamic uncertainty's sliding window J in epochs"},
    {"score.focus_gamma", FLT, F(score.focus_gamma), GE(0), "1", NULL, NULL,
     "exponent gamma of focus in the focus_weighted score, rank01(eva) * focus^gamma; the default of coreset select --gamma"},
    {"score.dual_window", INT, F(score.dual_window), IN(0, 100000), "0", NULL, NULL,
     "DUAL's sliding window J in epochs; 0 = 10, or score.dual_epochs when fewer"},
    {"score.dual_epochs", INT, F(score.dual_epochs), IN(0, 100000), "0", NULL, NULL,
     "DUAL reads epochs 1 to this; 0 = 15% of train.epochs (the authors' 30 of 200), at least one window"},
    {"score.tdds_window", INT, F(score.tdds_window), IN(0, 100000), "0", NULL, NULL,
     "TDDS's window J in epochs; 0 = 10, or score.tdds_epochs when fewer"},
    {"score.tdds_epochs", INT, F(score.tdds_epochs), IN(0, 100000), "0", NULL, NULL,
     "TDDS reads epochs 1 to this; 0 = every epoch"},
    {"score.tdds_beta", FLT, F(score.tdds_beta), IN(0, 1), "0.9", NULL, NULL,
     "TDDS's window decay beta: window k of K weighs beta (1 - beta)^(K-1-k)"},
};

const size_t cs_config_nkeys = sizeof cs_config_keys / sizeof cs_config_keys[0];

/* Keys earlier versions had and nothing read.  Every run.yaml holds every
 * key, so a run written before a removal must still resume and rescore. */
static const struct {
    const char *key, *why;
} retired[] = {
    {"train.checkpoint_every", "the surrogate pass writes a checkpoint after every epoch (resume needs it)"},
};

const char *cs_config_retired(const char *key)
{
    for (size_t i = 0; i < sizeof retired / sizeof retired[0]; i++)
        if (!strcmp(retired[i].key, key))
            return retired[i].why;
    return NULL;
}

_Static_assert(sizeof cs_config_keys / sizeof cs_config_keys[0] <= CS_CFG_MAX_KEYS,
               "cs_config.source is too small for the schema");
/* Enum fields are written through int pointers. */
_Static_assert(sizeof(cs_model_name) == sizeof(int), "enums must be int-sized");
