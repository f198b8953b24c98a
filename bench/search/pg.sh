#!/usr/bin/env bash
# bench/search/pg.sh URL [QUERIES] - the name search over the same people on PostgreSQL.
# Copies the org, person and search_person tables of build/bench/search.db (filled by
# bench/search/run.sh) into the empty database at URL (schema made by `qiao init`), then
# runs search_bench on it: the same query mix, qiao against the LIKE scan (no FTS5 there).
# Not part of `make bench` (it needs a PostgreSQL server; scripts/pg-start.sh DIR starts
# one on loopback and prints its URL).
set -euo pipefail
cd "$(dirname "$0")/../.."
URL=${1:?usage: bench/search/pg.sh postgresql://... [QUERIES]}
Q=${2:-1000}
DB=${BENCH_DB:-build/bench/search.db}
[ -f "$DB" ] || { echo "bench: $DB is missing: run bench/search/run.sh first" >&2; exit 1; }
make -s build/qiao build/bench-bin/search_bench
build/qiao init --db "$URL" --org-name 基准 >/dev/null
psql "$URL" -q -v ON_ERROR_STOP=1 -c "TRUNCATE org, person, search_person RESTART IDENTITY CASCADE"
t0=$(date +%s)
for t in org person search_person; do
  cols=$(sqlite3 "$DB" "SELECT group_concat(name, ',') FROM pragma_table_info('$t')")
  sqlite3 -csv "$DB" "SELECT $cols FROM \"$t\" ORDER BY 1, 2, 3" |
    psql "$URL" -q -v ON_ERROR_STOP=1 -c "\\copy \"$t\" ($cols) FROM STDIN WITH (FORMAT csv)"
done
psql "$URL" -q -v ON_ERROR_STOP=1 -c "SELECT setval(pg_get_serial_sequence('org', 'id'), max(id)) FROM org" \
  -c "SELECT setval(pg_get_serial_sequence('person', 'id'), max(id)) FROM person" -c "ANALYZE" >/dev/null
echo "copied $(psql "$URL" -Atc 'SELECT count(*) FROM person') people in $(( $(date +%s) - t0 )) s"
N=$(psql "$URL" -Atc 'SELECT count(*) FROM person')
build/bench-bin/search_bench "$URL" "$N" "$Q"
