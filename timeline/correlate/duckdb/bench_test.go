//go:build duckdb

package duckdb

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	duck "github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/lake"
	"github.com/breachline/breachline/timeline"
	"github.com/breachline/breachline/timeline/correlate"
)

// BenchmarkDuckDBCorrelate correlates a generated lake of BREACHLINE_BENCH_EVENTS events
// (default 10 million; docs/scale.md records 100 million) on DuckDB: the shape of the SQLite
// benchmark's case (timeline/correlate/bench_test.go: BREACHLINE_BENCH_CREDENTIALS credentials,
// default 100,000, each read by its consumer and used from its owner's address over ten days,
// unrelated activity, an intruder reading secrets and using keys in the last two days), written
// straight to Parquet by DuckDB, since a lake this size is made by `ingest --to-lake`, not by a
// case. The results go to an empty case. It reports the correlation's time, that time as a
// multiple of the ceiling measured in the same run (readLake), the lake's size and the
// process's peak RSS. The size of a reused lake is its own, whatever the variables say.
func BenchmarkDuckDBCorrelate(b *testing.B) {
	events := envInt("BREACHLINE_BENCH_EVENTS", 10_000_000)
	creds := envInt("BREACHLINE_BENCH_CREDENTIALS", 100_000)
	ctx := context.Background()
	// BREACHLINE_BENCH_LAKE keeps the generated lake in a folder, reused when it is there.
	dir := os.Getenv("BREACHLINE_BENCH_LAKE")
	if dir == "" {
		dir = b.TempDir()
	}
	if _, err := os.Stat(filepath.Join(dir, lake.TableEvidence)); err != nil {
		start := time.Now()
		require.NoError(b, writeBenchLake(ctx, dir, events, creds))
		b.Logf("wrote a lake of %d events and %d credentials in %v", events, creds, time.Since(start).Round(time.Second))
	}
	b.Logf("the lake: %d MB", dirSize(dir)>>20)
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	opt := correlate.Options{WindowStart: base.Add(8 * 24 * time.Hour), WindowEnd: base.Add(10 * 24 * time.Hour), Gap: 4 * time.Hour}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		read, err := readLake(ctx, dir)
		require.NoError(b, err)
		b.StartTimer()
		c, err := timeline.Create(ctx, filepath.Join(b.TempDir(), "case.db"))
		require.NoError(b, err)
		start := time.Now()
		eng, err := Open(ctx, dir, c)
		require.NoError(b, err)
		loaded := time.Since(start)
		res, err := correlate.RunOn(ctx, c, timeline.Actor{Examiner: "bench"}, opt, eng, eng.copyResults, nil)
		require.NoError(b, err)
		require.NoError(b, eng.Close())
		require.NoError(b, c.Close())
		took := time.Since(start)
		b.ReportMetric(float64(events)/took.Seconds(), "events/s")
		b.ReportMetric(took.Seconds(), "s/run")
		b.ReportMetric(float64(ingesttest.PeakRSS())/(1<<20), "peak-RSS-MB")
		b.ReportMetric(took.Seconds()/read.Seconds(), "x-lake-read")
		b.Logf("the ceiling: DuckDB reads every event of the lake in %v", read.Round(time.Millisecond))
		b.Logf("load %v, rules and copy %v: %d exposures, %d uses, %d findings, credentials %v",
			loaded.Round(time.Millisecond), (took - loaded).Round(time.Millisecond), res.Exposures, res.Uses, res.Findings, res.Credentials)
		logSlowest(b, res.Timings, 5)
	}
}

// readLake is the benchmark's ceiling, measured in the same run: the time DuckDB takes to read
// and decode every column of every event in the lake once (hashing each row), under the
// engine's memory limit. A correlation reads every event at least once, so its time as a
// multiple of this one says how it fares on a machine of any speed.
func readLake(ctx context.Context, dir string) (time.Duration, error) {
	connector, err := duck.NewConnector("", nil)
	if err != nil {
		return 0, err
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	if _, err := db.ExecContext(ctx, "SET memory_limit = '"+MemoryLimit+"'"); err != nil {
		return 0, err
	}
	start := time.Now()
	var n, h any
	err = db.QueryRowContext(ctx, "SELECT count(*), bit_xor(hash(e)) FROM read_parquet("+
		quote(filepath.Join(dir, lake.TableEvents, "**", "*.parquet"))+", hive_partitioning = true) e").Scan(&n, &h)
	return time.Since(start), err
}

// writeBenchLake writes a lake in the layout of package lake with DuckDB's COPY: the events
// partitioned by day and source, one evidence file, the inventory and its handles, no indicator.
// Pseudo-random choices come from hash(i), so the same size gives the same lake.
func writeBenchLake(ctx context.Context, dir string, events, creds int) error {
	connector, err := duck.NewConnector("", nil)
	if err != nil {
		return err
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	evidence := fmt.Sprintf("%064d", events)
	n, c := strconv.Itoa(events), strconv.Itoa(creds)
	every := strconv.Itoa(events/1000 + 1)
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	stmts := []string{
		"SET memory_limit = '" + MemoryLimit + "'",
		`CREATE MACRO bkey(k) AS 'AKIABENCH' || lpad(CAST(k AS VARCHAR), 11, '0')`,
		`CREATE MACRO bip(k) AS '10.' || CAST(2 + (k >> 16) % 64 AS VARCHAR) || '.' || CAST((k >> 8) % 256 AS VARCHAR) || '.' || CAST(k % 256 AS VARCHAR)`,
		// base: 2026-03-01, ten days in nanoseconds.
		`CREATE VIEW g AS SELECT i, 1772323200000000000 + CAST(i * (864000000000000 / ` + n + `) AS BIGINT) AS ns,
		        hash(i) % 100 AS r, hash(i * 7 + 1) % ` + c + ` AS k, hash(i * 13 + 5) % 1000 AS o, hash(i * 17 + 3) % 50000 AS oip,
		        hash(i * 19 + 11) % 1000 AS x
		 FROM range(` + n + `) t(i)`,
		`CREATE VIEW ev AS SELECT i, ns,
		   CASE WHEN intr THEN (CASE WHEN x % 10 = 0 THEN 'api_call' ELSE 'secret_read' END)
		        WHEN r < 2 THEN 'secret_read' ELSE 'api_call' END AS category,
		   CASE WHEN intr THEN (CASE WHEN x % 10 = 0 THEN 'ListBuckets' ELSE 'GetSecretValue' END)
		        WHEN r < 2 THEN 'GetSecretValue' WHEN r < 70 THEN 'GetObject' ELSE 'DescribeInstances' END AS action,
		   CASE WHEN intr THEN (CASE WHEN x % 10 = 0 THEN 'user-' || CAST(x AS VARCHAR) ELSE 'intruder' END)
		        WHEN r < 2 THEN 'runtime-' || CAST(k % 200 AS VARCHAR) WHEN r < 70 THEN 'user-' || CAST(k AS VARCHAR)
		        ELSE 'other-' || CAST(o AS VARCHAR) END AS principal,
		   CASE WHEN intr THEN '203.0.113.66' WHEN r < 2 THEN '10.1.0.1' WHEN r < 70 THEN bip(k) ELSE bip(oip) END AS src_ip,
		   CASE WHEN intr THEN 'python-requests' WHEN r >= 2 AND r < 70 THEN 'Boto3/1.34' END AS user_agent,
		   CASE WHEN intr THEN (CASE WHEN x % 10 = 0 THEN 'aws-key-id:' || bkey(x) ELSE 'aws-key-id:AKIABENCHINTRUDER001' END)
		        WHEN r < 2 THEN 'aws-key-id:AKIABENCHCONSUMER001' WHEN r < 70 THEN 'aws-key-id:' || bkey(k)
		        ELSE 'aws-key-id:AKIAOTHER' || CAST(o AS VARCHAR) END AS credential,
		   CASE WHEN intr THEN (CASE WHEN x % 10 = 0 THEN NULL ELSE 'aws-sm:bench/secret-' || lpad(CAST(x AS VARCHAR), 6, '0') END)
		        WHEN r < 2 THEN 'aws-sm:bench/secret-' || lpad(CAST(k AS VARCHAR), 6, '0') END AS secret_ref
		 FROM (SELECT *, ns > 1772323200000000000 + 8 * 86400000000000 AND i % ` + every + ` = 0 AS intr FROM g)`,
		`COPY (SELECT lpad(lower(to_hex(i)), 32, '0') AS id, make_timestamp_ns(ns) AS time, 'generated@1' AS parser, category, action,
		         'success' AS outcome, principal, 'iam-user' AS principal_type, src_ip, user_agent, credential, secret_ref,
		         CAST(NULL AS VARCHAR) AS request_id, ` + q(evidence) + ` AS evidence_sha256, 'generated' AS evidence_path,
		         i * 1000 AS "offset", CAST(1000 AS BIGINT) AS length, CAST(NULL AS BIGINT) AS record_index,
		         lpad(lower(to_hex(i)), 64, '0') AS raw_sha256, CAST(NULL AS VARCHAR) AS attrs,
		         strftime(make_timestamp_ns(ns), '%Y-%m-%d') AS day, 'aws-cloudtrail' AS source
		       FROM ev)
		 TO ` + q(filepath.Join(dir, lake.TableEvents)) + ` (FORMAT parquet, PARTITION_BY (day, source))`,
	}
	for _, t := range []struct{ name, sql string }{
		{lake.TableEvidence, `SELECT ` + q(evidence) + ` AS sha256, CAST(1 AS BIGINT) AS version, 'generated' AS path, 'aws-cloudtrail' AS source`},
		{lake.TableInventory, `SELECT 'aws-sm:bench/secret-' || lpad(CAST(k AS VARCHAR), 6, '0') AS secret_ref, 'aws-key-id:' || bkey(k) AS credential,
		   'aws-key-id:' || bkey(k) AS display, 'owner-' || CAST(k % 5000 AS VARCHAR) || '@example.com' AS owner, 'aws-access-key' AS kind,
		   CAST(NULL AS VARCHAR) AS scopes, CAST(NULL AS VARCHAR) AS data_categories, '["runtime-' || CAST(k % 200 AS VARCHAR) || '"]' AS consumers,
		   CAST(NULL AS TIMESTAMPTZ) AS revoked_at, 'inventory.csv' AS source_file, k + 2 AS source_line FROM range(` + c + `) t(k)`},
		{lake.TableInventoryHandles, `SELECT 'aws-key-id:' || bkey(k) AS credential, 'aws-key-id:' || bkey(k) AS handle FROM range(` + c + `) t(k)`},
		{lake.TableIndicators, `SELECT CAST(NULL AS VARCHAR) AS type, CAST(NULL AS VARCHAR) AS value, CAST(NULL AS VARCHAR) AS note WHERE false`},
	} {
		if err := os.MkdirAll(filepath.Join(dir, t.name), 0o755); err != nil {
			return err
		}
		stmts = append(stmts, "COPY ("+t.sql+") TO "+q(filepath.Join(dir, t.name, "part-0.parquet"))+" (FORMAT parquet)")
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%w\n%s", err, s)
		}
	}
	return nil
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}

// logSlowest logs the time of the rule statements in all, of the steps after them (storing
// their results in the case, hashing them), and the n slowest statements, where a change to the
// rules pays off. (A benchmark's log is cut after ten lines.)
func logSlowest(b *testing.B, timings []correlate.Timing, n int) {
	var all time.Duration
	var rules, steps []string
	var sorted []correlate.Timing
	for _, t := range timings {
		if t.File == correlate.StepStore || t.File == correlate.StepHash {
			steps = append(steps, fmt.Sprintf("%s %v", t.File, t.Duration.Round(time.Millisecond)))
			continue
		}
		all += t.Duration
		sorted = append(sorted, t)
	}
	slices.SortFunc(sorted, func(x, y correlate.Timing) int { return cmp.Compare(y.Duration, x.Duration) })
	for _, t := range sorted[:min(n, len(sorted))] {
		rules = append(rules, fmt.Sprintf("%10v %s", t.Duration.Round(time.Millisecond), t.File))
	}
	b.Logf("rule statements %v in all, %s; the slowest:", all.Round(time.Millisecond), strings.Join(steps, ", "))
	for _, r := range rules {
		b.Log(r)
	}
}
