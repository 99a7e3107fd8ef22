#!/bin/bash
# On a GPU machine, from the repository root, after scripts/gpu-check/pack.sh:
#
#   bash scripts/gpu-check/run.sh [PACK] [LOGS] [SECONDS]
#
# runs every test of the suite engine-cuda against the device, then
# bench_cuda and bench/torch_reference.py (when PyTorch sees a GPU) side by
# side, SECONDS per measurement (default 3; 0 skips the benchmarks), then
# compute-sanitizer's memcheck. Each program's output goes to
# LOGS/NAME.log; the summary (one line per program, "N passed, N failed"
# at the end) goes to stdout and LOGS/summary.txt.
set -u
P=${1:-.gpucheck}
L=${2:-gpucheck-logs}
S=${3:-3}
W=$(mktemp -d /tmp/gpucheck.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$L"
rm -f "$L"/*.log   # no stale figures from an earlier run
tar -C "$W" -xJf "$P/bin.tar.xz"

cublas=$(ldconfig -p | awk '/libcublas\.so\.13 /{print $NF; exit}')
[ -n "$cublas" ] || cublas=$(find /usr/local /opt -name 'libcublas.so.13' 2>/dev/null | head -n 1)
export LD_LIBRARY_PATH="$P/no-ffmpeg:$W/engine${cublas:+:$(dirname "$cublas")}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export TXT2VID_CUDA_MODULE="$W/kernels/libtxt2vid-cuda.so"

summary="$L/summary.txt"
: > "$summary"
say() { echo "$*" | tee -a "$summary"; }
say "device: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -n 1)"
say "cublas: ${cublas:-not found}"

passed=0 failed=0 skipped=0
check() {
    local name=$1; shift
    local t0 t1 rc
    t0=$(date +%s.%N)
    timeout 300 "$@" > "$L/$name.log" 2>&1
    rc=$?
    t1=$(date +%s.%N)
    local verdict=FAIL
    case $rc in
        0) verdict=ok; passed=$((passed + 1)) ;;
        77) verdict=SKIP; skipped=$((skipped + 1)) ;;
        *) failed=$((failed + 1)) ;;
    esac
    say "$(printf '%-24s %-4s rc %3d %6.1f s  %s' "$name" "$verdict" "$rc" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" "$(grep -E 'passed|skip' "$L/$name.log" | tail -n 1)")"
}

for t in gemm conv elementwise norm layout text_ops loss adam rng arena_params fit \
         pixels_kernel translate; do
    check "test_${t}_cuda" "$W/tests/engine/test_$t" cuda
done
check generator_pixels_cuda "$W/tests/engine/test_generator_pixels" cuda models/sbmg.gguf
check cuda_arith "$W/tests/engine-cuda/test_cuda_arith"
check cuda_open "$W/tests/engine-cuda/test_cuda_open"
check cuda_model "$W/tests/engine-cuda/test_cuda_model"
check cuda_stackgan "$W/tests/engine-cuda/test_cuda_stackgan"
say "$passed passed, $failed failed, $skipped skipped"

# Benchmarks: the engine and PyTorch on the same architecture, one after
# the other on the same machine.
presets="small paper"
[ "$S" = 0 ] && presets=
for preset in $presets; do
    timeout 300 "$W/bench/bench_cuda" "$preset" cuda "$S" > "$L/bench_cuda_$preset.log" 2>&1
    TXT2VID_CUDA_TF32=1 timeout 300 "$W/bench/bench_cuda" "$preset" cuda "$S" \
        > "$L/bench_cuda_${preset}_tf32.log" 2>&1
    if python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
        timeout 300 python3 bench/torch_reference.py --preset "$preset" --seconds "$S" --device cuda \
            > "$L/torch_$preset.log" 2>&1
        timeout 300 python3 bench/torch_reference.py --preset "$preset" --seconds "$S" --device cuda --tf32 \
            > "$L/torch_${preset}_tf32.log" 2>&1
    fi
done
for f in "$L"/bench_cuda_*.log "$L"/torch_*.log; do
    [ -f "$f" ] && { echo "== $(basename "$f")"; cat "$f"; } | tee -a "$summary"
done
# Device memory errors: compute-sanitizer's memcheck over the op tests.
if command -v compute-sanitizer > /dev/null; then
    for t in conv translate pixels_kernel text_ops norm; do
        check "memcheck_$t" compute-sanitizer --tool memcheck --error-exitcode 1 \
            "$W/tests/engine/test_$t" cuda
    done
    for t in model stackgan; do
        check "memcheck_cuda_$t" compute-sanitizer --tool memcheck --error-exitcode 1 \
            "$W/tests/engine-cuda/test_cuda_$t"
    done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
