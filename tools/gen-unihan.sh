#!/bin/sh
# gen-unihan.sh OUT.c - generate the name-search tables (tools/gen_unihan.c) from Debian's
# unicode-data (Unihan) and OpenCC (libopencc-data, opencc_dict from opencc) files.
# Called by make; scripts/deps.sh installs the packages.
set -eu
out=$1
dir=$(dirname "$out")
mkdir -p "$dir"
unihan=/usr/share/unicode/Unihan_Readings.txt.bz2
opencc=/usr/share/opencc
for f in "$unihan" "$opencc/TSCharacters.ocd2" "$opencc/STCharacters.ocd2"; do
  [ -f "$f" ] || { echo "gen-unihan: $f is missing (run scripts/deps.sh)" >&2; exit 1; }
done
${CC:-cc} -std=c17 -O2 -Wall -Wextra -Werror -o "$dir/gen_unihan" tools/gen_unihan.c
bzip2 -dc "$unihan" > "$dir/Unihan_Readings.txt"
for t in TS ST; do
  opencc_dict -i "$opencc/${t}Characters.ocd2" -o "$dir/${t}Characters.txt" -f ocd2 -t text
done
# Sino-Vietnamese readings without their diacritics (trần -> tran), by glibc's iconv.
grep -P '\tkVietnamese\t' "$dir/Unihan_Readings.txt" | LC_ALL=C.UTF-8 iconv -f UTF-8 -t ASCII//TRANSLIT > "$dir/Vietnamese.txt"
"$dir/gen_unihan" "$dir/Unihan_Readings.txt" "$dir/TSCharacters.txt" "$dir/STCharacters.txt" "$dir/Vietnamese.txt" > "$out.tmp"
mv "$out.tmp" "$out"
rm -f "$dir/Unihan_Readings.txt" "$dir/TSCharacters.txt" "$dir/STCharacters.txt" "$dir/Vietnamese.txt"
