#!/usr/bin/env bash
# The command line as a user runs it, against a ceiling measured in the same run: bin/breachline
# ingesting N CloudTrail events in gzip delivery files in a directory, beside the sqlite3 shell
# importing the same number of 15-column CSV rows with the journal off. Prints both times, the
# ratio, peak RSS and the case's bytes per event (docs/performance.md records the results).
#
#   scripts/bench-cli.sh [N] [FILES]      (default 300000 events in 6 files)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-300000}"
files="${2:-6}"
command -v sqlite3 >/dev/null || { echo "bench-cli: needs the sqlite3 shell (apt-get install sqlite3)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

go run ./internal/synth/gen -format aws-cloudtrail -n "$n" -files "$files" -gzip -out "$work/ct"
/usr/bin/time -f "%e %M" -o "$work/bl.time" bin/breachline ingest -q --case "$work/case.db" "$work/ct" >/dev/null
read -r bl_s bl_kb < "$work/bl.time"

# The ceiling: the same number of rows, 15 of the event model's columns, as the shell imports them.
sqlite3 -csv "$work/case.db" "SELECT id, time, source, category, action, outcome, principal, principal_type,
	src_ip, user_agent, credential, resource, secret_ref, request_id, raw_sha256 FROM events" > "$work/rows.csv"
/usr/bin/time -f "%e" -o "$work/sq.time" sqlite3 "$work/import.db" "PRAGMA journal_mode=OFF;" ".import --csv $work/rows.csv t" >/dev/null 2>&1
read -r sq_s < "$work/sq.time"

size=$(stat -c %s "$work/case.db")
awk -v n="$n" -v bl="$bl_s" -v sq="$sq_s" -v kb="$bl_kb" -v size="$size" 'BEGIN {
	printf "sqlite3 .import      %8.2f s  %9.0f rows/s\n", sq, n / sq
	printf "breachline ingest    %8.2f s  %9.0f events/s  peak RSS %d MB\n", bl, n / bl, kb / 1024
	printf "ratio                %8.2f (breachline / sqlite3 import)\n", sq / bl
	printf "case file            %8.0f bytes per event\n", size / n
}'
