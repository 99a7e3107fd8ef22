#!/usr/bin/env bash
# The whole txt2vid test suite on a fresh build:
#   1. set-up (packages, FFmpeg source, data; nothing is installed system-wide);
#   2. a fresh build with every feature the machine supports, and every
#      meson test suite (engine, io, data, media, models, eval, cli, gst, ffmpeg,
#      and the CUDA suites, which skip without a device);
#   3. a fresh AddressSanitizer + UndefinedBehaviorSanitizer build of the CPU
#      path (engine, data, media, trainer) and its suites.
# Ends with one line "N passed, N failed" (meson tests of both builds; a
# skipped test counts in neither and is listed).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
out=${TXT2VID_TEST_DIR:-$repo/build-test}
rm -rf "$out" && mkdir -p "$out"
# Tests that need a trained model use the shipped one (they skip without it).
if [[ -z ${TXT2VID_TEST_MODEL:-} && -f $repo/models/sbmg.gguf ]]; then
    export TXT2VID_TEST_MODEL=$repo/models/sbmg.gguf
fi

bash scripts/setup.sh --no-install || { echo "0 passed, 1 failed"; exit 1; }

status=0
meson setup "$out/main" -Dgst=enabled -Dffmpeg=enabled >"$out/setup-main.log" 2>&1 &&
    ninja -C "$out/main" >"$out/build-main.log" 2>&1 || {
        cat "$out"/*-main.log | tail -40
        echo "0 passed, 1 failed"
        exit 1
    }
meson test -C "$out/main" --num-processes 2 --print-errorlogs || status=1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
meson setup "$out/asan" -Dsanitize_tests=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbuildtype=debug -Dffmpeg=disabled -Dgst=disabled \
    >"$out/setup-asan.log" 2>&1 &&
    ninja -C "$out/asan" >"$out/build-asan.log" 2>&1 || {
        cat "$out"/*-asan.log | tail -40
        status=1
    }
if [[ -f $out/asan/build.ninja ]]; then
    meson test -C "$out/asan" --num-processes 2 --print-errorlogs \
        --suite engine --suite io --suite data --suite media --suite models \
        --suite eval --timeout-multiplier 4 || status=1
fi

python3 - "$out/main/meson-logs/testlog.json" "$out/asan/meson-logs/testlog.json" <<'PY'
import json, os, sys
passed = failed = skipped = 0
names = []
for path in sys.argv[1:]:
    if not os.path.exists(path):
        failed += 1
        continue
    tag = "asan " if "/asan/" in path else ""
    for line in open(path):
        t = json.loads(line)
        r = t.get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
            names.append(tag + t["name"])
        else:
            failed += 1
if names:
    print("skipped: " + ", ".join(names))
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
sys.exit(1 if failed else 0)
PY
summary=$?
[[ $summary -ne 0 ]] && status=1
exit $status
