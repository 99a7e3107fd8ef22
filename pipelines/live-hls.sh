#!/usr/bin/env bash
# Live HLS: txt2vidsrc paced by the clock, H.264 segments and a playlist
# that any HLS player (or a web server in front of DIR) can follow.
#
#   pipelines/live-hls.sh CAPTION [DIR] [CLIPS]
#
# CLIPS 0 (default) streams until interrupted; with CLIPS > 0 the playlist
# is closed (#EXT-X-ENDLIST) after that many clips.
set -euo pipefail
caption=${1:?usage: live-hls.sh CAPTION [DIR] [CLIPS]}
dir=${2:-hls}
clips=${3:-0}
mkdir -p "$dir"
exec gst-launch-1.0 -q -e \
  txt2vidsrc is-live=true caption="$caption" clips="$clips" \
  ! queue ! x264enc tune=zerolatency key-int-max=16 ! h264parse \
  ! hlssink2 location="$dir/segment%05d.ts" \
      playlist-location="$dir/playlist.m3u8" \
      target-duration=2 max-files=0 playlist-length=0
