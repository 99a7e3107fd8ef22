#!/bin/bash
# Pack the CUDA checks for a GPU machine that has the CUDA toolkit but not
# Debian's libraries (see docs/cuda.md, "Running the checks on a GPU
# machine"). From the repository root:
#
#   bash scripts/gpu-check/pack.sh [BUILD] [PACK]      (defaults build-gpu .gpucheck)
#
# configures BUILD (release, CUDA on, built-in sgemm instead of OpenBLAS, no
# plugins), builds it, and writes PACK/bin.tar.xz: the engine library, the
# CUDA module, the tests of the suite engine-cuda, bench_cuda and the
# txt2vid command (to train there: scripts/gpu-check/train.sh). The
# training library links Debian's FFmpeg for decoding users' videos, which
# these programs never call; PACK/no-ffmpeg holds libraries with those four
# names whose functions abort with a message, so FFmpeg need not travel.
# The tarball's lib/ holds the other Debian libraries txt2vid needs (cairo,
# libpng, giflib, FreeType and theirs), glibc's own excepted.
# Ignore PACK in git (.git/info/exclude) and carry it to the machine.
set -euo pipefail
B=${1:-build-gpu}
P=${2:-.gpucheck}
if [ ! -d "$B" ]; then
    meson setup "$B" --buildtype=release -Dblas=disabled -Dcuda=enabled \
        -Dgst=disabled -Dffmpeg=disabled
fi
ninja -C "$B"

engine_tests="gemm conv elementwise norm layout text_ops loss adam rng arena_params fit pixels_kernel translate generator_pixels"
files="engine/libtxt2vid.so engine/libtxt2vid.so.0 engine/libtxt2vid.so.0.1.0
       kernels/libtxt2vid-cuda.so bench/bench_cuda train/txt2vid"
for t in $engine_tests; do files="$files tests/engine/test_$t"; done
for t in arith open model stackgan; do files="$files tests/engine-cuda/test_cuda_$t"; done

rm -rf "$P"
mkdir -p "$P/no-ffmpeg"

# Functions the programs import from each FFmpeg library.
needed=$(cd "$B" && for f in $files; do nm -D --undefined-only "$f" | awk '{print $2}'; done |
         sed 's/@.*//' | sort -u)
multiarch=$(gcc -print-multiarch)
for lib in libavformat.so.59 libavcodec.so.59 libavutil.so.57 libswscale.so.6; do
    src="$P/no-ffmpeg/${lib%%.so*}.c"
    {
        echo '#include <stdio.h>'
        echo '#include <stdlib.h>'
        echo 'static void called(const char *f)'
        # shellcheck disable=SC2028 # the \n is C source, printed as is
        echo '{ fprintf(stderr, "gpu-check: %s called; FFmpeg is not on this machine\n", f); abort(); }'
        nm -D --defined-only "/usr/lib/$multiarch/$lib" | awk '$2 == "T" {print $3}' |
            sed 's/@.*//' | sort -u | comm -12 - <(echo "$needed") |
            while read -r fn; do echo "void $fn(void); void $fn(void) { called(\"$fn\"); }"; done
    } > "$src"
    # The symbol version the programs ask for (LIBAVFORMAT_59, ...).
    node=$(objdump -p "/usr/lib/$multiarch/$lib" |
           awk '/^Version definitions/ {on = 1; next} on && NF == 4 && $2 != "0x01" {print $4; exit}')
    echo "$node { global: *; };" > "$src.map"
    gcc -shared -fPIC -O1 -Wall -Wextra -Wl,-soname,"$lib" -Wl,--version-script="$src.map" \
        -o "$P/no-ffmpeg/$lib" "$src"
    rm "$src" "$src.map"
done
# The libraries txt2vid needs, transitively (its NEEDED entries), except FFmpeg's
# four (replaced above by libraries that abort if called) and glibc's.
skip='^(libav(format|codec|util)|libswscale|libc|libm|libpthread|libdl|librt|ld-linux-x86-64|libgcc_s|libstdc\+\+)\.so'
rm -rf "${B:?}/lib"
mkdir -p "$B/lib"
declare -A seen=()
cache=$(ldconfig -p)
queue=("$B/train/txt2vid")
while [ ${#queue[@]} -gt 0 ]; do
    f=${queue[0]}
    queue=("${queue[@]:1}")
    for n in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        [[ $n =~ $skip ]] && continue
        [ -n "${seen[$n]:-}" ] && continue
        p=$(awk -v n="$n" '$1 == n && /x86-64/ && !p {p = $NF} END {print p}' <<< "$cache")
        [ -n "$p" ] || { echo "pack.sh: $n not found" >&2; exit 1; }
        seen[$n]=$p
        queue+=("$p")
        cp -L "$p" "$B/lib/$n"
    done
done
# shellcheck disable=SC2086
tar -C "$B" -cJf "$P/bin.tar.xz" $files lib
du -sh "$P"
