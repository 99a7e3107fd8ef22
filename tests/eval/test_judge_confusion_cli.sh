#!/bin/sh
# `txt2vid judge test --confusion ATTR` on the shipped SBMG judge, and
# `txt2vid eval --confusion ATTR` on the shipped SBMG model: the table
# holds one count per judged clip, its diagonal is the accuracy printed
# above it, and an attribute the judge lacks is an error.
# $1: the txt2vid program, $2: the SBMG judge, $3: the SBMG model.
cli=$1
judge=$2
model=$3
fails=0
check() { # check CONDITION-STATUS MESSAGE
    if [ "$1" -eq 0 ]; then echo "ok - $2"; else echo "FAIL - $2"; fails=$((fails + 1)); fi
}
# table_checks WHAT COUNT: the digit table in $out against the accuracy
# printed above it ("digit  X%" first on its line)
table_checks() {
    # rows of the table: "NN name(19)" then the counts and the row's accuracy
    table=$(printf '%s\n' "$out" | sed -n '/digit confusion/,/^digit accuracy by/p' | sed '1,2d;$d')
    rows=$(printf '%s\n' "$table" | wc -l)
    [ "$rows" -eq 10 ]
    check $? "$1: the digit table has 10 rows ($rows)"
    sums=$(printf '%s\n' "$table" | awk '{
        n = split(substr($0, 23), f, " ")
        for (k = 1; k < n; k++) { total += f[k]; if (k == NR) diag += f[k] }
    } END { printf "%d %d", total, diag }')
    total=${sums% *}
    diag=${sums#* }
    [ "$total" -eq "$2" ]
    check $? "$1: the table counts every judged clip once ($total of $2)"
    acc=$(printf '%s\n' "$out" | awk '$1 == "digit" { sub("%", "", $2); print $2; exit }')
    same=$(awk -v a="$acc" -v d="$diag" -v n="$2" 'BEGIN { x = 100 * d / n - a; print (x < 0.06 && x > -0.06) ? 0 : 1 }')
    check "$same" "$1: the diagonal ($diag of $2) is the printed digit accuracy ($acc%)"
    printf '%s\n' "$out" | grep -q '^digit accuracy by motion:'
    check $? "$1: the digit accuracy is broken down by motion"
}
out=$("$cli" judge test --judge "$judge" --count 120 --confusion digit --threads 1)
check $? "judge test --confusion digit runs"
table_checks "judge test" 120
out=$("$cli" eval --model "$model" --judge "$judge" --count 60 --confusion digit --threads 1)
check $? "eval --confusion digit runs"
table_checks "eval (generated clips)" 60
"$cli" eval --model "$model" --judge "$judge" --count 4 --confusion colour --threads 1 >/dev/null 2>&1
[ $? -eq 1 ]
check $? "eval: an attribute the judge lacks (colour) is an error"
"$cli" judge test --judge "$judge" --count 10 --confusion colour --threads 1 >/dev/null 2>&1
[ $? -eq 1 ]
check $? "an attribute the judge lacks (colour) is an error"
echo "# $fails failed"
[ "$fails" -eq 0 ]
