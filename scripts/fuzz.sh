#!/usr/bin/env bash
# fuzz.sh SECONDS FUZZER... - run each libFuzzer target for SECONDS on a fresh copy of its
# seeds (tests/fuzz/corpus/NAME; what it finds stays in build/fuzz/corpus/NAME), one after
# another. Exits non-zero when one crashes, leaks or trips a sanitizer; prints each one's
# executions. Called by `make fuzz` (long runs) and scripts/test.sh (a few seconds each).
set -uo pipefail
cd "$(dirname "$0")/.."
secs=$1
shift
failed=0
for f in "$@"; do
  name=$(basename "$f")
  work=build/fuzz/corpus/$name
  mkdir -p "$work" build/fuzz/crashes
  [ -d "tests/fuzz/corpus/$name" ] && cp -n tests/fuzz/corpus/"$name"/* "$work"/ 2>/dev/null
  log=build/fuzz/$name.log
  if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix=build/fuzz/crashes/"$name"- "$work" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    echo "fuzz $name: ${runs:-?} runs in ${secs}s, no crash"
  else
    echo "fuzz $name: FAILED (see $log):"
    grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -5
    failed=1
  fi
done
exit $failed
