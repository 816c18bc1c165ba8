/* traj_columns.h - the trajectory's columns: one table of what each field
 * of an epoch record is called, how wide it is and where it sits in
 * cs_epoch_record.  The writer, the reader and `coreset dump` all iterate
 * it: adding a recorded field is one entry here (and its bit in traj.h),
 * and a missed entry fails the build (the table's length is checked against
 * the field mask). */
#ifndef CS_TRAJ_COLUMNS_H
#define CS_TRAJ_COLUMNS_H

#include <stddef.h>
#include <stdint.h>

#include "epoch_record.h"

typedef struct cs_traj_column {
    uint32_t bit;      /* CS_TRAJ_* */
    const char *name;  /* "err", ...: in dumps, --fields, messages */
    int width;         /* bytes per element: 4 (float32) or 1 (uint8) */
    int per_class;     /* 1: n x C elements (probs), else n */
    size_t offset;     /* of the column's pointer in cs_epoch_record */
} cs_traj_column;

#define CS_TRAJ_NUM_COLUMNS 9
extern const cs_traj_column cs_traj_columns[CS_TRAJ_NUM_COLUMNS];

/* The column of one CS_TRAJ_* bit, or NULL. */
const cs_traj_column *cs_traj_column_of(uint32_t bit);
/* The record's array for column c (NULL where the record lacks it). */
const void *cs_traj_column_get(const cs_epoch_record *rec, const cs_traj_column *c);
/* Point the record's field for column c at p. */
void cs_traj_column_set(cs_epoch_record *rec, const cs_traj_column *c, void *p);
/* Elements of column c in a frame of n samples and C classes. */
uint64_t cs_traj_column_elems(const cs_traj_column *c, int64_t n, int32_t num_classes);

#endif
