#!/usr/bin/env bash
# `txt2vid train-stackgan --match-model`: a matching model trained by
# `txt2vid match train` (64x64, so the tiny preset's 16-pixel Stage I is
# upsampled to it and its 64-pixel Stage II read as is) adds its loss to
# G's: the log gains a g_match column of finite positive values; G's loss
# is its adversarial term + KL weight x KL + the weight x the matching
# loss; the weight and the model's absolute path reach the checkpoint's
# recipe; the run's losses differ from a run without the model from the
# second step on in Stage I (the term reaches G's update) and are the same when the
# run is interrupted and resumed; bad uses are usage errors; a missing or
# wrong-kind model file a clear error. Needs the glyph caches.
#
#   test_train_match.sh TXT2VID JUDGE   (JUDGE: a weights file of another kind)
set -u
cli=$1
judge=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

key_is() { "$cli" info "$1" 2>/dev/null | grep -Eq "^ +$2 +$3\$"; }

for bad in "--lambda-match 1" "--match-model $work/none.gguf" \
    "--match-model $judge --lambda-match -1" "--match-model $judge --lambda-match x"; do
    # shellcheck disable=SC2086
    run bad train-stackgan $bad
    if [[ $status -eq 2 ]]; then
        ok "train-stackgan $bad: usage error, status 2 ($(head -n1 "$work/bad.err" | cut -c1-80))"
    else
        fail "train-stackgan $bad: status $status (want 2): $(head -c 200 "$work/bad.err")"
    fi
done

if [[ ! -r $data_dir/fashion-mnist.t2vg || ! -r $data_dir/mnist.t2vg ]]; then
    skip "training runs: no glyph caches in $data_dir"
    echo "# $passed passed, $failed failed, $skipped skipped"
    exit 77
fi

run match match train --data scenes --out "$work/m.gguf" --steps 20 --count 100 --threads 1
if [[ $status -ne 0 ]]; then
    fail "match train: status $status: $(head -c 200 "$work/match.err")"
    echo "# $passed passed, $failed failed, $skipped skipped"
    exit 1
fi

common=(--preset tiny --data scenes --threads 1 --sample-every 0 --quiet --device cpu)
run wrong train-stackgan "${common[@]}" --steps 2 --run-dir "$work/wrong" --match-model "$judge"
if [[ $status -eq 1 ]] && grep -q "$judge" "$work/wrong.err"; then
    ok "a judge file as the matching model: status 1 ($(head -n1 "$work/wrong.err" | cut -c1-100))"
else
    fail "a judge file as the matching model: status $status: $(head -c 200 "$work/wrong.err")"
fi

for stage in 1 2; do
    args=("${common[@]}" --stage "$stage" --steps 4)
    [[ $stage -eq 2 ]] && args+=(--resume)
    [[ $stage -eq 1 ]] && with=(--match-model "$work/m.gguf" --lambda-match 0.5) || with=()
    run "a$stage" train-stackgan "${args[@]}" --run-dir "$work/a" "${with[@]}"
    [[ $status -eq 0 ]] || fail "stage $stage with the model: status $status: $(head -c 200 "$work/a$stage.err")"
    run "b$stage" train-stackgan "${args[@]}" --run-dir "$work/b"
    [[ $status -eq 0 ]] || fail "stage $stage without: status $status: $(head -c 200 "$work/b$stage.err")"
done
ck=$work/a/checkpoint.gguf
if key_is "$ck" train.lambda_match 0.5 && key_is "$ck" train.match_model "\"$work/m.gguf\""; then
    ok "weight 0.5 and the model's path in the checkpoint's recipe"
else
    fail "recipe: $("$cli" info "$ck" 2>&1 | grep -E 'lambda_match|match_model' | tr -s ' ')"
fi
for stage in 1 2; do
    log=$work/a/log-stage$stage.csv
    # columns: step,seconds,d_loss,g_loss,d_real,d_wrong,d_fake,g_adv,kl,g_match
    if head -n1 "$log" | grep -q ',kl,g_match$' && awk -F, -v w=0.5 -v kw=2 '
        NR > 1 { n++; if (!($10 > 0 && $10 < 100)) bad = 1
                 d = $4 - ($8 + kw * $9 + w * $10); if (d < -1e-3 || d > 1e-3) bad = 1 }
        END { exit !(n == 4 && !bad) }' "$log"; then
        ok "stage $stage: g_match logged, positive, and G's loss = adversarial + 2 KL + 0.5 g_match"
    else
        fail "stage $stage log: $(head -n 3 "$log" | tr '\n' ';')"
    fi
    # step 1's D update does not see the term; later steps follow a G that did
    # (Stage II: its frozen Stage I already differs)
    [[ $stage -eq 2 ]] && continue
    if [[ $(sed -n 2p "$work/a/log-stage$stage.csv" | cut -d, -f3) == $(sed -n 2p "$work/b/log-stage$stage.csv" | cut -d, -f3) ]] &&
        [[ $(sed -n 4p "$work/a/log-stage$stage.csv" | cut -d, -f3) != $(sed -n 4p "$work/b/log-stage$stage.csv" | cut -d, -f3) ]]; then
        ok "stage $stage: D's loss the same at step 1 with and without the model, different by step 3"
    else
        fail "stage $stage: D losses $(cut -d, -f3 "$work/a/log-stage$stage.csv" | tr '\n' ' ') vs $(cut -d, -f3 "$work/b/log-stage$stage.csv" | tr '\n' ' ')"
    fi
done

# interrupted after 2 steps and resumed (the model found through the recipe)
run c1 train-stackgan "${common[@]}" --steps 2 --run-dir "$work/c" --match-model "$work/m.gguf" --lambda-match 0.5
run c2 train-stackgan "${common[@]}" --steps 4 --run-dir "$work/c" --resume
if [[ $status -eq 0 ]] && diff <(cut -d, -f1,3- "$work/a/log-stage1.csv") <(cut -d, -f1,3- "$work/c/log-stage1.csv") >/dev/null; then
    ok "2 + 2 steps resumed log the same losses as 4 in one run"
else
    fail "resumed run: status $status: $(diff <(cut -d, -f1,3- "$work/a/log-stage1.csv") <(cut -d, -f1,3- "$work/c/log-stage1.csv") | head -c 300)"
fi
run c3 train-stackgan "${common[@]}" --steps 6 --run-dir "$work/c" --resume --lambda-match 2
if [[ $status -eq 2 ]] && grep -q "fixes the matching loss" "$work/c3.err"; then
    ok "--lambda-match on --resume refused: $(head -n1 "$work/c3.err" | cut -c1-100)"
else
    fail "--lambda-match on --resume: status $status: $(head -c 200 "$work/c3.err")"
fi
mv "$work/m.gguf" "$work/moved.gguf"
run c4 train-stackgan "${common[@]}" --steps 6 --run-dir "$work/c" --resume
if [[ $status -eq 1 ]] && grep -q "$work/m.gguf" "$work/c4.err"; then
    ok "the recipe's model gone: status 1 naming it"
else
    fail "model gone: status $status: $(head -c 200 "$work/c4.err")"
fi
run c5 train-stackgan "${common[@]}" --steps 6 --run-dir "$work/c" --resume --match-model "$work/moved.gguf"
if [[ $status -eq 0 ]] && [[ $(tail -n1 "$work/c/log-stage1.csv" | cut -d, -f1) == 6 ]]; then
    ok "--match-model on --resume finds the moved model and training goes on to step 6"
else
    fail "moved model: status $status: $(head -c 200 "$work/c5.err")"
fi

echo "# $passed passed, $failed failed, $skipped skipped"
if ((failed)); then exit 1; fi
exit 0
