package csvout_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/report/csvout"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
)

// CSV carries every value of the test table; text a spreadsheet would run as a formula is
// neutralised with a leading quote, and control characters are made printable.
func TestCSVValues(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.csv")
	const n = 40
	req := &export.Request{Table: exporttest.Events(n), Meta: exporttest.Meta("events")}
	require.NoError(t, csvout.Format{}.Write(ctx, path, req))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, n+1)
	for i, c := range export.EventColumns {
		require.Equal(t, c.Name, recs[0][i])
	}
	principal := 9 // column of the tricky texts
	want := map[string]string{
		"=HYPERLINK(\"http://evil.example/\",\"click\")": "'=HYPERLINK(\"http://evil.example/\",\"click\")",
		"+1+1":               "'+1+1",
		"-2+3":               "'-2+3",
		"@SUM(A1:A2)":        "'@SUM(A1:A2)",
		"\tTAB first":        `\tTAB first`, // made printable first: no longer a tab at the start
		"\rCR first":         `\rCR first`,
		"line one\nline two": `line one\nline two`,
		"ünïcödé – 日本語 – 🙂":  "ünïcödé – 日本語 – 🙂",
	}
	seen := 0
	for i := range n {
		row := exporttest.EventRow(i)
		got := recs[i+1]
		require.Equal(t, export.Text(row[1]), got[1], "time")
		require.Equal(t, export.Text(row[20]), got[20], "offset")
		if p, ok := row[principal].(string); ok {
			if w, ok := want[p]; ok {
				require.Equal(t, w, got[principal], "principal %q", p)
				seen++
			}
		} else {
			require.Equal(t, "", got[principal])
		}
	}
	require.GreaterOrEqual(t, seen, len(want))
}
