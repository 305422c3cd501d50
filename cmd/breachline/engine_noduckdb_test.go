//go:build !duckdb

package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDuckDBEngineSaysHowToGetIt: the default build has no DuckDB engine, and says how to build
// one instead of failing later.
func TestDuckDBEngineSaysHowToGetIt(t *testing.T) {
	var o, e bytes.Buffer
	code := Main(context.Background(), []string{"correlate", "--case", filepath.Join(t.TempDir(), "c.db"), "--engine", "duckdb", "--lake", t.TempDir()}, &o, &e)
	require.Equal(t, exitUsage, code)
	require.Contains(t, e.String(), "built without the DuckDB engine: build one with make build TAGS=duckdb")
}
