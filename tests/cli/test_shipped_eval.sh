#!/usr/bin/env bash
# A shipped video model's card numbers are the txt2vid.eval.* keys of its
# file (`txt2vid eval --write`). This runs `txt2vid eval` again with the
# count and seed the file records and compares every printed figure with
# the stored one: per attribute the generated accuracy and the ceiling
# (to one clip in the count), "all right", the FID, its floor, the frame
# differences and, for grey clips, the frames in view (to the printed
# digits); and the judge's accuracy on
# the whole real test split, which its own file stores.
#
#   test_shipped_eval.sh TXT2VID MODEL JUDGE
set -u
cli=$1 model=$2 judge=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
need_digits

run info info "$model"
[[ $status -eq 0 ]] && ok "info reads $(basename "$model")" || fail "info on $model: status $status"
# key -> value of the stored report
stored() { awk -v k="txt2vid.eval.$1" '$1 == k { print $2; exit }' "$work/info.out"; }
count=$(stored count) seed=$(stored seed)
if [[ -z $count || -z $seed ]]; then
    fail "$(basename "$model") stores no evaluation (txt2vid.eval.count / seed)"
    echo "# $passed passed, $failed failed"
    exit 1
fi
run eval eval --model "$model" --judge "$judge" --count "$count" --seed "$seed" --threads 1
[[ $status -eq 0 ]] && ok "eval of $count captions runs" || fail "eval: status $status"

# pct X: a stored fraction in percent, as the printed figures (empty for empty)
pct() { awk -v x="$1" 'BEGIN { if (x != "") printf "%.4f", 100 * x }'; }
# close GOT WANT TOL: |GOT - WANT| <= TOL
close() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; exit !(a != "" && b != "" && d <= t && -d <= t) }'; }
one=$(awk -v n="$count" 'BEGIN { print 100 / n + 1e-9 }')  # one clip, in percent
# the table's rows: "ATTR  GEN%  CEIL%  CHANCE%  IS IS", then "all right GEN% CEIL%"
rows=0
while read -r attr gen ceil _; do
    [[ -z $attr ]] && continue
    rows=$((rows + 1))
    want=$(stored "$attr.accuracy") wceil=$(stored "$attr.ceiling")
    want=$(pct "$want") wceil=$(pct "$wceil")
    close "${gen%\%}" "$want" "$one" && ok "$attr: $gen generated, stored $want%" ||
        fail "$attr: $gen generated, the file stores ${want:-nothing}%"
    close "${ceil%\%}" "$wceil" "$one" && ok "$attr: ceiling $ceil, stored $wceil%" ||
        fail "$attr: ceiling $ceil, the file stores ${wceil:-nothing}%"
done < <(awk '/^attribute/ { on = 1; next } on && /^all right/ { exit } on && NF >= 6' "$work/eval.out")
[[ $rows -ge 2 ]] && ok "$rows attributes scored" || fail "$rows attributes in the table"
all=$(awk '/^all right/ { sub("%", "", $3); print $3 }' "$work/eval.out")
close "$all" "$(pct "$(stored all_right)")" "$one" &&
    ok "all right: $all%" || fail "all right: $all%, stored $(stored all_right)"
fid=$(awk '/generated vs real test/ { print $NF }' "$work/eval.out")
floor=$(awk '/real train vs real test/ { print $(NF - 4) }' "$work/eval.out")
close "$fid" "$(stored fid)" 0.001 && ok "FID $fid" || fail "FID $fid, stored $(stored fid)"
close "$floor" "$(stored fid_floor)" 0.001 && ok "FID floor $floor" ||
    fail "FID floor $floor, stored $(stored fid_floor)"
read -r fd fdr < <(awk '/^frame difference/ { print $4, $6 }' "$work/eval.out")
close "$fd" "$(stored frame_diff)" 0.00001 && ok "frame difference $fd" ||
    fail "frame difference $fd, stored $(stored frame_diff)"
close "$fdr" "$(stored frame_diff_real)" 0.00001 && ok "real frame difference $fdr" ||
    fail "real frame difference $fdr, stored $(stored frame_diff_real)"
# grey clips: the frames with the digit in view, generated and real
read -r iv ivr < <(awk '/^object in view/ { sub("%", "", $5); sub("%", "", $7); print $5, $7 }' \
    "$work/eval.out")
if [[ -n $iv ]]; then
    close "$iv" "$(pct "$(stored in_view)")" 0.05 && ok "object in view: $iv%" ||
        fail "object in view: $iv%, stored $(stored in_view)"
    close "$ivr" "$(pct "$(stored in_view_real)")" 0.05 && ok "object in view, real: $ivr%" ||
        fail "object in view, real: $ivr%, stored $(stored in_view_real)"
fi

# the judge's own card: its accuracy on the whole real test split, as stored
run jinfo info "$judge"
items=$(awk '$1 == "txt2vid.judge.test_items" { print $2 }' "$work/jinfo.out")
run jtest judge test --judge "$judge" --threads 1
[[ $status -eq 0 ]] && ok "judge test runs" || fail "judge test: status $status"
grep -q "on $items real" "$work/jtest.out" && ok "judge test reads the $items items the file names" ||
    fail "judge test did not read ${items:-?} items"
# "[a, b, ...]" -> one per line
list() { awk -v k="$1" '$1 == k { sub(/^[^[]*\[/, ""); sub(/\].*$/, ""); gsub(/[", ]+/, " "); print }' \
    "$work/jinfo.out" | tr ' ' '\n' | grep -v '^$'; }
paste <(list txt2vid.judge.attributes) <(list txt2vid.judge.test_accuracy) >"$work/jstored"
n=0
while read -r attr acc; do
    n=$((n + 1))
    got=$(awk -v a="$attr" '$1 == a { sub("%", "", $2); print $2 }' "$work/jtest.out")
    want=$(pct "$acc")
    close "$got" "$want" 0.01 && ok "judge $attr: $got% on real test clips, stored $want%" ||
        fail "judge $attr: ${got:-nothing}% on real test clips, the file stores $want%"
done <"$work/jstored"
[[ $n -ge 2 ]] && ok "the judge stores $n accuracies" || fail "the judge stores $n accuracies"

echo "# $passed passed, $failed failed"
[[ $failed -eq 0 ]]
