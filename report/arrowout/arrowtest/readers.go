package arrowtest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/report/export"
)

// Summary is what test/readers/check.mjs prints about one export.
type Summary struct {
	Reader  string `json:"reader"`
	Rows    int    `json:"rows"`
	Batches []int  `json:"batches"` // Arrow only: rows per record batch
	// Files are a partitioned export's files, relative to its folder, in path order.
	Files   []string `json:"files"`
	Columns []struct {
		Name     string `json:"name"`
		Type     string `json:"type"`
		Nullable bool   `json:"nullable"`
	} `json:"columns"`
	Metadata    map[string]string `json:"metadata"`
	CreatedBy   string            `json:"created_by"`
	Compression []string          `json:"compression"`
	Digests     map[string]string `json:"digests"`
	Spot        map[string][]any  `json:"spot"`
}

// Names are the columns' names, in order.
func (s *Summary) Names() []string {
	out := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		out[i] = c.Name
	}
	return out
}

// Root returns the repository root: the nearest folder above the working directory that holds
// go.mod.
func Root(t testing.TB) string {
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "no go.mod above the working directory")
		dir = parent
	}
}

// Node runs `node test/readers/check.mjs args…` from the repository root and returns its
// summary. Without test/readers/node_modules (`npm ci --prefix test/readers` installs it) the
// test is skipped, except under CI=true, where a reader that cannot run is a failure.
func Node(t testing.TB, args ...string) *Summary {
	t.Helper()
	root := Root(t)
	if _, err := os.Stat(filepath.Join(root, "test", "readers", "node_modules")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("test/readers/node_modules is missing: run npm ci --prefix test/readers")
		}
		t.Skip("independent readers not installed: run npm ci --prefix test/readers")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node is not on PATH")
		}
		t.Skip("node is not on PATH")
	}
	cmd := exec.Command(node, append([]string{filepath.Join("test", "readers", "check.mjs")}, args...)...)
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "check.mjs %v: %s", args, stderr.String())
	var s Summary
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &s), stdout.String())
	return &s
}

// RequireValues checks that the reader saw exactly rows (whose columns are names, in the
// order the reader lists them): the count, each column's digest and the spot rows asked for.
func RequireValues(t testing.TB, s *Summary, names []string, rows []export.Row, spot []int) {
	t.Helper()
	require.Equal(t, names, s.Names(), "columns")
	require.Equal(t, len(rows), s.Rows, "rows")
	require.Equal(t, Digests(names, rows), s.Digests, "per-column digests")
	for _, i := range spot {
		got, ok := s.Spot[strconv.Itoa(i)]
		require.True(t, ok, "spot row %d missing", i)
		require.Equal(t, Spot(rows[i]), got, "row %d", i)
	}
}

// SpotArg is the --spot argument for the rows at indices.
func SpotArg(indices []int) string {
	var b []byte
	for i, n := range indices {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(n), 10)
	}
	return string(b)
}

// Micros truncates the times in rows to microseconds, in place: DuckDB reads a UTC timestamp as
// TIMESTAMP WITH TIME ZONE, which holds microseconds, so that is what its check can compare.
func Micros(rows []export.Row) {
	for _, r := range rows {
		for i, v := range r {
			if t, ok := v.(time.Time); ok {
				r[i] = t.Truncate(time.Microsecond)
			}
		}
	}
}
