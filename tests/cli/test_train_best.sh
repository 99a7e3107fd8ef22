#!/usr/bin/env bash
# `txt2vid train --judge`: every --eval-every steps a snapshot is scored
# into RUN/eval.csv, and RUN/best.gguf keeps the snapshot whose caption
# accuracy ("all") is the highest so far, across a resume too. The
# expected best step is computed here from eval.csv itself; best.gguf must
# hold that step's generator (txt2vid info: txt2vid.train.steps).
#
#   test_train_best.sh TXT2VID JUDGE
set -u
cli=$1 judge=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
need_digits

run=$work/run
train() {
    timeout 600 "$cli" train --preset tiny --threads 1 --judge "$judge" --eval-every 2 \
        --eval-count 8 --sample-every 0 --quiet --run-dir "$run" --resume "$@" \
        >"$work/train.out" 2>&1
}
# the step of the first row with the highest "all", from eval.csv
best_step() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "all") c = i; next }
             c && (best == "" || $c > best) { best = $c; step = $1 } END { print step }' \
        "$run/eval.csv"
}
steps_of() { "$cli" info "$1" 2>/dev/null | awk '$1 == "txt2vid.train.steps" { print $2 }'; }

for total in 6 10; do
    if train --steps $total; then
        ok "tiny run to step $total with a judge"
    else
        fail "tiny run to step $total: $(head -c 300 "$work/train.out")"
        continue
    fi
    rows=$(($(wc -l <"$run/eval.csv") - 1))
    [[ $rows -eq $((total / 2)) ]] && ok "eval.csv has $rows rows (every 2 steps)" \
        || fail "eval.csv has $rows rows, want $((total / 2))"
    want=$(best_step)
    got=$(steps_of "$run/best.gguf")
    if [[ -n $want && "$got" == "$want" ]]; then
        ok "best.gguf holds the generator of step $want, the best-scoring row so far"
    else
        fail "best.gguf holds step '${got}', eval.csv says the best is step '${want}'"
    fi
    [[ ! -e $run/best.gguf.tmp ]] && ok "no temporary file left" || fail "best.gguf.tmp left behind"
done

echo "# $passed passed, $failed failed"
[[ $failed -eq 0 ]]
