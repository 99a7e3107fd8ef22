#!/bin/bash
# On a GPU machine, from the repository root, after scripts/gpu-check/pack.sh:
#
#   bash scripts/gpu-check/stackgan.sh DATA OUT [MINUTES1 MINUTES2]
#
# DATA holds the glyph caches (mnist.t2vg, fashion-mnist.t2vg). Trains
# StackGAN on the scenes set with the GPU:
#   1. the shipped scenes recipe (small preset), Stage I, 0.5 minutes on
#      CUDA and 0.5 minutes on the CPU (every core): steps per second of each;
#   2. the paper preset, Stage I for MINUTES1 (default 3) and Stage II for
#      MINUTES2 (default 1.25) on CUDA, then `txt2vid eval` of both stages
#      on 100 test captions.
# OUT gets summary.txt, the paper run's logs, last sample sheets and loss
# plots.
set -u
D=$1
O=$2
M1=${3:-3}
M2=${4:-1.25}
T=$(mktemp -d /tmp/sgrun.XXXXXX)
X() { bash scripts/gpu-check/txt2vid.sh "$@"; }
D=$(cd "$D" && pwd)
export TXT2VID_DATA_DIR=$D
mkdir -p "$O"
summary="$O/summary.txt"
say() { echo "$*" | tee -a "$summary"; }
say "device: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -n 1), $(nproc) cores"
last() { tail -n 1 "$1" | cut -d, -f1,2; }
recipe=(--preset small --data scenes --g-layout glyph --g-object 48 --object-d 3
        --g-tint sentence --g-background flat)
for dev in cuda cpu; do
    X train-stackgan "${recipe[@]}" --stage 1 --run-dir "$T/small-$dev" --device $dev \
        --minutes 0.5 --quiet > "$T/small-$dev.out" 2>&1
    say "small preset, scenes recipe, Stage I on $dev: rc $?, last step,seconds $(last "$T/small-$dev/log-stage1.csv")"
done
R=$T/paper
X train-stackgan --preset paper --data scenes --stage 1 --run-dir "$R" --device cuda \
    --minutes "$M1" --quiet > "$T/paper1.out" 2>&1
say "paper preset Stage I on cuda: rc $?, last step,seconds $(last "$R/log-stage1.csv")"
X train-stackgan --preset paper --data scenes --stage 2 --run-dir "$R" --device cuda --resume \
    --minutes "$M2" --quiet > "$T/paper2.out" 2>&1
say "paper preset Stage II on cuda: rc $?, last step,seconds $(last "$R/log-stage2.csv")"
tail -n 5 "$T"/*.out >> "$summary"
for s in 1 2; do
    timeout 60 bash scripts/gpu-check/txt2vid.sh eval --model "$R/model.gguf" --judge models/judge-scenes.gguf \
        --match models/match-scenes.gguf --stage $s --count 100 >> "$summary" 2>&1
    say "eval stage $s: rc $?"
done
cp "$R/log-stage1.csv" "$R/log-stage2.csv" "$O/"
cp "$R/loss-stage1.png" "$R/loss-stage2.png" "$O/" 2>/dev/null
for s in 1 2; do
    sheets=("$R/samples/stage${s}-step-"*.png)   # zero-padded steps: the last is the latest
    [ -f "${sheets[-1]}" ] && cp "${sheets[-1]}" "$O/sheet-stage$s.png"
done
ls -la "$R" >> "$summary"
rm -rf "$T"
