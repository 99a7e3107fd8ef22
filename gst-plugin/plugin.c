/* The txt2vid GStreamer plugin. */
#include "gsttxt2vidsrc.h"

#define PACKAGE "txt2vid"

static gboolean
plugin_init (GstPlugin * plugin)
{
  return GST_ELEMENT_REGISTER (txt2vidsrc, plugin);
}

/* GST_PLUGIN_DEFINE leaves the descriptor's reserved padding to the
 * compiler's zero fill, which -Wextra reports. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, txt2vid,
    "Video generated from text by GANs (TGANs-C, StackGAN)",
    plugin_init, T2V_VERSION_STRING, "MIT/X11", "txt2vid",
    "Unknown package origin")
#pragma GCC diagnostic pop
