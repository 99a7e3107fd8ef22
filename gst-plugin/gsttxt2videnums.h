/* Enumerations of the txt2vidsrc properties. */
#ifndef GST_TXT2VID_ENUMS_H
#define GST_TXT2VID_ENUMS_H

#include <glib-object.h>

G_BEGIN_DECLS

/* Where the generator network runs (values match t2v_device). */
typedef enum {
  GST_TXT2VID_DEVICE_AUTO = 0,
  GST_TXT2VID_DEVICE_CPU = 1,
  GST_TXT2VID_DEVICE_CUDA = 2,
} GstTxt2VidDevice;

/* How frames come from the model. */
typedef enum {
  GST_TXT2VID_MODE_AUTO = 0,   /* video model: clips; image model: still */
  GST_TXT2VID_MODE_STILL = 1,  /* image model: one image held for `hold` frames */
  GST_TXT2VID_MODE_MORPH = 2,  /* image model: smooth walk, `hold` frames per step */
} GstTxt2VidMode;

#define GST_TYPE_TXT2VID_DEVICE (gst_txt2vid_device_get_type ())
GType gst_txt2vid_device_get_type (void);

#define GST_TYPE_TXT2VID_MODE (gst_txt2vid_mode_get_type ())
GType gst_txt2vid_mode_get_type (void);

G_END_DECLS

#endif
