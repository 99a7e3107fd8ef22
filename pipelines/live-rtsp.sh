#!/usr/bin/env bash
# Live RTSP: serves txt2vidsrc as H.264 at rtsp://HOST:PORT/txt2vid with
# gst-rtsp-server (txt2vid-rtsp-server, built and installed with the plugin).
#
#   pipelines/live-rtsp.sh CAPTION [PORT]
#   ffplay rtsp://127.0.0.1:8554/txt2vid     (or any RTSP client)
#
# $T2V_RTSP_SERVER overrides the server program (e.g. from a build tree).
set -euo pipefail
caption=${1:?usage: live-rtsp.sh CAPTION [PORT]}
port=${2:-8554}
server=${T2V_RTSP_SERVER:-txt2vid-rtsp-server}
args=(--port "$port" --caption "$caption")
if [[ -n ${TXT2VID_MODEL:-} ]]; then
  args+=(--model "$TXT2VID_MODEL")
fi
exec "$server" "${args[@]}"
