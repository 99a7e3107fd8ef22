/* Test helper: see scenes_match.h. */
#include <string.h>

#include "scenes_match.h"
#include "train/common/captions.h"

t2v_dataset *t2v_test_open_scenes(t2v_data_split split, int side)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = "scenes";
    o.split = split;
    o.height = o.width = side;
    o.count = 200;
    t2v_dataset *ds = NULL;
    return t2v_data_open(&o, &ds) == T2V_OK ? ds : NULL;
}

t2v_match *t2v_test_scenes_match(t2v_dataset *ds, int side, uint64_t seed, int with_adam)
{
    t2v_data_info info;
    t2v_data_get_info(ds, &info);
    t2v_match_cfg cfg;
    t2v_vocab vocab;
    t2v_encoded_captions caps;
    memset(&vocab, 0, sizeof vocab);
    memset(&caps, 0, sizeof caps);
    t2v_match *m = NULL;
    t2v_status s = t2v_match_cfg_for(&cfg, "scenes", 3, side, side, 0);
    if (s == T2V_OK)
        s = t2v_encoded_captions_build(&caps, &vocab, 1, ds, info.n_captions, cfg.text.max_words,
                                       "scenes");
    cfg.text.vocab = vocab.count;
    if (s == T2V_OK)
        s = t2v_match_new(&cfg, &vocab, NULL, 1, seed, with_adam, &m);
    t2v_vocab_free(&vocab);
    t2v_encoded_captions_free(&caps);
    return s == T2V_OK ? m : NULL;
}
