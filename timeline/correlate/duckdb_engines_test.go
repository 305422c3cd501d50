//go:build duckdb

package correlate_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/lake"
	"github.com/breachline/breachline/report/parquet"
	"github.com/breachline/breachline/timeline"
	"github.com/breachline/breachline/timeline/correlate"
	"github.com/breachline/breachline/timeline/correlate/duckdb"
)

// TestEnginesAgreeOnAGeneratedCase correlates the benchmark's generated case
// (BREACHLINE_DUCKDB_EVENTS events, default 300,000; make test-duckdb sets 2,000,000; with 2 %
// of the window's records stored twice) on SQLite, then on DuckDB over its lake: the same
// results sha256, counts and statuses.
func TestEnginesAgreeOnAGeneratedCase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a large case")
	}
	ctx := context.Background()
	events := correlate.EnvInt("BREACHLINE_DUCKDB_EVENTS", 300_000)
	dir := t.TempDir()
	c, err := timeline.Create(ctx, filepath.Join(dir, "case.db"))
	require.NoError(t, err)
	defer c.Close()
	_, err = correlate.BuildBenchCase(ctx, c, dir, events, events/100, 2)
	require.NoError(t, err)
	opt := correlate.Options{WindowStart: correlate.BenchBase.Add(8 * 24 * time.Hour), WindowEnd: correlate.BenchBase.Add(10 * 24 * time.Hour), Gap: 4 * time.Hour}
	actor := timeline.Actor{Examiner: "test"}
	start := time.Now()
	want, err := correlate.Run(ctx, c, actor, opt)
	require.NoError(t, err)
	sqliteTook := time.Since(start)
	lakeDir := filepath.Join(dir, "lake")
	start = time.Now()
	_, err = lake.Export(ctx, c, lakeDir, false, "test", parquet.Format{})
	require.NoError(t, err)
	exportTook := time.Since(start)
	start = time.Now()
	got, err := duckdb.Run(ctx, c, actor, opt, lakeDir)
	require.NoError(t, err)
	t.Logf("%d events: SQLite %v; lake export %v; DuckDB %v; %d findings, %d uses, %d duplicates, %v",
		events, sqliteTook.Round(time.Millisecond), exportTook.Round(time.Millisecond), time.Since(start).Round(time.Millisecond),
		got.Findings, got.Uses, got.Duplicates, got.Credentials)
	require.Positive(t, want.Findings)
	require.Positive(t, want.Duplicates)
	require.Equal(t, want.Credentials, got.Credentials)
	require.Equal(t, [4]int64{want.Exposures, want.Uses, want.Findings, want.Duplicates}, [4]int64{got.Exposures, got.Uses, got.Findings, got.Duplicates})
	require.Equal(t, want.ResultsHash, got.ResultsHash)
}
