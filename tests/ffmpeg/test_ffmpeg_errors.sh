#!/usr/bin/env bash
# The txt2vid filter's option and model errors, through txt2vid-ffmpeg: each
# bad input must stop ffmpeg with exit status 1 (an error, not a crash), an
# error line naming the problem, and AVERROR(EINVAL) ("Invalid argument").
# Needs no trained model: corrupt model files are written here.
#
#   test_ffmpeg_errors.sh TXT2VID_FFMPEG
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/ffmpeg/checks.sh
. "$here/checks.sh"

ffmpeg=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# expect_error WHAT GRAPH PATTERN...: runs the graph, wants status 1, every
# PATTERN (extended regex) in stderr, and "Invalid argument" (EINVAL) unless
# the first PATTERN is --any-error (FFmpeg's option parser has its own codes).
expect_error() {
    local what=$1 graph=$2; shift 2
    local status missing="" einval="Invalid argument"
    if [[ $1 == --any-error ]]; then einval=""; shift; fi
    "$ffmpeg" -nostdin -hide_banner -f lavfi -i "$graph" -frames:v 1 -f null - \
        >"$work/out" 2>"$work/err"
    status=$?
    for p in "$@" ${einval:+"$einval"}; do
        grep -Eq -- "$p" "$work/err" || missing+=" '$p'"
    done
    if [[ $status -eq 1 && -z $missing ]]; then
        ok "$what: exit 1, error names it ($(grep -m1 -E -- "$1" "$work/err" | sed 's/^\[[^]]*\] //' | cut -c1-90))"
    else
        fail "$what: exit $status (want 1), missing in stderr:${missing:- none}; stderr: $(tr '\n' ' ' <"$work/err" | cut -c1-300)"
    fi
}

# ---- the caption
expect_error "no caption" "txt2vid=model=$work/absent.gguf" "no caption"
expect_error "empty caption" "txt2vid=caption=''" "no caption"
expect_error "caption of punctuation only" "txt2vid=caption=' ... , !'" "caption '[ .,!]+' has no words"

# ---- the model
expect_error "missing model file" "txt2vid=caption=digit 3:model=$work/absent.gguf" \
    "cannot load the model '$work/absent.gguf'"
TXT2VID_MODEL="$work/default-absent.gguf" \
    expect_error "default model from TXT2VID_MODEL missing" "txt2vid=caption=digit 3" \
    "cannot load the model '$work/default-absent.gguf'"
mkdir "$work/a-directory.gguf"
expect_error "model path is a directory" "txt2vid=caption=digit 3:model=$work/a-directory.gguf" \
    "cannot load the model '$work/a-directory.gguf'"

: >"$work/empty.gguf"
expect_error "empty model file" "txt2vid=caption=digit 3:model=$work/empty.gguf" \
    "cannot load the model '$work/empty.gguf'"
printf 'these bytes are not a txt2vid weights file\n%.0s' {1..40} >"$work/text.gguf"
expect_error "model file that is not GGUF" "txt2vid=caption=digit 3:model=$work/text.gguf" \
    "cannot load the model '$work/text.gguf'"
# GGUF magic and version 3, then the header stops half way.
printf 'GGUF\x03\x00\x00\x00\x02\x00' >"$work/truncated.gguf"
expect_error "truncated GGUF header" "txt2vid=caption=digit 3:model=$work/truncated.gguf" \
    "cannot load the model '$work/truncated.gguf'"
# A complete header claiming 2^64-1 tensors and 2^64-1 metadata entries.
{ printf 'GGUF\x03\x00\x00\x00'; printf '\xff%.0s' {1..16}; printf '\x00%.0s' {1..64}; } >"$work/huge-counts.gguf"
expect_error "GGUF header with impossible counts" "txt2vid=caption=digit 3:model=$work/huge-counts.gguf" \
    "cannot load the model '$work/huge-counts.gguf'"
# A colon in the path must be escaped in the graph and still reach the loader whole.
: >"$work/with:colon.gguf"
expect_error "escaped colon in the model path" "txt2vid=caption=digit 3:model=$(lavfi_quote "$work/with:colon.gguf")" \
    "cannot load the model '$work/with:colon.gguf'"

# ---- option values FFmpeg's option parser rejects before any model is read
expect_error "size that is not a size" "txt2vid=caption=digit 3:size=big" "Unable to parse option value \"big\" as image size"
expect_error "size with a zero side" "txt2vid=caption=digit 3:s=0x64" "Unable to parse option value \"0x64\" as image size"
expect_error "negative size" "txt2vid=caption=digit 3:s=-64x64" "Unable to parse option value \"-64x64\" as image size"
expect_error "unknown device" "txt2vid=caption=digit 3:device=tpu" "Unable to parse option value \"tpu\""
expect_error "unknown mode" "txt2vid=caption=digit 3:mode=spin" "Unable to parse option value \"spin\""
expect_error "negative seed" "txt2vid=caption=digit 3:seed=-1" --any-error "Value -1.* for parameter 'seed' out of range"
expect_error "negative rate" "txt2vid=caption=digit 3:rate=-5" --any-error "for parameter 'rate' out of range"
expect_error "negative hold" "txt2vid=caption=digit 3:hold=-2" --any-error "for parameter 'hold' out of range"
expect_error "unknown option" "txt2vid=caption=digit 3:colour=red" --any-error "Option 'colour' not found"

# ---- the help text: every option and every named constant, with a description
"$ffmpeg" -hide_banner -h filter=txt2vid >"$work/help" 2>&1
status=$?
check $status "-h filter=txt2vid exits 0"
grep -q "Generate video from a caption" "$work/help"
check $? "-h filter=txt2vid gives the filter's description"
grep -q "none (source filter)" "$work/help"
check $? "-h filter=txt2vid says it is a source (no inputs)"
for opt in caption model seed device gpu_id cpu_threads size s rate r duration d sar mode hold \
           auto cpu cuda still morph; do
    line=$(grep -E "^ +$opt +" "$work/help" | head -n1)
    desc=$(printf '%s' "$line" | sed -E 's/^ +[^ ]+ +[^ ]+ +[^ ]+ +//')
    if [[ -n $line && ${#desc} -ge 8 ]]; then
        ok "-h filter=txt2vid lists '$opt': $desc"
    else
        fail "-h filter=txt2vid lists '$opt' with a description (line: '$line')"
    fi
done
grep -E "^ +caption +<string> +[^ ]*T" "$work/help" >/dev/null
check $? "-h filter=txt2vid marks caption as changeable at run time (T flag)"

finish
