#!/usr/bin/env bash
# Install what building, testing and benchmarking qiao need on Debian 12, only what is
# missing: Debian packages with apt-get, the web app's npm packages with npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."
# One install at a time: `make -j` reaches this from several generated tables at once.
exec 9>"${TMPDIR:-/tmp}/qiao-deps.lock"
flock 9

pkgs=(build-essential pkg-config clang-format clang libclang-rt-14-dev
      libmicrohttpd-dev libsqlite3-dev sqlite3 libpq-dev libjansson-dev libsodium-dev libssl-dev libcmocka-dev
      libzip-dev libexpat1-dev libxlsxwriter-dev libgd-dev libfreexl-dev libmimalloc-dev
      libreoffice-calc-nogui
      postgresql-15 chromium fonts-noto-cjk
      iso-codes gettext jq python3
      unicode-data opencc bzip2 john-data
      wrk nginx-light hyperfine)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The package starts a cluster we do not use; tests start their own on a free port.
  $SUDO systemctl disable --now postgresql >/dev/null 2>&1 || $SUDO service postgresql stop >/dev/null 2>&1 || true
fi
if [ -f web/package-lock.json ] && { [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; }; then
  echo "deps: npm ci (web)"
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
