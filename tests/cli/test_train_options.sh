#!/usr/bin/env bash
# The recipe options of `txt2vid train` and `txt2vid train-stackgan` reach
# the checkpoint's recipe (read back with `txt2vid info`): --g-text,
# --near-miss (both commands), --g-ema, --lambda-ms, --text-pool,
# --partial-captions, --aux-words, --reader (both commands), --g-sentence,
# --g-layout and --g-attend (both commands: train-stackgan's plain,
# layered and glyph), --g-object, --g-sprites, --g-path (sentence, rest, follow,
# each), --g-picture and --g-path-shape (kept on --resume, except that
# bounce switches a free path's head and another --g-path gives a path
# head afresh; the attention's word scores and
# positional biases in `txt2vid info`); a reader joins a run
# on --resume (its log gains columns) and cannot change there; a resumed
# run's log keeps each step once, whatever a killed run left in it;
# bad values are usage errors (status 2); a pooled sentence vector the
# preset's sizes cannot hold is a clear error (status 1). Training needs the
# cached glyphs; without them the training checks report "skip".
#
#   test_train_options.sh TXT2VID
set -u
cli=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

# key_is FILE KEY VALUE: txt2vid info prints "  KEY   VALUE"
key_is() { "$cli" info "$1" 2>/dev/null | grep -Eq "^ +$2 +$3\$"; }
# vocab_of FILE: the number of words in the file's vocabulary
vocab_of() {
    "$cli" info "$1" 2>/dev/null | grep -E '^ +tokenizer.vocab' | grep -Eo '[0-9]+ items' |
        cut -d' ' -f1
}

# samples MODEL CAPTION NAME: the model draws the caption into a non-empty
# $work/NAME.png
samples() {
    "$cli" sample --model "$1" --caption "$2" --out "$work/$3.png" >/dev/null 2>&1 &&
        [[ -s $work/$3.png ]]
}

# refused NAME PATTERN WHAT: the run NAME was a usage error (status 2)
# whose message holds PATTERN
refused() {
    if [[ $status -eq 2 ]] && grep -q "$2" "$work/$1.err"; then
        ok "$3: status 2"
    else
        fail "$3: status $status (want 2): $(head -c 200 "$work/$1.err")"
    fi
}

for bad in "train --near-miss 1.5" "train --near-miss x" "train --g-text both" \
    "train --g-ema 1" "train --lambda-ms -1" "train --text-pool maybe" \
    "train --partial-captions 1.5" "train --partial-captions x" \
    "train --aux-words -1" "train --aux-words x" "train --aux-words 1 --partial-captions 0.5" \
    "train --reader -1" "train --reader x" "train --reader 101" "train --reader 1 --partial-captions 0.5" \
    "train --g-sentence pooled" "train --g-sentence some --text-pool on" "train --g-layout cube" \
    "train --g-attend -1" "train --g-attend x" "train --g-attend 101" "train --g-attend 0.5" \
    "train --g-sprites 2" "train --g-sprites 0" "train --g-sprites 5 --g-layout sprite --g-attend 1" \
    "train --g-path rest" "train --g-path words --g-layout sprite --g-attend 1" \
    "train --g-path follow" "train --g-path each" \
    "train --g-path-words 3 --g-layout sprite --g-attend 1" \
    "train --g-path-words 3 --g-path rest --g-layout sprite --g-attend 1" \
    "train --g-path-words 0 --g-path follow --g-layout sprite --g-attend 1" \
    "train --g-picture 32" "train --g-picture 0" "train --g-picture x" \
    "train --g-picture 24 --g-layout sprite" "train --g-picture 64 --g-layout sprite" \
    "train --g-path-shape round --g-layout sprite" "train --g-path-shape bounce" \
    "train --g-path-shape axis" "train --g-axis-sharpen -1" "train --g-axis-sharpen x" \
    "train --g-axis-sharpen 101" \
    "train-stackgan --near-miss -0.1" "train-stackgan --g-text" "train-stackgan --aux-words -2" \
    "train-stackgan --reader -1" "train-stackgan --reader y" "train-stackgan --g-layout" \
    "train-stackgan --g-layout sprite" "train-stackgan --text-pool 1" \
    "train-stackgan --g-object 0" "train-stackgan --g-object x" "train-stackgan --g-object 12" \
    "train-stackgan --g-layout layered --g-object 10" "train-stackgan --g-attend 0.2" \
    "train-stackgan --g-layout layered --g-attend 0.2" "train-stackgan --g-layout glyph --g-attend -1" \
    "train-stackgan --g-layout glyphs" "train-stackgan --object-d 1" \
    "train-stackgan --g-layout layered --object-d 1" "train-stackgan --object-d -1" \
    "train-stackgan --object-d x" "train-stackgan --object-d 101" \
    "train-stackgan --g-tint sentence" "train-stackgan --g-layout glyph --g-tint colour" \
    "train-stackgan --g-tint words" \
    "train-stackgan --g-background flat" "train-stackgan --g-layout glyph --g-background plain" \
    "train-stackgan --g2-residual yes" "train-stackgan --g2-residual" \
    "train-stackgan --g2-residual repainted" "train-stackgan --stage1 x" \
    "train-stackgan --stage 2 --stage1 /nonexistent/model.gguf" "train-stackgan --stage 2 --stage1" \
    "train-stackgan --g2-reg -1" "train-stackgan --g2-reg x" "train-stackgan --g2-reg 1" \
    "train-stackgan --from x" "train-stackgan --stage 2 --from /nonexistent/checkpoint.gguf" \
    "train-stackgan --swap-miss 1.5" "train-stackgan --swap-miss -0.1" \
    "train-stackgan --swap-miss x" "train --swap-miss 0.3" \
    "train-stackgan --d2-low -1" "train-stackgan --d2-low x" "train-stackgan --d2-low 101"; do
    # shellcheck disable=SC2086
    run bad $bad
    if [[ $status -eq 2 ]]; then
        ok "$bad: usage error, status 2 ($(head -n1 "$work/bad.err" | cut -c1-70))"
    else
        fail "$bad: status $status (want 2): $(head -c 200 "$work/bad.err")"
    fi
done

common=(--preset tiny --steps 2 --threads 1 --sample-every 0 --quiet --device cpu)
if [[ -r $data_dir/mnist.t2vg ]]; then
    run tg train "${common[@]}" --run-dir "$work/tg" --g-text own --near-miss 0.5 \
        --g-ema 0.5 --lambda-ms 0.25 --partial-captions 0.5
    ck=$work/tg/checkpoint.gguf
    if [[ $status -eq 0 ]] && key_is "$ck" train.shared_text false && key_is "$ck" train.near_miss 0.5 &&
        key_is "$ck" train.g_ema 0.5 && key_is "$ck" train.lambda_ms 0.25 &&
        key_is "$ck" train.partial 0.5; then
        ok "train: --g-text own --near-miss 0.5 --g-ema 0.5 --lambda-ms 0.25 --partial-captions 0.5 in the checkpoint's recipe"
    else
        fail "train: status $status, recipe: $("$cli" info "$ck" 2>&1 | grep -E 'shared_text|near_miss|g_ema|lambda_ms|partial' | tr -s ' ' | tr '\n' ';')"
    fi
    # partial forms widen the vocabulary by one word ("a" of "a digit"): sbmg's
    # 18 words and <pad>, <unk> make 20 without them
    if "$cli" info "$ck" 2>/dev/null | grep -E '^ +tokenizer.vocab' | grep -q ' 21 items\]'; then
        ok "train --partial-captions: the vocabulary holds the partial forms' words"
    else
        fail "train --partial-captions: vocabulary $("$cli" info "$ck" 2>&1 | grep tokenizer.vocab)"
    fi
    # word heads: the recipe keeps the weight, the log gains their columns
    # and D's starts at two heads x 14 words x ln 2 (logits near 0; the 14
    # words some but not all sbmg captions hold: ten digits, up, down, left,
    # right)
    run aw train "${common[@]}" --run-dir "$work/aw" --aux-words 0.5
    ck=$work/aw/checkpoint.gguf
    if [[ $status -eq 0 ]] && key_is "$ck" train.aux_words 0.5 &&
        head -n1 "$work/aw/log.csv" | grep -q ',d_words,g_words$' &&
        awk -F, 'NR == 2 { exit !($21 > 0.97 * 9.704 && $21 < 1.03 * 9.704) }' "$work/aw/log.csv"; then
        ok "train --aux-words 0.5: in the recipe, logged, D's word terms $(awk -F, 'NR == 2 { print $21 }' "$work/aw/log.csv") at step 1 (0.5 x 2 x 14 ln 2 = 9.70)"
    else
        fail "train --aux-words 0.5: status $status, $(head -c 300 "$work/aw.err") $(head -n2 "$work/aw/log.csv" 2>/dev/null | tail -n1)"
    fi
    run awr train "${common[@]}" --run-dir "$work/aw" --aux-words 1 --resume --steps 3
    if [[ $status -eq 2 ]] && grep -q "trained with 0.5" "$work/awr.err" && key_is "$ck" train.step 2; then
        ok "train --aux-words 1 --resume on a 0.5 run: status 2, checkpoint untouched ($(head -n1 "$work/awr.err" | cut -c1-90))"
    else
        fail "train --aux-words on --resume: status $status (want 2): $(head -c 200 "$work/awr.err")"
    fi
    # a reader joins at the checkpoint's step: recipe, log columns (empty
    # before it joined), its term at 14 ln 2 = 9.70 when it starts
    run rd train "${common[@]}" --run-dir "$work/rd"
    run rdj train "${common[@]}" --run-dir "$work/rd" --resume --reader 0.5 --steps 4
    ck=$work/rd/checkpoint.gguf log=$work/rd/log.csv
    if [[ $status -eq 0 ]] && key_is "$ck" train.reader 0.5 && key_is "$ck" train.reader_from 2 &&
        head -n1 "$log" | grep -q ',motion_fake,d_reader,g_reader$' &&
        [[ $(cut -d, -f1 "$log" | tr '\n' ' ') == "step 1 2 3 4 " ]] &&
        awk -F, 'NR == 1 { n = NF } NF != n { exit 1 } NR == 2 || NR == 3 { if ($21 != "" || $22 != "") exit 1 }
                 NR == 4 { if (!($21 > 0.97 * 9.704 && $21 < 1.03 * 9.704)) exit 1 }' "$log"; then
        ok "train --resume --reader 0.5 on a run without one: reader from step 2, log widened, its term $(awk -F, 'NR == 4 { print $21 }' "$log") at step 3 (14 ln 2 = 9.70)"
    else
        fail "a reader joining on --resume: status $status, $(head -c 200 "$work/rdj.err") $(cat "$log" 2>/dev/null | cut -c1-40 | tr '\n' '|')"
    fi
    run rdc train "${common[@]}" --run-dir "$work/rd" --resume --reader 1 --steps 5
    if [[ $status -eq 2 ]] && grep -q "has weight 0.5" "$work/rdc.err" && key_is "$ck" train.step 4; then
        ok "train --reader 1 --resume on a 0.5 reader: status 2, checkpoint untouched"
    else
        fail "train --reader changed on --resume: status $status (want 2): $(head -c 200 "$work/rdc.err")"
    fi
    # what a killed run leaves: rows past the checkpoint and a row cut short
    printf '5,1.0,9,9\n6,1.1,9' >>"$log"
    run rdk train "${common[@]}" --run-dir "$work/rd" --resume --steps 6
    if [[ $status -eq 0 && $(cut -d, -f1 "$log" | tr '\n' ' ') == "step 1 2 3 4 5 6 " ]] &&
        awk -F, 'NR == 1 { n = NF } NF != n { exit 1 } NR == 6 && $3 == 9 { exit 1 }' "$log"; then
        ok "a resumed run's log holds each step once, after rows past the checkpoint and a cut row"
    else
        fail "log after a killed run: status $status, steps $(cut -d, -f1 "$log" | tr '\n' ' ')"
    fi
    # the generator reading the pooled words alone: recorded in the model,
    # which the generation API reads back (the small preset's sizes pool)
    run gs train "${common[@]}" --preset small --steps 1 --run-dir "$work/gs" --text-pool on \
        --g-sentence pooled
    if [[ $status -eq 0 ]] && key_is "$work/gs/model.gguf" tganc.text.pool true &&
        key_is "$work/gs/model.gguf" tganc.text.pool_only true &&
        "$cli" sample --model "$work/gs/model.gguf" --caption "digit 2 is moving up and down" \
            --out "$work/gs/a.y4m" >/dev/null 2>&1 && [[ -s $work/gs/a.y4m ]]; then
        ok "train --text-pool on --g-sentence pooled: the model records it and samples"
    else
        fail "train --g-sentence pooled: status $status, $(head -c 200 "$work/gs.err")"
    fi
    # ... or switched to it on --resume, never back
    run gsa train "${common[@]}" --preset small --steps 1 --run-dir "$work/gsa" --text-pool on
    run gsb train "${common[@]}" --preset small --steps 2 --run-dir "$work/gsa" --resume \
        --text-pool on --g-sentence pooled
    if [[ $status -eq 0 ]] && key_is "$work/gsa/checkpoint.gguf" train.g_pooled_from 1 &&
        key_is "$work/gsa/model.gguf" tganc.text.pool_only true; then
        ok "--g-sentence pooled on --resume: the generator reads the pooled words from step 1"
    else
        fail "--g-sentence pooled on --resume: status $status, $(head -c 200 "$work/gsb.err")"
    fi
    run gsc train "${common[@]}" --preset small --steps 3 --run-dir "$work/gsa" --resume \
        --text-pool on --g-sentence all
    refused gsc "reads the pooled words alone" "--g-sentence all on --resume of a pooled generator"
    # the sprite layout: recorded in the model (a picture and its path), which
    # samples; a resume cannot change the layout
    run sp train "${common[@]}" --run-dir "$work/sp" --g-layout sprite
    if [[ $status -eq 0 ]] && key_is "$work/sp/model.gguf" tganc.sprite.frames 16 &&
        key_is "$work/sp/model.gguf" tganc.base '\[1, 4, 4\]' &&
        "$cli" sample --model "$work/sp/model.gguf" --caption "digit 2 is moving up and down" \
            --out "$work/sp/a.y4m" >/dev/null 2>&1 && [[ -s $work/sp/a.y4m ]]; then
        ok "train --g-layout sprite: a one-frame stack moved through 16 frames, and it samples"
    else
        fail "train --g-layout sprite: status $status, $(head -c 200 "$work/sp.err")"
    fi
    run spb train "${common[@]}" --steps 3 --run-dir "$work/sp" --resume --g-layout clip
    refused spb "moves a picture" "--g-layout clip on --resume of a sprite generator"
    # the picture attending to the words: recorded in the model, the
    # sharpening weight in the checkpoint's recipe; info ranks every word of
    # the vocabulary by its score; it samples; a resume cannot change it;
    # with the generator's own encoder the words' gradient reaches it
    run at train "${common[@]}" --run-dir "$work/at" --g-layout sprite --g-attend 0.5
    V=$(vocab_of "$work/at/model.gguf")
    words=$("$cli" info "$work/at/model.gguf" 2>/dev/null |
        sed -n '/^picture attention/,$p' | grep -Ec '^  [^ ]+ +-?[0-9]+\.[0-9]+$')
    if [[ $status -eq 0 ]] && key_is "$work/at/model.gguf" tganc.sprite.attend 1 &&
        key_is "$work/at/checkpoint.gguf" train.attend_sharpen 0.5 && [[ -n $V && $words == "$V" ]] &&
        "$cli" sample --model "$work/at/model.gguf" --caption "digit 2 is moving up and down" \
            --out "$work/at/a.y4m" >/dev/null 2>&1 && [[ -s $work/at/a.y4m ]]; then
        ok "train --g-layout sprite --g-attend 0.5: recorded, info scores all $V words, it samples"
    else
        fail "train --g-attend 0.5: status $status, V '$V', words '$words', $(head -c 200 "$work/at.err")"
    fi
    # its scores start at 3 ln(16 / captions holding the word) over SBMG's 16
    # training captions (2 steps of Adam at 1e-4 move them by < 0.001): 0 for
    # the words of every caption, 3 ln 2 for the motion words (8 captions
    # each), 3 ln 16 for the 4 digits whose other motion is a test caption
    # and 3 ln 8 for the other 6
    if "$cli" info "$work/at/model.gguf" 2>/dev/null | sed -n '/^picture attention/,$p' | awk '
        function near(x, y) { return x - y < 0.01 && y - x < 0.01 }
        NF == 2 && $1 ~ /^(digit|is|moving|and)$/ { n++; bad += !near($2, 0) }
        NF == 2 && $1 ~ /^(up|down|left|right)$/ { n++; bad += !near($2, 3 * log(2)) }
        NF == 2 && $1 ~ /^[0-9]$/ { n++; one += near($2, 3 * log(16)); two += near($2, 3 * log(8)) }
        END { exit !(n == 18 && bad == 0 && one == 4 && two == 6) }'; then
        ok "--g-attend: the words start at 3 x their inverse document frequency"
    else
        fail "--g-attend: starting scores: $("$cli" info "$work/at/model.gguf" 2>&1 |
            sed -n '/^picture attention/,$p' | tr -s ' \n' ' ' | cut -c1-300)"
    fi
    run atb train "${common[@]}" --steps 3 --run-dir "$work/at" --resume --g-layout sprite \
        --g-attend 0.2
    refused atb "sharpened by 0.5" "--g-attend 0.2 on --resume of a generator sharpened by 0.5"
    run atc train "${common[@]}" --run-dir "$work/atc" --g-layout sprite --g-attend 0.5 --g-text own \
        --g-path rest
    if [[ $status -eq 0 ]] && key_is "$work/atc/checkpoint.gguf" train.shared_text false &&
        key_is "$work/atc/model.gguf" tganc.sprite.path_rest 1; then
        ok "train --g-attend --g-path rest with the generator's own encoder"
    else
        fail "train --g-attend --g-path rest --g-text own: status $status, $(head -c 200 "$work/atc.err")"
    fi
    # another --g-path on --resume: the path head starts afresh at the
    # checkpoint's step (2), reading what the option says
    run atd train "${common[@]}" --steps 3 --run-dir "$work/atc" --resume --g-layout sprite \
        --g-attend 0.5 --g-text own --g-path sentence
    if [[ $status -eq 0 ]] && key_is "$work/atc/checkpoint.gguf" train.path_from 2 &&
        ! "$cli" info "$work/atc/model.gguf" | grep -q tganc.sprite.path_rest; then
        ok "--g-path sentence on --resume of a path reading the rest: the head reads S from step 2"
    else
        fail "--g-path sentence on --resume: status $status, $(head -c 200 "$work/atd.err")"
    fi
    run atf train "${common[@]}" --run-dir "$work/atf" --g-layout sprite --g-attend 0.5 \
        --g-path follow --g-path-words 4
    if [[ $status -eq 0 ]] && key_is "$work/atf/model.gguf" tganc.sprite.path_follow 4 &&
        ! "$cli" info "$work/atf/model.gguf" | grep -q tganc.sprite.path_rest; then
        ok "train --g-path follow --g-path-words 4: the path reads the 4 words after the picture's"
    else
        fail "train --g-path follow: status $status, $(head -c 200 "$work/atf.err")"
    fi
    run atg train "${common[@]}" --steps 3 --run-dir "$work/atf" --resume --g-layout sprite \
        --g-attend 0.5 --g-path rest
    if [[ $status -eq 0 ]] && key_is "$work/atf/model.gguf" tganc.sprite.path_rest 1 &&
        ! "$cli" info "$work/atf/model.gguf" | grep -q tganc.sprite.path_follow; then
        ok "--g-path rest on --resume of a path reading the words after: switched"
    else
        fail "--g-path rest on --resume: status $status, $(head -c 200 "$work/atg.err")"
    fi
    # each picture's path from its own window: two pictures on TBMG, the
    # window's default length, and a resume that cannot join the paths
    run ate train "${common[@]}" --data tbmg --run-dir "$work/ate" --g-layout sprite \
        --g-attend 0.1 --g-sprites 2 --g-path each
    if [[ $status -eq 0 ]] && key_is "$work/ate/model.gguf" tganc.sprite.path_each 1 &&
        key_is "$work/ate/model.gguf" tganc.sprite.path_follow 5; then
        ok "train --g-path each: each of two pictures' paths reads the 5 words after its word"
    else
        fail "train --g-path each: status $status, $(head -c 200 "$work/ate.err")"
    fi
    run atj train "${common[@]}" --data tbmg --steps 3 --run-dir "$work/ate" --resume \
        --g-layout sprite --g-attend 0.1 --g-sprites 2 --g-path follow
    if [[ $status -eq 0 ]] && key_is "$work/ate/model.gguf" tganc.sprite.path_follow 5 &&
        ! "$cli" info "$work/ate/model.gguf" | grep -q tganc.sprite.path_each &&
        ! "$cli" info "$work/ate/model.gguf" | grep -q 'gen.path.sprite'; then
        ok "--g-path follow on --resume of each picture's own path: one head over both windows"
    else
        fail "--g-path follow on --resume of --g-path each: status $status, $(head -c 200 "$work/atj.err")"
    fi
    # two pictures on TBMG: each starts on one of the caption's two digits
    # (words 2 and 10 of "digit 1 is moving left and right and digit 7 is
    # moving up and down"), at a bias of 3 for every caption; a resume
    # cannot change the count
    run tb train "${common[@]}" --data tbmg --run-dir "$work/tb" --g-layout sprite --g-attend 0.1 \
        --g-sprites 2
    pos=$("$cli" info "$work/tb/model.gguf" 2>/dev/null | grep -E '^  picture [0-9]:' | tr -s ' ')
    if [[ $status -eq 0 ]] && key_is "$work/tb/model.gguf" tganc.sprite.count 2 &&
        [[ $pos == *"picture 1: word 2 3.000"*"picture 2: word 10 3.000" ]] &&
        "$cli" sample --model "$work/tb/model.gguf" --out "$work/tb/a.y4m" \
            --caption "digit 1 is moving left and right and digit 7 is moving up and down" \
            >/dev/null 2>&1 && [[ -s $work/tb/a.y4m ]]; then
        ok "train --g-sprites 2 on TBMG: picture 1 starts on word 2, picture 2 on word 10; it samples"
    else
        fail "train --g-sprites 2: status $status, positions '$pos', $(head -c 200 "$work/tb.err")"
    fi
    run tbb train "${common[@]}" --data tbmg --steps 3 --run-dir "$work/tb" --resume \
        --g-layout sprite --g-attend 0.1 --g-sprites 1
    refused tbb "draws 2 pictures per clip" "--g-sprites 1 on --resume of a two-picture generator"
    # a picture smaller than the frame: the stack leaves out its last stage
    # (32 of the 64 pixels), the model records the frame, clips keep the
    # data's 64x64; a resume cannot change the picture's size
    run pic train "${common[@]}" --run-dir "$work/pic" --g-layout sprite --g-picture 32
    m=$work/pic/model.gguf
    if [[ $status -eq 0 ]] && key_is "$m" tganc.sprite.frame_height 64 &&
        key_is "$m" tganc.sprite.frame_width 64 &&
        "$cli" sample --model "$m" --caption "digit 2 is moving up and down" \
            --out "$work/pic/a.y4m" >/dev/null 2>&1 &&
        head -c 64 "$work/pic/a.y4m" | grep -aq '^YUV4MPEG2 W64 H64 '; then
        ok "train --g-picture 32: the frame (64x64) recorded, 64x64 clips sampled"
    else
        fail "train --g-picture 32: status $status, $(head -c 200 "$work/pic.err") $(head -c 40 "$work/pic/a.y4m" 2>/dev/null)"
    fi
    if [[ $("$cli" info "$m" 2>/dev/null | grep -c 'gen.l4') == 0 &&
        $("$cli" info "$work/sp/model.gguf" 2>/dev/null | grep -c 'gen.l4') != 0 ]]; then
        ok "train --g-picture 32: the stack's last stage (gen.l4) left out"
    else
        fail "train --g-picture 32: tensors $("$cli" info "$m" 2>&1 | grep -Eo 'gen\.l[0-9]' | sort -u | tr '\n' ' ')"
    fi
    run picb train "${common[@]}" --steps 3 --run-dir "$work/pic" --resume --g-layout sprite \
        --g-picture 16
    refused picb "draws a picture of 32x32" "--g-picture 16 on --resume of a 32x32 picture"
    # the bouncing path: a free run switched on --resume at its step 2 (the
    # head's output layer now 4 numbers wide), which then samples, and
    # cannot switch back
    run bnc train "${common[@]}" --steps 3 --run-dir "$work/pic" --resume --g-path-shape bounce
    m=$work/pic/model.gguf
    if [[ $status -eq 0 ]] && key_is "$m" tganc.sprite.path_bounce 1 &&
        key_is "$work/pic/checkpoint.gguf" train.path_bounce_from 2 &&
        "$cli" info "$m" 2>/dev/null | grep -Eq '^ +gen\.path\.l1\.weight +\(4, ' &&
        "$cli" sample --model "$m" --caption "digit 2 is moving up and down" \
            --out "$work/pic/b.y4m" >/dev/null 2>&1 && [[ -s $work/pic/b.y4m ]]; then
        ok "train --g-path-shape bounce on --resume: the path bounces from step 2, 4 outputs, it samples"
    else
        fail "train --g-path-shape bounce on --resume: status $status, $(head -c 200 "$work/bnc.err")"
    fi
    run bnd train "${common[@]}" --steps 4 --run-dir "$work/pic" --resume --g-path-shape free
    refused bnd "path bounces (from step 2)" "--g-path-shape free on --resume of a bouncing path"
    # the axis gate on the bouncing run at its step 3: 5 outputs per picture,
    # a clip sampled with the same seed right after the switch (no step
    # trained) is the bouncing run's, byte for byte; no way back to bounce
    "$cli" sample --model "$m" --caption "digit 2 is moving up and down" --seed 9 \
        --out "$work/pic/before.y4m" >/dev/null 2>&1
    run axs train "${common[@]}" --steps 3 --run-dir "$work/pic" --resume --g-path-shape axis
    if [[ $status -eq 0 ]] && key_is "$m" tganc.sprite.path_bounce 2 &&
        key_is "$work/pic/checkpoint.gguf" train.path_axis_from 3 &&
        key_is "$work/pic/checkpoint.gguf" train.path_bounce_from 2 &&
        "$cli" info "$m" 2>/dev/null | grep -Eq '^ +gen\.path\.l1\.weight +\(5, ' &&
        "$cli" sample --model "$m" --caption "digit 2 is moving up and down" --seed 9 \
            --out "$work/pic/after.y4m" >/dev/null 2>&1 &&
        cmp -s "$work/pic/before.y4m" "$work/pic/after.y4m"; then
        ok "train --g-path-shape axis on --resume: the gate from step 3, 5 outputs, the same clip at the switch"
    else
        fail "train --g-path-shape axis on --resume: status $status, $(head -c 200 "$work/axs.err")"
    fi
    run axt train "${common[@]}" --steps 4 --run-dir "$work/pic" --resume --g-path-shape bounce
    refused axt "axis gate (from step 3)" "--g-path-shape bounce on --resume of a gated path"
    # the gates' sharpening: set on --resume of the gated run and recorded;
    # refused where there is no gate
    run axu train "${common[@]}" --steps 4 --run-dir "$work/pic" --resume --g-axis-sharpen 0.5
    if [[ $status -eq 0 ]] && key_is "$work/pic/checkpoint.gguf" train.axis_sharpen 0.5 &&
        key_is "$work/pic/checkpoint.gguf" train.step 4; then
        ok "train --g-axis-sharpen 0.5 on --resume of a gated run: recorded, trains on"
    else
        fail "train --g-axis-sharpen 0.5 on --resume: status $status, $(head -c 200 "$work/axu.err")"
    fi
    run axv train "${common[@]}" --steps 2 --run-dir "$work/nogate" --g-axis-sharpen 0.5
    if [[ $status -eq 1 ]] && grep -q "needs the gated path" "$work/axv.err"; then
        ok "train --g-axis-sharpen without the gate: status 1, $(head -n1 "$work/axv.err" | cut -c1-90)"
    else
        fail "train --g-axis-sharpen without the gate: status $status (want 1): $(head -c 200 "$work/axv.err")"
    fi
    run pool train "${common[@]}" --run-dir "$work/pool" --text-pool on
    if [[ $status -eq 1 ]] && grep -q "pooled sentence vector needs D > E" "$work/pool.err"; then
        ok "train --text-pool on at the tiny sizes: status 1, $(head -n1 "$work/pool.err" | cut -c1-100)"
    else
        fail "train --text-pool on (tiny): status $status (want 1): $(head -c 200 "$work/pool.err")"
    fi
else
    skip "train runs: no $data_dir/mnist.t2vg"
fi
if [[ -r $data_dir/fashion-mnist.t2vg ]]; then
    run sg train-stackgan "${common[@]}" --run-dir "$work/sg" --g-text own --near-miss 1
    ck=$work/sg/checkpoint.gguf
    if [[ $status -eq 0 ]] && key_is "$ck" train.shared_text false && key_is "$ck" train.near_miss 1; then
        ok "train-stackgan: --g-text own --near-miss 1 in the checkpoint's recipe"
    else
        fail "train-stackgan: status $status: $(head -c 200 "$work/sg.err")"
    fi
    # word heads: one per stage's D, at step 1 below V ln 2 (V from the
    # vocabulary; words every caption holds are not scored) and above half of it
    run sgw train-stackgan "${common[@]}" --run-dir "$work/sgw" --aux-words 1
    ck=$work/sgw/checkpoint.gguf
    V=$(vocab_of "$ck")
    if [[ $status -eq 0 && -n $V ]] && key_is "$ck" train.aux_words 1 &&
        head -n1 "$work/sgw/log-stage1.csv" | grep -q ',d_words,g_words$' &&
        awk -F, -v V="$V" 'NR == 2 { c = V * log(2); exit !($10 > 0.5 * c && $10 < c) }' "$work/sgw/log-stage1.csv"; then
        ok "train-stackgan --aux-words 1: in the recipe, logged, D's word term $(awk -F, 'NR == 2 { print $10 }' "$work/sgw/log-stage1.csv") at step 1 (between half and all of $V words x ln 2)"
    else
        fail "train-stackgan --aux-words 1: status $status, V '$V', $(head -c 200 "$work/sgw.err") $(head -n2 "$work/sgw/log-stage1.csv" 2>/dev/null | tail -n1)"
    fi
    run sgwr train-stackgan "${common[@]}" --run-dir "$work/sgw" --resume --aux-words 0
    refused sgwr "trained with 1" "train-stackgan --aux-words 0 --resume on a run with word heads"
    # readers: logged after the other columns, fixed for the run
    run sgr train-stackgan "${common[@]}" --run-dir "$work/sgr" --reader 0.5
    ck=$work/sgr/checkpoint.gguf
    if [[ $status -eq 0 ]] && key_is "$ck" train.reader 0.5 &&
        head -n1 "$work/sgr/log-stage1.csv" | grep -q ',kl,d_reader,g_reader$' &&
        "$cli" info "$ck" | grep -q '^ *reader2.words.weight'; then
        ok "train-stackgan --reader 0.5: in the recipe, logged, a reader for each stage in the checkpoint"
    else
        fail "train-stackgan --reader 0.5: status $status, $(head -c 200 "$work/sgr.err")"
    fi
    run sgrr train-stackgan "${common[@]}" --run-dir "$work/sgr" --resume --reader 1
    refused sgrr "trained with 0.5" "train-stackgan --reader 1 --resume on a 0.5 run"
    # the layered Stage I: in the model's keys, its object and position
    # networks in the file, fixed for the run
    run sgl train-stackgan "${common[@]}" --run-dir "$work/sgl" --g-layout layered
    ck=$work/sgl/checkpoint.gguf
    if [[ $status -eq 0 ]] && key_is "$ck" stackgan.layered 1 &&
        "$cli" info "$work/sgl/model.gguf" | grep -q '^ *s1.obj.out.weight' &&
        "$cli" info "$work/sgl/model.gguf" | grep -q '^ *s1.pos.fc2.weight'; then
        ok "train-stackgan --g-layout layered: stackgan.layered 1, s1.obj.* and s1.pos.* in the model"
    else
        fail "train-stackgan --g-layout layered: status $status, $(head -c 200 "$work/sgl.err")"
    fi
    run sglr train-stackgan "${common[@]}" --run-dir "$work/sgl" --resume --g-layout plain
    refused sglr "trained with layered" "train-stackgan --g-layout plain --resume on a layered run"
    # an object picture smaller than the frame: 12x12 drawn from 3x3 in the tiny 16x16 frame
    run sgo train-stackgan "${common[@]}" --run-dir "$work/sgo" --g-layout layered --g-object 12
    if [[ $status -eq 0 ]] && key_is "$work/sgo/model.gguf" stackgan.layer_side 12 &&
        "$cli" info "$work/sgo/model.gguf" | grep -Eq '^ *s1.obj.fc.weight +\(288, 14\)'; then
        ok "train-stackgan --g-object 12: stackgan.layer_side 12, the object chain starts at 32 channels x 3x3"
    else
        fail "train-stackgan --g-object 12: status $status, $(head -c 200 "$work/sgo.err")"
    fi
    run sgor train-stackgan "${common[@]}" --run-dir "$work/sgo" --resume --steps 3 --g-object 6
    refused sgor "object picture is 12" "train-stackgan --g-object 6 --resume on a 12x12 picture"
    # the glyph: one alpha channel, the word scores and the tint head in the
    # model, the attention's weight in the recipe, the scores in `info`
    # (the object words first); the layout and weight kept on --resume
    run sgg train-stackgan "${common[@]}" --run-dir "$work/sgg" --g-layout glyph --g-object 12 \
        --g-attend 0.25
    m=$work/sgg/model.gguf
    top=$("$cli" info "$m" 2>/dev/null | sed -n '/^picture attention/,$p' | sed -n 3p | awk '{print $1}')
    if [[ $status -eq 0 ]] && key_is "$m" stackgan.layered 2 &&
        key_is "$work/sgg/checkpoint.gguf" train.attend_sharpen 0.25 &&
        "$cli" info "$m" | grep -Eq '^ +s1\.obj\.out\.weight +\(1, ' &&
        "$cli" info "$m" | grep -Eq '^ +s1\.tint\.fc\.weight +\(3, ' &&
        [[ $top =~ ^([0-9]|t|-|shirt|pullover|dress|coat|sandal|sneaker|bag|ankle|boot|pair|of|trousers)$ ]]; then
        ok "train-stackgan --g-layout glyph: stackgan.layered 2, a one-channel picture, a tint head, attention on '$top' first"
    else
        fail "train-stackgan --g-layout glyph: status $status, top word '$top', $(head -c 200 "$work/sgg.err")"
    fi
    run sggr train-stackgan "${common[@]}" --run-dir "$work/sgg" --resume --steps 3 --g-layout layered
    refused sggr "trained with glyph" "train-stackgan --g-layout layered --resume on a glyph run"
    run sgga train-stackgan "${common[@]}" --run-dir "$work/sgg" --resume --steps 3 --g-attend 0.1
    refused sgga "sharpened by 0.25" "train-stackgan --g-attend 0.1 --resume on a run sharpened by 0.25"
    # the object discriminator: its weight in the recipe, its scorer ("o1")
    # in the checkpoint but not in the model, its two columns in the log;
    # fixed on --resume
    # with --g-tint sentence, the tint head reads S (8 numbers at the tiny
    # sizes) before c and z (6 + 8)
    run sgod train-stackgan "${common[@]}" --run-dir "$work/sgod" --g-layout glyph --g-object 12 \
        --object-d 0.5 --g-tint sentence --g-background flat --swap-miss 0.25
    if [[ $status -eq 0 ]] && key_is "$work/sgod/checkpoint.gguf" train.object_d 0.5 &&
        key_is "$work/sgod/checkpoint.gguf" train.swap_miss 0.25 &&
        key_is "$work/sgod/model.gguf" stackgan.tint_sent 1 &&
        key_is "$work/sgod/model.gguf" stackgan.bg_flat 1 &&
        "$cli" info "$work/sgod/model.gguf" | grep -Eq '^ +s1\.tint\.fc\.weight +\(3, 22\)' &&
        "$cli" info "$work/sgod/checkpoint.gguf" | grep -Eq '^ +o1\.head\.' &&
        ! "$cli" info "$work/sgod/model.gguf" | grep -Eq '^ +o1\.' &&
        head -n1 "$work/sgod/log-stage1.csv" | grep -q ',d_obj,g_obj$' &&
        awk -F, 'NR == 3 { exit !($10 > 0 && $11 != "") }' "$work/sgod/log-stage1.csv"; then
        ok "train-stackgan --object-d 0.5 --g-tint sentence --g-background flat --swap-miss 0.25: in the recipe, the tint head on [S, c, z], the flat background, the scorer in the checkpoint only, its loss logged ($(awk -F, 'NR == 3 { print $10 }' "$work/sgod/log-stage1.csv") at step 2)"
    else
        fail "train-stackgan --object-d 0.5: status $status, $(head -c 200 "$work/sgod.err") $(head -n3 "$work/sgod/log-stage1.csv" 2>/dev/null | tr '\n' ';')"
    fi
    run sgodr train-stackgan "${common[@]}" --run-dir "$work/sgod" --resume --steps 3 --object-d 1
    refused sgodr "trained with 0.5" "train-stackgan --object-d 1 --resume on a 0.5 run"
    run sgods train-stackgan "${common[@]}" --run-dir "$work/sgod" --resume --steps 3 --swap-miss 0.5
    refused sgods "trained with 0.25" "train-stackgan --swap-miss 0.5 --resume on a 0.25 run"
    run sgodt train-stackgan "${common[@]}" --run-dir "$work/sgod" --resume --steps 3 --g-tint sample
    refused sgodt "reads the sentence" "train-stackgan --g-tint sample --resume on a sentence tint"
    run sgodb train-stackgan "${common[@]}" --run-dir "$work/sgod" --resume --steps 3 --g-background chain
    refused sgodb "background is flat" "train-stackgan --g-background chain --resume on a flat background"
    # with --g-tint words the tint head reads Q, the attended bi-LSTM
    # features (2 x 8 numbers at the tiny sizes), before S (8) and c, z (14)
    run sgow train-stackgan "${common[@]}" --run-dir "$work/sgow" --g-layout glyph --g-object 12 \
        --g-tint words --g-background flat
    if [[ $status -eq 0 ]] && key_is "$work/sgow/model.gguf" stackgan.tint_words 1 &&
        key_is "$work/sgow/model.gguf" stackgan.tint_sent 1 &&
        "$cli" info "$work/sgow/model.gguf" | grep -Eq '^ +s1\.tint\.fc\.weight +\(3, 38\)' &&
        "$cli" info "$work/sgow/model.gguf" | grep -Eq '^ +s1\.tint\.attend +\(16\)' &&
        samples "$work/sgow/model.gguf" "a small red sandal at the top on a blue background" sgow; then
        ok "train-stackgan --g-tint words: stackgan.tint_words 1, the tint head on [Q, S, c, z], its word scores, and the model samples"
    else
        fail "train-stackgan --g-tint words: status $status, $(head -c 200 "$work/sgow.err")"
    fi
    run sgowt train-stackgan "${common[@]}" --run-dir "$work/sgow" --resume --steps 3 --g-tint sentence
    refused sgowt "reads the words" "train-stackgan --g-tint sentence --resume on a words tint"
    # --from: a new run's Stage II on another run's Stage I, which is only read
    sum_before=$(md5sum < "$work/sgow/checkpoint.gguf")
    run sg2f train-stackgan "${common[@]}" --stage 2 --run-dir "$work/sg2f" \
        --from "$work/sgow/checkpoint.gguf" --g2-residual on --g2-reg 50 --d2-low 0.5
    if [[ $status -eq 0 ]] && [[ $(md5sum < "$work/sgow/checkpoint.gguf") == "$sum_before" ]] &&
        key_is "$work/sg2f/checkpoint.gguf" train.d2_low 0.5 &&
        key_is "$work/sg2f/checkpoint.gguf" stackgan.s2_residual 1 &&
        key_is "$work/sg2f/checkpoint.gguf" train.s2_reg 50 &&
        head -n1 "$work/sg2f/log-stage2.csv" | grep -q ',g_reg,d_low,g_low$' &&
        key_is "$work/sg2f/checkpoint.gguf" train.step1 2 &&
        key_is "$work/sg2f/checkpoint.gguf" train.step2 2 &&
        key_is "$work/sg2f/model.gguf" stackgan.tint_words 1 &&
        [[ $(wc -l < "$work/sg2f/log-stage2.csv") -eq 3 ]] && [[ ! -e $work/sgow/log-stage2.csv ]]; then
        ok "train-stackgan --stage 2 --from CKPT --g2-residual on --g2-reg 50 --d2-low 0.5: a new run with the source's Stage I and recipe, a residual Stage II of 2 steps, its correction's weight, the low-resolution term, their log columns, the source untouched"
    else
        fail "train-stackgan --from: status $status, $(head -c 200 "$work/sg2f.err")"
    fi
    run sg2fr train-stackgan "${common[@]}" --stage 2 --run-dir "$work/sg2f" --resume --steps 3 --g2-residual off
    refused sg2fr "as a correction" "train-stackgan --g2-residual off --resume on a residual Stage II"
    run sg2fg train-stackgan "${common[@]}" --stage 2 --run-dir "$work/sg2f" --resume --steps 3 --g2-reg 1
    refused sg2fg "with 50, which it keeps" "train-stackgan --g2-reg 1 --resume on a Stage II trained with 50"
    run sg2fl train-stackgan "${common[@]}" --stage 2 --run-dir "$work/sg2f" --resume --steps 3 --d2-low 1
    refused sg2fl "with 0.5, which it keeps" "train-stackgan --d2-low 1 --resume on a Stage II trained with 0.5"
    run sg2fs train-stackgan "${common[@]}" --stage 2 --run-dir "$work/sg2f" --resume --steps 3 \
        --from "$work/sgod/checkpoint.gguf"
    if [[ $status -eq 0 ]] && key_is "$work/sg2f/checkpoint.gguf" train.step2 3 &&
        key_is "$work/sg2f/checkpoint.gguf" stackgan.tint_words 1; then
        ok "train-stackgan --resume --from on a run with its own checkpoint: that checkpoint continues (Stage II at step 3)"
    else
        fail "train-stackgan --resume --from: status $status, $(head -c 200 "$work/sg2fs.err")"
    fi
    # repainting: a residual Stage II with a head on [Q2, S, c2] (16 + 8 + 6)
    # for a background colour and its gate (3 + 1)
    run sg2p train-stackgan "${common[@]}" --stage 2 --run-dir "$work/sg2p" \
        --from "$work/sgow/checkpoint.gguf" --g2-residual repaint
    if [[ $status -eq 0 ]] && key_is "$work/sg2p/checkpoint.gguf" stackgan.s2_residual 1 &&
        key_is "$work/sg2p/model.gguf" stackgan.s2_bg 1 &&
        "$cli" info "$work/sg2p/model.gguf" | grep -Eq '^ +s2\.bg\.fc\.weight +\(4, 30\)' &&
        "$cli" info "$work/sg2p/model.gguf" | grep -Eq '^ +s2\.bg\.attend +\(16\)' &&
        samples "$work/sg2p/model.gguf" "a small red sandal at the top on a blue background" sg2p; then
        ok "train-stackgan --stage 2 --from CKPT --g2-residual repaint: stackgan.s2_bg 1, the background head in the file, and the model samples"
    else
        fail "train-stackgan --g2-residual repaint: status $status, $(head -c 200 "$work/sg2p.err")"
    fi
    run sg2pp train-stackgan "${common[@]}" --stage 2 --run-dir "$work/sg2pp" \
        --from "$work/sg/checkpoint.gguf" --g2-residual repaint
    if [[ $status -eq 1 ]] && grep -q "over a layered Stage I" "$work/sg2pp.err" &&
        [[ ! -e $work/sg2pp/checkpoint.gguf ]]; then
        ok "train-stackgan --from a plain Stage I --g2-residual repaint: status 1, $(head -n1 "$work/sg2pp.err" | cut -c1-90)"
    else
        fail "train-stackgan --g2-residual repaint on a plain Stage I: status $status (want 1): $(head -c 200 "$work/sg2pp.err")"
    fi
    # --stage1: a model's Stage I under the checkpoint's Stage II
    run sg2s train-stackgan "${common[@]}" --stage 2 --run-dir "$work/sg2s" \
        --from "$work/sgow/checkpoint.gguf" --stage1 "$work/sgow/model.gguf" --g2-residual repaint
    if [[ $status -eq 0 ]] && key_is "$work/sg2s/checkpoint.gguf" train.step2 2 &&
        key_is "$work/sg2s/model.gguf" stackgan.s2_bg 1; then
        ok "train-stackgan --stage 2 --from CKPT --stage1 MODEL: a repainting Stage II of 2 steps on the model's Stage I"
    else
        fail "train-stackgan --stage1: status $status, $(head -c 200 "$work/sg2s.err")"
    fi
    run sg2sr train-stackgan "${common[@]}" --stage 2 --run-dir "$work/sg2s" --resume --steps 3 \
        --stage1 "$work/sgow/model.gguf"
    if [[ $status -eq 0 ]] && key_is "$work/sg2s/checkpoint.gguf" train.step2 3; then
        ok "train-stackgan --stage1 --resume after Stage II has trained: it continues on its Stage I"
    else
        fail "train-stackgan --stage1 --resume: status $status, $(head -c 200 "$work/sg2sr.err")"
    fi
    run sg2sl train-stackgan "${common[@]}" --stage 2 --run-dir "$work/sg2s" --resume --steps 4 \
        --lr-g 0.0003
    refused sg2sl "which it keeps" "train-stackgan --lr-g --resume on a Stage II that has trained"
    run sg2l train-stackgan "${common[@]}" --stage 2 --run-dir "$work/sg2l" \
        --from "$work/sgow/checkpoint.gguf" --lr-g 0.5
    if [[ $status -eq 0 ]] && key_is "$work/sg2l/checkpoint.gguf" train.lr_g 0.5; then
        ok "train-stackgan --stage 2 --from CKPT --lr-g 0.5: Stage II's rate in the recipe"
    else
        fail "train-stackgan --from --lr-g: status $status, $(head -c 200 "$work/sg2l.err")"
    fi
    run sg2sx train-stackgan "${common[@]}" --stage 2 --run-dir "$work/sg2sx" \
        --from "$work/sgow/checkpoint.gguf" --stage1 "$work/sg/model.gguf"
    if [[ $status -eq 1 ]] && grep -q "not shaped as this run's" "$work/sg2sx.err"; then
        ok "train-stackgan --stage1 with a model of another Stage I: status 1, $(head -n1 "$work/sg2sx.err" | cut -c1-90)"
    else
        fail "train-stackgan --stage1 of another shape: status $status (want 1): $(head -c 200 "$work/sg2sx.err")"
    fi
    run sg2pr train-stackgan "${common[@]}" --stage 2 --run-dir "$work/sg2p" --resume --steps 3 --g2-residual on
    refused sg2pr "repaints the background" "train-stackgan --g2-residual on --resume on a repainting Stage II"
    # Stage II's form is chosen when it starts: on a run whose Stage II has
    # not trained, --g2-residual takes effect
    run sg2o train-stackgan "${common[@]}" --stage 2 --run-dir "$work/sgod" --resume --g2-residual on
    if [[ $status -eq 0 ]] && key_is "$work/sgod/checkpoint.gguf" stackgan.s2_residual 1 &&
        key_is "$work/sgod/checkpoint.gguf" train.step2 2; then
        ok "train-stackgan --stage 2 --resume --g2-residual on before Stage II's first step: a residual Stage II"
    else
        fail "train-stackgan --g2-residual on --resume at Stage II's start: status $status, $(head -c 200 "$work/sg2o.err")"
    fi
    # the pooled sentence vector: refused where D = E (tiny), recorded at
    # the small preset's sizes, every encoder's tensors alike, fixed for the run
    run sgpt train-stackgan "${common[@]}" --run-dir "$work/sgpt" --text-pool on
    if [[ $status -eq 1 ]] && grep -q "pooled sentence vector needs D > E" "$work/sgpt.err"; then
        ok "train-stackgan --text-pool on at the tiny sizes: status 1, $(head -n1 "$work/sgpt.err" | cut -c1-90)"
    else
        fail "train-stackgan --text-pool on (tiny): status $status (want 1): $(head -c 200 "$work/sgpt.err")"
    fi
    small=(--preset small --steps 1 --threads 1 --sample-every 0 --quiet --device cpu)
    run sgp train-stackgan "${small[@]}" --run-dir "$work/sgp" --text-pool on
    if [[ $status -eq 0 ]] && key_is "$work/sgp/checkpoint.gguf" stackgan.text.pool 1 &&
        key_is "$work/sgp/model.gguf" stackgan.text.pool 1 &&
        samples "$work/sgp/model.gguf" "a large red bag at the top on a blue background" sgp; then
        ok "train-stackgan --text-pool on (small): stackgan.text.pool 1 in checkpoint and model, and the model samples"
    else
        fail "train-stackgan --text-pool on (small): status $status, $(head -c 200 "$work/sgp.err")"
    fi
    run sgpr train-stackgan "${small[@]}" --run-dir "$work/sgp" --resume --steps 2 --text-pool off
    refused sgpr "trained with on" "train-stackgan --text-pool off --resume on a pooled run"
else
    skip "train-stackgan run: no $data_dir/fashion-mnist.t2vg"
fi

echo "# $passed passed, $failed failed, $skipped skipped"
if ((failed)); then exit 1; fi
if ((passed == 0)); then exit 77; fi
exit 0
