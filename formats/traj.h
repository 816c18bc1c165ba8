/* traj.h - the trajectory file: every sample's statistics, every epoch.
 *
 * The surrogate-training pass appends one frame per (run, epoch); the score
 * stages stream the frames back one at a time, so memory is O(N), never
 * O(N x T).  Layout, checksums and recovery: man/coreset-trajectory.5.
 *
 *   writer: cs_traj_writer_create / cs_traj_writer_open_append (resume, repairs
 *           a torn last frame), cs_traj_writer_append (durable on return),
 *           cs_traj_writer_close.
 *   reader: cs_traj_reader_open, cs_traj_reader_next (verifies every frame),
 *           cs_traj_reader_scan / cs_traj_reader_seek (index without
 *           decompressing), cs_traj_reader_free. */
#ifndef CS_TRAJ_H
#define CS_TRAJ_H

#include <stddef.h>
#include <stdint.h>

#include "epoch_record.h"

#define CS_TRAJ_VERSION 1

/* Which columns a file holds (the header's field mask).  Payload order is
 * bit order: the float columns, then the byte columns, then probs. */
enum {
    CS_TRAJ_ERR = 1u << 0,
    CS_TRAJ_CONF = 1u << 1,
    CS_TRAJ_MARGIN = 1u << 2,
    CS_TRAJ_ENTROPY = 1u << 3,
    CS_TRAJ_LOSS = 1u << 4,
    CS_TRAJ_FOCUS = 1u << 5,
    CS_TRAJ_CORRECT = 1u << 6, /* uint8 */
    CS_TRAJ_USED = 1u << 7,    /* uint8 */
    CS_TRAJ_PROBS = 1u << 8,   /* float32 n x C */
    CS_TRAJ_SCALARS = 0xffu,   /* every per-sample column, no probs */
    CS_TRAJ_KNOWN = 0x1ffu
};

/* What the header holds.  The writer copies everything; the reader's copy
 * lives as long as the reader. */
typedef struct cs_traj_header_info {
    int64_t n;             /* samples */
    int32_t num_classes;   /* C */
    uint32_t fields;       /* CS_TRAJ_* mask */
    const int32_t *labels; /* n labels */
    const char *meta;      /* run metadata: "key=value\n" lines, free-form bytes */
    size_t meta_len;
    int zstd_level;        /* writer option, not stored: 0 means 3 */
} cs_traj_header_info;

/* One frame as the index sees it (no decompression needed). */
typedef struct cs_traj_frame_info {
    int64_t offset; /* of the frame header */
    int32_t run;
    int32_t epoch;
    uint64_t usize; /* payload bytes after decompression */
    uint64_t csize; /* payload bytes in the file */
} cs_traj_frame_info;

/* What open_append found. */
typedef struct cs_traj_resume {
    int64_t frames;          /* complete frames kept */
    int32_t last_run;        /* of the last complete frame; -1 if none */
    int32_t last_epoch;      /* of the last complete frame; 0 if none */
    int64_t truncated_bytes; /* torn-frame bytes removed from the end */
} cs_traj_resume;

typedef struct cs_traj_writer cs_traj_writer;
typedef struct cs_traj_reader cs_traj_reader;

/* Create a new trajectory holding only the header (written to a temporary
 * file, fsynced, renamed).  Refuses to replace an existing file. */
int cs_traj_writer_create(cs_traj_writer **w, const char *path, const cs_traj_header_info *info);
/* Open an existing trajectory to continue it: verifies the header and every
 * frame (header and payload checksums), cuts a torn last frame, and positions
 * after the last complete frame.  `expect` (may be NULL) must match the file's
 * n, C, fields, labels and metadata; its zstd_level is used for new frames.
 * `res` (may be NULL) says how many frames there are and what was cut. */
int cs_traj_writer_open_append(cs_traj_writer **w, const char *path, const cs_traj_header_info *expect,
                               cs_traj_resume *res);
/* Append one frame: every column in the file's field mask must be non-NULL,
 * rec->n and rec->num_classes must match.  Durable (fsynced) on return.
 * After a failed append the file is cut back to its last complete frame and
 * the writer refuses further appends. */
int cs_traj_writer_append(cs_traj_writer *w, const cs_epoch_record *rec);
int64_t cs_traj_writer_frames(const cs_traj_writer *w);
/* Close and free; NULL is fine.  Returns a close error, if any. */
int cs_traj_writer_close(cs_traj_writer *w);

/* Open and verify the header. */
int cs_traj_reader_open(cs_traj_reader **r, const char *path);
/* The same over bytes in memory (`name` is used in messages); `buf` must
 * outlive the reader. */
int cs_traj_reader_open_mem(cs_traj_reader **r, const void *buf, size_t len, const char *name);
void cs_traj_reader_free(cs_traj_reader *r);
const cs_traj_header_info *cs_traj_reader_header(const cs_traj_reader *r);
const char *cs_traj_reader_path(const cs_traj_reader *r);
/* Read, decompress and verify the next frame.  Returns 1 with *rec filled
 * (columns point into the reader's buffers, valid until the next call; absent
 * columns are NULL), 0 at the end of the file, or a negative code. */
int cs_traj_reader_next(cs_traj_reader *r, cs_epoch_record *rec);
/* Verify the next frame's header and compressed-payload checksums without
 * decompressing it.  Returns 1, 0 at the end, or a negative code. */
int cs_traj_reader_skip(cs_traj_reader *r);
/* Walk every frame header (not payloads) to build the frame index; leaves the
 * read position alone.  *frames (may be NULL) gets the count. */
int cs_traj_reader_scan(cs_traj_reader *r, int64_t *frames);
/* Frame count: known after a scan or once next/skip reached the end; else -1. */
int64_t cs_traj_reader_frames(const cs_traj_reader *r);
/* Index entry k (0-based) of a scanned file, or NULL. */
const cs_traj_frame_info *cs_traj_reader_frame(const cs_traj_reader *r, int64_t k);
/* Make frame k the next one read (scans first if needed). */
int cs_traj_reader_seek(cs_traj_reader *r, int64_t k);
/* After an error from next/skip/scan: 1 if it was a torn last frame (the file
 * ends inside it), with *good_end the offset just past the last complete frame. */
int cs_traj_reader_torn(const cs_traj_reader *r, int64_t *good_end);

/* Compressed bytes (frame headers included) per sample per epoch over all frames. */
int cs_traj_bytes_per_sample(const char *path, double *bytes);

/* --- layout constants shared by traj_read.c and traj_write.c --------------- */
#define CS_TRAJ_MAGIC "CSTRAJ\x1a\n" /* 8 bytes */
#define CS_TRAJ_FIXED_SIZE 64        /* header bytes before the metadata */
#define CS_TRAJ_FRAME_MAGIC "CSFR"   /* 4 bytes */
#define CS_TRAJ_FRAME_HEADER_SIZE 56
#define CS_TRAJ_MAX_CLASSES (1 << 20)
#define CS_TRAJ_MAX_META (1u << 24)

/* Bytes of one frame's payload before compression; 0 if it overflows. */
uint64_t cs_traj_payload_size(int64_t n, int32_t num_classes, uint32_t fields);
/* Header bytes for a given n and metadata length (the checksum included). */
uint64_t cs_traj_header_size(int64_t n, size_t meta_len);

#endif
