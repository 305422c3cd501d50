#!/usr/bin/env bash
# The command line as a user runs it, against ceilings measured in the same run (docs/performance.md
# records the results):
#
#  1. bin/breachline ingesting N CloudTrail events in gzip delivery files in a directory, beside the
#     sqlite3 shell importing the same number of 15-column CSV rows with the journal off;
#  2. bin/breachline ingesting an access log of M lines, beside lnav parsing and aggregating the
#     same file. The log is the shared corpus's real Apache sample repeated to M lines when the
#     corpus is there (../shared/corpus or BREACHLINE_CORPUS), else a generated one.
#
# Each prints both times, the ratio, breachline's peak RSS and the case's size. Then every export
# format over the access-log case, beside timeline --format jsonl of the same rows.
#
#   scripts/bench-cli.sh [N] [FILES] [M]      (default 300000 events in 6 files, 1000000 lines)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-300000}"
files="${2:-6}"
m="${3:-1000000}"
command -v sqlite3 >/dev/null || { echo "bench-cli: needs the sqlite3 shell (apt-get install sqlite3)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== CloudTrail: $n events in $files gzip files"
go run ./internal/synth/gen -format aws-cloudtrail -n "$n" -files "$files" -gzip -out "$work/ct"
/usr/bin/time -f "%e %M" -o "$work/bl.time" bin/breachline ingest -q --case "$work/case.db" "$work/ct" >/dev/null
read -r bl_s bl_kb < "$work/bl.time"

# The ceiling: the same number of rows, 15 of the event model's columns, as the shell imports them.
sqlite3 -csv "$work/case.db" "SELECT id, time, source, category, action, outcome, principal, principal_type,
	src_ip, user_agent, credential, resource, secret_ref, request_id, raw_sha256 FROM events_v" > "$work/rows.csv"
/usr/bin/time -f "%e" -o "$work/sq.time" sqlite3 "$work/import.db" "PRAGMA journal_mode=OFF;" ".import --csv $work/rows.csv t" >/dev/null 2>&1
read -r sq_s < "$work/sq.time"
size=$(stat -c %s "$work/case.db")
awk -v n="$n" -v bl="$bl_s" -v sq="$sq_s" -v kb="$bl_kb" -v size="$size" 'BEGIN {
	printf "sqlite3 .import      %8.2f s  %9.0f rows/s\n", sq, n / sq
	printf "breachline ingest    %8.2f s  %9.0f events/s  peak RSS %d MB\n", bl, n / bl, kb / 1024
	printf "ratio                %8.2f (breachline / sqlite3 import; goal >= 0.75)\n", sq / bl
	printf "case file            %8.0f bytes per event (goal <= 400)\n", size / n
}'

echo "== access log: $m lines"
corpus="${BREACHLINE_CORPUS:-../shared/corpus}"
sample="$corpus/apache/elastic-examples/apache_logs"
if [ -f "$sample" ]; then
	lines=$(wc -l < "$sample")
	for _ in $(seq $(( (m + lines - 1) / lines ))); do cat "$sample"; done | head -n "$m" > "$work/access.log"
	echo "(the corpus's real Apache sample, repeated)"
else
	go run ./internal/synth/gen -format access-log -n "$m" -out "$work/al"
	mv "$work/al"/* "$work/access.log"
	echo "(generated: the shared corpus is not there)"
fi
/usr/bin/time -f "%e %M" -o "$work/bla.time" bin/breachline ingest -q --case "$work/access.db" "$work/access.log" >/dev/null || true
read -r bla_s bla_kb < "$work/bla.time"
logsize=$(stat -c %s "$work/access.log")
asize=$(stat -c %s "$work/access.db")
if command -v lnav >/dev/null; then
	/usr/bin/time -f "%e" -o "$work/lnav.time" lnav -n -c ';SELECT c_ip, cs_user_agent, count(*) FROM access_log GROUP BY 1,2' "$work/access.log" >/dev/null
	read -r ln_s < "$work/lnav.time"
else
	echo "(lnav is not installed: apt-get install lnav for the ratio)"
	ln_s=0
fi
awk -v m="$m" -v bl="$bla_s" -v ln="$ln_s" -v kb="$bla_kb" -v size="$asize" -v logb="$logsize" 'BEGIN {
	if (ln > 0) printf "lnav -n              %8.2f s  %9.0f lines/s\n", ln, m / ln
	printf "breachline ingest    %8.2f s  %9.0f lines/s  peak RSS %d MB\n", bl, m / bl, kb / 1024
	if (ln > 0) printf "ratio                %8.2f (breachline / lnav; goal >= 1.3)\n", ln / bl
	printf "case file            %8.2f x the log (%d bytes per line; goal <= 1.2x)\n", size / logb, size / m
}'

# 3. Exports of the access-log case (M events): each format as the user runs it, beside the
#    timeline's own JSON lines (the same rows read from the case, written by the plainest writer).
#    The format packages' benchmarks (make bench) give the ratios against each library alone.
echo "== export: the $m-event access-log case"
/usr/bin/time -f "%e %M" -o "$work/tl.time" bin/breachline timeline -q --case "$work/access.db" --format jsonl >/dev/null
read -r tl_s tl_kb < "$work/tl.time"
printf "%-22s %8.2f s  peak RSS %4d MB\n" "timeline --format jsonl" "$tl_s" $((tl_kb / 1024))
help="$(bin/breachline export --help)" # once: grep -q would end the pipe early, and pipefail fail it
for to in jsonl csv arrow parquet xlsx timesketch; do
	if ! grep -q "^  $to " <<<"$help"; then continue; fi
	/usr/bin/time -f "%e %M" -o "$work/ex.time" bin/breachline export -q --case "$work/access.db" --to "$to" --out "$work/out.$to" >/dev/null
	read -r ex_s ex_kb < "$work/ex.time"
	awk -v to="$to" -v s="$ex_s" -v kb="$ex_kb" -v tl="$tl_s" -v m="$m" -v size="$(stat -c %s "$work/out.$to")" 'BEGIN {
		printf "export --to %-10s %8.2f s  %9.0f rows/s  peak RSS %4d MB  %5.2fx timeline jsonl  %6.1f MB\n", to, s, m / s, kb / 1024, s / tl, size / 1e6
	}'
done
