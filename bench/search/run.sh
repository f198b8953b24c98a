#!/usr/bin/env bash
# bench/search/run.sh - the name-search benchmark (bench/search/search_bench.c).
#   bench/search/run.sh [N] [QUERIES]    N people (default 1,000,000), 1,000 queries
# Builds against the project's objects (make build/qiao first), fills build/bench/search.db
# once (kept between runs; delete it to start over) and prints the latency table.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000000}
Q=${2:-1000}
PKGS=$(sed -n "s/^PKGS *:= *//p" Makefile) # the libraries the objects need
make -s build/qiao
mkdir -p build/bench
objs=$(ls build/obj/*.o | grep -v '/main\.o$')
cc -std=c17 -D_GNU_SOURCE -O2 -g -Isrc $(pkg-config --cflags $PKGS) -o build/bench/search_bench \
  bench/search/search_bench.c $objs $(pkg-config --libs $PKGS) -lpthread -lm
build/bench/search_bench build/bench/search.db "$N" "$Q"
