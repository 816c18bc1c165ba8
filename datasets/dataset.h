/* dataset.h - one interface over every dataset file format.
 *
 * A dataset has named splits ("train", "val", "test"); each split holds n
 * samples of one per-sample shape and dtype (uint8 or float32) and n integer
 * labels in [0, num_classes).  Readers stream: cs_dataset_read copies a range
 * of samples into the caller's buffer, so a dataset never has to fit in memory
 * twice.  Formats: HDF5, NumPy .npy/.npz (MedMNIST layout), IDX (.gz too),
 * and ECG collections as PhysioNet ships them: PTB-XL, beats of a WFDB
 * database (MIT-BIH) and CinC challenge records.  The opener takes the kind
 * from the options, else picks it from the path (file suffix; a folder by
 * what it holds). */
#ifndef CS_DATASET_H
#define CS_DATASET_H

#include <stddef.h>
#include <stdint.h>

#define CS_MAX_RANK 8
#define CS_MAX_SPLITS 4

typedef enum cs_dtype { CS_U8 = 1, CS_F32 = 2 } cs_dtype;

typedef struct cs_split_info {
    char name[16];                /* "train", "val", "test" */
    int64_t n;                    /* sample count */
    int rank;                     /* rank of one sample (e.g. 2 for 28x28, 3 for 3x32x32) */
    int64_t shape[CS_MAX_RANK];   /* per-sample shape */
    cs_dtype dtype;               /* storage type of samples as read */
} cs_split_info;

/* Options of the ECG kinds (the config's ecg section says what each means). */
typedef struct cs_ecg_opts {
    const char *leads;          /* comma-separated lead names; NULL or "" = the kind's default */
    int rate;                   /* PTB-XL: 100 (records100/) or 500 (records500/) */
    int multi_first;            /* several classes: take the most likely (1) or skip the record (0) */
    const char *train_folds;    /* PTB-XL strat_fold lists: "1-8", "9", "10" */
    const char *val_folds;
    const char *test_folds;
    double beat_before;         /* beats: seconds of the window before the R peak */
    double beat_after;          /* ... and after it */
    int beat_length;            /* beats: samples per beat after resampling */
    int paced;                  /* beats: keep records that hold paced beats */
    int split_by_record;        /* beats: 0 = random stratified by beat, 1 = record lists */
    double test_fraction;       /* random beat split: shares of each class */
    double val_fraction;
    uint64_t split_seed;
    const char *train_records;  /* record split: names, DS1 and DS2 (de Chazal) */
    const char *val_records;
    const char *test_records;
    const char *records;        /* beats, CinC: only these records; NULL or "" = all */
    const char *classes;        /* CinC: the code-to-class table file */
    double cinc_rate;           /* CinC: samples per second after resampling */
    int64_t cinc_length;        /* CinC: samples per lead (cut or zero-padded) */
} cs_ecg_opts;

/* The defaults: every lead (the first for beats), 100 Hz, skip multi-class
 * records, folds 1-8/9/10, 0.25 s + 0.45 s resampled to 256, no paced
 * records, random 80/20 split with seed 0, DS1/DS2 record lists, CinC
 * records at 500 Hz x 5000 samples. */
void cs_ecg_opts_default(cs_ecg_opts *o);

typedef struct cs_dataset_opts {
    const char *images_name; /* HDF5/npz sample dataset name; NULL = try defaults */
    const char *labels_name; /* HDF5/npz label dataset name; NULL = try defaults */
    int num_classes;         /* 0 = infer (class-name list, else max label + 1) */
    /* NULL or "auto" = by path; else hdf5, npz, npy, idx, ptbxl, wfdb-beats, cinc */
    const char *kind;
    const cs_ecg_opts *ecg;  /* NULL = cs_ecg_opts_default */
    /* Image folders (kind folder): see dataset.csv ... dataset.on_bad_file in coreset-config(5). */
    const char *csv;              /* NULL or "" = ImageFolder layout */
    const char *csv_path_column;  /* NULL = "path" */
    const char *csv_label_column; /* NULL = "label" */
    const char *classes;          /* NULL or "" = from the data */
    int channels;                 /* 0 = as the files */
    int size;                     /* 0 = as the files */
    int skip_bad;                 /* 1: leave undecodable files out (counted) */
    const char *cache;            /* decoded-pixel cache (HDF5) to use or fill; NULL = none */
} cs_dataset_opts;

typedef struct cs_dataset cs_dataset; /* opaque */

/* Open a dataset; validates headers, shapes and that label count == sample count. */
int cs_dataset_open(cs_dataset **out, const char *path, const cs_dataset_opts *opts);
void cs_dataset_free(cs_dataset *ds); /* NULL is fine */

const char *cs_dataset_path(const cs_dataset *ds);
/* "hdf5", "npz", "npy", "idx", "ptbxl", "wfdb-beats", "cinc" */
const char *cs_dataset_format(const cs_dataset *ds);
int cs_dataset_num_splits(const cs_dataset *ds);
const cs_split_info *cs_dataset_split_at(const cs_dataset *ds, int i);
/* NULL if the dataset has no such split. */
const cs_split_info *cs_dataset_split(const cs_dataset *ds, const char *name);
int cs_dataset_num_classes(const cs_dataset *ds);
/* The i-th reader's kind (dataset.kind), in auto-detection order; NULL past the last. */
const char *cs_dataset_kind_at(int i);
/* Class name, or NULL where the file has none. */
const char *cs_dataset_class_name(const cs_dataset *ds, int c);

/* What sample i of a split is, where the format knows ("records100/00000/00001_lr",
 * "100:77" for the beat at sample 77 of record 100), into buf; NULL otherwise. */
const char *cs_dataset_sample_id(cs_dataset *ds, const char *split, int64_t i, char *buf,
                                 size_t cap);

/* Files left out as undecodable (dataset.on_bad_file skip); 0 for other kinds. */
int64_t cs_dataset_skipped(const cs_dataset *ds);
/* Write the decoded samples to a checksummed cache file `path` (kind folder;
 * 0 and nothing written for other kinds).  A later open with opts.cache =
 * path reads them from there instead of decoding. */
int cs_dataset_save_cache(cs_dataset *ds, const char *path);

/* Elements in one sample (product of the shape). */
int64_t cs_split_sample_elems(const cs_split_info *s);

/* Copy samples [start, start+count) of a split into x (count * elems values of
 * the split's dtype) and their labels into y (either may be NULL).  Float data
 * is checked for NaN/Inf and labels for range; either is an error naming the
 * file, the split and the first bad index. */
int cs_dataset_read(cs_dataset *ds, const char *split, int64_t start, int64_t count, void *x,
                    int32_t *y);
/* As cs_dataset_read, converting samples to float32 (uint8 values kept as 0..255). */
int cs_dataset_read_f32(cs_dataset *ds, const char *split, int64_t start, int64_t count, float *x,
                        int32_t *y);

#endif
