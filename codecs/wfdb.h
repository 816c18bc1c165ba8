/* wfdb.h - PhysioNet WFDB records: the .hea header, format 16 and 212 signal
 * files, and MIT-format annotation files (.atr).
 *
 * A record RECORD is RECORD.hea (text), one or more signal files named in it
 * (usually RECORD.dat, the signals interleaved frame by frame) and optional
 * annotation files RECORD.<ext>.  Reading verifies what the header promises:
 * the sample count, each signal's initial value and 16-bit checksum; any
 * mismatch is an error naming the record, the signal and both values.
 *
 * Supported: single-segment records; signal formats 16 and 212; one sample
 * per frame (an `x1` suffix); a byte offset (`+N`).  Refused with a clear
 * error: multi-segment records, other formats, `xN` with N > 1, skews. */
#ifndef CS_WFDB_H
#define CS_WFDB_H

#include <stddef.h>
#include <stdint.h>

typedef struct cs_wfdb_signal {
    char *fname;         /* signal file name, relative to the header's folder */
    int fmt;             /* 16 or 212 */
    int64_t byte_offset; /* bytes to skip at the start of the file (`+N`) */
    double gain;         /* ADC units per physical unit; 0 in the header means 200 */
    int32_t baseline;    /* ADC value of physical zero; defaults to adc_zero */
    char *units;         /* physical units, "mV" when absent */
    int adc_res;         /* bits; 0 when the header gives none */
    int32_t adc_zero;
    int32_t init_value;  /* first sample; defaults to adc_zero */
    int has_init_value;  /* the header gave init_value (so it is checked) */
    int has_checksum;    /* the header gave a checksum (so it is checked) */
    uint16_t checksum;   /* 16-bit sum of all samples, mod 65536 */
    int block_size;
    char *description;   /* "" when absent */
} cs_wfdb_signal;

typedef struct cs_wfdb_header {
    char *name;          /* record name from the record line */
    int nsig;
    double fs;           /* samples per second per signal (250 when absent) */
    double counter_fs;   /* counter frequency, 0 when absent */
    double base_counter;
    int64_t nsamples;    /* samples per signal; 0 when absent (unknown) */
    char *base_time;     /* "HH:MM:SS" as written, NULL when absent */
    char *base_date;     /* "DD/MM/YYYY" as written, NULL when absent */
    cs_wfdb_signal *sig; /* nsig entries */
    char **comments;     /* comment lines, text after '#' (leading blanks kept) */
    int ncomments;
    char *dir;           /* folder of the header file ("." from memory) */
    char *path;          /* header path or the name given, for messages */
} cs_wfdb_header;

void cs_wfdb_header_init(cs_wfdb_header *h);
void cs_wfdb_header_release(cs_wfdb_header *h);

/* Read RECORD.hea.  `record_path` is the record without extension
 * (data/mitdb/100) or the header path (data/mitdb/100.hea). */
int cs_wfdb_read_header(cs_wfdb_header *h, const char *record_path);
/* Parse header text of `len` bytes.  `name` is used in messages; `dir` is the
 * folder signal files are read from (NULL: "."). */
int cs_wfdb_parse_header_mem(cs_wfdb_header *h, const char *text, size_t len, const char *name,
                             const char *dir);

/* Decode `nvalues` consecutive samples of format `fmt` (16 or 212) from
 * `buf` (`len` bytes, which must hold them) into `out`. */
int cs_wfdb_decode(int fmt, const uint8_t *buf, size_t len, int64_t nvalues, int32_t *out);
/* Bytes that `nvalues` consecutive samples of format `fmt` occupy. */
int64_t cs_wfdb_bytes_for(int fmt, int64_t nvalues);

/* Read every signal: *raw gets nsamples x nsig ADC values, frame-major
 * (raw[t * nsig + s]), malloc'd (free it).  `dir` overrides h->dir when not
 * NULL.  Verifies file lengths, initial values and checksums. */
int cs_wfdb_read_signals(const cs_wfdb_header *h, const char *dir, int32_t **raw);
/* Same, in physical units: (raw - baseline) / gain; NaN for the invalid
 * sample value (-32768 in format 16, -2048 in format 212). */
int cs_wfdb_read_physical(const cs_wfdb_header *h, const char *dir, float **phys);
/* Convert raw values (nsamples x nsig) to physical units as above. */
void cs_wfdb_to_physical(const cs_wfdb_header *h, const int32_t *raw, int64_t nsamples,
                         float *phys);

/* --- annotations (MIT format) --------------------------------------------- */

typedef struct cs_wfdb_ann {
    int64_t sample;     /* absolute sample number */
    int code;           /* annotation code, 0..49 */
    const char *symbol; /* "N", "V", "+", ...; static storage */
    int subtype;        /* signed 8-bit; 0 unless given */
    int chan;           /* unsigned 8-bit; carried over from the previous annotation */
    int num;            /* signed 8-bit; carried over from the previous annotation */
    char *aux;          /* auxiliary string ("(AFIB"), NULL when none */
} cs_wfdb_ann;

/* Read RECORD.<ext> (ext: "atr").  `record` as for cs_wfdb_read_header (a
 * trailing ".hea" is dropped).  With nsamples > 0, an annotation beyond the
 * record (sample > nsamples) is an error; one at sample nsamples, the end of
 * the record, is allowed (CPSC 2021 closes rhythm episodes there).  *out is
 * malloc'd: free with cs_wfdb_ann_free. */
int cs_wfdb_read_annotations(const char *record, const char *ext, int64_t nsamples,
                             cs_wfdb_ann **out, int64_t *n);
/* Parse annotation bytes from memory; `name` is used in messages. */
int cs_wfdb_parse_annotations_mem(const uint8_t *buf, size_t len, const char *name,
                                  int64_t nsamples, cs_wfdb_ann **out, int64_t *n);
void cs_wfdb_ann_free(cs_wfdb_ann *a, int64_t n);

/* Symbol of an annotation code ("N" for 1); "" for unassigned codes. */
const char *cs_wfdb_ann_symbol(int code);
/* 1 if the code is a beat (QRS) annotation, as WFDB's isqrs(): N L R a V F J A S E j / Q
 * B ? ! e n f r (the flutter wave ! counts, as in the MIT-BIH beat tables). */
int cs_wfdb_ann_is_beat(int code);

#endif
