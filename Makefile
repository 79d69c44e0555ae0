# Vigie — the two commands a new user needs: `make demo` and `make test`.
# Both install what they need (Debian packages) when it is missing, then build and run.

SWIFT      ?= swift
APT_PKGS   := libxml2-dev libcurl4-openssl-dev libsqlite3-dev zlib1g-dev libzstd-dev libjemalloc-dev pkg-config
# The crash tests compare stores with the sqlite3 shell, independent of the code under test; the mail tests
# deliver to a real SMTP server on loopback (aiosmtpd) and read messages back with Python's email package; the
# layout test renders the HTML digests in headless Chromium.
TEST_PKGS  := sqlite3 python3 python3-aiosmtpd openssl chromium
BIN_DEBUG   = .build/debug
BIN_RELEASE = .build/release
DEMO_OUT   ?= demo-out

.PHONY: all deps build release test demo bench fuzz clean conformance routing-eval install uninstall lint format

all: build

# Installs the C libraries' development packages with apt when any is missing, and says so.
deps:
	@missing=""; for p in $(APT_PKGS) $(EXTRA_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "vigie: installing missing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "vigie: the Swift toolchain (swift 6) is required: https://www.swift.org/install/linux/"; exit 2; }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test:
	@$(MAKE) --no-print-directory deps EXTRA_PKGS="$(TEST_PKGS)"
	@$(MAKE) --no-print-directory lint
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# `make install [PREFIX=/usr/local] [DESTDIR=…]`: a self-contained `vigie` — the Swift standard library and
# Foundation linked statically, so the server needs no Swift toolchain, only Debian's runtime libraries (libxml2,
# libcurl4, libsqlite3-0, zlib1g, libzstd1, libjemalloc2) — plus bash, zsh and fish completions and man pages generated from
# the binary.
# No root needed when PREFIX is writable. CONFIGURATION=debug links statically too but skips the optimiser (the
# install test uses it). SCRATCH is SwiftPM's build folder, apart from .build on purpose: the static link changes
# how every module is compiled, so sharing .build with `make build`/`make release` would rebuild everything at each
# switch (or fail to link, in debug), and `swift test` keeps .build locked while a test runs `make install`.
# swift-argument-parser's generate-manual plugin would build every product before writing the pages; asked for
# --help it builds only its tool, which then reads the installed binary (offline).
PREFIX        ?= /usr/local
DESTDIR       ?=
CONFIGURATION ?= release
SCRATCH       ?= .build-install
INSTALL_BIN    = $(DESTDIR)$(PREFIX)/bin
INSTALL_BASH   = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
INSTALL_ZSH    = $(DESTDIR)$(PREFIX)/share/zsh/site-functions
INSTALL_FISH   = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
INSTALL_MAN1   = $(DESTDIR)$(PREFIX)/share/man/man1

install: deps
	$(SWIFT) build -c $(CONFIGURATION) --scratch-path $(SCRATCH) --static-swift-stdlib --product vigie
	@set -e; bin="$$($(SWIFT) build -c $(CONFIGURATION) --scratch-path $(SCRATCH) --show-bin-path)/vigie"; \
	  install -D -m 755 "$$bin" "$(INSTALL_BIN)/vigie"; \
	  tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	  for shell in bash zsh fish; do "$(INSTALL_BIN)/vigie" --generate-completion-script $$shell > "$$tmp/vigie.$$shell"; done; \
	  install -D -m 644 "$$tmp/vigie.bash" "$(INSTALL_BASH)/vigie"; \
	  install -D -m 644 "$$tmp/vigie.zsh" "$(INSTALL_ZSH)/_vigie"; \
	  install -D -m 644 "$$tmp/vigie.fish" "$(INSTALL_FISH)/vigie.fish"; \
	  $(SWIFT) package --scratch-path $(SCRATCH) plugin generate-manual --help > "$$tmp/plugin.log" 2>&1 \
	    || { cat "$$tmp/plugin.log"; echo "vigie: could not build swift-argument-parser's generate-manual tool"; exit 2; }; \
	  tool="$$($(SWIFT) build --scratch-path $(SCRATCH) --show-bin-path)/generate-manual-tool"; \
	  mkdir -p "$$tmp/man"; "$$tool" "$(INSTALL_BIN)/vigie" --multi-page --output-directory "$$tmp/man"; \
	  for page in "$$tmp"/man/*.1; do install -D -m 644 "$$page" "$(INSTALL_MAN1)/$${page##*/}"; done; \
	  echo "vigie: installed $(INSTALL_BIN)/vigie ($$("$(INSTALL_BIN)/vigie" --version)), completions under $(DESTDIR)$(PREFIX)/share/{bash-completion,zsh,fish}, man pages under $(INSTALL_MAN1) (man vigie, man vigie.run)"

uninstall:
	rm -f "$(INSTALL_BIN)/vigie" "$(INSTALL_BASH)/vigie" "$(INSTALL_ZSH)/_vigie" "$(INSTALL_FISH)/vigie.fish" \
	    "$(INSTALL_MAN1)/vigie.1" "$(INSTALL_MAN1)"/vigie.*.1

# Style: the toolchain's `swift format` with the committed `.swift-format`. `lint` fails on any finding;
# `format` rewrites the files in place (then `lint` passes).
FORMAT_PATHS := Sources Tests Package.swift

lint:
	$(SWIFT) format lint --strict --recursive $(FORMAT_PATHS)

format:
	$(SWIFT) format --in-place --recursive $(FORMAT_PATHS)

# The whole nightly pipeline, offline, on the bundled sample feeds (Feeds/demo.yaml).
demo: deps
	$(SWIFT) build
	@rm -rf $(DEMO_OUT) && mkdir -p $(DEMO_OUT)
	@# --no-first-night: the demo's store is new, and a first night composes no e-mail; the demo shows it.
	$(BIN_DEBUG)/vigie run --feeds Feeds/demo.yaml --rules Rules --store $(DEMO_OUT)/vigie.sqlite \
	    --out $(DEMO_OUT) --now 2026-11-24T02:00:00Z --soon-days 21 --dry-run --no-first-night
	@echo "vigie: digests written under $(DEMO_OUT)/<cluster>/ (.md .html .json .ics .atom .csv), members' own under <cluster>/adherents/"
	@echo "vigie: the night's e-mail (dry run, nothing sent) under $(DEMO_OUT)/<cluster>/courriels/; to send it for real: VIGIE_SMTP_URL=smtp://user@host:587 VIGIE_SMTP_PASSWORD=… $(BIN_DEBUG)/vigie send --store $(DEMO_OUT)/vigie.sqlite"

# Scores `vigie parse --json` against the feed-parser conformance corpus in ../shared.
conformance: release
	python3 ../shared/conformance/score.py feedparser --cmd '$(BIN_RELEASE)/vigie parse --json {file} --base-url {url}' --show-failures 40

# Precision and recall of routing on the labelled development set in ../shared/routing (release build), overall
# and per cluster, then the same for the naive baseline (any keyword of a member's segments anywhere in the text).
routing-eval: release
	@test -f ../shared/routing/score.py || { echo "vigie: ../shared/routing/score.py not found (the routing set sits beside the repository)"; exit 2; }
	@echo "== Vigie routing ($(BIN_RELEASE)/vigie route)"
	@python3 ../shared/routing/score.py --vigie $(BIN_RELEASE)/vigie --rules Rules | sed -n '/routed/,/^(correct/p'
	@naive=$$(mktemp -d)/vigie-naive; printf '#!/bin/sh\nexec "%s" "$$@" --naive-baseline\n' "$(CURDIR)/$(BIN_RELEASE)/vigie" > $$naive; chmod +x $$naive; \
	  echo "== Naive baseline (any segment keyword anywhere in the text, no filters)"; \
	  python3 ../shared/routing/score.py --vigie $$naive --rules Rules | sed -n '/routed/,/^(correct/p'; rm -rf $$(dirname $$naive)

bench: release
	$(BIN_RELEASE)/vigie-bench parse
	$(BIN_RELEASE)/vigie-bench fetch
	$(BIN_RELEASE)/vigie-bench classify
	$(BIN_RELEASE)/vigie-bench run
	$(BIN_RELEASE)/vigie-bench query --notices 100000

# Ten minutes of libFuzzer + AddressSanitizer on DocumentParser.parse, seeded with the feed fixtures.
fuzz: deps
	VIGIE_FUZZ=1 $(SWIFT) build -c release --scratch-path .build-fuzz --product vigie-fuzz-parser \
	    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
	@mkdir -p fuzz-corpus
	.build-fuzz/release/vigie-fuzz-parser fuzz-corpus Tests/ParserTests/Fixtures/Feed \
	    -max_total_time=$${FUZZ_SECONDS:-600} -max_len=65536 -timeout=10 -rss_limit_mb=2048

clean:
	rm -rf .build .build-install $(DEMO_OUT)
