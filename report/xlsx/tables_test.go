package xlsx

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
)

// The test case: exporttest's events and small hand-made result tables whose findings cite
// some of those events (and one event the Timeline does not hold).

var t0 = time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)

func eventID(i int) string { return fmt.Sprintf("%032x", i) }

func rowsTable(name string, cols []export.Column, rows []export.Row) *export.Table {
	return &export.Table{Name: name, Columns: cols, Rows: func(ctx context.Context, fn func(export.Row) error) error {
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}}
}

// findingRows cite events 3, 1 and 5 (by the first link, event 3), event 10 only, an event
// not in the Timeline followed by event 2, and nothing in the Timeline.
func findingRows() []export.Row {
	list := func(ids ...string) string { return `["` + strings.Join(ids, `","`) + `"]` }
	return []export.Row{
		{"f1", "secret-read-then-used", "critical", t0.Add(4500 * time.Millisecond), "=cmd|' /C calc'!A0 read then used",
			"aws-key-id:AKIAEXAMPLE0001", "aws-sm:prod/db", "alice", "203.0.113.5", list(eventID(3), eventID(1), eventID(5))},
		{"f2", "novel-ip", "high", t0.Add(15 * time.Second), "use from a new address", nil, nil, nil, "203.0.113.10", list(eventID(10))},
		{"f3", "after-revocation", "medium", t0.Add(3 * time.Second), "use after revocation", nil, nil, nil, nil,
			list("ffffffffffffffffffffffffffffffff", eventID(2))},
		{"f4", "coverage-gap", "info", t0, "no logs for a day", nil, nil, nil, nil, `[]`},
	}
}

func testTables(events int) func(string) (*export.Table, error) {
	return func(name string) (*export.Table, error) {
		switch name {
		case "events":
			return exporttest.Events(events), nil
		case "findings":
			return rowsTable(name, export.FindingColumns, findingRows()), nil
		case "credentials":
			return rowsTable(name, export.CredentialColumns, []export.Row{
				{"aws-key-id:AKIAEXAMPLE0001", "AKIA…0001", "alice", `["aws-sm:prod/db"]`, "misused", t0, t0.Add(time.Second),
					t0.Add(time.Minute), int64(3), `["203.0.113.5"]`, nil, `[]`},
				{"case-hmac:abab", "case-hmac:abab", nil, `[]`, "exposed", nil, nil, nil, int64(0), `[]`, nil, `[]`},
			}), nil
		case "exposures":
			return rowsTable(name, export.ExposureColumns, []export.Row{
				{eventID(0), t0, "aws-sm:prod/db", "aws-sm:prod/db", "+alice", "203.0.113.0", "success", true, "read", true, `["in window"]`},
			}), nil
		case "uses":
			return rowsTable(name, export.UseColumns, nil), nil
		case "rejects":
			return rowsTable(name, export.RejectColumns, []export.Row{
				{strings.Repeat("0", 64), "logs/file 0.log", int64(400), int64(20), int64(3), "not JSON", "@bad line\x01"},
			}), nil
		}
		return nil, fmt.Errorf("no table %q", name)
	}
}

func testRequest(events int) *export.Request {
	tables := testTables(events)
	t, _ := tables("events")
	return &export.Request{Table: t, Tables: tables, Meta: exporttest.Meta("events")}
}

// export writes req with f to a fresh path and returns it.
func export1(t testing.TB, f Format, req *export.Request) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "case.xlsx")
	require.NoError(t, f.Write(context.Background(), path, req))
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	require.Len(t, entries, 1, "only the workbook is left beside it")
	return path
}
