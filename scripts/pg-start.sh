#!/bin/sh
# pg-start.sh DIR - start a throwaway PostgreSQL 15 server for tests.
#
# Creates DIR (it must not exist), runs initdb into DIR/data (trust auth, UTF-8, C.UTF-8),
# starts the server on a free TCP port of 127.0.0.1 with its unix socket in DIR (never
# /var/run/postgresql, which may not exist), fsync off, logging to DIR/log, creates the
# database "qiao" and prints one line on stdout: postgresql://postgres@127.0.0.1:PORT/qiao
# Everything else goes to stderr or DIR. Stop it with scripts/pg-stop.sh DIR.
#
# Run as root, the server runs as the OS user "postgres" (initdb refuses root); DIR's
# parents must then be searchable by that user. Run as anyone else, it runs as that user.
# PGBIN overrides the binaries (default /usr/lib/postgresql/15/bin).
set -eu

die() {
    echo "pg-start: $*" >&2
    exit 1
}

[ $# -eq 1 ] || die "usage: pg-start.sh DIR"
bin=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$bin/initdb" ] || die "no $bin/initdb (is postgresql-15 installed?)"
[ ! -e "$1" ] || die "$1 already exists"

mkdir -p "$1"
dir=$(cd "$1" && pwd)
: >"$dir/.qiao-pg" # marks DIR as ours for pg-stop.sh
: >"$dir/log"

if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$dir" "$dir/.qiao-pg" "$dir/log"
    chmod 700 "$dir"
    as() { runuser -u postgres -- "$@"; }
    as test -w "$dir" || die "user postgres cannot write $dir (check its parents' modes)"
else
    as() { "$@"; }
fi

# Report the log and fail.
fail() {
    [ -f "$dir/log" ] && tail -n 30 "$dir/log" >&2
    die "$*"
}

as "$bin/initdb" -D "$dir/data" --username=postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 >>"$dir/log" 2>&1 || fail "initdb failed (see $dir/log)"

cat >>"$dir/data/postgresql.conf" <<CONF
# pg-start.sh: throwaway test server
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
CONF

# A port that is free now; another process may take it before the server binds it, so a
# failed start tries a fresh port a few times.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

started=
for try in 1 2 3 4 5; do
    port=$(free_port) || die "python3 could not find a free port"
    if as "$bin/pg_ctl" start -D "$dir/data" -l "$dir/log" -w -t 60 -o "-p $port" \
        >/dev/null 2>&1; then
        started=1
        break
    fi
    echo "pg-start: start on port $port failed (try $try)" >&2
done
[ -n "$started" ] || fail "server did not start (see $dir/log)"

ready=
for i in $(seq 1 100); do
    if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
        ready=1
        break
    fi
    sleep 0.1
done
[ -n "$ready" ] || fail "server not ready on port $port"

"$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres qiao >&2 || fail "createdb qiao failed"
echo "postgresql://postgres@127.0.0.1:$port/qiao"
