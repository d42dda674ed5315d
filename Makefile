# LiveServer: the two commands are `make run` (the whole product on this machine) and
# `make test` (every test). See README.md.

GO      ?= go
DATA_DIR ?= ./data

.PHONY: run test build vet fmt-check clean

## run: build and start the whole product with embedded defaults (SQLite, files in ./data)
run:
	$(GO) run ./cmd/liveserver serve

## test: vet, format check and every test with the race detector
test: vet fmt-check
	$(GO) test -race -count=1 ./...

## build: a binary in ./bin
build:
	$(GO) build -trimpath -o bin/liveserver ./cmd/liveserver

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin
