#!/bin/sh
# `txt2vid judge test --confusion ATTR` on the shipped SBMG judge: the table
# holds one count per judged clip, its diagonal is the accuracy printed
# above it, and an attribute the judge lacks is an error.
# $1: the txt2vid program, $2: the SBMG judge.
cli=$1
judge=$2
fails=0
check() { # check CONDITION-STATUS MESSAGE
    if [ "$1" -eq 0 ]; then echo "ok - $2"; else echo "FAIL - $2"; fails=$((fails + 1)); fi
}
out=$("$cli" judge test --judge "$judge" --count 120 --confusion digit --threads 1)
check $? "judge test --confusion digit runs"
# rows of the table: "NN name(19)" then the counts and the row's accuracy
table=$(printf '%s\n' "$out" | sed -n '/^digit confusion/,/^digit accuracy by/p' | sed '1,2d;$d')
rows=$(printf '%s\n' "$table" | wc -l)
[ "$rows" -eq 10 ]
check $? "the digit table has 10 rows ($rows)"
sums=$(printf '%s\n' "$table" | awk '{
    n = split(substr($0, 23), f, " ")
    for (k = 1; k < n; k++) { total += f[k]; if (k == NR) diag += f[k] }
} END { printf "%d %d", total, diag }')
total=${sums% *}
diag=${sums#* }
[ "$total" -eq 120 ]
check $? "the table counts every judged clip once ($total of 120)"
acc=$(printf '%s\n' "$out" | awk '$1 == "digit" { sub("%", "", $2); print $2; exit }')
same=$(awk -v a="$acc" -v d="$diag" 'BEGIN { x = 100 * d / 120 - a; print (x < 0.006 && x > -0.006) ? 0 : 1 }')
check "$same" "the diagonal ($diag of 120) is the printed digit accuracy ($acc%)"
printf '%s\n' "$out" | grep -q '^digit accuracy by motion:'
check $? "the digit accuracy is broken down by motion"
"$cli" judge test --judge "$judge" --count 10 --confusion colour --threads 1 >/dev/null 2>&1
[ $? -eq 1 ]
check $? "an attribute the judge lacks (colour) is an error"
echo "# $fails failed"
[ "$fails" -eq 0 ]
