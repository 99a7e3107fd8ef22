#!/usr/bin/env bash
# End-to-end: the design-card pipeline exactly as documented, each script in
# pipelines/, and live pipelines; outputs checked with ffprobe (frame count,
# size, duration) and by decoding frames and comparing them with the
# engine's own frames (compare_decoded).
#
#   test_pipelines.sh COMPARE_DECODED [RTSP_SERVER]
# Needs TXT2VID_TEST_MODEL; without it the script checks only that the
# pipeline scripts parse and prints "skip - ..." for the rest.
set -uo pipefail
compare=${1:?compare_decoded path}
rtsp_server=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
pipelines=${T2V_PIPELINES:-$here/../../pipelines}
caption="digit 3 is moving up and down"
passed=0 failed=0

check() { # check "what" command...
  local what=$1
  shift
  if "$@"; then
    echo "ok - $what"
    passed=$((passed + 1))
  else
    echo "FAIL - $what"
    failed=$((failed + 1))
  fi
}
finish() {
  echo "# $passed passed, $failed failed"
  [[ $failed -eq 0 ]]
  exit $?
}

for s in "$pipelines"/*.sh; do
  check "$(basename "$s") parses" bash -n "$s"
done

model=${TXT2VID_TEST_MODEL:-}
if [[ -z $model || ! -f $model ]]; then
  for t in "design-card pipeline" "file-mp4.sh" "live pipeline with fakesink sync=true" \
           "live pipeline to mp4" "live-hls.sh" "live-rtsp.sh" "preview-window.sh"; do
    echo "skip - $t: no model (TXT2VID_TEST_MODEL)"
  done
  finish
fi
export TXT2VID_MODEL=$model
read -r frames width height fps_n fps_d < <("$compare" --info "$model")
tmp=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# probe FILE -> "frames width height duration"
probe() {
  local n w h d
  n=$(ffprobe -v error -count_frames -select_streams v:0 \
        -show_entries stream=nb_read_frames -of csv=p=0 "$1")
  w=$(ffprobe -v error -select_streams v:0 -show_entries stream=width -of csv=p=0 "$1")
  h=$(ffprobe -v error -select_streams v:0 -show_entries stream=height -of csv=p=0 "$1")
  d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$1")
  echo "${n%,} ${w%,} ${h%,} ${d%,}"
}
# expect_video FILE FRAMES WHAT: count, native size, duration within a frame
expect_video() {
  local got n w h d
  got=$(probe "$1")
  read -r n w h d <<<"$got"
  check "$3: ffprobe sees $2 frames of ${width}x${height} lasting $2 frame periods (got $got)" \
    awk -v n="$n" -v w="$w" -v h="$h" -v d="$d" -v N="$2" -v W="$width" -v H="$height" \
        -v fn="$fps_n" -v fd="$fps_d" \
        'BEGIN { want = N * fd / fn; p = fd / fn;
                 exit !(n == N && w == W && h == H && d >= want - p && d <= want + p) }'
}
# matches FILE WHAT [FIRST]: every decoded frame is within 30 dB PSNR of the
# engine's frame of the same index, and at least 10 dB closer than to the
# frames of another seed (so a wrong or shifted stream cannot pass).
psnr_of() { grep -o 'lowest PSNR [0-9.]*' <<<"$1" | head -n 1 | awk '{print $3}'; }
matches() {
  local out rc good other
  out=$("$compare" "$1" "$model" "$caption" 0 30 "${3:-0}")
  rc=$?
  good=$(psnr_of "$out")
  check "$2: decoded frames equal the engine's frames (lowest PSNR ${good:-?} dB >= 30)" \
    test "$rc" -eq 0
  out=$("$compare" "$1" "$model" "$caption" 1 0 "${3:-0}")
  other=$(psnr_of "$out")
  check "$2: and are 10 dB further from another seed's frames (${other:-?} dB)" \
    awk -v g="${good:-0}" -v o="${other:-99}" 'BEGIN { exit !(g - o >= 10) }'
}

# 1. The design-card pipeline, exactly as written in the README.
( cd "$tmp" && timeout 300 gst-launch-1.0 -q txt2vidsrc caption="digit 3 is moving up and down" ! x264enc ! mp4mux ! filesink location=out.mp4 )
check "design-card pipeline exits 0 and finalises out.mp4" test -s "$tmp/out.mp4"
expect_video "$tmp/out.mp4" "$frames" "design card"
matches "$tmp/out.mp4" "design card"

# 2. pipelines/file-mp4.sh with two clips.
timeout 300 "$pipelines/file-mp4.sh" "$caption" "$tmp/two.mp4" 2 0
expect_video "$tmp/two.mp4" $((2 * frames)) "file-mp4.sh clips=2"
matches "$tmp/two.mp4" "file-mp4.sh"

# 3. Live, paced by the clock into fakesink sync=true.
start=$(date +%s.%N)
out=$(timeout 300 gst-launch-1.0 -v txt2vidsrc is-live=true clips=2 caption="$caption" \
      ! queue ! videoconvert ! fakesink sync=true silent=false 2>&1)
rc=$?
end=$(date +%s.%N)
chains=$(grep -c 'fakesink0.*chain' <<<"$out")
check "live pipeline with fakesink sync=true exits 0 and renders $((2 * frames)) frames (got $chains)" \
  test "$rc" -eq 0 -a "$chains" -eq $((2 * frames))
check "live pipeline is paced by the clock (took $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b-a}') s)" \
  awk -v a="$start" -v b="$end" -v N=$((2 * frames)) -v fn="$fps_n" -v fd="$fps_d" \
      'BEGIN { exit !(b - a >= 0.9 * (N - 1) * fd / fn) }'

# 4. Live to MP4.
timeout 300 gst-launch-1.0 -q -e txt2vidsrc is-live=true clips=2 caption="$caption" \
  ! queue ! x264enc tune=zerolatency ! mp4mux ! filesink location="$tmp/live.mp4"
expect_video "$tmp/live.mp4" $((2 * frames)) "live to mp4"
matches "$tmp/live.mp4" "live to mp4"

# 5. HLS.
timeout 300 "$pipelines/live-hls.sh" "$caption" "$tmp/hls" 2
check "live-hls.sh writes a closed playlist with segments" \
  bash -c 'grep -q EXT-X-ENDLIST "$1/playlist.m3u8" && ls "$1"/segment*.ts >/dev/null' _ "$tmp/hls"
n=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
      -of csv=p=0 "$tmp/hls/playlist.m3u8" | head -n 1)
check "live-hls.sh playlist plays $((2 * frames)) frames (got ${n%,})" test "${n%,}" = $((2 * frames))

# 6. RTSP.
if [[ -n $rtsp_server && -x $rtsp_server ]]; then
  port=$((20000 + RANDOM % 20000))
  T2V_RTSP_SERVER=$rtsp_server "$pipelines/live-rtsp.sh" "$caption" "$port" >"$tmp/rtsp.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 50); do grep -q serving "$tmp/rtsp.log" && break; sleep 0.1; done
  url="rtsp://127.0.0.1:$port/txt2vid"
  size=$(timeout 120 ffprobe -v error -rtsp_transport tcp -select_streams v:0 \
           -show_entries stream=width,height -of csv=p=0 "$url")
  check "live-rtsp.sh serves ${width}x${height} H.264 (got $size)" test "$size" = "$width,$height"
  timeout 120 ffmpeg -v error -rtsp_transport tcp -i "$url" -frames:v 10 -f null - 
  check "an RTSP client decodes 10 frames" test $? -eq 0
  kill "$server_pid" && wait "$server_pid"
  check "the RTSP server exits cleanly on SIGTERM" test $? -eq 0
  server_pid=
else
  echo "skip - live-rtsp.sh: gst-rtsp-server not built"
fi

# 7. Preview window, with fakesink standing in for the window.
T2V_VIDEO_SINK="fakesink sync=true" T2V_CLIPS=1 timeout 300 "$pipelines/preview-window.sh" "$caption" 128
check "preview-window.sh runs one clip to the end" test $? -eq 0

finish
