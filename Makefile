# LiveServer: the two commands are `make run` (the whole product on this machine) and
# `make test` (every test). See README.md.

GO      ?= go
# The LiveKit server we run in development and tests (DESIGN §2): later versions cannot be
# installed with go install.
LIVEKIT_MODULE := github.com/livekit/livekit-server/cmd/server@v1.13.5
LIVEKIT_BIN    := .tools/bin/livekit-server

# The S3-compatible server the S3 tests run against (DESIGN §6).
VERSITYGW_MODULE := github.com/versity/versitygw/cmd/versitygw@v1.8.0
VERSITYGW_BIN    := .tools/bin/versitygw

# The ACME server the TLS tests obtain certificates from, and its DNS answering test names.
PEBBLE_MODULE := github.com/letsencrypt/pebble/v2/cmd
PEBBLE_VERSION := v2.10.3
PEBBLE_TOOL   := .tools/bin/pebble

.PHONY: run run-lan test test-browser fuzz build vet fmt-check livekit s3server pebble web clean

## run: build the web app, then start the whole product with embedded defaults (SQLite and
## files in ./data, a dev LiveKit server on 127.0.0.1:7880, installed on first use), for this
## computer only: http://127.0.0.1:3000 unless LISTEN_ADDR says otherwise
## The server runs as its own binary (exec, not go run): on Ctrl-C it stops cleanly and make
## reports no error (go run would exit 1 after an interrupted child).
run: livekit web
	@$(GO) build -o bin/liveserver ./cmd/liveserver
	LISTEN_ADDR=$${LISTEN_ADDR:-127.0.0.1:3000} LIVEKIT_SERVER_BIN=$(LIVEKIT_BIN) exec bin/liveserver serve

## run-lan: the same for a class on this network (TLS=lan): HTTPS on every address with the
## server's own certificate authority; it prints the address to give the students
run-lan: livekit web
	@$(GO) build -o bin/liveserver ./cmd/liveserver
	TLS=lan LISTEN_ADDR=$${LISTEN_ADDR:-:3000} LIVEKIT_SERVER_BIN=$(LIVEKIT_BIN) exec bin/liveserver serve

## web: build the browser app into web/dist, which the binary embeds (needs Node 20.19+ and npm;
## skipped when nothing in web/ changed). `go build` and `go test` never need it.
WEB_SOURCES := $(shell find web/src -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json
web: web/dist/index.html

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build

## livekit: install the dev LiveKit server into .tools/bin (about 2 minutes the first time)
livekit: $(LIVEKIT_BIN)

$(LIVEKIT_BIN):
	@mkdir -p .tools/bin/.install
	GOBIN=$(abspath .tools/bin/.install) GOFLAGS=-buildvcs=false $(GO) install $(LIVEKIT_MODULE)
	mv .tools/bin/.install/server $@
	@rmdir .tools/bin/.install

## test: vet, format check and every test with the race detector; then the browser suite when
## Chromium is installed (LIVESERVER_REQUIRE_BROWSER=1 makes its absence an error)
test: vet fmt-check
	PEBBLE_BIN=$${PEBBLE_BIN:-$(if $(wildcard $(PEBBLE_TOOL)),$(abspath $(PEBBLE_TOOL)))} $(GO) test -race -count=1 ./...
	@$(MAKE) --no-print-directory fuzz
	@if [ -x /usr/bin/chromium ]; then $(MAKE) --no-print-directory test-browser; \
	elif [ -n "$$LIVESERVER_REQUIRE_BROWSER" ]; then echo "browser suite: /usr/bin/chromium is required"; exit 1; \
	else echo "== browser suite SKIPPED: /usr/bin/chromium not found (apt-get install -y chromium)"; fi

## test-browser: host and guest in Chromium against the real server and dev LiveKit, inside a
## loopback-only network namespace (needs root); screenshots in web/test-output/
test-browser: web livekit
	$(GO) build -o bin/liveserver-e2e ./cmd/liveserver
	cd web && LIVESERVER_BIN=$(abspath bin/liveserver-e2e) LIVEKIT_SERVER_BIN=$(abspath $(LIVEKIT_BIN)) ./e2e/run.sh

## fuzz: every fuzz target of the repository for FUZZTIME each (3 s by default), beyond its seed
## corpus, which the plain test run already checks; a finding is written under the package's
## testdata/fuzz/ and fails the run
FUZZTIME ?= 3s
fuzz:
	@set -e; $(GO) list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}} {{.Dir}}{{end}}' ./... | while read -r pkg dir; do \
	  for fn in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/^func //'); do \
	    echo "== fuzz $$pkg $$fn ($(FUZZTIME))"; \
	    $(GO) test -run='^$$' -fuzz="^$$fn\$$" -fuzztime=$(FUZZTIME) $$pkg; \
	  done; \
	done

## build: a binary in ./bin
build:
	$(GO) build -trimpath -o bin/liveserver ./cmd/liveserver

## s3server: install versitygw into .tools/bin for the S3 tests (about a minute the first time)
s3server: $(VERSITYGW_BIN)

$(VERSITYGW_BIN):
	@mkdir -p .tools/bin/.install-vgw
	GOBIN=$(abspath .tools/bin/.install-vgw) GOFLAGS=-buildvcs=false $(GO) install $(VERSITYGW_MODULE)
	mv .tools/bin/.install-vgw/versitygw $@
	@rmdir .tools/bin/.install-vgw

## pebble: install Pebble and pebble-challtestsrv into .tools/bin for the ACME tests (PEBBLE_BIN)
pebble: $(PEBBLE_TOOL)

$(PEBBLE_TOOL):
	@mkdir -p .tools/bin/.install-pebble
	GOBIN=$(abspath .tools/bin/.install-pebble) GOFLAGS=-buildvcs=false $(GO) install \
		$(PEBBLE_MODULE)/pebble@$(PEBBLE_VERSION) $(PEBBLE_MODULE)/pebble-challtestsrv@$(PEBBLE_VERSION)
	mv .tools/bin/.install-pebble/pebble-challtestsrv .tools/bin/pebble-challtestsrv
	mv .tools/bin/.install-pebble/pebble $@
	@rmdir .tools/bin/.install-pebble

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin
