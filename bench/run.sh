#!/usr/bin/env bash
# bench/run.sh - qiao's HTTP benchmark (`make bench`; never part of `make test`).
#
# 1. Builds bench/fill_orgs.c against the project's objects and fills a fresh SQLite
#    database with BENCH_ORGS (100,000) invented orgs through the real entity layer.
# 2. Serves it with qiao on a free 127.0.0.1 port (access log to a file, as in production),
#    logs in, and drives it with wrk: GET by random id, the first list page of 20, a list
#    filtered by parent_id, and a page deep in the list.
# 3. In the same run, drives nginx (worker_processes 2) serving static files of the same
#    byte sizes as qiao's answers: what this machine can do over HTTP at all.
# 4. Prints req/s, p50/p99 and qiao/nginx for each, the targets, and qiao's RSS.
# Everything it starts is stopped on exit; every request goes to 127.0.0.1.
#
# Knobs: BENCH_ORGS (100000), BENCH_DURATION (10s), BENCH_WARMUP (2s),
# BENCH_PROFILE=1 (record qiao with perf during GET by id, which slows that case; the
# report goes to build/bench/perf.txt).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${BENCH_ORGS:-100000}
DUR=${BENCH_DURATION:-10s}
WARM=${BENCH_WARMUP:-2s}
THREADS=2
CONNS=64
OUT=build/bench
PW=bench-pass-2024
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

tools=(wrk curl sqlite3 "$NGINX")
[ "${BENCH_PROFILE:-0}" = 1 ] && tools+=(perf) # not installed by scripts/deps.sh
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (make bench installs it)" >&2; exit 1; }
done

# ---- processes we start, stopped on any exit -----------------------------------------
QIAO_PID= NGINX_PID= PERF_PID=
stop() { # PID SIGNAL: signal it and wait for it to go
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 0
  kill "-$2" "$1" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$1" 2>/dev/null && kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null || true
}
cleanup() {
  stop "$PERF_PID" INT
  stop "$QIAO_PID" TERM
  stop "$NGINX_PID" QUIT
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench/lib.sh
source bench/lib.sh # free_port, wait_up

wait_idle() { # PID: until it has used no CPU for half a second (a server may still be
  # working through requests wrk gave up on; that must not land in the next measurement)
  local a b ps
  ps="/proc/$1/stat $(for c in $(cat /proc/"$1"/task/*/children); do echo "/proc/$c/stat"; done)"
  for _ in $(seq 60); do
    # shellcheck disable=SC2086
    a=$(cat $ps 2>/dev/null | awk '{ t += $14 + $15 } END { print t }')
    sleep 0.5
    # shellcheck disable=SC2086
    b=$(cat $ps 2>/dev/null | awk '{ t += $14 + $15 } END { print t }')
    [ "$a" = "$b" ] && return 0
  done
}

# ---- build ---------------------------------------------------------------------------
make -s build/qiao build/bench-bin/fill_orgs
rm -rf "$OUT"
mkdir -p "$OUT"

# ---- data ----------------------------------------------------------------------------
DB=$OUT/bench.db
echo "== qiao benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r)"
build/bench-bin/fill_orgs "$DB" "$N"
echo "$PW" | build/qiao user add bench --role admin --org 1 --db "$DB" >/dev/null
echo "database: $(du -h "$DB" | cut -f1) ($(sqlite3 "$DB" 'SELECT count(*) FROM org') orgs, \
$(sqlite3 "$DB" 'SELECT count(*) FROM audit_log') audit entries)"

# ---- qiao ----------------------------------------------------------------------------
QP=$(free_port)
QURL=http://127.0.0.1:$QP
build/qiao serve --db "$DB" --listen "127.0.0.1:$QP" --access-log "$OUT/qiao-access.log" \
  2>"$OUT/qiao.log" &
QIAO_PID=$!
wait_up "$QURL/" "$QIAO_PID" qiao
curl -s -D "$OUT/login.headers" -o "$OUT/login.json" -H 'Content-Type: application/json' \
  --data "{\"username\":\"bench\",\"password\":\"$PW\"}" "$QURL/api/v1/session"
COOKIE=$(tr -d '\r' <"$OUT/login.headers" | sed -n 's/^[Ss]et-[Cc]ookie: *\(qiao_session=[^;]*\).*/\1/p')
[ -n "$COOKIE" ] || { echo "bench: login failed: $(cat "$OUT/login.json")" >&2; exit 1; }

# The cases: name, qiao path (or "random" for GET by random id). A county federation is a
# parent with ~550 direct children; the deep page is half way through the whole list.
COUNTY=$(sqlite3 "$DB" "SELECT id FROM org WHERE parent_id = 1 AND kind = 'federation' ORDER BY id LIMIT 1
  OFFSET (SELECT count(*) / 2 FROM org WHERE parent_id = 1 AND kind = 'federation')")
DEEP=$(( N / 2 / 20 ))
names=(by-id list list-parent list-deep)
paths=(random "/api/v1/org?per_page=20" "/api/v1/org?parent_id=$COUNTY&per_page=20"
       "/api/v1/org?page=$DEEP&per_page=20")
labels=("GET /api/v1/org/ID (random ID)" "GET /api/v1/org?per_page=20"
        "GET /api/v1/org?parent_id=$COUNTY&per_page=20" "GET /api/v1/org?page=$DEEP&per_page=20")

# The byte sizes to copy: each list answer as it is; for by-id the answer of the id of
# median size among 200 random ones.
NGX=$OUT/nginx
mkdir -p "$NGX/www" "$NGX/tmp"
fetch() { # PATH FILE -> prints body bytes; fails unless 200
  local code
  code=$(curl -s -o "$2" -w '%{http_code}' -H "Cookie: $COOKIE" "$QURL$1")
  [ "$code" = 200 ] || { echo "bench: $1 answered $code: $(head -c 300 "$2")" >&2; exit 1; }
  stat -c %s "$2"
}
sizes=()
for id in $(shuf -i 1-"$N" -n 200 --random-source=<(yes)); do
  echo "$(fetch "/api/v1/org/$id" "$NGX/tmp/o") $id"
done | sort -n >"$OUT/by-id-sizes.txt"
MID=$(sed -n 100p "$OUT/by-id-sizes.txt" | cut -d' ' -f2)
sizes[0]=$(fetch "/api/v1/org/$MID" "$NGX/www/by-id.json")
echo "GET by id: body $(head -1 "$OUT/by-id-sizes.txt" | cut -d' ' -f1)..$(tail -1 "$OUT/by-id-sizes.txt" | cut -d' ' -f1) bytes, median ${sizes[0]} (id $MID)"
for i in 1 2 3; do
  sizes[i]=$(fetch "${paths[i]}" "$NGX/www/${names[i]}.json")
done
curl -s -D - -o /dev/null -H "Cookie: $COOKIE" "$QURL/api/v1/org/$MID" | tr -d '\r' >"$OUT/qiao-headers.txt"
# One request at a time, no load: what each case costs on its own (median of 5, by curl).
alone=()
for i in 0 1 2 3; do
  p=${paths[i]}
  [ "$p" = random ] && p=/api/v1/org/$MID
  alone[i]=$(for _ in 1 2 3 4 5; do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: $COOKIE" "$QURL$p"
  done | sort -n | sed -n 3p | awk '{ printf "%.1f", $1 * 1000 }')
done
echo "one request alone (curl, median of 5): by-id ${alone[0]} ms, list ${alone[1]} ms, \
list-parent ${alone[2]} ms, list-deep ${alone[3]} ms"

# ---- nginx: the same sizes as static files -------------------------------------------
chmod -R a+rX "$OUT" # workers run as nobody when we are root
NPORT=$(free_port)
NURL=http://127.0.0.1:$NPORT
cat >"$NGX/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $PWD/$NGX/nginx.pid;
error_log $PWD/$NGX/error.log warn;
events { worker_connections 1024; }
http {
  default_type application/json;
  access_log $PWD/$NGX/access.log;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $PWD/$NGX/tmp/body;
  proxy_temp_path $PWD/$NGX/tmp/proxy;
  fastcgi_temp_path $PWD/$NGX/tmp/fastcgi;
  uwsgi_temp_path $PWD/$NGX/tmp/uwsgi;
  scgi_temp_path $PWD/$NGX/tmp/scgi;
  server {
    listen 127.0.0.1:$NPORT;
    root $PWD/$NGX/www;
  }
}
EOF
"$NGINX" -p "$PWD/$NGX" -c "$PWD/$NGX/nginx.conf" -e "$PWD/$NGX/error.log" 2>>"$NGX/error.log" &
NGINX_PID=$!
wait_up "$NURL/by-id.json" "$NGINX_PID" nginx
for i in 0 1 2 3; do
  got=$(curl -s -o /dev/null -w '%{size_download}' "$NURL/${names[i]}.json")
  [ "$got" = "${sizes[i]}" ] || { echo "bench: nginx serves $got bytes for ${names[i]}, want ${sizes[i]}" >&2; exit 1; }
done
curl -s -D - -o /dev/null "$NURL/by-id.json" | tr -d '\r' >"$OUT/nginx-headers.txt"
echo "response headers (not counted in the sizes): qiao $(stat -c %s "$OUT/qiao-headers.txt") bytes \
(security headers), nginx $(stat -c %s "$OUT/nginx-headers.txt") bytes"

# ---- load ----------------------------------------------------------------------------
# Anything else busy on the machine (a test run, a browser) takes CPU from both servers
# at random moments and makes the figures low and noisy; say so rather than hide it.
snap() { # CPU jiffies: busy on the whole machine, then used by this script and its servers
  local f=/proc/$$/stat c
  for c in $QIAO_PID $NGINX_PID $(cat /proc/"$NGINX_PID"/task/*/children); do f="$f /proc/$c/stat"; done
  # shellcheck disable=SC2086
  echo "$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat)" \
    "$(awk -v me="$$" '{ t += $14 + $15; if ($1 == me) t += $16 + $17 } END { print t }' $f)"
}
other() { # SNAP-BEFORE SNAP-AFTER SECONDS: % of the machine used by other processes
  awk -v a="$1" -v b="$2" -v s="$3" -v n="$(nproc)" -v hz="$(getconf CLK_TCK)" 'BEGIN {
    split(a, x, " "); split(b, y, " "); o = (y[1] - x[1]) - (y[2] - x[2])
    printf "%.0f", o < 0 ? 0 : 100 * o / (n * hz * s) }'
}
s0=$(snap); sleep 1; s1=$(snap)
b=$(other "$s0" "$s1" 1)
if [ "$b" -gt 10 ]; then
  echo "warning: other processes are using ${b}% of the CPUs right now; the figures below will be low and noisy"
fi
declare -A R
run_wrk() { # KEY URL [env...] -> R[KEY.rps|p50|p99|err], the RESULT line in $OUT/KEY.wrk
  local key=$1 url=$2
  shift 2
  env "$@" wrk -t"$THREADS" -c"$CONNS" -d"$WARM" --timeout 30s -s bench/wrk.lua "$url" >/dev/null
  local s0 s1 t0 t1
  s0=$(snap) t0=$(date +%s.%N)
  env "$@" wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --timeout 30s --latency -s bench/wrk.lua "$url" >"$OUT/$key.wrk"
  s1=$(snap) t1=$(date +%s.%N)
  R[$key.other]=$(other "$s0" "$s1" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
  local line
  line=$(grep '^RESULT ' "$OUT/$key.wrk")
  local -A v
  for kv in ${line#RESULT }; do v[${kv%%=*}]=${kv#*=}; done
  R[$key.rps]=$(awk -v n="${v[requests]}" -v d="${v[duration_us]}" 'BEGIN { r = n / (d / 1e6); printf(r < 100 ? "%.1f" : "%.0f", r) }')
  R[$key.p50]=$(awk -v x="${v[p50_us]}" -v n="${v[requests]}" 'BEGIN { if (n) printf "%.2f", x / 1000; else print "-" }')
  R[$key.p99]=$(awk -v x="${v[p99_us]}" -v n="${v[requests]}" 'BEGIN { if (n) printf "%.2f", x / 1000; else print "-" }')
  R[$key.err]=$((v[err_connect] + v[err_read] + v[err_write] + v[err_status] + v[err_timeout]))
  R[$key.n]=${v[requests]}
}

PROFILE=${BENCH_PROFILE:-0}
for i in 0 1 2 3; do
  name=${names[i]}
  echo "wrk -t$THREADS -c$CONNS -d$DUR --latency: ${labels[i]}"
  if [ "${paths[i]}" = random ]; then
    qenv=(QB_MAX_ID="$N" QB_PREFIX=/api/v1/org/)
  else
    qenv=(QB_PATH="${paths[i]}")
  fi
  if [ "$PROFILE" = 1 ] && [ "$i" = 0 ]; then
    perf record -F 499 --call-graph dwarf,16384 -o "$OUT/perf.data" -p "$QIAO_PID" 2>"$OUT/perf-record.log" >/dev/null &
    PERF_PID=$!
    sleep 0.5
  fi
  run_wrk "qiao.$name" "$QURL" "${qenv[@]}" QB_COOKIE="$COOKIE"
  wait_idle "$QIAO_PID"
  if [ -n "$PERF_PID" ]; then
    stop "$PERF_PID" INT
    PERF_PID=
    perf report -i "$OUT/perf.data" --children --sort sym -g none --percent-limit 2 --stdio >"$OUT/perf.txt" 2>/dev/null || true
  fi
  run_wrk "nginx.$name" "$NURL" QB_PATH="/$name.json"
  wait_idle "$NGINX_PID"
done
RSS=$(awk '/^VmRSS/ { print $2, $3 }' "/proc/$QIAO_PID/status")
HWM=$(awk '/^VmHWM/ { print $2, $3 }' "/proc/$QIAO_PID/status")
NTHREADS=$(awk '/^Threads/ { print $2 }' "/proc/$QIAO_PID/status")

# ---- report --------------------------------------------------------------------------
echo
printf '%-12s %6s | %9s %8s %8s %6s %6s | %9s %8s %8s %6s | %8s\n' case bytes "qiao r/s" p50ms \
  p99ms errors other "nginx r/s" p50ms p99ms other qiao/ngx
printf '%.0s-' {1..117}
echo
for i in 0 1 2 3; do
  q=qiao.${names[i]} g=nginx.${names[i]}
  printf '%-12s %6s | %9s %8s %8s %6s %5s%% | %9s %8s %8s %5s%% | %8s\n' "${names[i]}" "${sizes[i]}" \
    "${R[$q.rps]}" "${R[$q.p50]}" "${R[$q.p99]}" "${R[$q.err]}" "${R[$q.other]}" \
    "${R[$g.rps]}" "${R[$g.p50]}" "${R[$g.p99]}" "${R[$g.other]}" \
    "$(awk -v a="${R[$q.rps]}" -v b="${R[$g.rps]}" 'BEGIN { printf "%.3f", a / b }')"
done
echo
errs=0
for k in "${!R[@]}"; do
  [[ $k == *.err ]] && [ "${R[$k]}" != 0 ] && { echo "warning: ${k%.err}: ${R[$k]} errors (timeouts over 30 s, socket errors or non-2xx): see $OUT/${k%.err}.wrk"; errs=1; }
done
[ "$errs" = 0 ] && echo "every answer was 2xx, no socket errors"
echo "other: the share of the 2 CPUs that processes outside this benchmark used during that run"
echo "qiao after the run: VmRSS $RSS (peak VmHWM $HWM), $NTHREADS threads"

ratio=$(awk -v a="${R[qiao.by-id.rps]}" -v b="${R[nginx.by-id.rps]}" 'BEGIN { printf "%.3f", a / b }')
verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "NOT met"; fi; }
echo
echo "target: GET by id >= 0.4 x nginx: $ratio -> $(verdict "$ratio >= 0.4")"
for i in 0 1 2 3; do
  p=${R[qiao.${names[i]}.p99]} n=${R[qiao.${names[i]}.err]}
  if [ "${R[qiao.${names[i]}.n]}" = 0 ]; then
    echo "target: p99 < 10 ms, ${names[i]}: no answer at all within the run -> NOT met"
  elif [ "$n" = 0 ]; then
    echo "target: p99 < 10 ms, ${names[i]}: $p ms -> $(verdict "$p < 10")"
  else # wrk leaves requests that time out or fail out of its percentiles
    echo "target: p99 < 10 ms, ${names[i]}: $p ms over the answers that came, but $n timed out or failed -> NOT met"
  fi
done
echo
echo "raw wrk output, logs and the database: $OUT/"
