/* ds_ecg.h - what the ECG dataset readers (ds_ptbxl.c, ds_beats.c,
 * ds_cinc.c) share (private): lead selection by name, number and name lists
 * from the config, resampling, the AAMI beat classes and the scp_codes
 * parser. */
#ifndef CS_DS_ECG_H
#define CS_DS_ECG_H

#include "ds_backend.h"
#include "../codecs/wfdb.h"

#include <stdint.h>

#define ECG_MAX_LEADS 64

/* The signals of header h that `spec` names (comma-separated lead names,
 * matched case-insensitively against the signal descriptions), in the order
 * given; with spec NULL or "", every signal (all_by_default) or the first.
 * Returns 0, or 1 when h lacks a named lead (*missing points into spec, its
 * length in *missing_len), or an error for a malformed spec. */
int ecg_pick_leads(const cs_wfdb_header *h, const char *spec, int all_by_default, int *idx,
                   int *nleads, const char **missing, int *missing_len);

/* Mark numbers and ranges of `spec` ("1-8", "9", "1,3-5") in member[lo..hi];
 * an empty spec marks none.  `what` names the key in messages. */
int ecg_parse_numbers(const char *spec, int lo, int hi, uint8_t *member, const char *what);

/* 1 if record `name` is in `list`: comma-separated names, where DS1 and DS2
 * stand for de Chazal's MIT-BIH training and test records. */
int ecg_name_listed(const char *name, const char *list);

/* Record names of a database folder: the lines of its RECORDS file (blank
 * and '#' lines left out), else every *.hea, sorted.  Free each and the array. */
int ecg_list_records(const char *root, char ***names, int *n);

/* Random split stratified by class (labels cls[0..n) in 0..ncls-1): per
 * class, a shuffle seeded by o->split_seed puts round(test_fraction * m) of
 * its m items in test (split 2) and round(val_fraction * m) in val (1), the
 * rest in train (0). */
int ecg_split_stratified(const int32_t *cls, int64_t n, int ncls, const cs_ecg_opts *o, uint8_t *split);

/* The split a record goes to by the record lists: 0 train, 1 val, 2 test,
 * -1 none; a record in two lists is an error. */
int ecg_record_split(const cs_ecg_opts *o, const char *name, int *which);

/* out[k] = x at position start + k * step (k < len), linear interpolation
 * between samples x[i * stride]; every position must lie in [0, n - 1]. */
void ecg_resample(const float *x, int64_t stride, int64_t n, double start, double step, int len,
                  float *out);

/* AAMI class of a beat annotation symbol: 0 N, 1 S, 2 V, 3 F, 4 Q; -1 for
 * symbols outside the table (and for non-beats). */
int ecg_aami_class(const char *symbol);
extern const char *const ecg_aami_names[5];

/* One entry of a PTB-XL scp_codes dictionary. */
typedef struct ecg_scp_code {
    char code[24];
    double likelihood;
} ecg_scp_code;

/* Parse a Python dict literal {'NORM': 100.0, 'SR': 0.0} into out (at most
 * cap entries).  Errors say what is wrong without naming a file. */
int ecg_parse_scp_codes(const char *text, ecg_scp_code *out, int cap, int *n);

#endif
