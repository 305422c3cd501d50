# breachline: `make demo` runs the main job on the bundled samples, `make test` the test suite.
# One set of build tags for build, vet and test: go-sqlite3's C code (about 75 s) is then
# compiled once and cached.
GO      ?= go
TAGS    ?=
GOFLAGS_ = -tags '$(TAGS)'
BIN     := bin/breachline
DEMO_DB := out/demo.db

.PHONY: build test test-duckdb demo bench bench-cli bench-duckdb fuzz crash clean

# The version custody entries record: git describe of the checkout (+dirty when modified).
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null)

build:
	$(GO) build $(GOFLAGS_) -ldflags '-X main.buildVersion=$(VERSION)' -o $(BIN) ./cmd/breachline

test:
	$(GO) vet $(GOFLAGS_) ./...
	$(GO) test $(GOFLAGS_) ./...

# The DuckDB engine (build tag duckdb: about 90 MB more binary, 300 MB of module downloads): the
# engine on the sample incident from the command line, and both engines on a generated case of
# 2 million events, with the same results sha256.
test-duckdb:
	$(GO) vet -tags duckdb ./timeline/correlate/... ./cmd/breachline/
	BREACHLINE_DUCKDB_EVENTS=2000000 $(GO) test -tags duckdb -timeout 30m ./timeline/correlate/...
	$(GO) test -tags duckdb -run 'TestDuckDBEngine$$' ./cmd/breachline/

# The whole chain on the bundled incident: ingest every log, import the secrets inventory and the
# first responders' indicators, correlate over the incident window, print what was found, and
# write the workbook and the Parquet file of the timeline, import the sample case profile and write
# the GDPR Art. 33 report as PDF and HTML (each command prints its output's path).
demo: build
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	@mkdir -p out
	$(BIN) ingest --case $(DEMO_DB) --examiner demo samples/incident/logs
	$(BIN) inventory import --case $(DEMO_DB) --examiner demo samples/incident/inventory.csv
	$(BIN) ioc import --case $(DEMO_DB) --examiner demo samples/incident/iocs.csv
	$(BIN) correlate --case $(DEMO_DB) --examiner demo --window-start 2026-03-03 --window-end 2026-03-05
	$(BIN) evidence --case $(DEMO_DB)
	$(BIN) timeline --case $(DEMO_DB) --since 2026-03-03 --limit 15
	$(BIN) findings --case $(DEMO_DB) --min-severity medium
	$(BIN) credentials --case $(DEMO_DB)
	@rm -f out/timeline.xlsx out/events.parquet
	$(BIN) export --case $(DEMO_DB) --examiner demo -q --to xlsx --out out/timeline.xlsx
	$(BIN) export --case $(DEMO_DB) --examiner demo -q --to parquet --out out/events.parquet
	$(BIN) case import --case $(DEMO_DB) --examiner demo samples/incident/profile.yaml
	$(BIN) report --case $(DEMO_DB) --examiner demo --regime gdpr-art33 --format pdf --out out/report-gdpr-art33.pdf --force
	$(BIN) report --case $(DEMO_DB) --examiner demo --regime gdpr-art33 --format html --out out/report-gdpr-art33.html --force

# Benchmarks: each ingester alone, end to end into SQLite, and the correlator over 10 million
# events (BREACHLINE_BENCH_EVENTS and BREACHLINE_BENCH_CREDENTIALS change its size; building that
# case takes about two minutes). Numbers go to docs/performance.md.
bench:
	$(GO) test $(GOFLAGS_) -run '^$$' -bench . -benchtime 3x ./ingest/...
	$(GO) test $(GOFLAGS_) -run '^$$' -bench . -benchtime 1x ./cmd/breachline/
	$(GO) test $(GOFLAGS_) -run '^$$' -bench Correlate -benchtime 1x -v -timeout 60m ./timeline/correlate/
	$(MAKE) bench-cli

# The built binary as a user runs it, against the sqlite3 shell's import (CloudTrail) and lnav
# (an access log) in the same run.
bench-cli: build
	scripts/bench-cli.sh

# The DuckDB engine over a generated lake of BREACHLINE_BENCH_EVENTS events (default 10 million;
# docs/scale.md has 1M, 10M and 100M).
bench-duckdb:
	$(GO) test -tags duckdb -run '^$$' -bench DuckDBCorrelate -benchtime 1x -v -timeout 3h ./timeline/correlate/duckdb/

# Fuzz every parser for FUZZTIME each.
FUZZTIME ?= 30s
fuzz:
	scripts/fuzz.sh $(FUZZTIME) $(GOFLAGS_)

# Kill each writing command 50 times at random points and check the case after each
# (cmd/breachline/crash_kill_test.go; make test runs it 6 times per command: ingest, correlate, export, bundle).
crash:
	BREACHLINE_CRASH_RUNS=50 $(GO) test $(GOFLAGS_) -run '^TestKilled' -count=1 -v ./cmd/breachline

clean:
	rm -rf bin out
