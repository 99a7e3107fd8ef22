/* GTypes of the txt2vidsrc enumerations. */
#include "gsttxt2videnums.h"

GType
gst_txt2vid_device_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_TXT2VID_DEVICE_AUTO, "CUDA when a GPU answers, else the CPU", "auto"},
    {GST_TXT2VID_DEVICE_CPU, "CPU", "cpu"},
    {GST_TXT2VID_DEVICE_CUDA, "CUDA GPU (gpu-id selects which)", "cuda"},
    {0, NULL, NULL},
  };
  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstTxt2VidDevice", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
gst_txt2vid_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_TXT2VID_MODE_AUTO,
        "Clips from a text-to-video model, stills from a text-to-image model",
        "auto"},
    {GST_TXT2VID_MODE_STILL,
        "Text-to-image model: each image held for 'hold' frames", "still"},
    {GST_TXT2VID_MODE_MORPH,
        "Text-to-image model: a smooth walk between samples, 'hold' frames per step",
        "morph"},
    {0, NULL, NULL},
  };
  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstTxt2VidMode", values);
    g_once_init_leave (&type, t);
  }
  return type;
}
