# Makefile -- builds ./lyssna, runs its tests, installs it. Hand-written; see README.md.
#   make            build ./lyssna (warnings shown; WERROR=1 makes them fatal, as CI does)
#   make run        install what is missing (as root), build, start the service on :8080
#   make test       install test tools (as root), build, run unit, end-to-end and browser tests
#   make check-fast the inner loop: layout, unit and end-to-end tests (no browsers, fuzzing, clients)
#   make browser    the listen button in Chromium, Firefox and WebKit (ENGINE=one of them for one)
#   make clients    the other APIs driven by their real clients (tests/clients: the openai package)
#   make asan       unit and end-to-end tests against an ASan/UBSan build in build/asan/
#   make fuzz       libFuzzer targets of fuzz/, FUZZ_TIME s each (fuzz-smoke: 20 s, in check)
#   make valgrind   the end-to-end tests with the binary under valgrind's memcheck
#   make install    PREFIX=/usr/local DESTDIR= ; make clean ; make format(-check)

PREFIX  ?= /usr/local
DATADIR ?= $(PREFIX)/share/lyssna
CC      ?= cc
PKGS     = libmicrohttpd libcurl libxml-2.0 espeak-ng sndfile soxr jansson inih libcrypto \
           libseccomp zlib poppler-glib libzip sqlite3 libexttextcat tesseract
# The document worker (src/cli/docworker_main.c) links what reading a document needs, no more.
# Tesseract is opened by the first scan (src/extract/ocr.c), espeak-ng by the first synth
# (src/speech/synth.c) and libcurl by the first fetch (src/fetch/fetch.c): their headers only.
DOC_PKGS = poppler-glib libzip libxml-2.0 jansson libseccomp zlib libexttextcat

# Debian 12 packages: what building needs, and what the tests need on top.
DEB_BUILD = build-essential pkg-config libespeak-ng-dev espeak-ng-data libsndfile1-dev \
            libsoxr-dev libcurl4-openssl-dev libmicrohttpd-dev libxml2-dev libjansson-dev \
            libinih-dev libssl-dev libseccomp-dev zlib1g-dev libpoppler-glib-dev libzip-dev \
            libtesseract-dev tesseract-ocr-swe tesseract-ocr-eng libsqlite3-dev libexttextcat-dev \
            fonts-opendyslexic
DEB_TEST  = libcmocka-dev python3-pytest python3-pytest-xdist ffmpeg clang libclang-rt-14-dev valgrind \
            chromium nginx wrk python3-yaml openssl firefox-esr webkit2gtk-driver xvfb pulseaudio \
            gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav \
            poppler-utils tesseract-ocr python3-pil

ifeq ($(SAN),1)
BUILD   = build/asan
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT     = -O1 -g $(SANFLAGS)
BIN     = $(BUILD)/lyssna
DOCBIN  = $(BUILD)/lyssna-docworker
else
BUILD   = build/release
OPT     = -O2 -g
BIN     = lyssna
DOCBIN  = lyssna-docworker
endif

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wformat=2 -Wundef
ifeq ($(WERROR),1)
WARN += -Werror
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(filter-out tesseract espeak-ng libcurl,$(PKGS)) 2>/dev/null)
CPPFLAGS += -Isrc -D_POSIX_C_SOURCE=200809L -DLYSSNA_DATADIR='"$(DATADIR)"' -MMD -MP $(PKG_CFLAGS)
CFLAGS   += -std=c11 $(OPT) $(WARN)
LDFLAGS  += $(if $(filter 1,$(SAN)),$(SANFLAGS))
LDLIBS   += $(PKG_LIBS) -lpthread -lm
DOC_LIBS  = -Wl,--as-needed $(shell pkg-config --libs $(DOC_PKGS) 2>/dev/null) -lm

# One folder per stage (docs/ARCHITECTURE.md); objects mirror the folders under $(BUILD)/obj/.
STAGES   = base cache fetch extract normalize speech lexicon job serve batch cli
SRCS     = $(foreach d,$(STAGES),$(wildcard src/$(d)/*.c))
HDRS     = $(wildcard src/*.h) $(foreach d,$(STAGES),$(wildcard src/$(d)/*.h))
MAINS    = src/cli/main.c src/cli/docworker_main.c
LIB_OBJS = $(patsubst src/%.c,$(BUILD)/obj/%.o,$(filter-out $(MAINS),$(SRCS)))
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
PYTEST   = /usr/bin/python3 -m pytest
BROWSER  = tests/browser
CLIENTS  = tests/clients

.PHONY: all run test check check-fast asan install clean deps test-deps format format-check layout unit e2e browser \
        clients \
        bench fuzz fuzz-build fuzz-smoke valgrind

all: $(BIN) $(DOCBIN)

$(BIN): $(BUILD)/obj/cli/main.o $(BUILD)/liblyssna.a
	$(CC) $(LDFLAGS) -Wl,--as-needed -o $@ $^ $(LDLIBS)

$(DOCBIN): $(BUILD)/obj/cli/docworker_main.o $(BUILD)/liblyssna.a
	$(CC) $(LDFLAGS) -o $@ $^ $(DOC_LIBS)

$(BUILD)/liblyssna.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/liblyssna.a | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(shell pkg-config --cflags cmocka) $(CFLAGS) $(LDFLAGS) \
	    -o $@ $< $(BUILD)/liblyssna.a $(LDLIBS) $(shell pkg-config --libs cmocka)

$(BUILD)/tests:
	mkdir -p $@

# Installs the missing Debian packages when root; otherwise prints the line to run and stops.
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	    grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	        echo "installing:" $$missing; \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	    else \
	        echo "missing packages; run: sudo apt-get install -y" $$missing; exit 1; \
	    fi; \
	fi
endef

deps:
	$(call apt_install,$(DEB_BUILD))

test-deps: deps
	$(call apt_install,$(DEB_TEST))

# The service on 127.0.0.1:8080 with the embedded defaults, reading pages from itself (the
# demo page at /), its cache in out/cache.
run: deps
	$(MAKE) all
	mkdir -p out
	./$(BIN) serve --listen 127.0.0.1:8080 --cache-dir out/cache \
	    --allow-host 127.0.0.1 --allow-host localhost --allow-addr 127.0.0.1/32

test: test-deps
	$(MAKE) check

# Compiling uses every core; the tests run one kind after the other (they time themselves).
JOBS ?= $(shell nproc)

# The fuzz smoke and the browser tests run in the plain check only: the fuzz build is
# sanitized whatever SAN says, and the browser tests drive the same service code as e2e.
check:
	$(MAKE) -j$(JOBS) all $(UNIT_BINS)
	$(MAKE) layout unit e2e clients $(if $(filter 1,$(SAN)),,fuzz-smoke browser)

# The tree's rules (docs/ARCHITECTURE.md): includes follow the data flow, libraries stay in
# their folders, no C file over 800 lines.
check-fast:
	$(MAKE) -j$(JOBS) all $(UNIT_BINS)
	$(MAKE) layout unit e2e

layout:
	/usr/bin/python3 tests/layout/check

unit: $(BIN) $(DOCBIN) $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; \
	    LYSSNA_VOICES=$(CURDIR)/voices LYSSNA_BIN=$(abspath $(BIN)) $$t; done

# Two test processes (pytest-xdist) on the release build, one under the sanitizers, whose
# slower binary the tests' timing bounds are not scaled for.
E2E_JOBS = $(if $(filter 1,$(SAN)),-s,-n 2)

e2e: $(BIN) $(DOCBIN)
	LYSSNA_BIN=$(abspath $(BIN)) $(PYTEST) -q $(E2E_JOBS) tests/e2e

# libFuzzer targets (fuzz/fuzz_*.c), built with clang, ASan and UBSan into build/fuzz/; the
# library objects get their own build with -fsanitize=fuzzer-no-link (coverage, no main).
FUZZ_CC    = clang
FUZZ_TIME ?= 600
FUZZ_SAN   = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_FLAGS = -std=c11 -O1 -g $(FUZZ_SAN) $(WARN)
FUZZ_OBJS  = $(patsubst src/%.c,build/fuzz/obj/%.o,$(filter-out $(MAINS),$(SRCS)))
FUZZ_BINS  = $(patsubst fuzz/%.c,build/fuzz/%,$(wildcard fuzz/fuzz_*.c))

build/fuzz/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/liblyssna.a: $(FUZZ_OBJS)
	$(AR) rcs $@ $^

build/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/common.c fuzz/fuzz.h build/fuzz/liblyssna.a
	$(FUZZ_CC) $(CPPFLAGS) -DLYSSNA_SRCDIR='"$(CURDIR)"' $(FUZZ_FLAGS) -fsanitize=fuzzer \
	    -o $@ $< fuzz/common.c build/fuzz/liblyssna.a $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

# FUZZ_JOBS targets at a time (one by default: the machine is shared), each replaying
# fuzz/regress/ and then fuzzing; a failing target does not stop the others.
FUZZ_JOBS ?= 1
fuzz: fuzz-build
	@printf '%s\n' $(patsubst build/fuzz/fuzz_%,%,$(FUZZ_BINS)) | \
	    xargs -P $(FUZZ_JOBS) -I{} fuzz/run {} $(FUZZ_TIME)

# The check's short run: 20 s a target from a fixed seed (fuzz/run), new ground for make fuzz.
fuzz-smoke:
	$(MAKE) -j$(JOBS) fuzz-build
	FUZZ_SEED=1 $(MAKE) fuzz FUZZ_TIME=20 FUZZ_JOBS=$(JOBS)

# The end-to-end tests with the release binary under valgrind's memcheck (tests/valgrind/):
# every process, the synthesis workers included, must finish its work without a memory error
# or a leak. Slow: not part of check. LYSSNA_TIME_SCALE stretches the tests' waits.
valgrind: all
	rm -rf build/valgrind && mkdir -p build/valgrind
	LYSSNA_VG_BIN=$(abspath $(BIN)) LYSSNA_VG_LOGS=$(abspath build/valgrind) \
	    LYSSNA_BIN=$(CURDIR)/tests/valgrind/lyssna LYSSNA_TIME_SCALE=10 $(PYTEST) -q -s tests/e2e
	tests/valgrind/check build/valgrind

# Node.js (18 or later) is not installed by this Makefile; npm fetches the packages of the lock
# file (puppeteer-core drives Debian's chromium and firefox-esr, selenium-webdriver WebKitGTK's
# WebKitWebDriver: no browser is downloaded). run.js starts the audio sink and X display itself.
ENGINES = $(or $(ENGINE),chromium firefox webkit)
# run.js runs the engines one after the other, with a time limit per test and per file
# (TEST_TIMEOUT, FILE_TIMEOUT seconds), kills all a test started, and ends with a summary.
browser: $(BIN) $(DOCBIN) $(BROWSER)/node_modules/.package-lock.json
	cd $(BROWSER) && LYSSNA_BIN=$(abspath $(BIN)) node run.js $(ENGINES)

$(BROWSER)/node_modules/.package-lock.json: $(BROWSER)/package.json $(BROWSER)/package-lock.json
	@command -v npm >/dev/null || { echo "browser tests need Node.js 18+ with npm"; exit 1; }
	cd $(BROWSER) && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund

# The openai npm package (from the lock file) against a service of each test's own; ffmpeg
# decodes what it gets back.
clients: $(BIN) $(DOCBIN) $(CLIENTS)/node_modules/.package-lock.json
	cd $(CLIENTS) && LYSSNA_BIN=$(abspath $(BIN)) node --test --test-concurrency=1 \
	    --test-timeout=120000 --test-force-exit

$(CLIENTS)/node_modules/.package-lock.json: $(CLIENTS)/package.json $(CLIENTS)/package-lock.json
	@command -v npm >/dev/null || { echo "client tests need Node.js 18+ with npm"; exit 1; }
	cd $(CLIENTS) && npm ci --no-audit --no-fund

asan: test-deps
	$(MAKE) SAN=1 check

bench: all
	bench/synth

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/voices
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/lyssna
	install -m 755 $(DOCBIN) $(DESTDIR)$(PREFIX)/bin/lyssna-docworker
	cp -R voices/. $(DESTDIR)$(DATADIR)/voices/
	install -d $(DESTDIR)$(DATADIR)/web $(DESTDIR)$(DATADIR)/config
	cp -R web/. $(DESTDIR)$(DATADIR)/web/
	install -m 644 config/lyssna.conf $(DESTDIR)$(DATADIR)/config/
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	sed 's|/usr/local/|$(PREFIX)/|g' config/lyssna.service \
	    > $(DESTDIR)$(PREFIX)/lib/systemd/system/lyssna.service

clean:
	rm -rf build lyssna lyssna-docworker out

format:
	clang-format -i $(SRCS) $(HDRS) tests/unit/*.c fuzz/*.c fuzz/*.h

format-check:
	clang-format --dry-run --Werror $(SRCS) $(HDRS) tests/unit/*.c fuzz/*.c fuzz/*.h

-include $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/tests/*.d build/fuzz/*.d build/fuzz/obj/*/*.d)
