# Relance — the two commands are `make run` and `make test`; see README.md.

PROTOVALIDATE_VERSION := v1.2.2
BUF  := node_modules/.bin/buf
SQLC := go tool -modfile=tools/go.mod sqlc

.PHONY: run test bench soak check generate tools typecheck sdk web release clean-data

## run: start PostgreSQL, Redis, the API and the worker with demo data (Ctrl-C stops all)
run:
	@bash scripts/run.sh

## test: run every test against a throwaway PostgreSQL and Redis (race detector on)
test:
	@bash scripts/test.sh

## bench: measure CreateLead throughput and latency against the real stack
bench:
	@bash scripts/bench.sh

## soak: 2 API and 2 worker processes under load while workers, API processes, Redis and PostgreSQL fail (SOAK_DURATION, 2m); checks nothing is lost or doubled
soak:
	@bash scripts/soak.sh

## generate: regenerate Go, Connect, TypeScript and sqlc code
generate: tools
	$(BUF) generate
	$(SQLC) generate

## check: formatting, vet, lint, and generated code in sync
check: tools
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^gen/')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...
	cd gen/go && go vet ./...
	$(BUF) lint
	@bash scripts/breaking.sh
	$(MAKE) --no-print-directory typecheck
	$(MAKE) --no-print-directory sdk
	$(SQLC) vet
	$(MAKE) --no-print-directory generate
	@if [ -n "$$(git status --porcelain -- gen)" ]; then echo "generated code is out of date; run make generate and commit:"; git status --porcelain -- gen; exit 1; fi
	@echo "check: ok"

## tools: install the pinned code-generation tools (npm for buf and protoc-gen-es; Go tools build on first use) and the web app's packages
tools: node_modules/.installed third_party/protovalidate web/node_modules/.installed

## typecheck: tsc (strict) over the generated TypeScript client and the web app
typecheck: web/node_modules/.installed
	cd web && node_modules/.bin/tsc -p ../gen/ts/tsconfig.json && node_modules/.bin/tsc -p tsconfig.json && node_modules/.bin/tsc -p e2e/tsconfig.json

## sdk: build the npm package @relance/api in gen/ts (dist/: ES modules and .d.ts; npm pack gen/ts)
sdk: web/node_modules/.installed node_modules/.installed
	rm -rf gen/ts/dist
	web/node_modules/.bin/tsc -p gen/ts/tsconfig.build.json

## web: build the web app into web/dist, which `relance serve` serves at /
web: web/node_modules/.installed
	cd web && node_modules/.bin/vite build

## release: the relance binary with the web app embedded (bin/relance)
release: web
	rm -rf internal/web/dist && cp -R web/dist internal/web/dist
	go build -tags embedweb -o bin/relance ./cmd/relance

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The .proto files the API imports from elsewhere come from the Go module cache, linked
# (git-ignored) into the one third-party buf module: protovalidate's rules, and google.api's
# HTTP annotations (google/api/{annotations,http}.proto), which gnostic ships as copies of
# googleapis next to protoc-gen-openapi; gnostic's version is the one pinned in tools/go.mod.
third_party/protovalidate: Makefile tools/go.mod
	@rm -rf $@ && mkdir -p $@/buf $@/google/api
	ln -s "$$(go mod download -json github.com/bufbuild/protovalidate@$(PROTOVALIDATE_VERSION) | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p')/proto/protovalidate/buf/validate" $@/buf/validate
	@gnostic="$$(cd tools && go mod download -json github.com/google/gnostic | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p')"; \
	for f in annotations http; do ln -s "$$gnostic/cmd/protoc-gen-openapi/examples/google/api/$$f.proto" $@/google/api/$$f.proto || exit 1; done

## clean-data: delete the local data of `make run` (database, Redis)
clean-data:
	rm -rf .data
