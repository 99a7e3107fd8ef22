#!/usr/bin/env bash
# Builds FFmpeg 5.1 (Debian 12's source package) with the txt2vid source
# filter and leaves txt2vid-ffmpeg / txt2vid-ffprobe in OUTDIR.
#
#   ffmpeg-filter/build-ffmpeg.sh --lib PATH/libtxt2vid.so.X.Y.Z \
#       --include ENGINE/include --outdir DIR [--cache DIR] [--libdir-rel lib]
#       [--jobs N]
#
# The FFmpeg tree and its objects live in a cache outside the clone:
#   CACHE/source/                 the pristine `apt-get source ffmpeg` tree
#   CACHE/build-KEY/src/          patched copy, configured and built in place
#   CACHE/build-KEY/t2v/          the libtxt2vid headers and library it links
# KEY is a hash of the FFmpeg version, the registration patch and the
# configure line, so a change to any of them gives a fresh tree; a change to
# vsrc_txt2vid.c or to the engine headers only recompiles the filter and
# relinks the programs (make's own dependency tracking).
#
# The programs carry an rpath that finds libtxt2vid from the meson build tree
# ($ORIGIN/../engine), from an installed prefix ($ORIGIN/../LIBDIR_REL) and
# from the cache tree itself ($ORIGIN/../t2v/lib).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

cache_dir=""
t2v_lib=""
t2v_include=""
outdir=""
libdir_rel="lib"
jobs=2

usage() { sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while (( $# )); do
    case $1 in
        --cache) cache_dir=$2; shift 2 ;;
        --lib) t2v_lib=$2; shift 2 ;;
        --include) t2v_include=$2; shift 2 ;;
        --outdir) outdir=$2; shift 2 ;;
        --libdir-rel) libdir_rel=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        -h|--help) usage ;;
        *) echo "build-ffmpeg: unknown argument $1" >&2; usage ;;
    esac
done
[[ -n $t2v_lib && -n $t2v_include && -n $outdir ]] || usage
[[ -n $cache_dir ]] || cache_dir=${XDG_CACHE_HOME:-$HOME/.cache}/txt2vid/ffmpeg
cache_dir=$(realpath -m "$cache_dir")
outdir=$(realpath -m "$outdir")
t2v_lib=$(realpath -m "$t2v_lib")
t2v_include=$(realpath -m "$t2v_include")
[[ -f $t2v_lib ]] || { echo "build-ffmpeg: no library at $t2v_lib" >&2; exit 1; }
[[ -f $t2v_include/txt2vid/txt2vid.h ]] || { echo "build-ffmpeg: no txt2vid/txt2vid.h under $t2v_include" >&2; exit 1; }

log() { printf 'build-ffmpeg: %s\n' "$*" >&2; }

filter_src="$here/vsrc_txt2vid.c"
patch_file="$here/txt2vid-registration.patch"

# configure evals its flags once and make reads them once more: \$\$ is what
# reaches the linker as $ORIGIN.
origin='\$\$ORIGIN'

case $libdir_rel in
    /*) installed_libdir=$libdir_rel ;;
    *) installed_libdir=$origin/../$libdir_rel ;;
esac

# What the project's pipelines and tests need, and nothing else.
# shellcheck disable=SC2054  # the commas are inside --enable-X=a,b,c values
configure_flags=(
    --disable-everything --disable-doc --disable-network --disable-autodetect
    --disable-ffplay --disable-debug
    --enable-gpl --enable-pthreads --enable-zlib --enable-libx264 --enable-libtxt2vid
    --enable-avdevice --enable-swscale --enable-indev=lavfi
    --enable-demuxer=mov,matroska,rawvideo,image2,gif,yuv4mpegpipe,lavfi
    --enable-decoder=rawvideo,h264,png,gif,wrapped_avframe
    --enable-encoder=rawvideo,libx264,png,gif,wrapped_avframe
    --enable-muxer=mp4,mov,matroska,rawvideo,image2,gif,null,framecrc,framemd5,yuv4mpegpipe
    --enable-protocol=file,pipe
    --enable-parser=h264,png,gif
    --enable-bsf=h264_mp4toannexb
    --enable-filter=txt2vid,scale,format,null,nullsink,fps,sendcmd,setpts,framerate,trim,showinfo,split,palettegen,paletteuse,pad,crop,hstack,vstack,realtime,copy,buffer,buffersink
    --extra-version=txt2vid
    "--extra-ldexeflags=-Wl,-rpath,'$origin/../engine:$installed_libdir:$origin/../t2v/lib'"
)

# The pristine source (idempotent).
"$repo/scripts/fetch-ffmpeg-source.sh" "$cache_dir"
src_tree=$(cat "$cache_dir/source/TREE")
ffmpeg_version=$(cat "$cache_dir/source/VERSION")

key=$( { printf '%s\n' "$ffmpeg_version"; cat "$patch_file"; printf '%s\n' "${configure_flags[@]}"; } \
       | sha256sum | cut -c1-16)
work="$cache_dir/build-$key"
mkdir -p "$work"

# One build per key at a time (two build trees may share the cache).
exec 9>"$work/lock"
flock 9

# The engine as FFmpeg sees it: headers and library copied to a fixed place,
# only when their bytes changed (so make rebuilds nothing needlessly).
sync_file() { # src dst
    if ! cmp -s "$1" "$2"; then
        mkdir -p "$(dirname "$2")"
        cp "$1" "$2.tmp" && mv -f "$2.tmp" "$2"
    fi
}
t2v="$work/t2v"
for h in "$t2v_include"/txt2vid/*.h; do
    sync_file "$h" "$t2v/include/txt2vid/$(basename "$h")"
done
soname=$(objdump -p "$t2v_lib" | awk '$1 == "SONAME" { print $2 }')
[[ -n $soname ]] || soname=$(basename "$t2v_lib")
sync_file "$t2v_lib" "$t2v/lib/$soname"
[[ $soname == libtxt2vid.so ]] || ln -sfn "$soname" "$t2v/lib/libtxt2vid.so"
mkdir -p "$t2v/lib/pkgconfig"
cat >"$t2v/lib/pkgconfig/txt2vid.pc.new" <<EOF
prefix=$t2v
includedir=\${prefix}/include
libdir=\${prefix}/lib

Name: txt2vid
Description: txt2vid engine as linked by the FFmpeg build
Version: 0.1.0
Libs: -L\${libdir} -ltxt2vid
Cflags: -I\${includedir}
EOF
sync_file "$t2v/lib/pkgconfig/txt2vid.pc.new" "$t2v/lib/pkgconfig/txt2vid.pc"
rm -f "$t2v/lib/pkgconfig/txt2vid.pc.new"
export PKG_CONFIG_PATH="$t2v/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

tree="$work/src"
start=$(date +%s)
if [[ ! -f $work/configured ]]; then
    log "new FFmpeg tree $tree (key $key, FFmpeg $ffmpeg_version)"
    rm -rf "$tree"
    cp -a "$src_tree" "$tree.tmp"
    patch -d "$tree.tmp" -p1 --quiet --forward <"$patch_file"
    mv "$tree.tmp" "$tree"
    cp "$filter_src" "$tree/libavfilter/vsrc_txt2vid.c"
    log "configure ${configure_flags[*]}"
    configure_start=$(date +%s)
    if ! (cd "$tree" && ./configure "${configure_flags[@]}" >"$work/configure.log" 2>&1); then
        tail -n 30 "$work/configure.log" >&2
        [[ -f $tree/ffbuild/config.log ]] && tail -n 40 "$tree/ffbuild/config.log" >&2
        log "configure failed (full log: $work/configure.log, $tree/ffbuild/config.log)"
        exit 1
    fi
    # grep reads the files itself: with pipefail, `cat | grep -q` fails
    # whenever grep stops at the match while cat is still writing (SIGPIPE)
    grep -qs '^#define CONFIG_TXT2VID_FILTER 1' "$tree/config.h" "$tree/config_components.h" \
        || { log "configure left the txt2vid filter disabled"; exit 1; }
    touch "$work/configured"
    log "configure took $(( $(date +%s) - configure_start )) s"
fi
sync_file "$filter_src" "$tree/libavfilter/vsrc_txt2vid.c"

log "make -j$jobs in $tree"
make -C "$tree" -j"$jobs" ffmpeg ffprobe >"$work/make.log" 2>&1 \
    || { tail -n 40 "$work/make.log" >&2; log "make failed (full log: $work/make.log)"; exit 1; }
grep -E 'warning:|error:' "$work/make.log" | grep -F vsrc_txt2vid >&2 || true
log "FFmpeg ready in $(( $(date +%s) - start )) s (configure + make)"

mkdir -p "$outdir"
sync_file "$tree/ffmpeg" "$outdir/txt2vid-ffmpeg"
sync_file "$tree/ffprobe" "$outdir/txt2vid-ffprobe"
chmod 0755 "$outdir/txt2vid-ffmpeg" "$outdir/txt2vid-ffprobe"
# Let ninja see the outputs as fresh even when their bytes did not change.
touch "$outdir/txt2vid-ffmpeg" "$outdir/txt2vid-ffprobe"
