#!/usr/bin/env bash
# Live preview in a window, scaled up by the element itself.
#
#   pipelines/preview-window.sh CAPTION [SIZE]
#
# SIZE is the square window size in pixels (default 256).
# $T2V_VIDEO_SINK replaces autovideosink (e.g. "fakesink sync=true");
# $T2V_CLIPS stops after that many clips (default 0: until closed).
set -euo pipefail
caption=${1:?usage: preview-window.sh CAPTION [SIZE]}
size=${2:-256}
sink=${T2V_VIDEO_SINK:-autovideosink}
# shellcheck disable=SC2086  # the sink may carry properties
exec gst-launch-1.0 -q \
  txt2vidsrc is-live=true caption="$caption" clips="${T2V_CLIPS:-0}" \
  ! video/x-raw,width="$size",height="$size" ! queue ! videoconvert \
  ! $sink
