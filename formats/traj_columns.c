/* traj_columns.c - the table of trajectory columns (see traj_columns.h). */
#include "traj_columns.h"

#include "traj.h"

/* In bit order: the payload packs the columns of a frame in this order. */
const cs_traj_column cs_traj_columns[CS_TRAJ_NUM_COLUMNS] = {
    {CS_TRAJ_ERR, "err", 4, 0, offsetof(cs_epoch_record, err)},
    {CS_TRAJ_CONF, "conf", 4, 0, offsetof(cs_epoch_record, conf)},
    {CS_TRAJ_MARGIN, "margin", 4, 0, offsetof(cs_epoch_record, margin)},
    {CS_TRAJ_ENTROPY, "entropy", 4, 0, offsetof(cs_epoch_record, entropy)},
    {CS_TRAJ_LOSS, "loss", 4, 0, offsetof(cs_epoch_record, loss)},
    {CS_TRAJ_FOCUS, "focus", 4, 0, offsetof(cs_epoch_record, focus)},
    {CS_TRAJ_CORRECT, "correct", 1, 0, offsetof(cs_epoch_record, correct)},
    {CS_TRAJ_USED, "used", 1, 0, offsetof(cs_epoch_record, used)},
    {CS_TRAJ_PROBS, "probs", 4, 1, offsetof(cs_epoch_record, probs)},
};
/* One entry per bit of the known mask, the last being the highest bit. */
_Static_assert(CS_TRAJ_KNOWN == (1u << CS_TRAJ_NUM_COLUMNS) - 1, "a CS_TRAJ_* bit without a column entry");
_Static_assert(CS_TRAJ_PROBS == 1u << (CS_TRAJ_NUM_COLUMNS - 1), "the column table is in bit order");

const cs_traj_column *cs_traj_column_of(uint32_t bit)
{
    for (int i = 0; i < CS_TRAJ_NUM_COLUMNS; i++)
        if (cs_traj_columns[i].bit == bit)
            return &cs_traj_columns[i];
    return NULL;
}

/* The members are float * or uint8_t * by width: each is read and written as
 * its own type. */
const void *cs_traj_column_get(const cs_epoch_record *rec, const cs_traj_column *c)
{
    const char *base = (const char *)rec + c->offset;
    return c->width == 1 ? (const void *)*(uint8_t *const *)base : (const void *)*(float *const *)base;
}

void cs_traj_column_set(cs_epoch_record *rec, const cs_traj_column *c, void *p)
{
    char *base = (char *)rec + c->offset;
    if (c->width == 1)
        *(uint8_t **)base = p;
    else
        *(float **)base = p;
}

uint64_t cs_traj_column_elems(const cs_traj_column *c, int64_t n, int32_t num_classes)
{
    return c->per_class ? (uint64_t)n * (uint64_t)num_classes : (uint64_t)n;
}
