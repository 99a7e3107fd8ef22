#!/usr/bin/env bash
# Renders a caption to an H.264 MP4 file.
#
#   pipelines/file-mp4.sh CAPTION [OUT.mp4] [CLIPS] [SEED]
#
# The model is $TXT2VID_MODEL, or the default model installed with txt2vid.
# CLIPS consecutive clips of the model's length (default 1).
set -euo pipefail
caption=${1:?usage: file-mp4.sh CAPTION [OUT.mp4] [CLIPS] [SEED]}
out=${2:-out.mp4}
clips=${3:-1}
seed=${4:-0}
exec gst-launch-1.0 -q \
  txt2vidsrc caption="$caption" clips="$clips" seed="$seed" \
  ! x264enc ! mp4mux ! filesink location="$out"
