#!/usr/bin/env bash
# The txt2vid filter with a real model, through txt2vid-ffmpeg and
# txt2vid-ffprobe: formats and sizes, pts and EOF, the golden framecrc, an
# MP4 made with libx264 as ffprobe sees it, -re pacing, a caption change by
# sendcmd landing at the next clip, warnings and size errors.
#
#   test_ffmpeg_model.sh TXT2VID_FFMPEG TXT2VID_FFPROBE GOLDEN_DIR
#
# Needs $TXT2VID_TEST_MODEL (skips without it). Captions:
# $TXT2VID_TEST_CAPTION (default "digit 3 is moving up and down") and
# $TXT2VID_TEST_CAPTION2 (default "digit 7 is moving left and right").
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/ffmpeg/checks.sh
. "$here/checks.sh"

ffmpeg=$1
ffprobe=$2
golden_dir=$3
model=${TXT2VID_TEST_MODEL:-}
caption_a=${TXT2VID_TEST_CAPTION:-digit 3 is moving up and down}
caption_b=${TXT2VID_TEST_CAPTION2:-digit 7 is moving left and right}

if [[ -z $model ]]; then
    for what in "natural format, size and rate" "pts and EOF at the duration" "golden framecrc" \
                "MP4 via libx264: duration and frame count" "-re pacing" "sendcmd caption change" \
                "unknown-word warning" "size errors and scaling"; do
        skip "$what: no model (set TXT2VID_TEST_MODEL)"
    done
    finish
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
qmodel=$(lavfi_quote "$model")
src() { # src CAPTION EXTRA-OPTIONS: a txt2vid source string
    printf 'txt2vid=model=%s:caption=%s:seed=7:device=cpu%s' "$qmodel" "$(lavfi_quote "$1")" "${2:+:$2}"
}
ff() { "$ffmpeg" -nostdin -hide_banner "$@"; }

# ---- what the model gives by default
"$ffprobe" -v error -f lavfi -i "$(src "$caption_a" "d=1")" -show_streams -select_streams v:0 \
    -of default=noprint_wrappers=1 >"$work/probe" 2>"$work/probe.err"
check $? "txt2vid-ffprobe reads the lavfi source"
val() { grep -m1 "^$1=" "$2" | cut -d= -f2-; }
pix_fmt=$(val pix_fmt "$work/probe")
width=$(val width "$work/probe")
height=$(val height "$work/probe")
rate=$(val r_frame_rate "$work/probe")
[[ $pix_fmt == gray || $pix_fmt == rgb24 ]]
check $? "natural format first: the source negotiates '$pix_fmt' (gray or rgb24) when nothing asks otherwise"
[[ $width -gt 0 && $height -gt 0 && $rate =~ ^[1-9][0-9]*/[1-9][0-9]*$ ]]
check $? "native size ${width}x${height} and the model's rate $rate"
fps_num=${rate%/*}
fps_den=${rate#*/}

ff -v verbose -f lavfi -i "$(src "$caption_a" "d=1")" -f null - 2>"$work/verbose"
clip=$(grep -m1 -oE 'clips of [0-9]+ frame' "$work/verbose" | grep -oE '[0-9]+')
[[ -n $clip && $clip -ge 1 ]]
check $? "the filter reports its clip length ($clip frames)"

# frames in DURATION seconds: pts * den/num < DURATION
frames_in() { # frames_in SECONDS_NUM SECONDS_DEN
    echo $(( ($1 * fps_num + $2 * fps_den - 1) / ($2 * fps_den) ))
}

# ---- pts, time base, EOF
ff -v error -f lavfi -i "$(src "$caption_a" "d=1.5")" -f framecrc - >"$work/d15.crc" 2>"$work/err"
status=$?
want=$(frames_in 3 2)
got=$(grep -vc '^#' "$work/d15.crc")
[[ $status -eq 0 && $got -eq $want ]]
check $? "d=1.5 ends with EOF after $want frames at $rate fps (got $got, exit $status)"
grep -q "^#tb 0: $fps_den/$fps_num\$" "$work/d15.crc"
check $? "time base is 1/frame rate ($fps_den/$fps_num)"
awk -F', *' '!/^#/ { if ($2 != n || $3 != n || $4 != 1) bad = 1; n++ } END { exit bad }' "$work/d15.crc"
check $? "pts and dts run 0, 1, 2 ... with duration 1 per frame"

ff -v error -f lavfi -i "$(src "$caption_a" "d=1.5:r=5")" -f framecrc - >"$work/r5.crc" 2>/dev/null
[[ $(grep -vc '^#' "$work/r5.crc") -eq 8 ]] && grep -q '^#tb 0: 1/5$' "$work/r5.crc"
check $? "rate=5 gives 8 frames in 1.5 s with time base 1/5"
diff <(grep -v '^#' "$work/r5.crc" | head -n 8 | awk -F', *' '{ print $6 }') \
     <(grep -v '^#' "$work/d15.crc" | head -n 8 | awk -F', *' '{ print $6 }') >/dev/null
check $? "rate changes timing only: frame n has the same checksum at rate=5 and at $rate"

# ---- golden framecrc
golden=$(golden_path "$golden_dir" "$model")
golden_framecrc "$ffmpeg" "$model" >"$work/golden.crc" 2>"$work/err"
check $? "golden recipe runs$(test -s "$work/err" && printf " (%s)" "$(head -c 200 "$work/err")")"
if [[ ! -f $golden ]]; then
    fail "golden framecrc: no $golden for this model; make it with tests/ffmpeg/make-golden.sh"
else
    diff <(grep -v '^# txt2vid' "$golden") "$work/golden.crc" >"$work/golden.diff"
    check $? "framecrc of '$golden_caption' seed $golden_seed equals $(basename "$golden") ($(grep -vc '^#' "$work/golden.crc") frames)"
fi
ff -v error -f lavfi -i "$(src "$caption_a" "d=1" | sed 's/seed=7/seed=8/')" -f framecrc - >"$work/seed8.crc" 2>/dev/null
! diff <(grep -v '^#' "$work/seed8.crc" | awk -F', *' '{ print $6 }') \
       <(grep -v '^#' "$work/d15.crc" | head -n "$(grep -vc '^#' "$work/seed8.crc")" | awk -F', *' '{ print $6 }') >/dev/null
check $? "seed=8 gives other frames than seed=7 (fails also for a model that ignores its noise)"

# ---- MP4 through libx264, read back by ffprobe
ff -v error -f lavfi -i "$(src "$caption_a" "d=2"),format=yuv420p" -c:v libx264 -preset ultrafast \
    -threads 1 -y "$work/out.mp4" 2>"$work/err"
check $? "MP4 with libx264 written$(test -s "$work/err" && printf " (%s)" "$(head -c 200 "$work/err")")"
"$ffprobe" -v error -count_frames -select_streams v:0 \
    -show_entries stream=codec_name,nb_read_frames,width,height,pix_fmt:format=duration \
    -of default=noprint_wrappers=1 "$work/out.mp4" >"$work/mp4.probe" 2>&1
want=$(frames_in 2 1)
[[ $(val codec_name "$work/mp4.probe") == h264 && $(val pix_fmt "$work/mp4.probe") == yuv420p ]]
check $? "ffprobe: the MP4 holds H.264 yuv420p"
[[ $(val nb_read_frames "$work/mp4.probe") -eq $want ]]
check $? "ffprobe counts $want decoded frames (got $(val nb_read_frames "$work/mp4.probe"))"
[[ $(val width "$work/mp4.probe") -eq $width && $(val height "$work/mp4.probe") -eq $height ]]
check $? "ffprobe: ${width}x${height} kept"
dur=$(val duration "$work/mp4.probe")
awk -v d="$dur" -v n="$fps_num" -v m="$fps_den" 'BEGIN { exit !(d > 0 && (d - 2 < m / n + 1e-6) && (2 - d < m / n + 1e-6)) }'
check $? "ffprobe: duration $dur s is 2 s within one frame"

# ---- -re pacing: a 2 s output may not come out faster than real time
start=$(date +%s%N)
ff -v error -f lavfi -i "$(src "$caption_a" "d=2")" -f null - 2>/dev/null
unpaced_ms=$(( ($(date +%s%N) - start) / 1000000 ))
start=$(date +%s%N)
ff -v error -re -f lavfi -i "$(src "$caption_a" "d=2")" -f framecrc - >"$work/re.crc" 2>/dev/null
paced_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[[ $paced_ms -ge 1800 ]]
check $? "-re: 2 s of output took $paced_ms ms of wall clock (>= 1800; unpaced: $unpaced_ms ms)"
[[ $(grep -vc '^#' "$work/re.crc") -eq $(frames_in 2 1) ]]
check $? "-re keeps every frame ($(grep -vc '^#' "$work/re.crc"))"

# ---- sendcmd: a caption sent mid-clip starts at the next clip
n=$(( 2 * clip ))
k=$(( clip / 2 ))
ff -v error -f lavfi -i "$(src "$caption_a")" -frames:v "$n" -f framemd5 - 2>/dev/null | grep -v '^#' >"$work/a.md5"
ff -v error -f lavfi -i "$(src "$caption_b")" -frames:v "$n" -f framemd5 - 2>/dev/null | grep -v '^#' >"$work/b.md5"
# the command fires when frame k (time k / rate) passes sendcmd
t=$(awk -v k="$k" -v n="$fps_num" -v m="$fps_den" 'BEGIN { printf "%.6f", k * m / n }')
printf "%s txt2vid caption '%s';\n" "$t" "$caption_b" >"$work/cmds"
ff -v info -f lavfi -i "$(src "$caption_a"),sendcmd=f=$(lavfi_quote "$work/cmds")" -frames:v "$n" \
    -f framemd5 - 2>"$work/sendcmd.err" | grep -v '^#' >"$work/ab.md5"
md5s() { awk -F', *' '{ print $6 }' "$1" | sed -n "$2,$3p"; }
[[ $(wc -l <"$work/ab.md5") -eq $n ]]
check $? "sendcmd run gives $n frames"
! diff <(md5s "$work/a.md5" $((clip + 1)) "$n") <(md5s "$work/b.md5" $((clip + 1)) "$n") >/dev/null
check $? "the two captions give different clips (else the next checks prove nothing)"
diff <(md5s "$work/ab.md5" 1 "$clip") <(md5s "$work/a.md5" 1 "$clip") >/dev/null
check $? "sendcmd at frame $k: frames 0..$((clip - 1)) (the running clip) keep '$caption_a'"
diff <(md5s "$work/ab.md5" $((clip + 1)) "$n") <(md5s "$work/b.md5" $((clip + 1)) "$n") >/dev/null
check $? "sendcmd at frame $k: frames $clip..$((n - 1)) (the next clip) are '$caption_b' exactly"
grep -q "caption '$caption_b' from frame $clip" "$work/sendcmd.err"
check $? "the filter logs the caption change at frame $clip"

# ---- unknown words are a warning, not an error
ff -v warning -f lavfi -i "$(src "$caption_a zqxjvword")" -frames:v 1 -f null - 2>"$work/unk.err"
status=$?
[[ $status -eq 0 ]] && grep -q "not in the model's vocabulary: .*zqxjvword" "$work/unk.err"
check $? "unknown word: exit $status, warning names 'zqxjvword' ($(grep -m1 vocabulary "$work/unk.err" | sed 's/^\[[^]]*\] //'))"

# ---- sizes
ff -v error -f lavfi -i "$(src "$caption_a" "s=9000x64")" -frames:v 1 -f null - 2>"$work/size.err"
status=$?
[[ $status -eq 1 ]] && grep -q "cannot produce size 9000x64" "$work/size.err" && grep -q "Invalid argument" "$work/size.err"
check $? "size 9000x64: exit $status, error names the size, EINVAL"
"$ffprobe" -v error -f lavfi -i "$(src "$caption_a" "d=1:s=$((2 * width + 2))x$((2 * height))")" -show_streams \
    -of default=noprint_wrappers=1 >"$work/scaled.probe" 2>/dev/null
[[ $(val width "$work/scaled.probe") -eq $((2 * width + 2)) && $(val height "$work/scaled.probe") -eq $((2 * height)) \
   && $(val pix_fmt "$work/scaled.probe") == "$pix_fmt" ]]
check $? "s=$((2 * width + 2))x$((2 * height)) scales the model's frames, format stays $pix_fmt"
ff -v error -f lavfi -i "$(src "$caption_a" "d=1:s=${width}x${height}")" -f framecrc - >"$work/native.crc" 2>/dev/null
diff <(grep -v '^#' "$work/native.crc") <(grep -v '^#' "$work/d15.crc" | head -n "$(grep -vc '^#' "$work/native.crc")") >/dev/null
check $? "s=${width}x${height} (the native size) gives the unscaled frames"

finish
