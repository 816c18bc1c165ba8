/* dataset_opts.h - the dataset opener's options from a config: the one place
 * that turns dataset.* and ecg.* keys into cs_dataset_opts, for every command
 * that opens the config's dataset. */
#ifndef CS_DATASET_OPTS_H
#define CS_DATASET_OPTS_H

#include "../datasets/dataset.h"
#include "config.h"

/* Fill o and ecg from cfg; o->ecg points to ecg, and strings point into cfg,
 * so both must outlive the cs_dataset_open call. */
void cs_config_dataset_opts(const cs_config *cfg, cs_dataset_opts *o, cs_ecg_opts *ecg);

#endif
