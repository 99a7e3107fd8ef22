# shellcheck shell=bash
# Shared by the FFmpeg tests (sourced, not run): one "ok - ..." or
# "FAIL - ..." line per check, "skip - ..." for what cannot run here, and a
# closing "# N passed, N failed" line.

t2v_passed=0
t2v_failed=0
t2v_skipped=0

ok() { printf 'ok - %s\n' "$*"; t2v_passed=$((t2v_passed + 1)); }
fail() { printf 'FAIL - %s\n' "$*"; t2v_failed=$((t2v_failed + 1)); }
skip() { printf 'skip - %s\n' "$*"; t2v_skipped=$((t2v_skipped + 1)); }

# check CONDITION-EXIT-STATUS WHAT...: ok when the previous command (or the
# given status) is 0.
check() {
    local status=$1; shift
    if [[ $status -eq 0 ]]; then ok "$@"; else fail "$@"; fi
}

# finish: the summary line; exit 77 (meson's "skipped") when nothing ran.
finish() {
    printf '# %d passed, %d failed, %d skipped\n' "$t2v_passed" "$t2v_failed" "$t2v_skipped"
    if (( t2v_failed )); then exit 1; fi
    if (( t2v_passed == 0 && t2v_skipped > 0 )); then exit 77; fi
    exit 0
}

# Escapes a value for a filter option inside a filtergraph string:
# backslash, quote and colon are special to the option parser.
lavfi_quote() {
    local v=$1
    v=${v//\\/\\\\}
    v=${v//\'/\\\'}
    v=${v//:/\\:}
    printf "'%s'" "$v"
}

# The golden framecrc recipe, shared by the test and make-golden.sh:
# golden_framecrc FFMPEG MODEL > out
golden_caption=${TXT2VID_TEST_CAPTION:-digit 3 is moving up and down}
golden_seed=7
golden_duration=2
golden_framecrc() {
    "$1" -nostdin -hide_banner -v error \
        -f lavfi -i "txt2vid=model=$(lavfi_quote "$2"):caption=$(lavfi_quote "$golden_caption"):seed=$golden_seed:device=cpu:d=$golden_duration" \
        -fflags +bitexact -flags:v +bitexact -f framecrc -
}

# golden_path DIR MODEL: golden/<first 16 hex digits of the model's sha256>.framecrc
golden_path() {
    local sum
    sum=$(sha256sum "$2" | cut -c1-16)
    printf '%s/%s.framecrc' "$1" "$sum"
}
