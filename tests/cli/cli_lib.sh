# Sourced by the tests/cli scripts: check counters (ok, fail, skip),
# data_dir (the glyph cache folder as the data sets look for it),
# `need_digits`, which ends a test that needs the digit glyphs as skipped
# (status 77) when they are not cached, and
# `run NAME ARGS...`, which runs $cli with ARGS (5-minute limit) and leaves
# the status in $status, stdout and stderr in $work/NAME.out and .err.
passed=0 failed=0 skipped=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
fail() { echo "FAIL - $*"; failed=$((failed + 1)); }
skip() { echo "skip - $*"; skipped=$((skipped + 1)); }

if [[ -n ${TXT2VID_DATA_DIR:-} ]]; then
    data_dir=$TXT2VID_DATA_DIR
elif [[ -n ${XDG_CACHE_HOME:-} ]]; then
    data_dir=$XDG_CACHE_HOME/txt2vid/data
else
    data_dir=${HOME:-.}/.cache/txt2vid/data
fi

run() {
    local name=$1; shift
    timeout 300 "$cli" "$@" >"$work/$name.out" 2>"$work/$name.err"
    status=$?
}

need_digits() {
    if [[ ! -r $data_dir/mnist.t2vg ]]; then
        echo "skip - no cached digit glyphs in $data_dir (txt2vid dataset)"
        exit 77
    fi
}
