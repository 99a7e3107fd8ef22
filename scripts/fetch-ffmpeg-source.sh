#!/usr/bin/env bash
# Fetches Debian 12's FFmpeg 5.1 source package into the txt2vid FFmpeg cache.
#
#   scripts/fetch-ffmpeg-source.sh [CACHE_DIR]
#
# CACHE_DIR defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/txt2vid/ffmpeg. The
# unpacked tree lands in CACHE_DIR/source/ffmpeg-5.1.x and its path is written
# to CACHE_DIR/source/TREE, the Debian version to CACHE_DIR/source/VERSION.
# Running it again once the tree is there does nothing.
#
# What it may change on the machine (only when missing): a deb-src entry for
# the Debian archive (a separate file, txt2vid-deb-src.sources, mirroring the
# deb entries of debian.sources), and the few packages the txt2vid FFmpeg
# configure line needs (dpkg-dev for `apt-get source`, nasm, libx264-dev,
# zlib1g-dev, pkg-config).
set -euo pipefail

cache_dir=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/txt2vid/ffmpeg}
src_dir="$cache_dir/source"
build_packages=(dpkg-dev nasm libx264-dev zlib1g-dev pkg-config)

log() { printf 'fetch-ffmpeg-source: %s\n' "$*" >&2; }

if [[ -f "$src_dir/TREE" && -f "$(cat "$src_dir/TREE")/configure" ]]; then
    log "source already present: $(cat "$src_dir/TREE") ($(cat "$src_dir/VERSION"))"
    exit 0
fi

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# deb-src entries: present when any apt source (one-line or deb822) offers them.
have_deb_src() {
    grep -qsE '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list && return 0
    grep -qsiE '^Types:.*\bdeb-src\b' /etc/apt/sources.list.d/*.sources && return 0
    return 1
}

need_update=0
if ! have_deb_src; then
    deb822=/etc/apt/sources.list.d/debian.sources
    target=/etc/apt/sources.list.d/txt2vid-deb-src.sources
    tmp=$(mktemp)
    if [[ -f $deb822 ]]; then
        # Same stanzas as the binary entries, with Types: deb-src.
        awk 'BEGIN { IGNORECASE = 1 }
             /^Types:/ { print "Types: deb-src"; next }
             /^#/ { next }
             { print }' "$deb822" >"$tmp"
    else
        cat >"$tmp" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    fi
    log "adding $target"
    as_root install -m 0644 "$tmp" "$target"
    rm -f "$tmp"
    need_update=1
fi

missing=()
for p in "${build_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if (( need_update )) || (( ${#missing[@]} )); then
    as_root apt-get update -qq
fi
if (( ${#missing[@]} )); then
    log "installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

mkdir -p "$src_dir"
cd "$src_dir"
log "apt-get source ffmpeg into $src_dir"
apt-get source -qq ffmpeg >/dev/null

tree=""
for d in "$src_dir"/ffmpeg-5.1*; do
    [[ -d $d && -f $d/configure ]] && tree=$d
done
if [[ -z $tree ]]; then
    log "no ffmpeg-5.1.x tree after apt-get source"
    exit 1
fi
version=$(dpkg-parsechangelog -l "$tree/debian/changelog" -S Version)
case $version in
    *:5.1.*|5.1.*) ;;
    *) log "unexpected FFmpeg version $version (want 5.1.x)"; exit 1 ;;
esac
printf '%s\n' "$version" >"$src_dir/VERSION"
printf '%s\n' "$tree" >"$src_dir/TREE"
log "FFmpeg $version in $tree"
