#!/usr/bin/env bash
# bench/dedup.sh - duplicate pairs at province scale: GET /api/v1/dedup/person over N
# invented people (default 1,000,000, the CSV and database of bench/import.sh), the first
# request (a full pass over every person) beside the pages after it (the pairs kept for
# this version of the data), p50/p99, and the ratio. Usage: bench/dedup.sh [N] [REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
REQ=${2:-200}
dir=build/bench-import
out=build/bench-dedup
[ -x build/qiao ] || make build/qiao >/dev/null
# the people: bench/import.sh's database when it holds N of them, else made by it
have=$(sqlite3 "$dir/qiao.db" 'SELECT count(*) FROM person' 2>/dev/null || echo 0)
[ "$have" = "$N" ] || bench/import.sh "$N" >/dev/null
rm -rf "$out"
mkdir -p "$out"
cp "$dir/qiao.db" "$out/dedup.db"
PW=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')x9
echo "$PW" | build/qiao user add bench --role admin --org 1 --db "$out/dedup.db" >/dev/null

OUT=$out
# shellcheck source=bench/lib.sh
source bench/lib.sh # free_port, wait_up
P=$(free_port)
URL=http://127.0.0.1:$P
build/qiao serve --db "$out/dedup.db" --listen "127.0.0.1:$P" 2>"$out/qiao.log" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
wait_up "$URL/" "$PID" qiao
curl -s -D "$out/login.h" -o /dev/null -H 'Content-Type: application/json' \
  --data "{\"username\":\"bench\",\"password\":\"$PW\"}" "$URL/api/v1/session"
COOKIE=$(tr -d '\r' <"$out/login.h" | sed -n 's/^[Ss]et-[Cc]ookie: *\(qiao_session=[^;]*\).*/\1/p')
[ -n "$COOKIE" ] || { echo "dedup: login failed" >&2; exit 1; }

get() { curl -s -o "$out/last.json" -w '%{http_code} %{time_total}\n' -H "Cookie: $COOKIE" "$URL$1"; }
read -r code first < <(get '/api/v1/dedup/person?per_page=50')
[ "$code" = 200 ] || { echo "dedup: $code $(cat "$out/last.json")" >&2; exit 1; }
total=$(jq .total "$out/last.json")
pages=$(( (total + 49) / 50 ))
: >"$out/times"
for _ in $(seq "$REQ"); do
  read -r code t < <(get "/api/v1/dedup/person?per_page=50&page=$(( (RANDOM * 32768 + RANDOM) % pages + 1 ))")
  [ "$code" = 200 ] || { echo "dedup: page answered $code" >&2; exit 1; }
  echo "$t" >>"$out/times"
done
sort -n "$out/times" | awk -v n="$N" -v total="$total" -v first="$first" -v req="$REQ" '
  { t[NR] = $1 }
  END {
    p50 = t[int(NR * 0.5 + 0.5)]; p99 = t[int(NR * 0.99 + 0.5)]
    printf "duplicate pairs over %d people: %d pairs (%d pages of 50)\n", n, total, (total + 49) / 50
    printf "  the first request (a full pass over every person): %8.2f s\n", first
    printf "  %d random pages after it (the kept pairs):        p50 %6.1f ms  p99 %6.1f ms\n", req, p50 * 1000, p99 * 1000
    printf "  ratio: a page takes %.4f of a full pass (%.0f times faster)\n", p50 / first, first / p50
    printf "target: a full pass under 60 s: %s; paging instant (p99 under 100 ms): %s\n",
      first < 60 ? "met" : "NOT met", p99 < 0.1 ? "met" : "NOT met"
  }'
