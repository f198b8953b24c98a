#!/usr/bin/env bash
# bench/events/run.sh - the events benchmark (issue 12; `make bench`, never `make test`).
#   bench/events/run.sh [EVENTS [PARTICIPANTS]]     100,000 events, 2,000,000 participants
# 1. Fills a fresh build/bench/events.db with bench/events/fill_events.c (BENCH_KEEP=1
#    keeps the one there).
# 2. Serves it with qiao on a free 127.0.0.1 port and drives it with wrk (2 threads, 16
#    connections, then again with one connection; BENCH_DURATION 10 s after a 2 s warm-up)
#    for each part of the event
#    page, a random event each request, as an admin of the city: the event (its
#    attendance computed), the first page of its participants, its countries; and the
#    list of one year's events as a county's staff (first page of 20, by date).
# 3. Times the same work as plain SQL in one process (fill_events --plain: COUNT(DISTINCT)
#    and friends, no HTTP, no JSON, no scope) and prints both with the ratio.
# Everything it starts is stopped on exit; every request goes to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
NEV=${1:-100000}
NPART=${2:-2000000}
DUR=${BENCH_DURATION:-10s}
WARM=${BENCH_WARMUP:-2s}
OUT=build/bench
DB=$OUT/events.db
PW=bench-events-pw-1
for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (make bench installs it)" >&2; exit 1; }
done
make -s build/qiao build/bench-bin/fill_events
mkdir -p "$OUT"
echo "== events, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${BENCH_KEEP:-}" != 1 ] || [ ! -s "$DB" ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  build/bench-bin/fill_events "$DB" "$NEV" "$NPART" 2>"$OUT/events-fill.log"
fi
echo "database: $(du -h "$DB" | cut -f1)"

QIAO_PID=
cleanup() {
  if [ -n "$QIAO_PID" ] && kill -0 "$QIAO_PID" 2>/dev/null; then
    kill -TERM "$QIAO_PID" 2>/dev/null || true
    wait "$QIAO_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
port=
for _ in $(seq 200); do
  p=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "bench: no free port" >&2; exit 1; }
COUNTY=$(build/bench-bin/fill_events "$DB" --plain 0 2>/dev/null | sed -n 's/^COUNTY id=//p')
for u in "bench admin 1" "county staff $COUNTY"; do
  set -- $u
  echo "$PW" | build/qiao user add "$1" --role "$2" --org "$3" --db "$DB" >/dev/null 2>&1 ||
    echo "$PW" | build/qiao user passwd "$1" --db "$DB" >/dev/null
done
build/qiao serve --db "$DB" --listen "127.0.0.1:$port" --access-log "$OUT/events-access.log" \
  2>"$OUT/events-serve.log" &
QIAO_PID=$!
URL=http://127.0.0.1:$port
for _ in $(seq 100); do curl -s -o /dev/null "$URL/" && break; sleep 0.1; done
login() {
  curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    --data "{\"username\":\"$1\",\"password\":\"$PW\"}" "$URL/api/v1/session" |
    tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: *\(qiao_session=[^;]*\).*/\1/p'
}
ADMIN=$(login bench)
STAFF=$(login county)
[ -n "$ADMIN" ] && [ -n "$STAFF" ] || { echo "bench: login failed" >&2; exit 1; }
MAXEV=$NEV
check() { # COOKIE PATH: fails unless 200
  local code
  code=$(curl -s -o "$OUT/events-check.json" -w '%{http_code}' -H "Cookie: $1" "$URL$2")
  [ "$code" = 200 ] || { echo "bench: $2 answered $code: $(head -c 300 "$OUT/events-check.json")" >&2; exit 1; }
}
check "$ADMIN" /api/v1/event/1
check "$ADMIN" "/api/v1/participant?per_page=20&event_id=1"
check "$ADMIN" /api/v1/event/1/countries
YEAR="/api/v1/event?starts_on_from=2023-01-01&starts_on_to=2023-12-31&sort=-starts_on&per_page=20"
check "$STAFF" "$YEAR"
echo "a county's 2023: $(sed -n 's/.*"total": *\([0-9]*\).*/\1/p' "$OUT/events-check.json") events"

declare -A P50 P99 RPS ERR CPU
ticks() { awk '{ print $14 + $15 }' "/proc/$QIAO_PID/stat"; } # qiao's CPU, user + system
run() { # KEY COOKIE env... (CONNS: connections, 16 unless set)
  local key=$1 cookie=$2 t0 t1 c=${CONNS:-16} th=2
  shift 2
  [ "$c" -lt 2 ] && th=1
  env "$@" QB_COOKIE="$cookie" wrk -t$th -c"$c" -d"$WARM" --timeout 30s -s bench/wrk.lua "$URL" >/dev/null
  t0=$(ticks)
  env "$@" QB_COOKIE="$cookie" wrk -t$th -c"$c" -d"$DUR" --timeout 30s --latency -s bench/wrk.lua "$URL" >"$OUT/events-$key.wrk"
  t1=$(ticks)
  local line
  line=$(grep '^RESULT ' "$OUT/events-$key.wrk")
  local -A v
  for kv in ${line#RESULT }; do v[${kv%%=*}]=${kv#*=}; done
  P50[$key]=$(awk -v x="${v[p50_us]}" 'BEGIN { printf "%.2f", x / 1000 }')
  P99[$key]=$(awk -v x="${v[p99_us]}" 'BEGIN { printf "%.2f", x / 1000 }')
  RPS[$key]=$(awk -v n="${v[requests]}" -v d="${v[duration_us]}" 'BEGIN { printf "%.0f", n / (d / 1e6) }')
  ERR[$key]=$((v[err_connect] + v[err_read] + v[err_write] + v[err_status] + v[err_timeout]))
  CPU[$key]=$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="${v[requests]}" 'BEGIN { printf "%.3f", n ? t * 1000 / hz / n : 0 }')
}
CASES=(event participants countries year-list)
cases() { # SUFFIX: each case once, its results under KEY+SUFFIX
  run "event$1" "$ADMIN" QB_MAX_ID="$MAXEV" QB_PREFIX=/api/v1/event/
  run "participants$1" "$ADMIN" QB_MAX_ID="$MAXEV" QB_PREFIX="/api/v1/participant?per_page=20&event_id="
  run "countries$1" "$ADMIN" QB_MAX_ID="$MAXEV" QB_PREFIX=/api/v1/event/ QB_SUFFIX=/countries
  run "year-list$1" "$STAFF" QB_PATH="$YEAR"
}
cases ""             # 16 connections
CONNS=1 cases ".c1"  # one client, one request at a time

# the same work as plain SQL, in one process
build/bench-bin/fill_events "$DB" --plain 2000 >"$OUT/events-plain.txt"
declare -A Q50 Q99
while read -r tag name a b; do
  [ "$tag" = PLAIN ] || continue
  Q50[$name]=${a#p50_ms=}
  Q99[$name]=${b#p99_ms=}
done <"$OUT/events-plain.txt"
sum() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }
# the plain side of each case: the event = its attendance (COUNT(DISTINCT)); the list =
# its page and its count
Q50[event]=${Q50[attendance]} Q99[event]=${Q99[attendance]}
Q50[year-list]=$(sum "${Q50[year-list]}" "${Q50[year-count]}")
Q99[year-list]=$(sum "${Q99[year-list]}" "${Q99[year-count]}")

echo
printf '%-16s | %8s %8s %8s %6s %7s | %10s %10s | %9s %9s\n' case "api r/s" p50ms p99ms errors cpu-ms "sql p50ms" "sql p99ms" "p50 x" "p99 x"
printf '%.0s-' {1..107}
echo
for k in "${CASES[@]}"; do
  for c in "" .c1; do
    printf '%-16s | %8s %8s %8s %6s %7s | %10s %10s | %9s %9s\n' "$k${c:- c16}" "${RPS[$k$c]}" "${P50[$k$c]}" "${P99[$k$c]}" "${ERR[$k$c]}" "${CPU[$k$c]}" \
      "${Q50[$k]}" "${Q99[$k]}" \
      "$(awk -v a="${P50[$k$c]}" -v b="${Q50[$k]}" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')" \
      "$(awk -v a="${P99[$k$c]}" -v b="${Q99[$k]}" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')"
  done
done
echo
echo "api: wrk over HTTP (c16: 2 threads, 16 connections; c1: one connection, one request at a time),"
echo "  each request a random event (the year list: one county's staff, its 2023)"
echo "cpu-ms: qiao's CPU time (user + system) per answer during the run: what a request costs"
echo "  whatever else the machine runs (the latencies are not: load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "sql: the bare queries in one process, one at a time (fill_events --plain 2000)"
echo "qiao after the run: VmRSS $(awk '/^VmRSS/ { print $2, $3 }' "/proc/$QIAO_PID/status")"
for k in "${CASES[@]}"; do
  for c in "" .c1; do
    v=met
    awk -v x="${P99[$k$c]}" 'BEGIN { exit !(x < 10) }' || v="NOT met"
    [ "${ERR[$k$c]}" = 0 ] || v="NOT met (${ERR[$k$c]} errors)"
    echo "target: p99 < 10 ms, $k${c:- c16}: ${P99[$k$c]} ms -> $v"
  done
done
echo "raw wrk output and logs: $OUT/events-*"
