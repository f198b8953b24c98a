#!/usr/bin/env bash
# bench/import.sh - census import rate: `qiao import person` of N invented people (default
# 1,000,000) side by side with `sqlite3 .import` of the same CSV into a bare table, and
# the ratio. Usage: bench/import.sh [N]   (needs `make`; writes into build/bench-import/)
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
db=$dir/qiao.db
rm -f "$db" "$db"-wal "$db"-shm "$dir/bare.db"
build/qiao init --db "$db" --org-name "基准侨联" >/dev/null
t0=$(date +%s.%N)
build/qiao import person "$csv" --db "$db" 2>/dev/null | tail -1
t1=$(date +%s.%N)
sqlite3 "$dir/bare.db" "CREATE TABLE person (name TEXT, gender TEXT, birth_date TEXT, nationality TEXT, dialects TEXT, ancestral_place TEXT)"
t2=$(date +%s.%N)
sqlite3 "$dir/bare.db" ".mode csv" ".import --skip 1 $csv person"
t3=$(date +%s.%N)
awk -v n="$N" -v q="$(echo "$t1 - $t0" | bc)" -v s="$(echo "$t3 - $t2" | bc)" 'BEGIN {
  printf "import of %d rows\n", n
  printf "  qiao import (validated, audited, all-or-nothing): %8.1f s  %9.0f rows/s\n", q, n / q
  printf "  sqlite3 .import into a bare table:               %8.1f s  %9.0f rows/s\n", s, n / s
  printf "  ratio: qiao takes %.1f times as long\n", q / s
}'
