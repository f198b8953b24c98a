#!/usr/bin/env bash
# bench/funds.sh - the funds ledger benchmark (`make bench`; never part of `make test`).
#
# 1. bench/fill_funds.c (compiled against the project's objects) fills a fresh SQLite
#    database through the entity layer: 10 counties, 200 programmes and
#    BENCH_FUNDS_ENTRIES (1,000,000) donations and disbursements over 2021-2025.
# 2. qiao serves it on a free 127.0.0.1 port; bench/funds_load.mjs logs in as an admin and
#    measures, one at a time: the floor (GET /api/v1/session: HTTP and the session check),
#    a programme's balance, a programme's page (balance + the first page of its ledger),
#    the programmes of a county with their balances (the five years' totals); then wrk
#    with 16 connections records donations at once (bench/wrk.lua, QB_DONATE), against
#    qiao as it serves and against qiao serving a copy of the same ledger with
#    --write-batch 1 (each request its own transaction, as before group commit).
# 3. In the same run, fill_funds sql runs the obvious alternative in-process on the same
#    file: a plain SUM for one programme's balance, a plain SUM over a county's five years,
#    a bare INSERT in its own transaction.
# 4. Prints p50/p99 side by side, the ratios and the targets of issue 11: a programme page
#    under 10 ms p99; recording a donation under 5 ms p99 with 16 writers on SQLite.
# Knobs: BENCH_FUNDS_ENTRIES (1000000), BENCH_FUNDS_K (500 requests a case),
# BENCH_FUNDS_SECONDS (10 s of writing), BENCH_FUNDS_DB (a database fill_funds filled
# before: copied instead of filling again). Everything started is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${BENCH_FUNDS_ENTRIES:-1000000}
K=${BENCH_FUNDS_K:-500}
SECS=${BENCH_FUNDS_SECONDS:-10}
OUT=build/bench-funds
PW=bench-pass-2024
QIAO_PID=
cleanup() {
  if [ -n "$QIAO_PID" ] && kill -0 "$QIAO_PID" 2>/dev/null; then
    kill -TERM "$QIAO_PID"
    wait "$QIAO_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench/lib.sh
source bench/lib.sh # free_port, wait_up

make -s build/qiao build/bench-bin/fill_funds
rm -rf "$OUT"
mkdir -p "$OUT"
DB=$OUT/funds.db
echo "== qiao funds ledger benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${BENCH_FUNDS_DB:-}" ]; then
  cp "$BENCH_FUNDS_DB" "$DB"
  echo "data: a copy of $BENCH_FUNDS_DB"
else
  build/bench-bin/fill_funds fill "$DB" "$N" 2>"$OUT/fill.log"
fi
# (a copied database may hold the user from its own run)
[ -n "$(sqlite3 "$DB" "SELECT 1 FROM \"user\" WHERE username = 'bench'")" ] ||
  echo "$PW" | build/qiao user add bench --role admin --org 1 --db "$DB" >/dev/null
echo "database: $(du -h "$DB" | cut -f1); $(sqlite3 "$DB" 'SELECT count(*) FROM donation') donations, \
$(sqlite3 "$DB" 'SELECT count(*) FROM disbursement') disbursements, $(sqlite3 "$DB" 'SELECT count(*) FROM programme') programmes"
PROGS=$(sqlite3 "$DB" "SELECT group_concat(id) FROM programme")
COUNTIES=$(sqlite3 "$DB" "SELECT group_concat(id) FROM \"org\" WHERE parent_id = 1")
PROG=$(sqlite3 "$DB" "SELECT programme_id FROM donation GROUP BY programme_id ORDER BY count(*) DESC LIMIT 1")
COUNTY=$(sqlite3 "$DB" "SELECT org_id FROM programme WHERE id = $PROG")
echo "the largest programme ($PROG): $(sqlite3 "$DB" "SELECT count(*) FROM donation WHERE programme_id = $PROG") donations, \
$(sqlite3 "$DB" "SELECT count(*) FROM disbursement WHERE programme_id = $PROG") disbursements"

cp "$DB" "$OUT/funds1.db" # the same ledger for the writers without group commit
# write KEY DB [serve args]: qiao serving DB, 16 wrk connections recording donations for
# SECS (wrk: a load generator light enough to leave the two cores to the server) -> a
# "HTTP KEY p50 p99 n errors" line in $OUT/http.txt
write() {
  local key=$1 db=$2 port cookie csrf
  shift 2
  port=$(free_port)
  build/qiao serve --db "$db" --listen "127.0.0.1:$port" --access-log off "$@" 2>"$OUT/$key.log" &
  QIAO_PID=$!
  wait_up "http://127.0.0.1:$port/" "$QIAO_PID" qiao
  curl -s -D "$OUT/login.headers" -o "$OUT/login.json" -H 'Content-Type: application/json' \
    -d "{\"username\":\"bench\",\"password\":\"$PW\"}" "http://127.0.0.1:$port/api/v1/session"
  cookie=$(tr -d '\r' <"$OUT/login.headers" | sed -n 's/^[Ss]et-[Cc]ookie: *\(qiao_session=[^;]*\).*/\1/p')
  csrf=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf_token"])' <"$OUT/login.json")
  QB_COOKIE=$cookie QB_CSRF=$csrf QB_DONATE=$PROGS wrk -t2 -c16 -d"$SECS" --timeout 30s --latency \
    -s bench/wrk.lua "http://127.0.0.1:$port" >"$OUT/$key.wrk"
  cleanup
  QIAO_PID=
  local -A v
  local line kv
  line=$(grep '^RESULT ' "$OUT/$key.wrk")
  for kv in ${line#RESULT }; do v[${kv%%=*}]=${kv#*=}; done
  awk -v k="$key" -v a="${v[p50_us]}" -v b="${v[p99_us]}" -v n="${v[requests]}" \
    -v e="$((v[err_connect] + v[err_read] + v[err_write] + v[err_status] + v[err_timeout]))" \
    'BEGIN { printf "HTTP %s %.3f %.3f %d %d\n", k, a / 1000, b / 1000, n, e }' | tee -a "$OUT/http.txt"
}

QP=$(free_port)
build/qiao serve --db "$DB" --listen "127.0.0.1:$QP" --access-log off 2>"$OUT/qiao.log" &
QIAO_PID=$!
wait_up "http://127.0.0.1:$QP/" "$QIAO_PID" qiao
node bench/funds_load.mjs "http://127.0.0.1:$QP" bench "$PW" "$PROGS" "$COUNTIES" "$K" | tee "$OUT/http.txt"
cleanup
QIAO_PID=
write write16 "$DB"
write write16-alone "$OUT/funds1.db" --write-batch 1
rm -f "$OUT"/funds1.db*
build/bench-bin/fill_funds sql "$DB" "$PROG" "$COUNTY" "$K" | tee "$OUT/sql.txt"

declare -A P50 P99 NN ERR
while read -r _ name a b n e; do P50[$name]=$a P99[$name]=$b NN[$name]=$n ERR[$name]=$e; done <"$OUT/http.txt"
while read -r _ name a b; do P50[sql-$name]=$a P99[sql-$name]=$b; done <"$OUT/sql.txt"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf(b > 0 ? "%.1f" : "-", a / b) }'; }
echo
printf '%-40s %9s %9s | %-32s %9s %9s | %7s\n' "qiao through the API" p50ms p99ms "plain SQL, in-process" p50ms p99ms "p99 x"
printf '%.0s-' {1..128}
echo
row() { # NAME LABEL SQLNAME SQLLABEL
  printf '%-40s %9s %9s | %-32s %9s %9s | %7s\n' "$2" "${P50[$1]}" "${P99[$1]}" "$4" \
    "${P50[sql-$3]:-}" "${P99[sql-$3]:-}" "$(ratio "${P99[$1]}" "${P99[sql-$3]:-0}")"
}
row session "floor: GET /api/v1/session" none "-"
row balance "programme balance (GET /programme/ID)" balance "SUM of its ledger"
row page "programme page (balance + ledger p.1)" balance "SUM of its ledger"
row county-programmes "county: its programmes with balances" county "SUM of a county's 5 years"
row write16 "donation POST, 16 connections (${NN[write16]})" insert "bare INSERT + COMMIT, 1 writer"
row write16-alone "  each its own transaction (${NN[write16-alone]})" insert "bare INSERT + COMMIT, 1 writer"
echo "group commit against each write its own transaction: p99 $(ratio "${P99[write16-alone]}" "${P99[write16]}") x lower, \
$(ratio "${NN[write16]}" "${NN[write16-alone]}") x the donations in ${SECS} s"
echo
for k in "${!ERR[@]}"; do [ "${ERR[$k]}" != 0 ] && echo "warning: $k: ${ERR[$k]} answers were not 2xx (see $OUT)"; done
verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "NOT met"; fi; }
echo "target: programme page p99 < 10 ms: ${P99[page]} ms -> $(verdict "${P99[page]} < 10")"
echo "target: donation write p99 < 5 ms with 16 writers (SQLite): ${P99[write16]} ms -> $(verdict "${P99[write16]} < 5")"
echo "the machine's load average now: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (other work makes the figures noisy)"
