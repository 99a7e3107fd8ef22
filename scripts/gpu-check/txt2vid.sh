#!/bin/bash
# On a GPU machine, from the repository root, after scripts/gpu-check/pack.sh:
#
#   bash scripts/gpu-check/txt2vid.sh [--pack PACK] COMMAND [OPTIONS...]
#
# runs the packed txt2vid command (train, train-stackgan, eval, sample, ...)
# with the packed engine, CUDA module and libraries. PACK defaults to
# .gpucheck; it is unpacked once into /tmp/txt2vid-PACKHASH. Glyph caches
# come from $TXT2VID_DATA_DIR as usual (carry mnist.t2vg there).
set -euo pipefail
P=.gpucheck
if [ "${1:-}" = --pack ]; then
    P=$2
    shift 2
fi
[ -f "$P/bin.tar.xz" ] || { echo "txt2vid.sh: no $P/bin.tar.xz (run pack.sh first)" >&2; exit 1; }
W=/tmp/txt2vid-$(md5sum < "$P/bin.tar.xz" | cut -c1-12)
if [ ! -x "$W/train/txt2vid" ]; then
    mkdir -p "$W.part"
    tar -C "$W.part" -xJf "$P/bin.tar.xz"
    mv -T "$W.part" "$W"
fi
cublas=$(ldconfig -p | awk '/libcublas\.so\.13 / && !c {c = $NF} END {print c}')
[ -n "$cublas" ] || cublas=$(find /usr/local /opt -name 'libcublas.so.13' 2>/dev/null | head -n 1)
P=$(cd "$P" && pwd)
export LD_LIBRARY_PATH="$P/no-ffmpeg:$W/lib:$W/engine${cublas:+:$(dirname "$cublas")}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export TXT2VID_CUDA_MODULE="$W/kernels/libtxt2vid-cuda.so"
exec "$W/train/txt2vid" "$@"
