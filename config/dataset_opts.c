/* dataset_opts.c - config keys to dataset opener options. */
#include "dataset_opts.h"

#include <string.h>

void cs_config_dataset_opts(const cs_config *cfg, cs_dataset_opts *o, cs_ecg_opts *ecg)
{
    const cs_config_dataset *d = &cfg->dataset;
    const cs_config_ecg *e = &cfg->ecg;
    memset(o, 0, sizeof *o);
    o->images_name = d->images[0] ? d->images : NULL;
    o->labels_name = d->labels[0] ? d->labels : NULL;
    o->num_classes = d->num_classes;
    o->kind = cs_config_find_key("dataset.kind")->choices[d->kind];
    o->ecg = ecg;
    o->csv = d->csv;
    o->csv_path_column = d->csv_path_column;
    o->csv_label_column = d->csv_label_column;
    o->classes = d->classes;
    o->channels = d->channels;
    o->size = d->size;
    o->skip_bad = d->on_bad_file == CS_BAD_SKIP;
    cs_ecg_opts_default(ecg);
    ecg->leads = e->leads;
    ecg->rate = e->ptbxl_rate == CS_PTBXL_500 ? 500 : 100;
    ecg->multi_first = e->multi_label == CS_MULTI_FIRST;
    ecg->train_folds = e->train_folds;
    ecg->val_folds = e->val_folds;
    ecg->test_folds = e->test_folds;
    ecg->beat_before = e->beat_before;
    ecg->beat_after = e->beat_after;
    ecg->beat_length = e->beat_length;
    ecg->paced = e->paced;
    ecg->split_by_record = e->split == CS_SPLIT_RECORDS;
    ecg->test_fraction = e->test_fraction;
    ecg->val_fraction = e->val_fraction;
    ecg->split_seed = (uint64_t)e->split_seed;
    ecg->train_records = e->train_records;
    ecg->val_records = e->val_records;
    ecg->test_records = e->test_records;
    ecg->records = e->records;
    ecg->classes = e->classes;
    ecg->cinc_rate = e->cinc_rate;
    ecg->cinc_length = e->cinc_length;
}
