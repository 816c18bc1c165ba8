/* models.h - the models coreset builds, one table (models.c) that the
 * builder (model_arch.c), the config's model.name choices, the runs'
 * provenance and the Grad-CAM hints all take their names from.  A new model
 * is its builder, a cs_model_name value and one entry of the table; the
 * build checks that the enum and the table agree. */
#ifndef CS_NN_MODELS_H
#define CS_NN_MODELS_H

struct cs_model;

/* The config's model.name (an index into the table); CS_MODEL_COUNT last. */
typedef enum cs_model_name {
    CS_MODEL_CNN_SMALL,
    CS_MODEL_RESNET18,
    CS_MODEL_RESNET1D,
    CS_MODEL_COUNT
} cs_model_name;

typedef struct cs_model_info {
    const char *name;   /* as model.name and cs_model_spec.name spell it */
    int in_ndim;        /* 2: images (C, H, W); 1: signals (C, L) */
    const char *layers; /* the Grad-CAM layers it names besides "last", for hints */
    /* Add its layers with model_impl.h's builders (spec, ndim and width checked). */
    int (*build)(struct cs_model *m);
} cs_model_info;

/* The names in cs_model_name order, NULL-terminated: the config's choices. */
extern const char *const cs_model_names[CS_MODEL_COUNT + 1];

/* The entry of a cs_model_name, or NULL outside [0, CS_MODEL_COUNT). */
const cs_model_info *cs_model_info_at(int id);
/* 1 when the model of that id takes 1-D inputs (C, L), from the table's
 * in_ndim: callers ask this, not the name, so a new 1-D model is one entry. */
int cs_model_is_1d(int id);
/* The entry named `name`, or NULL (no message) for a name the table lacks. */
const cs_model_info *cs_model_info_find(const char *name);
/* Like cs_model_info_find, but an unknown name is CS_EINVAL with the message
 * "unknown model 'NAME' (known: ...)"; returns the cs_model_name. */
int cs_model_lookup(const char *name);

#endif
