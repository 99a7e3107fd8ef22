#!/usr/bin/env bash
# Fuzzes the weights file reader with libFuzzer under ASan + UBSan.
#
#   tests/io/run_fuzz.sh [SECONDS] [BUILD_DIR]
#
# SECONDS (default 60) bounds the run; BUILD_DIR (default build-fuzz) is a
# separate clang build with -Dfuzz=true. Needs clang and libclang-rt-14-dev.
# The seed corpus (a few valid files) is written into BUILD_DIR/fuzz-seeds,
# the growing corpus is kept in BUILD_DIR/fuzz-corpus, and any crashing input
# is saved as BUILD_DIR/fuzz-artifacts/crash-*. Exits non-zero on a finding.
set -euo pipefail

seconds=${1:-60}
build=${2:-build-fuzz}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" -Dfuzz=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dsanitize_tests=true -Dgst=disabled -Dffmpeg=disabled \
    -Dcuda=disabled
fi
ninja -C "$build" -j2 tests/io/fuzz_weights tests/io/make_weights_seeds

seeds="$build/fuzz-seeds"
corpus="$build/fuzz-corpus"
artifacts="$build/fuzz-artifacts"
mkdir -p "$seeds" "$corpus" "$artifacts"
"$build/tests/io/make_weights_seeds" "$seeds"

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
"$build/tests/io/fuzz_weights" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" \
  "$corpus" "$seeds"
