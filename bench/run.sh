#!/usr/bin/env bash
# bench/run.sh - qiao's HTTP benchmark (`make bench`; never part of `make test`).
#
# 1. Builds bench/fill_orgs.c against the project's objects and fills a fresh SQLite
#    database with BENCH_ORGS (100,000) invented orgs and BENCH_PEOPLE (1,000,000) invented
#    people through the real entity layer.
# 2. Serves it with qiao on a free 127.0.0.1 port (access log to a file, as in production),
#    logs in, and drives it with wrk: GET by random id, the first list page of 20, a list
#    filtered by parent_id, a page deep in the list (by page=, and by the after= cursor of
#    the page before it), the same three pages of the people, and the first page of people
#    as a user of the village group whose 30 people were written last (fill_orgs), whose
#    rows are the last million-th of the table (read by its orgs' ids: entity.c org_sql).
# 3. Then the same on PostgreSQL: a private server (scripts/pg-start.sh, stopped on exit)
#    holding a copy of the same orgs and people (psql \copy of the SQLite tables).
# 4. In the same run, drives nginx (worker_processes 2) serving static files of the same
#    byte sizes as qiao's answers: what this machine can do over HTTP at all.
# 5. Prints req/s, p50/p99 and qiao/nginx for each, the targets, and qiao's RSS.
# Everything it starts is stopped on exit; every request goes to 127.0.0.1.
#
# Knobs: BENCH_ORGS (100000), BENCH_PEOPLE (1000000), BENCH_PG (1; 0: SQLite only),
# BENCH_REUSE=1 (serve build/bench/bench.db of the last run instead of filling again),
# BENCH_DURATION (10s), BENCH_WARMUP (2s), BENCH_PROFILE=1 (record qiao with perf during
# GET by id on SQLite, which slows that case; the report goes to build/bench/perf.txt).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${BENCH_ORGS:-100000}
PEOPLE=${BENCH_PEOPLE:-1000000}
USE_PG=${BENCH_PG:-1}
PGDIR=/tmp/qiao-bench-pg.$$
DUR=${BENCH_DURATION:-10s}
WARM=${BENCH_WARMUP:-2s}
THREADS=2
CONNS=64
OUT=build/bench
PW=bench-pass-2024
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

tools=(wrk curl sqlite3 python3 "$NGINX")
[ "$USE_PG" = 1 ] && tools+=(psql)
[ "${BENCH_PROFILE:-0}" = 1 ] && tools+=(perf) # not installed by scripts/deps.sh
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (make bench installs it)" >&2; exit 1; }
done

# ---- processes we start, stopped on any exit -----------------------------------------
QIAO_PID= NGINX_PID= PERF_PID= PG_PID=
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
  [ -f "$PGDIR/.qiao-pg" ] && scripts/pg-stop.sh "$PGDIR"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench/lib.sh
source bench/lib.sh # free_port, wait_up

procs() { # PID...: the stat files of each and of its children (PostgreSQL's backends)
  local p c
  for p in "$@"; do
    echo "/proc/$p/stat"
    for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do echo "/proc/$c/stat"; done
  done
}
wait_idle() { # PID...: until they have used no CPU for half a second (a server may still be
  # working through requests wrk gave up on; that must not land in the next measurement)
  local a b ps
  ps=$(procs "$@")
  for _ in $(seq 60); do
    # shellcheck disable=SC2086
    a=$(cat $ps 2>/dev/null | awk '{ t += $14 + $15 } END { print t }')
    sleep 0.5
    # shellcheck disable=SC2086
    b=$(cat $ps 2>/dev/null | awk '{ t += $14 + $15 } END { print t }')
    [ "$a" = "$b" ] && return 0
  done
  return 0 # still busy after 30 s: go on (the next case's figures will show it)
}

# ---- build ---------------------------------------------------------------------------
make -s build/qiao build/bench-bin/fill_orgs
KEEP=/tmp/qiao-bench-db.$$
[ "${BENCH_REUSE:-0}" = 1 ] && [ -f "$OUT/bench.db" ] && mv "$OUT/bench.db" "$KEEP"
rm -rf "$OUT"
mkdir -p "$OUT"

# ---- data ----------------------------------------------------------------------------
DB=$OUT/bench.db
echo "== qiao benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r)"
if [ -f "$KEEP" ]; then
  mv "$KEEP" "$DB"
  echo "BENCH_REUSE=1: the database of the last run, not filled again"
else
  build/bench-bin/fill_orgs "$DB" "$N" "$PEOPLE"
  echo "$PW" | build/qiao user add bench --role admin --org 1 --db "$DB" >/dev/null
fi
# The org of the last person written (fill_orgs: a village group's 30), and a user there.
VORG=$(sqlite3 "$DB" 'SELECT org_id FROM person ORDER BY id DESC LIMIT 1')
VUSER=bench-village
if [ -n "$VORG" ] && [ "$(sqlite3 "$DB" "SELECT count(*) FROM \"user\" WHERE username = '$VUSER'")" = 0 ]; then
  echo "$PW" | build/qiao user add "$VUSER" --role staff --org "$VORG" --db "$DB" >/dev/null
fi
echo "database: $(du -h "$DB" | cut -f1) ($(sqlite3 "$DB" 'SELECT count(*) FROM org') orgs, \
$(sqlite3 "$DB" 'SELECT count(*) FROM person') people, \
$(sqlite3 "$DB" 'SELECT count(*) FROM audit_log') audit entries)"

# ---- the cases -----------------------------------------------------------------------
# Name, qiao path ("random": GET by random id; "cursor:PATH": PATH with the after= cursor
# of the page before it, asked of each server, so that it is the same page as by page=).
# A county federation is a parent with ~550 direct children; the deep pages are half way
# through the lists.
COUNTY=$(sqlite3 "$DB" "SELECT id FROM org WHERE parent_id = 1 AND kind = 'federation' ORDER BY id LIMIT 1
  OFFSET (SELECT count(*) / 2 FROM org WHERE parent_id = 1 AND kind = 'federation')")
DEEP=$(( N / 2 / 20 ))
names=(by-id list list-parent list-deep list-cursor)
paths=(random "/api/v1/org?per_page=20" "/api/v1/org?parent_id=$COUNTY&per_page=20"
       "/api/v1/org?page=$DEEP&per_page=20" "cursor:/api/v1/org?page=$DEEP&per_page=20")
if [ "$PEOPLE" -ge 40 ]; then
  PDEEP=$(( PEOPLE / 2 / 20 ))
  names+=(people people-deep people-cursor)
  paths+=("/api/v1/person?per_page=20" "/api/v1/person?page=$PDEEP&per_page=20"
          "cursor:/api/v1/person?page=$PDEEP&per_page=20")
  VPATH=$(sqlite3 "$DB" "SELECT path FROM org WHERE id = $VORG")
  echo "people-village: the first page of people as $VUSER of org $VORG, \
$(sqlite3 "$DB" "SELECT count(*) FROM person WHERE org_id IN (SELECT id FROM org WHERE substr(path, 1, length('$VPATH')) = '$VPATH')") people of its own"
  names+=(people-village)
  paths+=("as-village:/api/v1/person?per_page=20")
fi
NC=${#names[@]}

# ---- qiao on one engine --------------------------------------------------------------
QURL= COOKIE= VCOOKIE=
declare -a qpaths qcookies
start_qiao() { # DB-URL LOG: serve it, log in as bench, and make the cases' paths (qpaths)
  local qp
  qp=$(free_port)
  QURL=http://127.0.0.1:$qp
  build/qiao serve --db "$1" --listen "127.0.0.1:$qp" --access-log "$OUT/$2-access.log" \
    2>"$OUT/$2.log" &
  QIAO_PID=$!
  wait_up "$QURL/" "$QIAO_PID" qiao
  curl -s -D "$OUT/login.headers" -o "$OUT/login.json" -H 'Content-Type: application/json' \
    --data "{\"username\":\"bench\",\"password\":\"$PW\"}" "$QURL/api/v1/session"
  COOKIE=$(tr -d '\r' <"$OUT/login.headers" | sed -n 's/^[Ss]et-[Cc]ookie: *\(qiao_session=[^;]*\).*/\1/p')
  [ -n "$COOKIE" ] || { echo "bench: login failed: $(cat "$OUT/login.json")" >&2; exit 1; }
  VCOOKIE=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    --data "{\"username\":\"$VUSER\",\"password\":\"$PW\"}" "$QURL/api/v1/session" |
    tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: *\(qiao_session=[^;]*\).*/\1/p')
  local i p page prev cur
  for i in $(seq 0 $((NC - 1))); do
    p=${paths[i]}
    qcookies[i]=$COOKIE
    if [[ $p == as-village:* ]]; then
      p=${p#as-village:}
      [ -n "$VCOOKIE" ] || { echo "bench: $VUSER could not log in" >&2; exit 1; }
      qcookies[i]=$VCOOKIE
    elif [[ $p == cursor:* ]]; then # the page before's next cursor, and the same items as by page
      p=${p#cursor:}
      page=$(sed 's/.*[?&]page=\([0-9]*\).*/\1/' <<<"$p")
      prev=$(sed "s/page=$page/page=$((page - 1))/" <<<"$p")
      fetch "$prev" "$OUT/prev.json" >/dev/null
      cur=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["next"])' <"$OUT/prev.json")
      p="$(sed "s/page=$page&//" <<<"$p")&after=$cur"
      fetch "$p" "$OUT/a.json" >/dev/null
      fetch "${paths[i]#cursor:}" "$OUT/b.json" >/dev/null
      python3 -c 'import json, sys; a, b = (json.load(open(f))["items"] for f in sys.argv[1:]); sys.exit(a != b)' \
        "$OUT/a.json" "$OUT/b.json" || { echo "bench: $p is not the page ${paths[i]#cursor:}" >&2; exit 1; }
    fi
    qpaths[i]=$p
  done
}
stop_qiao() {
  stop "$QIAO_PID" TERM
  QIAO_PID=
}
fetch() { # PATH FILE [COOKIE] -> prints body bytes; fails unless 200
  local code
  code=$(curl -s -o "$2" -w '%{http_code}' -H "Cookie: ${3:-$COOKIE}" "$QURL$1")
  [ "$code" = 200 ] || { echo "bench: $1 answered $code: $(head -c 300 "$2")" >&2; exit 1; }
  stat -c %s "$2"
}

# ---- load ----------------------------------------------------------------------------
# Anything else busy on the machine (a test run, a browser) takes CPU from both servers
# at random moments and makes the figures low and noisy; say so rather than hide it.
snap() { # CPU jiffies: busy on the whole machine, then used by this script and its servers
  local f
  # shellcheck disable=SC2046
  f="/proc/$$/stat $(procs $QIAO_PID $NGINX_PID $PG_PID | tr '\n' ' ')"
  # shellcheck disable=SC2086
  echo "$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat)" \
    "$(awk -v me="$$" '{ t += $14 + $15; if ($1 == me) t += $16 + $17 } END { print t }' $f 2>/dev/null)"
}
other() { # SNAP-BEFORE SNAP-AFTER SECONDS: % of the machine used by other processes
  awk -v a="$1" -v b="$2" -v s="$3" -v n="$(nproc)" -v hz="$(getconf CLK_TCK)" 'BEGIN {
    split(a, x, " "); split(b, y, " "); o = (y[1] - x[1]) - (y[2] - x[2])
    printf "%.0f", o < 0 ? 0 : 100 * o / (n * hz * s) }'
}
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

# The pages a leader or an admin opens over the whole province, one request at a time: the
# work report (a year, five years: the series shares the period's figures; a county's year),
# the liaison map (the province, a county), the audit trail (the first page; a page half way
# down by page= and by the after= position of the page before, the same entries), the case
# desk's roster of mediators; the people list's keyword box (a word nobody holds: the
# page read once, its rows the count; a surname, 陈: a full page, then the count). Each the
# median of 3, after one request that fills the counts.
province_pages() { # ENGINE
  local eng=$1 line p y half prev cur
  y=$(date -u +%Y)
  alone() { # PATH -> ms, the median of 3
    curl -s -o /dev/null -H "Cookie: $COOKIE" "$QURL$1"
    for _ in 1 2 3; do curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: $COOKIE" "$QURL$1"; done |
      sort -n | sed -n 2p | awk '{ printf "%.1f", $1 * 1000 }'
  }
  line="province pages on $eng (one request alone, median of 3):"
  for p in "report-year /api/v1/reports/work?org=1&from=$y-01-01&to=$y-12-31" \
    "report-5-years /api/v1/reports/work?org=1&from=$((y - 4))-01-01&to=$y-12-31" \
    "report-county-year /api/v1/reports/work?org=$COUNTY&from=$y-01-01&to=$y-12-31" \
    "map /api/v1/map?org=1" "map-county /api/v1/map?org=$COUNTY" \
    "audit /api/v1/audit?per_page=20" "case-roster /api/v1/case/people" \
    "keyword-none /api/v1/person?q=zzzz" "keyword-surname /api/v1/person?q=%E9%99%88"; do
    line="$line ${p%% *} $(alone "${p#* }") ms,"
  done
  half=$(( $(python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])' < <(curl -s -H "Cookie: $COOKIE" "$QURL/api/v1/audit?per_page=1")) / 40 ))
  prev=$(curl -s -H "Cookie: $COOKIE" "$QURL/api/v1/audit?per_page=20&page=$((half - 1))" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["next"])')
  cur="/api/v1/audit?per_page=20&after=$prev"
  fetch "$cur" "$OUT/audit-a.json" >/dev/null
  fetch "/api/v1/audit?per_page=20&page=$half" "$OUT/audit-b.json" >/dev/null
  python3 -c 'import json, sys; a, b = (json.load(open(f))["items"] for f in sys.argv[1:]); sys.exit(a != b)' \
    "$OUT/audit-a.json" "$OUT/audit-b.json" || { echo "bench: $cur is not the audit page $half" >&2; exit 1; }
  echo "$line audit page $half by page= $(alone "/api/v1/audit?per_page=20&page=$half") ms, by after= $(alone "$cur") ms"
}

measure() { # ENGINE: every case against the qiao now serving -> R[ENGINE.CASE.*], RSS[ENGINE]
  local eng=$1 i p qenv
  # One request at a time, no load: what each case costs on its own (median of 5, by curl).
  local line="one request alone on $eng (curl, median of 5):"
  for i in $(seq 0 $((NC - 1))); do
    p=${qpaths[i]}
    [ "$p" = random ] && p=/api/v1/org/$MID
    line="$line ${names[i]} $(for _ in 1 2 3 4 5; do
      curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: ${qcookies[i]}" "$QURL$p"
    done | sort -n | sed -n 3p | awk '{ printf "%.1f", $1 * 1000 }') ms,"
  done
  echo "${line%,}"
  province_pages "$eng"
  # A list's count is kept until the data changes: the first list after a write counts its
  # rows again (on each server thread), unless it is over 100,000 rows and its last count is
  # less than 10 s old (then answered as an estimate). A person changed, then the first
  # page of people, nine times: against the same page alone, what a write costs the next
  # reader.
  if [ "$PEOPLE" -ge 40 ]; then
    local csrf t
    csrf=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf_token"])' <"$OUT/login.json")
    t=$(for k in 1 2 3 4 5 6 7 8 9; do
      curl -s -o /dev/null -X PATCH -H "Cookie: $COOKIE" -H "X-CSRF-Token: $csrf" \
        -H 'Content-Type: application/json' --data "{\"occupation\": \"教师$k\"}" "$QURL/api/v1/person/1"
      curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: $COOKIE" "$QURL/api/v1/person?per_page=20"
    done | sort -n | sed -n 5p | awk '{ printf "%.1f", $1 * 1000 }')
    echo "the first page of people right after a write on $eng (its total: counted again up to 100,000 rows, beyond that the count of the past 10 s, total_estimated): $t ms (median of 9)"
  fi
  for i in $(seq 0 $((NC - 1))); do
    echo "wrk -t$THREADS -c$CONNS -d$DUR --latency on $eng: GET ${qpaths[i]}" | cut -c1-160
    if [ "${qpaths[i]}" = random ]; then
      qenv=(QB_MAX_ID="$N" QB_PREFIX=/api/v1/org/)
    else
      qenv=(QB_PATH="${qpaths[i]}")
    fi
    if [ "$PROFILE" = 1 ] && [ "$i" = 0 ] && [ "$eng" = sqlite ]; then
      perf record -F 499 --call-graph dwarf,16384 -o "$OUT/perf.data" -p "$QIAO_PID" 2>"$OUT/perf-record.log" >/dev/null &
      PERF_PID=$!
      sleep 0.5
    fi
    run_wrk "$eng.${names[i]}" "$QURL" "${qenv[@]}" QB_COOKIE="${qcookies[i]}"
    # shellcheck disable=SC2086
    wait_idle "$QIAO_PID" $PG_PID
    if [ -n "$PERF_PID" ]; then
      stop "$PERF_PID" INT
      PERF_PID=
      perf report -i "$OUT/perf.data" --children --sort sym -g none --percent-limit 2 --stdio >"$OUT/perf.txt" 2>/dev/null || true
    fi
  done
  RSS[$eng]="VmRSS $(awk '/^VmRSS/ { print $2, $3 }' "/proc/$QIAO_PID/status") (peak VmHWM \
$(awk '/^VmHWM/ { print $2, $3 }' "/proc/$QIAO_PID/status")), \
$(awk '/^Threads/ { print $2 }' "/proc/$QIAO_PID/status") threads"
}
declare -A RSS
PROFILE=${BENCH_PROFILE:-0}
engines=(sqlite)

# ---- SQLite --------------------------------------------------------------------------
start_qiao "$DB" qiao-sqlite
# The byte sizes for nginx to serve: each list answer as it is; for by-id the answer of the
# id of median size among 200 random ones.
NGX=$OUT/nginx
mkdir -p "$NGX/www" "$NGX/tmp"
sizes=()
for id in $(shuf -i 1-"$N" -n 200 --random-source=<(yes)); do
  echo "$(fetch "/api/v1/org/$id" "$NGX/tmp/o") $id"
done | sort -n >"$OUT/by-id-sizes.txt"
MID=$(sed -n 100p "$OUT/by-id-sizes.txt" | cut -d' ' -f2)
sizes[0]=$(fetch "/api/v1/org/$MID" "$NGX/www/by-id.json")
echo "GET by id: body $(head -1 "$OUT/by-id-sizes.txt" | cut -d' ' -f1)..$(tail -1 "$OUT/by-id-sizes.txt" | cut -d' ' -f1) bytes, median ${sizes[0]} (id $MID)"
for i in $(seq 1 $((NC - 1))); do
  sizes[i]=$(fetch "${qpaths[i]}" "$NGX/www/${names[i]}.json" "${qcookies[i]}")
done
curl -s -D - -o /dev/null -H "Cookie: $COOKIE" "$QURL/api/v1/org/$MID" | tr -d '\r' >"$OUT/qiao-headers.txt"

s0=$(snap); sleep 1; s1=$(snap)
b=$(other "$s0" "$s1" 1)
if [ "$b" -gt 10 ]; then
  echo "warning: other processes are using ${b}% of the CPUs right now; the figures below will be low and noisy"
fi
measure sqlite
stop_qiao

# ---- PostgreSQL: a private server with a copy of the same rows -----------------------
if [ "$USE_PG" = 1 ]; then
  engines+=(pg)
  PGURL=$(scripts/pg-start.sh "$PGDIR")
  PG_PID=$(head -1 "$PGDIR/data/postmaster.pid")
  t0=$(date +%s.%N)
  build/qiao init --db "$PGURL" --org-name 基准 >/dev/null
  PGOPTIONS='-c client_min_messages=warning' psql "$PGURL" -q -v ON_ERROR_STOP=1 \
    -c 'TRUNCATE org, person, audit_log, audit_head RESTART IDENTITY CASCADE'
  for t in org person audit_log audit_head; do
    cols=$(sqlite3 "$DB" "SELECT group_concat(name, ',') FROM pragma_table_info('$t')")
    sqlite3 -csv "$DB" "SELECT $cols FROM \"$t\" ORDER BY id" |
      psql "$PGURL" -q -v ON_ERROR_STOP=1 -c "\\copy \"$t\" ($cols) FROM STDIN WITH (FORMAT csv)"
    psql "$PGURL" -qAt -v ON_ERROR_STOP=1 -c "SELECT setval(pg_get_serial_sequence('$t', 'id'), max(id)) FROM \"$t\"" >/dev/null
  done
  psql "$PGURL" -q -v ON_ERROR_STOP=1 -c 'VACUUM ANALYZE'
  echo "$PW" | build/qiao user add bench --role admin --org 1 --db "$PGURL" >/dev/null
  [ -n "$VORG" ] && echo "$PW" | build/qiao user add "$VUSER" --role staff --org "$VORG" --db "$PGURL" >/dev/null
  echo "PostgreSQL $(psql "$PGURL" -Atc 'SHOW server_version'): the same $(psql "$PGURL" -Atc 'SELECT count(*) FROM org') orgs \
and $(psql "$PGURL" -Atc 'SELECT count(*) FROM person') people copied (psql \\copy) in \
$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }') s"
  start_qiao "$PGURL" qiao-pg
  measure pg
  stop_qiao
fi

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
for i in $(seq 0 $((NC - 1))); do
  got=$(curl -s -o /dev/null -w '%{size_download}' "$NURL/${names[i]}.json")
  [ "$got" = "${sizes[i]}" ] || { echo "bench: nginx serves $got bytes for ${names[i]}, want ${sizes[i]}" >&2; exit 1; }
done
curl -s -D - -o /dev/null "$NURL/by-id.json" | tr -d '\r' >"$OUT/nginx-headers.txt"
echo "response headers (not counted in the sizes): qiao $(stat -c %s "$OUT/qiao-headers.txt") bytes \
(security headers), nginx $(stat -c %s "$OUT/nginx-headers.txt") bytes"

# ---- nginx under the same load -------------------------------------------------------
for i in $(seq 0 $((NC - 1))); do
  run_wrk "nginx.${names[i]}" "$NURL" QB_PATH="/${names[i]}.json"
  wait_idle "$NGINX_PID"
done

# ---- report --------------------------------------------------------------------------
verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "NOT met"; fi; }
for eng in "${engines[@]}"; do
  echo
  echo "== qiao on $eng"
  printf '%-14s %6s | %9s %8s %8s %6s %6s | %9s %8s %8s %6s | %8s\n' case bytes "qiao r/s" p50ms \
    p99ms errors other "nginx r/s" p50ms p99ms other qiao/ngx
  printf '%.0s-' {1..119}
  echo
  for i in $(seq 0 $((NC - 1))); do
    q=$eng.${names[i]} g=nginx.${names[i]}
    printf '%-14s %6s | %9s %8s %8s %6s %5s%% | %9s %8s %8s %5s%% | %8s\n' "${names[i]}" "${sizes[i]}" \
      "${R[$q.rps]}" "${R[$q.p50]}" "${R[$q.p99]}" "${R[$q.err]}" "${R[$q.other]}" \
      "${R[$g.rps]}" "${R[$g.p50]}" "${R[$g.p99]}" "${R[$g.other]}" \
      "$(awk -v a="${R[$q.rps]}" -v b="${R[$g.rps]}" 'BEGIN { printf "%.3f", a / b }')"
  done
  echo "qiao after the run: ${RSS[$eng]}"
done
echo
errs=0
for k in "${!R[@]}"; do
  [[ $k == *.err ]] && [ "${R[$k]}" != 0 ] && { echo "warning: ${k%.err}: ${R[$k]} errors (timeouts over 30 s, socket errors or non-2xx): see $OUT/${k%.err}.wrk"; errs=1; }
done
[ "$errs" = 0 ] && echo "every answer was 2xx, no socket errors"
echo "other: the share of the 2 CPUs that processes outside this benchmark used during that run"
echo "sizes are SQLite's answers (PostgreSQL's are the same rows; a cursor may differ in length)"

for eng in "${engines[@]}"; do
  echo
  ratio=$(awk -v a="${R[$eng.by-id.rps]}" -v b="${R[nginx.by-id.rps]}" 'BEGIN { printf "%.3f", a / b }')
  echo "target ($eng): GET by id >= 0.4 x nginx: $ratio -> $(verdict "$ratio >= 0.4")"
  for i in $(seq 0 $((NC - 1))); do
    k=$eng.${names[i]}
    p=${R[$k.p99]} n=${R[$k.err]}
    if [ "${R[$k.n]}" = 0 ]; then
      echo "target ($eng): p99 < 10 ms, ${names[i]}: no answer at all within the run -> NOT met"
    elif [ "$n" = 0 ]; then
      echo "target ($eng): p99 < 10 ms, ${names[i]}: $p ms -> $(verdict "$p < 10")"
    else # wrk leaves requests that time out or fail out of its percentiles
      echo "target ($eng): p99 < 10 ms, ${names[i]}: $p ms over the answers that came, but $n timed out or failed -> NOT met"
    fi
  done
  # the deep page by its cursor against the first page (the target: as fast) and against the
  # same page by page= (the obvious alternative, OFFSET)
  for pair in "list list-deep list-cursor" "people people-deep people-cursor"; do
    read -r first deep cur <<<"$pair"
    [ -n "${R[$eng.$cur.rps]:-}" ] || continue
    echo "deep page ($eng, $cur): $(awk -v c="${R[$eng.$cur.rps]}" -v f="${R[$eng.$first.rps]}" \
      -v d="${R[$eng.$deep.rps]}" 'BEGIN { printf "%.2f x the first page'"'"'s rate, ", c / f
      if (d > 0) printf "%.1f x by page=", c / d; else printf "by page= answered nothing in the run" }'), \
p99 ${R[$eng.$cur.p99]} ms (first page ${R[$eng.$first.p99]} ms, by page= ${R[$eng.$deep.p99]} ms) -> \
$(verdict "${R[$eng.$cur.p99]/-/1e9} <= 1.25 * ${R[$eng.$first.p99]/-/0}") (as fast as the first: p99 within 1.25 x)"
  done
done
echo
echo "raw wrk output, logs and the database: $OUT/"
