/* Test helpers: the scenes data set, and a matching model with random
 * weights over its captions. */
#ifndef T2V_TEST_SCENES_MATCH_H
#define T2V_TEST_SCENES_MATCH_H

#include "train/eval/match.h"

/* 200 items of a split at side x side, or NULL (t2v_data_last_error). */
t2v_dataset *t2v_test_open_scenes(t2v_data_split split, int side);

/* A model for images of 3 x side x side over ds's captions; NULL on failure (t2v_last_error says why). */
t2v_match *t2v_test_scenes_match(t2v_dataset *ds, int side, uint64_t seed, int with_adam);

#endif
