# tznr: build, tests, sanitizers, fuzzing, benchmark and demo. See README.md.
# `make` builds into build/; `make asan` builds into build-asan/ and runs the whole suite there.

O        ?= build
CC       ?= cc
CFLAGS   ?= -O2 -g
WARN      = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
DEFS      = -D_GNU_SOURCE
PG_INC   := $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
CPPFLAGS += $(DEFS) $(PG_INC) -Isrc
LIBS      = -lpq -lcrypto -lcsv -lutf8proc -lpthread -lm
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lm -pthread)

SRC      := $(filter-out src/main.c, $(wildcard src/*.c))
OBJ      := $(SRC:src/%.c=$(O)/obj/%.o)
SYNTH_SRC := $(wildcard src/synth/*.c)
TEST_SRC := tests/check_main.c $(wildcard tests/unit/check_*.c) $(wildcard tests/integration/check_*.c)
TEST_BIN := $(O)/check_tznr


.PHONY: all check asan bench fuzz demo clean deps lint install uninstall
all: $(O)/tznr $(O)/tznr-synth

# Install missing Debian packages (or say which) once; the stamp keeps later builds quick.
# SKIP_DEPS=1 leaves that out (a package build: its Build-Depends are dpkg's business).
ifneq ($(SKIP_DEPS),1)
DEPS_STAMP := .deps-ok
deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/bootstrap
	scripts/bootstrap
	@touch $@
endif

$(O)/obj/%.o: src/%.c $(wildcard src/*.h) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -c $< -o $@

# The SQL files travel inside the binary: the schema and the rules it was built with.
SQL_FILES := $(sort $(wildcard sql/migrations/*.sql)) $(sort $(wildcard sql/rules/*.sql))
$(O)/gen/sqlfiles.c: $(SQL_FILES) scripts/embed-sql
	@mkdir -p $(@D)
	scripts/embed-sql $(SQL_FILES) > $@.tmp && mv $@.tmp $@

$(O)/obj/sqlfiles.o: $(O)/gen/sqlfiles.c src/db.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -c $< -o $@

$(O)/libtznr.a: $(OBJ) $(O)/obj/sqlfiles.o
	ar rcs $@ $^

$(O)/tznr: $(O)/obj/main.o $(O)/libtznr.a
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LIBS) -o $@

$(O)/tznr-synth: $(SYNTH_SRC) $(wildcard src/synth/*.h) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -D_POSIX_C_SOURCE=200809L $(LDFLAGS) $(SYNTH_SRC) -o $@ -lm

# One Check runner: a suite per module (tests/unit) and the end-to-end suites that drive the
# binaries (tests/integration), so `make check` ends with one Check summary.
$(TEST_BIN): $(TEST_SRC) tests/testutil.h $(O)/libtznr.a
	$(CC) $(WARN) -Wno-missing-prototypes $(CFLAGS) $(CPPFLAGS) -Itests $(TEST_SRC) $(O)/libtznr.a $(LIBS) $(CHECK_LIBS) -o $@

check: all $(TEST_BIN)
	@O=$(O) tests/run-all
ifneq ($(FUZZ_SMOKE),0)
	@$(MAKE) --no-print-directory O=$(O) fuzz-smoke
endif

asan:
	$(MAKE) O=build-asan CC=clang CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" LDFLAGS="-fsanitize=address,undefined" FUZZ_SMOKE=0 check

# libFuzzer targets (tests/fuzz/fuzz_*.c), each linked with the library built again by clang
# with coverage for libFuzzer, ASan and UBSan (UB aborts, so the fuzzer reports it) in $(FUZZ_O).
# `make fuzz` runs each for FUZZ_SECONDS; `make fuzz-smoke` (run by `make check`) for
# FUZZ_SMOKE_SECONDS, its seeds first.
FUZZ_O        ?= $(O)-fuzz
FUZZ_TARGETS  := csv norm manifest conf mapping feedback
FUZZ_SAN       = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS    = -O1 -g -fsanitize=fuzzer $(FUZZ_SAN)
FUZZ_BINS     := $(FUZZ_TARGETS:%=$(FUZZ_O)/fuzz_%)
FUZZ_SECONDS  ?= 20
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_SMOKE    ?= 1
FUZZ_MAX_LEN  ?= 4096

.PHONY: fuzz-build fuzz-smoke
$(FUZZ_O)/libtznr.a: $(SRC) $(wildcard src/*.h) $(SQL_FILES) scripts/embed-sql | $(DEPS_STAMP)
	$(MAKE) --no-print-directory O=$(FUZZ_O) CC=clang CFLAGS="-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)" $@

$(FUZZ_O)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_O)/libtznr.a
	clang $(WARN) $(FUZZ_CFLAGS) $(CPPFLAGS) $< $(FUZZ_O)/libtznr.a $(LIBS) -o $@

fuzz-build: $(FUZZ_BINS)

# Each target's corpus grows in $(FUZZ_O)/corpus-NAME; tests/fuzz/seeds/NAME is read, never
# written. A crashing input is written to $(FUZZ_O)/crash-… (or leak-…, timeout-…).
fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_O)/corpus-$$t; \
	    echo "fuzz: $$t, $(FUZZ_SECONDS) s"; \
	    $(FUZZ_O)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=$(FUZZ_MAX_LEN) \
	        -artifact_prefix=$(FUZZ_O)/ $(FUZZ_O)/corpus-$$t tests/fuzz/seeds/$$t; \
	done

# A few seconds each from the seeds alone, in a fresh corpus: a crash fails the build.
fuzz-smoke: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
	    rm -rf $(FUZZ_O)/smoke-$$t; mkdir -p $(FUZZ_O)/smoke-$$t; \
	    $(FUZZ_O)/fuzz_$$t -max_total_time=$(FUZZ_SMOKE_SECONDS) -max_len=$(FUZZ_MAX_LEN) \
	        -print_final_stats=1 -artifact_prefix=$(FUZZ_O)/ $(FUZZ_O)/smoke-$$t tests/fuzz/seeds/$$t >$(FUZZ_O)/smoke-$$t.log 2>&1 \
	        || { tail -n 40 $(FUZZ_O)/smoke-$$t.log; echo "fuzz-smoke: $$t FAILED (log: $(FUZZ_O)/smoke-$$t.log)"; exit 1; }; \
	    echo "fuzz-smoke: $$t ok, $$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_O)/smoke-$$t.log) runs in $(FUZZ_SMOKE_SECONDS) s"; \
	done

$(O)/bench_hmac: tests/bench/bench_hmac.c $(O)/libtznr.a
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) $< $(O)/libtznr.a $(LIBS) -o $@

$(O)/bench_link: tests/bench/bench_link.c $(O)/libtznr.a
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) $< $(O)/libtznr.a $(LIBS) -o $@

bench: all $(O)/bench_hmac $(O)/bench_link
	@O=$(O) scripts/bench

demo: all
	@O=$(O) scripts/demo

# make install [PREFIX=/usr/local] [DESTDIR=]: the binaries (the SQL travels inside tznr), the
# man pages, and in $(DATADIR) the example configuration, the mapping files, the benefit
# parameters and the cron file; the systemd units in $(SYSTEMDUNITDIR). Nothing goes to /etc
# and nothing is enabled (docs/operations.md, Installing). The units, the cron file and the
# example name the installed paths: $(BINDIR)/tznr, $(DATADIR)/parameters.csv.
PREFIX         ?= /usr/local
BINDIR         ?= $(PREFIX)/bin
MANDIR         ?= $(PREFIX)/share/man
DATADIR        ?= $(PREFIX)/share/tznr
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
INSTALL        ?= install
UNITS          := tznr-run.service tznr-run.timer tznr-failure@.service
INSTALLED_SED   = sed -e 's|/usr/local/bin/tznr|$(BINDIR)/tznr|g' \
                      -e 's|^parameters = parameters\.csv$$|parameters = $(DATADIR)/parameters.csv|'

install: $(O)/tznr $(O)/tznr-synth
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(DATADIR) $(DESTDIR)$(SYSTEMDUNITDIR)
	$(INSTALL) -m 755 $(O)/tznr $(O)/tznr-synth $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 644 man/tznr.1 $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 644 man/tznr.conf.5 $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 644 config/mapping-*.ini config/parameters.csv $(DESTDIR)$(DATADIR)/
	$(INSTALLED_SED) config/tznr.conf.example >$(DESTDIR)$(DATADIR)/tznr.conf.example
	$(INSTALLED_SED) scripts/tznr.cron >$(DESTDIR)$(DATADIR)/tznr.cron
	for u in $(UNITS); do $(INSTALLED_SED) "scripts/$$u" >"$(DESTDIR)$(SYSTEMDUNITDIR)/$$u" || exit 1; done
	chmod 644 $(DESTDIR)$(DATADIR)/tznr.conf.example $(DESTDIR)$(DATADIR)/tznr.cron \
	    $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(UNITS))

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tznr $(DESTDIR)$(BINDIR)/tznr-synth \
	    $(DESTDIR)$(MANDIR)/man1/tznr.1 $(DESTDIR)$(MANDIR)/man5/tznr.conf.5 \
	    $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(UNITS))
	rm -rf $(DESTDIR)$(DATADIR)

lint:
	cppcheck --quiet --enable=warning,performance,portability --std=c11 --error-exitcode=1 -Isrc src
	shellcheck scripts/bootstrap scripts/demo scripts/bench scripts/pg-tmp scripts/embed-sql scripts/rule-quality scripts/rule-misses scripts/run-quality scripts/mutate tests/run-all tests/integration/*.sh .ci/run

clean:
	rm -rf build build-asan build-fuzz build-asan-fuzz
