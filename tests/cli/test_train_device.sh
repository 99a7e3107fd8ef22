#!/usr/bin/env bash
# --device and --gpu-id of `txt2vid train` and `txt2vid train-stackgan`:
# bad values are usage errors (status 2); --device cuda where no CUDA device
# answers stops with status 1 and a message saying so and naming the CPU
# alternative (never a crash); --device cpu trains two steps of the tiny
# preset and writes a checkpoint and a model that `txt2vid info` reads.
# Where a CUDA device does answer, the cuda runs must train instead.
# Training needs the cached digit glyphs (`txt2vid dataset`); without them
# the training checks report "skip" and the script exits 77 when nothing
# else ran.
#
#   test_train_device.sh TXT2VID
set -u
cli=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

# run NAME ARGS...: the command's status in $status, stderr in $work/NAME.err
first_err() { head -c 300 "$work/$1.err" | tr '\n' ' '; }

for cmd in train train-stackgan; do
    # ---- bad values: usage errors before anything is opened
    for bad in "--device gpu" "--device" "--gpu-id -1" "--gpu-id x" "--gpu-id"; do
        # shellcheck disable=SC2086
        run bad $cmd $bad
        if [[ $status -eq 2 ]] && grep -Eq "txt2vid $cmd|usage" "$work/bad.err"; then
            ok "$cmd $bad: usage error, status 2 ($(head -n1 "$work/bad.err" | cut -c1-80))"
        else
            fail "$cmd $bad: status $status (want 2): $(first_err bad)"
        fi
    done
    "$cli" $cmd --help >"$work/help.out" 2>&1
    if grep -q -- "--device auto|cpu|cuda" "$work/help.out" && grep -q -- "--gpu-id N" "$work/help.out"; then
        ok "$cmd --help lists --device auto|cpu|cuda and --gpu-id N"
    else
        fail "$cmd --help does not list --device and --gpu-id"
    fi

    case $cmd in
    train) need="$data_dir/mnist.t2vg" ;;
    *) need="$data_dir/fashion-mnist.t2vg" ;;
    esac
    if [[ ! -r $need ]]; then
        skip "$cmd training runs: no $need (txt2vid dataset builds it)"
        continue
    fi
    common=(--preset tiny --steps 2 --threads 1 --sample-every 0 --quiet)

    # ---- --device cuda: trains on a device that answers, else a clear error
    run cuda $cmd "${common[@]}" --device cuda --run-dir "$work/$cmd-cuda"
    if [[ $status -eq 1 ]] && grep -q "txt2vid $cmd: --device cuda: CUDA backend unavailable: " "$work/cuda.err" &&
        grep -q -- "--device cpu or auto trains on the CPU" "$work/cuda.err"; then
        ok "$cmd --device cuda without a device: status 1, $(head -n1 "$work/cuda.err" | cut -c1-150)"
    elif [[ $status -eq 0 && -s $work/$cmd-cuda/model.gguf ]]; then
        ok "$cmd --device cuda: a CUDA device answered and two steps trained there"
    else
        fail "$cmd --device cuda: status $status (want 1 with a message, or 0 on a GPU): $(first_err cuda)"
    fi
    # a device index past any machine's count
    run gpu $cmd "${common[@]}" --device cuda --gpu-id 1000 --run-dir "$work/$cmd-gpu"
    if [[ $status -eq 1 ]] && grep -q "txt2vid $cmd: " "$work/gpu.err"; then
        ok "$cmd --device cuda --gpu-id 1000: status 1, $(head -n1 "$work/gpu.err" | cut -c1-150)"
    else
        fail "$cmd --device cuda --gpu-id 1000: status $status (want 1): $(first_err gpu)"
    fi

    # ---- --device cpu trains
    run cpu $cmd "${common[@]}" --device cpu --run-dir "$work/$cmd-cpu"
    if [[ $status -eq 0 && -s $work/$cmd-cpu/checkpoint.gguf && -s $work/$cmd-cpu/model.gguf ]] &&
        "$cli" info "$work/$cmd-cpu/model.gguf" >"$work/info.out" 2>&1; then
        ok "$cmd --device cpu: two tiny steps, checkpoint and a model txt2vid info reads ($(grep -c . "$work/info.out") lines)"
    else
        fail "$cmd --device cpu: status $status, files: $(ls "$work/$cmd-cpu" 2>&1 | tr '\n' ' '): $(first_err cpu)"
    fi
done

echo "# $passed passed, $failed failed, $skipped skipped"
if ((failed)); then exit 1; fi
if ((passed == 0)); then exit 77; fi
exit 0
