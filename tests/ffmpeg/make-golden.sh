#!/usr/bin/env bash
# Writes the golden framecrc that test_ffmpeg_model.sh compares against, for
# one model: tests/ffmpeg/golden/<first 16 hex digits of its sha256>.framecrc.
# Run it once per model (and again after retraining a model), then commit
# the file.
#
#   tests/ffmpeg/make-golden.sh BUILD/ffmpeg-filter/txt2vid-ffmpeg MODEL
#
# The recipe (caption, seed, duration) is golden_framecrc in checks.sh;
# TXT2VID_TEST_CAPTION overrides the caption, as in the test.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/ffmpeg/checks.sh
. "$here/checks.sh"

[[ $# -eq 2 ]] || { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
ffmpeg=$1
model=$2
out=$(golden_path "$here/golden" "$model")
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
    printf '# txt2vid golden: model %s sha256 %s\n' "$(basename "$model")" "$(sha256sum "$model" | cut -d' ' -f1)"
    printf "# txt2vid golden: caption '%s', seed %s, duration %s s, device cpu\n" \
        "$golden_caption" "$golden_seed" "$golden_duration"
    golden_framecrc "$ffmpeg" "$model"
} >"$tmp"
mkdir -p "$here/golden"
mv "$tmp" "$out"
trap - EXIT
echo "wrote $out ($(grep -vc '^#' "$out") frames)"
