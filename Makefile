# taskledger — the two commands a newcomer needs are `make run` and `make test`.
GO        ?= go
BIN       := bin/taskledger
DEMO      := ./data/demo
VERSION   := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)

.PHONY: all build run test test-esdb vet bench bench-peer soak fuzz clean clientcheck-deps dashboard-deps

all: build

build: dashboard-deps
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/taskledger

# run: build, open the embedded demo ledger in ./data/demo (importing the
# Chifeng plan the binary carries and recording a clearly labelled SIMULATED
# year when it is empty or new) and serve the GraphQL API on localhost:8080;
# the first start prints one login token per role.
run: build
	$(BIN) serve --demo --store $(DEMO)

# test: the whole suite, as CI runs it.
test: vet clientcheck-deps dashboard-deps
	$(GO) test -race -count=1 ./...

# test-esdb: the EventStoreDB adapter against a real server as well as the
# test double: EVENTSTORE_URL=esdb://localhost:2113?tls=false make test-esdb.
# Without EVENTSTORE_URL the real-server tests say so and are skipped.
test-esdb:
	@if [ -z "$$EVENTSTORE_URL" ]; then echo "EVENTSTORE_URL is not set: only the in-process test double will be tested"; fi
	$(GO) test -race -count=1 -v ./eventstore/esdb/...

# clientcheck-deps: graphql-js for the outside-client schema check
# (graphql/clientcheck); without npm that check says so and is skipped.
clientcheck-deps:
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix graphql/clientcheck --no-audit --no-fund --loglevel=error || \
	  echo "npm ci FAILED (registry unreachable?): the GraphQL outside-client check will be skipped"; \
	else echo "npm not found: the GraphQL outside-client check will be skipped"; fi

# dashboard-deps: Apache ECharts and axe-core from npm (dashboard/web,
# pinned by its package-lock.json); copies ECharts' minified build into the
# embedded assets (committed too, so that go build alone serves the
# charts). axe-core stays in node_modules for the browser tests.
dashboard-deps:
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix dashboard/web --no-audit --no-fund --loglevel=error && \
	  cp dashboard/web/node_modules/echarts/dist/echarts.min.js dashboard/static/assets/vendor/echarts.min.js || \
	  echo "npm ci FAILED (registry unreachable?): the committed ECharts is kept and the dashboard's accessibility check will be skipped"; \
	else echo "npm not found: the committed ECharts is kept and the dashboard's accessibility check will be skipped"; fi

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

# bench: throughput figures (not part of make test). The store benchmark
# appends BENCH_TASKS × BENCH_PER_TASK events (1M by default) with 32 writers,
# one and ten events per append, to the embedded store and, when
# BENCH_POSTGRES names a server (a URL without query, e.g.
# postgres://postgres@127.0.0.1:5432/test), to PostgreSQL in a fresh schema. Then a demo ledger of about a million events
# (BENCH_SCALE) is filled once and used twice: the read-side benchmark
# (rebuild, a year's scorecards from warm read models, an as-of scorecard)
# and the API benchmarks (32 clients over loopback, 3 runs each; see
# docs/benchmarks.md).
BENCH_TASKS ?= 20000
BENCH_PER_TASK ?= 50
BENCH_SCALE ?= 209
BENCH_POSTGRES ?=
bench: build bench-peer
	$(GO) test -run '^$$' -bench . -benchmem $$($(GO) list ./... | grep -v '/graphql$$')
	@for batch in 1 10; do \
	  dir=$$(mktemp -d); \
	  $(BIN) bench --store $$dir/ledger --tasks $(BENCH_TASKS) --events-per-task $(BENCH_PER_TASK) --writers 32 --batch $$batch; \
	  rm -rf $$dir; \
	done
	@if [ -n "$(BENCH_POSTGRES)" ]; then for batch in 1 10; do \
	  schema=taskledger_bench_$$$$_$$batch; \
	  $(BIN) bench --store "$(BENCH_POSTGRES)?search_path=$$schema" --tasks $(BENCH_TASKS) --events-per-task $(BENCH_PER_TASK) --writers 32 --batch $$batch; \
	  psql "$(BENCH_POSTGRES)" -qc "DROP SCHEMA $$schema CASCADE" >/dev/null 2>&1 || echo "drop schema $$schema by hand"; \
	done; fi
	@dir=$$(mktemp -d); \
	$(BIN) demo --store $$dir/ledger --scale $(BENCH_SCALE) >/dev/null && \
	$(BIN) status --store $$dir/ledger | head -1 && \
	$(BIN) bench-read --store $$dir/ledger --runs 3 && \
	TASKLEDGER_BENCH_STORE=$$dir/ledger $(GO) test -run '^$$' -bench 'Query|ServerOnly|ReportProgress' -benchtime 8000x -count 3 -timeout 60m ./graphql/ && \
	TASKLEDGER_BENCH_STORE=$$dir/ledger $(GO) test -run '^$$' -bench 'ScorecardCompute' -benchtime 200x -count 3 -timeout 60m ./graphql/; \
	status=$$?; rm -rf $$dir; exit $$status

# bench-peer: the embedded store beside hallgren/eventsourcing's SQLite
# event store (bench/README.md), three workloads, medians of
# BENCH_PEER_RUNS runs and the ratios, in one table. -mod=mod lets the
# harness follow the main module when its requirements change. The peer's
# SQLite driver (github.com/mattn/go-sqlite3) is C built through cgo, so
# this needs a C compiler.
BENCH_PEER_RUNS ?= 3
bench-peer:
	@cc=$$(CGO_ENABLED=1 $(GO) env CC); command -v "$${cc%% *}" >/dev/null || { \
	  echo "bench-peer: the peer's SQLite driver (github.com/mattn/go-sqlite3) needs cgo and a C compiler, and '$$cc' is not on PATH (install gcc, or set CC)" >&2; exit 1; }
	@echo "load before: $$(cat /proc/loadavg 2>/dev/null)"
	cd bench && CGO_ENABLED=1 $(GO) run -mod=mod . -runs $(BENCH_PEER_RUNS)
	@echo "load after: $$(cat /proc/loadavg 2>/dev/null)"

# soak: long crash, fuzz and load runs, outside make test.
soak:
	TASKLEDGER_CRASH_ROUNDS=200 $(GO) test -count=1 -run Crash -timeout 60m ./eventstore/bolt/
	TASKLEDGER_CRASH_ROUNDS=100 $(GO) test -count=1 -run Crash -timeout 60m ./eventstore/postgres/
	TASKLEDGER_CRASH_ROUNDS=100 $(GO) test -count=1 -run Killed -timeout 60m ./projections/
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 5m ./planparse/
	$(GO) test -run '^$$' -fuzz FuzzOpenDamaged -fuzztime 5m ./eventstore/bolt/

clean:
	rm -rf bin
