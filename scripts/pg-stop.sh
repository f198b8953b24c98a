#!/bin/sh
# pg-stop.sh DIR - stop the server that scripts/pg-start.sh started in DIR and remove DIR.
#
# Refuses a DIR that pg-start.sh did not make (no DIR/.qiao-pg), so a typo cannot delete
# something else. A server that is not running is fine: DIR is removed anyway.
set -eu

die() {
    echo "pg-stop: $*" >&2
    exit 1
}

[ $# -eq 1 ] || die "usage: pg-stop.sh DIR"
bin=${PGBIN:-/usr/lib/postgresql/15/bin}
dir=$1
[ -d "$dir" ] || die "$dir does not exist"
[ -f "$dir/.qiao-pg" ] || die "$dir was not made by pg-start.sh; not touching it"

if [ -f "$dir/data/postmaster.pid" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$bin/pg_ctl" stop -D "$dir/data" -m fast -w >/dev/null 2>&1 ||
            echo "pg-stop: pg_ctl stop failed (see $dir/log)" >&2
    else
        "$bin/pg_ctl" stop -D "$dir/data" -m fast -w >/dev/null 2>&1 ||
            echo "pg-stop: pg_ctl stop failed (see $dir/log)" >&2
    fi
fi
rm -rf "$dir"
