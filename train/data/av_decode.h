/* Decoding images and videos with FFmpeg's libraries into packed bytes of
 * a fixed size: each frame is scaled to cover (out_h, out_w) and the middle
 * is cut out (aspect ratio kept). */
#ifndef TXT2VID_TRAIN_AV_DECODE_H
#define TXT2VID_TRAIN_AV_DECODE_H

#include <stdint.h>

#include <txt2vid/status.h>

/* Receives one frame: pixels (out_h, out_w, channels), valid during the
 * call. Returns 0 to go on, 1 to stop decoding. */
typedef int (*t2v_av_frame_fn)(void *user, const uint8_t *pixels);

/* Decodes the best video stream of path (an image file is a one-frame
 * video) as GRAY8 (channels 1) or RGB24 (channels 3). *n_frames: frames
 * handed to fn. A file with no decodable frame is T2V_ERR_FORMAT. */
t2v_status t2v_av_decode(const char *path, int channels, int out_h, int out_w,
                         t2v_av_frame_fn fn, void *user, long *n_frames);

#endif
