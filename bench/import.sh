#!/usr/bin/env bash
# bench/import.sh - census import rate: `qiao import person` of N invented people (default
# 1,000,000) side by side with `sqlite3 .import` of the same CSV into a bare table, and
# the ratio, and the same on PostgreSQL (a private server from scripts/pg-start.sh, stopped
# on exit) beside `psql \copy`; the peak RSS of each qiao import.
# Usage: bench/import.sh [N]   (needs `make`; writes into build/bench-import/; BENCH_PG=0:
# SQLite only)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
dir=build/bench-import
mkdir -p "$dir"
csv=$dir/people-$N.csv
[ -x build/qiao ] || make build/qiao >/dev/null
if [ ! -f "$csv" ]; then
  echo "generating $N rows into $csv"
  awk -v n="$N" 'BEGIN {
    srand(42)
    split("陈 林 黄 吴 王 张 许 郭 叶 蔡 洪 李 刘 杨 郑 谢 曾 邱 庄 苏", sur, " ")
    split("嘉 庚 文 庆 明 华 国 强 志 伟 秀 英 丽 娟 金 福 德 荣 美 玲", giv, " ")
    split("SG MY TH ID PH US CA AU GB FR", cc, " ")
    print "姓名,性别,出生日期,国籍,方言,祖籍(村)"
    for (i = 1; i <= n; i++) {
      name = sur[int(rand()*20)+1] giv[int(rand()*20)+1] giv[int(rand()*20)+1]
      printf "%s,%s,%04d-%02d-%02d,%s,%s,%s村\n", name, (rand() < .5 ? "男" : "女"),
        1930 + int(rand()*70), 1 + int(rand()*12), 1 + int(rand()*28), cc[int(rand()*10)+1],
        (rand() < .5 ? "hokkien" : "cantonese;hakka"), giv[int(rand()*20)+1]
    }
  }' > "$csv"
fi
# Peak RSS (/usr/bin/time's maximum resident set) and wall time of a command, into $secs
# and $rss_mb; its stdout's last line is printed.
timed() {
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f %M -o "$dir/rss" "$@" 2>/dev/null | tail -1
  t1=$(date +%s.%N)
  secs=$(echo "$t1 - $t0" | bc)
  rss_mb=$(( $(tail -1 "$dir/rss") / 1024 ))
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# SQLite: qiao import into a fresh database, then sqlite3 .import into a bare table
db=$dir/qiao.db
rm -f "$db" "$db"-wal "$db"-shm "$dir/bare.db"
build/qiao init --db "$db" --org-name "基准侨联" >/dev/null
timed build/qiao import person "$csv" --db "$db"
sq=$secs sq_rss=$rss_mb
sqlite3 "$dir/bare.db" "CREATE TABLE person (name TEXT, gender TEXT, birth_date TEXT, nationality TEXT, dialects TEXT, ancestral_place TEXT)"
timed sqlite3 "$dir/bare.db" ".mode csv" ".import --skip 1 $csv person"
sqb=$secs

# PostgreSQL (BENCH_PG=0 skips it): a private server (scripts/pg-start.sh), stopped on exit
pg=
if [ "${BENCH_PG:-1}" != 0 ] && [ -x /usr/lib/postgresql/15/bin/initdb ]; then
  pgdir=$(mktemp -u /tmp/qiao-bench-pg.XXXXXX)
  trap 'scripts/pg-stop.sh "$pgdir" >/dev/null 2>&1 || true' EXIT
  url=$(scripts/pg-start.sh "$pgdir")
  build/qiao init --db "$url" --org-name "基准侨联" >/dev/null
  timed build/qiao import person "$csv" --db "$url"
  pg=$secs pg_rss=$rss_mb
  psql "$url" -q -c "CREATE TABLE bare (name TEXT, gender TEXT, birth_date TEXT, nationality TEXT, dialects TEXT, ancestral_place TEXT)"
  timed psql "$url" -q -c "\\copy bare FROM '$csv' WITH (FORMAT csv, HEADER)"
  pgb=$secs
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v n="$N" -v q="$sq" -v s="$sqb" -v qr="$sq_rss" -v p="$pg" -v pb="${pgb:-0}" -v pr="${pg_rss:-0}" 'BEGIN {
  printf "import of %d rows                                          time       rows/s   peak RSS\n", n
  printf "  SQLite: qiao import (validated, audited, all-or-nothing): %8.1f s %9.0f %7d MB\n", q, n / q, qr
  printf "          sqlite3 .import into a bare table:               %8.1f s %9.0f\n", s, n / s
  printf "          ratio: qiao takes %.1f times as long\n", q / s
  if (p != "") {
    printf "  PostgreSQL: qiao import:                                 %8.1f s %9.0f %7d MB\n", p, n / p, pr
    printf "          psql \\copy into a bare table:                   %8.1f s %9.0f\n", pb, n / pb
    printf "          ratio: qiao takes %.1f times as long; %.2f times SQLite'"'"'s import\n", p / pb, p / q
  }
}'
