/* The TGANs-C sizes in a weights file (models/tganc_io.h): a sprite
 * generator whose picture is smaller than its frame reads back with the
 * same frame, picture and reach; files whose frame keys cannot hold the
 * picture (smaller than it, one key without the other, a frame on the
 * clip layout) are format errors with a message, not a network of
 * impossible sizes. The same for the path's window of words (path_follow):
 * it reads back, and a file that also has the path read the rest of the
 * caption, or that has no attention to follow, is refused; each picture's
 * path from its own window (path_each) reads back, and is refused without
 * a window or with a value other than 1. The bouncing path (path_bounce)
 * reads back with the head's four outputs per picture (five with the axis
 * gate, path_bounce 2), and is refused on the clip layout or with a value
 * other than 1 or 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/tganc_io.h"
#include "t2v_test.h"

static char path[256];

/* The sprite generator of SBMG's small preset with a 32x32 picture. */
static t2v_tganc_cfg sprite_cfg(void)
{
    t2v_tganc_cfg c = {.z_dim = 8, .c0 = 8, .base = {1, 4, 4}, .n_stages = 3, .channels = 1,
                       .cond_bn = 1, .unit_norm0 = 1, .out_k = 3, .sprite_frames = 16,
                       .path_hidden = 16, .frame = {64, 64}, .act = T2V_ACT_RELU,
                       .text = {.vocab = 20, .embed = 4, .hidden = 4, .sent = 8,
                                .max_words = 24}};
    for (int i = 0; i < 3; i++)
        c.stage[i] = (t2v_tganc_stage){.c_out = 4, .k = {1, 4, 4}, .s = {1, 2, 2},
                                       .p = {0, 1, 1}};
    return c;
}

/* Writes c, then `extra` (a key and value, or NULL), and reads it back. */
static t2v_status round_trip(const t2v_tganc_cfg *c, const char *extra, uint32_t value,
                             t2v_tganc_cfg *back)
{
    t2v_weights_writer *wr = NULL;
    t2v_status s = t2v_weights_writer_new(&wr);
    if (s == T2V_OK)
        s = t2v_tganc_cfg_write(c, wr);
    if (s == T2V_OK && extra)
        s = t2v_weights_writer_add_u32(wr, extra, value);
    if (s == T2V_OK)
        s = t2v_weights_writer_write(wr, path);
    t2v_weights_writer_free(wr);
    if (s != T2V_OK)
        return s;
    t2v_weights *w = NULL;
    if ((s = t2v_weights_open(path, &w)) != T2V_OK)
        return s;
    s = t2v_tganc_cfg_read(w, 20, back);
    t2v_weights_close(w);
    return s;
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/t2v-tganc-cfg-%ld.gguf", tmp && *tmp ? tmp : "/tmp",
             (long)getpid());
    t2v_tganc_cfg c = sprite_cfg(), back;
    t2v_status s = t2v_tganc_check(&c);
    T2V_CHECK(s == T2V_OK && c.pic_h == 32 && c.height == 64,
              "a 32x32 picture in a 64x64 frame is a valid generator (%dx%d in %dx%d)", c.pic_h,
              c.pic_w, c.height, c.width);
    s = round_trip(&c, NULL, 0, &back);
    T2V_CHECK(s == T2V_OK && back.frame[0] == 64 && back.frame[1] == 64 && back.pic_h == 32 &&
                  back.pic_w == 32 && back.height == 64 && back.width == 64 &&
                  t2v_tganc_reach(&back) == 16.0f,
              "read back: frame %dx%d, picture %dx%d, reach %g (want 64x64, 32x32, 16)",
              back.frame[0], back.frame[1], back.pic_h, back.pic_w,
              (double)t2v_tganc_reach(&back));

    t2v_tganc_cfg plain = sprite_cfg();
    plain.frame[0] = plain.frame[1] = 0;
    s = round_trip(&plain, NULL, 0, &back);
    T2V_CHECK(s == T2V_OK && back.frame[0] == 0 && back.height == 32 && back.pic_h == 32 &&
                  t2v_tganc_reach(&back) == 16.0f,
              "without frame keys the frame is the picture (%dx%d), reach half of it (%g)",
              back.height, back.width, (double)t2v_tganc_reach(&back));

    t2v_tganc_cfg small = sprite_cfg();
    small.frame[0] = small.frame[1] = 16; /* written as is: the writer does not check */
    s = round_trip(&small, NULL, 0, &back);
    T2V_CHECK(s == T2V_ERR_FORMAT, "a 16x16 frame around a 32x32 picture: format error (%s)",
              s == T2V_OK ? "read" : t2v_last_error());

    s = round_trip(&plain, "tganc.sprite.frame_height", 64, &back);
    T2V_CHECK(s != T2V_OK, "a frame height without a width: an error (%s)",
              s == T2V_OK ? "read" : t2v_last_error());

    t2v_tganc_cfg clip = sprite_cfg();
    clip.sprite_frames = 0;
    clip.path_hidden = 0;
    s = round_trip(&clip, NULL, 0, &back);
    T2V_CHECK(s == T2V_ERR_FORMAT, "frame keys on the clip layout: format error (%s)",
              s == T2V_OK ? "read" : t2v_last_error());

    t2v_tganc_cfg follow = sprite_cfg();
    follow.attend = 1;
    follow.sprites = 2;
    follow.path_follow = 5;
    s = round_trip(&follow, NULL, 0, &back);
    T2V_CHECK(s == T2V_OK && back.path_follow == 5 && back.sprites == 2 &&
                  t2v_tganc_path_sent(&back) == 2 * 4,
              "two paths reading the 5 words after their pictures' read back (%d words, path "
              "input %d wide, want 5 and 8)", back.path_follow, t2v_tganc_path_sent(&back));
    s = round_trip(&follow, "tganc.sprite.path_rest", 1, &back);
    T2V_CHECK(s == T2V_ERR_FORMAT, "a path reading both the rest and a window: format error (%s)",
              s == T2V_OK ? "read" : t2v_last_error());
    t2v_tganc_cfg no_window = follow;
    no_window.path_follow = 0; /* the key comes as the extra one */
    s = round_trip(&no_window, "tganc.sprite.path_follow", 65, &back);
    T2V_CHECK(s != T2V_OK && strstr(t2v_last_error(), "path_follow"),
              "a window of 65 words: an error naming the key (%s)",
              s == T2V_OK ? "read" : t2v_last_error());
    t2v_tganc_cfg each = follow;
    each.path_each = 1;
    s = round_trip(&each, NULL, 0, &back);
    T2V_CHECK(s == T2V_OK && back.path_each == 1 && back.path_follow == 5 &&
                  t2v_tganc_path_sent(&back) == 4,
              "each picture's path from its own window reads back (path input %d wide, want "
              "4)", t2v_tganc_path_sent(&back));
    s = round_trip(&no_window, "tganc.sprite.path_each", 1, &back);
    T2V_CHECK(s == T2V_ERR_FORMAT, "a path of each picture without a window: format error (%s)",
              s == T2V_OK ? "read" : t2v_last_error());
    s = round_trip(&follow, "tganc.sprite.path_each", 2, &back);
    T2V_CHECK(s != T2V_OK && strstr(t2v_last_error(), "path_each"),
              "path_each 2: an error naming the key (%s)",
              s == T2V_OK ? "read" : t2v_last_error());
    t2v_tganc_cfg bounce = each;
    bounce.path_bounce = 1;
    s = round_trip(&bounce, NULL, 0, &back);
    T2V_CHECK(s == T2V_OK && back.path_bounce == 1 && back.path_each == 1 &&
                  t2v_tganc_path_outputs(&back) == 4 &&
                  t2v_tganc_path_outputs(&each) == 2 * each.sprite_frames,
              "a bouncing path reads back (%d outputs per picture, want 4; free: %d, two per frame)",
              t2v_tganc_path_outputs(&back), t2v_tganc_path_outputs(&each));
    bounce.path_bounce = 2;
    s = round_trip(&bounce, NULL, 0, &back);
    T2V_CHECK(s == T2V_OK && back.path_bounce == 2 && t2v_tganc_path_outputs(&back) == 5,
              "a bouncing path with its axis gate reads back (%d outputs per picture, want 5)",
              t2v_tganc_path_outputs(&back));
    s = round_trip(&each, "tganc.sprite.path_bounce", 3, &back);
    T2V_CHECK(s != T2V_OK && strstr(t2v_last_error(), "path_bounce"),
              "path_bounce 3: an error naming the key (%s)",
              s == T2V_OK ? "read" : t2v_last_error());
    s = round_trip(&clip, "tganc.sprite.path_bounce", 1, &back);
    T2V_CHECK(s == T2V_ERR_FORMAT, "a bouncing path on the clip layout: format error (%s)",
              s == T2V_OK ? "read" : t2v_last_error());
    follow.attend = 0;
    follow.sprites = 0;
    s = round_trip(&follow, NULL, 0, &back);
    T2V_CHECK(s == T2V_ERR_FORMAT, "a window of words without attention: format error (%s)",
              s == T2V_OK ? "read" : t2v_last_error());
    remove(path);
    return t2v_test_finish();
}
