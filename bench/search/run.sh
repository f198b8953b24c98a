#!/usr/bin/env bash
# bench/search/run.sh - the name-search benchmark (bench/search/search_bench.c).
#   bench/search/run.sh [N] [QUERIES]    N people (default 1,000,000), 1,000 queries
# Fills a fresh build/bench/search.db the way an import does (BENCH_KEEP=1 keeps the one
# there), prints the in-process latency table, then serves the database with `qiao serve`
# on a free 127.0.0.1 port, sends the same queries over HTTP with wrk (2 threads, 16
# connections, 10 s) and prints the server's RSS.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000000}
Q=${2:-1000}
OUT=build/bench
DB=$OUT/search.db
PW=bench-search-pw-1
make -s build/qiao build/bench-bin/search_bench
mkdir -p "$OUT"
[ "${BENCH_KEEP:-}" = 1 ] || rm -f "$DB" "$DB-wal" "$DB-shm"
echo "== name search, $(date -u '+%Y-%m-%d %H:%M UTC'), $N people, $Q queries"
BENCH_QUERIES_OUT=$OUT/search-queries.txt build/bench-bin/search_bench "$DB" "$N" "$Q"

# ---- the same queries through the server ------------------------------------------------
QIAO_PID=
cleanup() {
  [ -n "$QIAO_PID" ] && kill -TERM "$QIAO_PID" 2>/dev/null && wait "$QIAO_PID" 2>/dev/null
  true
}
trap cleanup EXIT
port=
for _ in $(seq 200); do
  p=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "bench: no free port" >&2; exit 1; }
echo "$PW" | build/qiao user add bench --role admin --org 1 --db "$DB" >/dev/null 2>&1 ||
  echo "$PW" | build/qiao user passwd bench --db "$DB" >/dev/null
build/qiao serve --db "$DB" --listen "127.0.0.1:$port" --access-log off 2>"$OUT/search-serve.log" &
QIAO_PID=$!
URL=http://127.0.0.1:$port
for _ in $(seq 100); do curl -s -o /dev/null "$URL/" && break; sleep 0.1; done
COOKIE=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
  --data "{\"username\":\"bench\",\"password\":\"$PW\"}" "$URL/api/v1/session" |
  tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: *\(qiao_session=[^;]*\).*/\1/p')
[ -n "$COOKIE" ] || { echo "bench: login failed" >&2; exit 1; }
run_wrk() { # SECONDS
  QB_COOKIE=$COOKIE QB_QUERIES=$OUT/search-queries.txt wrk -t2 -c16 -d"$1" --timeout 30s \
    -s bench/search/wrk-search.lua "$URL" | sed -n 's/^RESULT //p'
}
run_wrk 2s >/dev/null # warm-up
r=$(run_wrk 10s)
rss=$(awk '/VmRSS/ { print $2 }' /proc/$QIAO_PID/status)
hwm=$(awk '/VmHWM/ { print $2 }' /proc/$QIAO_PID/status)
eval "$(echo "$r" | tr ' ' '\n' | sed 's/^/w_/')"
awk -v n="$w_requests" -v d="$w_duration_us" -v p50="$w_p50_us" -v p99="$w_p99_us" \
  -v mx="$w_max_us" -v err="$w_errors" -v rss="$rss" -v hwm="$hwm" 'BEGIN {
  printf "\nover HTTP (qiao serve, wrk -t2 -c16, the same queries in turn, root admin):\n"
  printf "  %.0f req/s, p50 %.2f ms, p99 %.2f ms, max %.1f ms, %d errors\n",
    n / (d / 1e6), p50 / 1000, p99 / 1000, mx / 1000, err
  printf "  server RSS after the run: %.0f MB (peak %.0f MB)\n", rss / 1024, hwm / 1024
}'
