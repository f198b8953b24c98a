#!/usr/bin/env bash
# Writes tests/data/calc/: the typed sources in tests/data/typed/ (cells as a person types
# them into a spreadsheet: ID numbers and phones typed as numbers, dates as 1966/7/31)
# opened and saved by LibreOffice Calc from Debian (libreoffice-calc-nogui), headless, as
# .xlsx, .xls (Excel 97) and .ods, in one soffice call per format (its start is slow).
# Run it again after changing a typed source; the files are checked in.
set -euo pipefail
cd "$(dirname "$0")"
out=calc
mkdir -p "$out"
profile=$(mktemp -d /tmp/qiao-lo-XXXXXX)
trap 'rm -rf "$profile"' EXIT
# CSV: comma, double quote, UTF-8 (76), from line 1; the cells read as a Chinese (2052)
# Calc reads them, so 1966/7/31 becomes a date and 440781196607311231 a number
for fmt in xlsx xls ods; do
  soffice -env:UserInstallation="file://$profile" --headless --infilter="CSV:44,34,76,1,,2052" \
    --convert-to "$fmt" --outdir "$out" typed/*.csv >/dev/null 2>&1
done
ls "$out"
