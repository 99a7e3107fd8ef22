/* What a loaded model holds; shared by api/model.c and api/generator.c. */
#ifndef T2V_MODEL_INTERNAL_H
#define T2V_MODEL_INTERNAL_H

#include <stdatomic.h>

#include "models/stackgan.h"
#include "models/stackgan_io.h"
#include "models/tganc.h"
#include "models/tganc_io.h"
#include "text/tokenizer.h"
#include "txt2vid/txt2vid.h"
#include "txt2vid/weights.h"

struct t2v_model {
    atomic_int refs;
    t2v_weights *w;          /* the file, kept open: tensors point into it */
    t2v_model_info info;
    t2v_vocab vocab;
    t2v_tganc_cfg tganc;     /* arch "tganc" (kind video) */
    t2v_stackgan_cfg stackgan; /* arch "stackgan" (kind image) */
    char *describe;          /* "key = value" lines */
};

/* The network a generator runs: one of the two, as the model's kind says. */
typedef struct t2v_model_net {
    t2v_tganc tganc;
    t2v_stackgan stackgan;
} t2v_model_net;

/* Declares the generator's parameters and buffers for this model. */
t2v_status t2v_model_declare(const t2v_model *m, t2v_model_net *net, t2v_params *ps,
                             t2v_params *bufs);

#endif
