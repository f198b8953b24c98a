#!/usr/bin/env bash
# Run every test: the cmocka unit tests given as arguments, then the API tests against
# SQLite and a throwaway PostgreSQL server (a few of them again against the release build),
# then the browser tests. Called by `make test`.
set -uo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export QIAO_BIN=$PWD/build/test/qiao
mkdir -p test-output
failed=0

echo "== messages: every one the server can send in zh-Hans, zh-Hant and en"
python3 tools/messages.py check src/messages.txt src/*.c src/*.h || failed=1

echo "== unit tests"
for t in "$@"; do
  "$t" || failed=1
done

if [ -n "${FUZZERS:-}" ]; then
  echo "== fuzzers (${FUZZ_TEST_SECONDS:-5} s each; make fuzz runs them longer)"
  # shellcheck disable=SC2086
  scripts/fuzz.sh "${FUZZ_TEST_SECONDS:-5}" $FUZZERS || failed=1
fi

echo "== PostgreSQL for the API tests"
pgdir=$(mktemp -d /tmp/qiao-pg.XXXXXX) && rmdir "$pgdir"
chmod 755 /tmp 2>/dev/null || true
if QIAO_PG_URL=$(scripts/pg-start.sh "$pgdir"); then
  export QIAO_PG_URL
  trap 'scripts/pg-stop.sh "$pgdir" >/dev/null 2>&1' EXIT
  echo "PostgreSQL at $QIAO_PG_URL"
else
  echo "could not start PostgreSQL: the API tests need it" >&2
  exit 1
fi

echo "== API tests (SQLite and PostgreSQL)"
# which of the catalog's messages the API tests make (msg.c's QIAO_MSG_TRACE)
rm -f test-output/messages-trace.txt
QIAO_MSG_TRACE=$PWD/test-output/messages-trace.txt node --test --test-concurrency=2 tests/api/ || failed=1
echo "== the catalog's messages the API tests made"
python3 tools/messages.py coverage src/messages.txt test-output/messages-trace.txt

echo "== the release build (build/qiao: optimised, mimalloc) on the registry, list, ledger and import tests"
QIAO_BIN=$PWD/build/qiao node --test --test-concurrency=2 tests/api/registry.test.mjs \
  tests/api/keyset.test.mjs tests/api/funds.test.mjs tests/api/import.test.mjs || failed=1

if [ -d tests/browser ] && ls tests/browser/*.test.mjs >/dev/null 2>&1; then
  echo "== browser tests"
  node --test --test-concurrency=1 tests/browser/ || failed=1
fi

if [ $failed -ne 0 ]; then
  echo "SOME TESTS FAILED"
  exit 1
fi
echo "all tests passed"
