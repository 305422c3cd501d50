//go:build duckdb

package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDuckDBEngine correlates the sample incident from the command line on SQLite, then on
// DuckDB over the case's lake: findings, credentials and explain print the same, and the
// results sha256 is the same. A lake of a case that has changed since is refused.
func TestDuckDBEngine(t *testing.T) {
	dir := t.TempDir()
	casePath := filepath.Join(dir, "case.db")
	run := func(want int, args ...string) string {
		t.Helper()
		var o, e bytes.Buffer
		code := Main(context.Background(), append(args, "--case", casePath), &o, &e)
		require.Equal(t, want, code, "%v: %s", args, e.String())
		return o.String() + e.String()
	}
	run(exitOK, "ingest", "-q", "../../samples/incident/logs")
	run(exitOK, "inventory", "import", "-q", "../../samples/incident/inventory.csv")
	run(exitOK, "ioc", "import", "-q", "../../samples/incident/iocs.csv")
	window := []string{"--window-start", "2026-03-01T06:00:00Z"}
	sqlite := run(exitOK, append([]string{"correlate"}, window...)...)
	shown := func() string {
		out := run(exitOK, "findings", "--format", "jsonl") + run(exitOK, "credentials", "--format", "jsonl")
		for _, id := range ids(t, run(exitOK, "findings", "--format", "jsonl")) {
			out += run(exitOK, "explain", id)
		}
		return out
	}
	want := shown()
	lakeDir := filepath.Join(dir, "lake")
	run(exitOK, "lake", "export", "-q", "--out", lakeDir)
	duck := run(exitOK, append([]string{"correlate", "--engine", "duckdb", "--lake", lakeDir}, window...)...)
	require.Equal(t, sqlite, duck, "the same summary and results sha256")
	require.Equal(t, want, shown())
	require.Contains(t, run(exitOK, "custody", "--format", "jsonl"), "duckdb")

	run(exitOK, "ioc", "import", "-q", "../../samples/incident/iocs.csv")
	require.Contains(t, run(exitError, "correlate", "--engine", "duckdb", "--lake", lakeDir), "export the lake again")
}
