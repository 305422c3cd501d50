package arrowout_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/report/arrowout"
	"github.com/breachline/breachline/report/arrowout/arrowtest"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
)

func write(t *testing.T, table *export.Table) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), table.Name+".arrow")
	req := &export.Request{Table: table, Meta: exporttest.Meta(table.Name)}
	require.NoError(t, arrowout.Format{}.Write(context.Background(), path, req))
	return path
}

// requireRows compares row by row, so that a failure shows one row rather than all of them.
func requireRows(t *testing.T, want, got []export.Row) {
	t.Helper()
	require.Equal(t, len(want), len(got), "rows")
	for i := range want {
		if !arrowtest.Equal(want[i], got[i]) {
			require.Equal(t, want[i], got[i], "row %d", i)
		}
	}
}

func TestEventsRoundTrip(t *testing.T) {
	table := exporttest.Events(150_000)
	file, err := arrowtest.ReadIPC(write(t, table))
	require.NoError(t, err)
	want, err := exporttest.Collect(context.Background(), table)
	require.NoError(t, err)
	require.Equal(t, []int{65536, 65536, 18928}, file.Batches)
	requireRows(t, want, file.Rows)
}

func TestOtherTablesRoundTrip(t *testing.T) {
	for _, table := range arrowtest.Tables(50) {
		t.Run(table.Name, func(t *testing.T) {
			file, err := arrowtest.ReadIPC(write(t, table))
			require.NoError(t, err)
			want, err := exporttest.Collect(context.Background(), table)
			require.NoError(t, err)
			requireRows(t, want, file.Rows)
			for i, c := range table.Columns {
				f := file.Schema.Field(i)
				require.Equal(t, c.Name, f.Name)
				require.Equal(t, c.Nullable, f.Nullable, c.Name)
				require.True(t, arrow.TypeEqual(arrowout.Type(c), f.Type), c.Name)
			}
		})
	}
}

// TestEventSchema pins the documented schema of the events table: a change here is a change
// for every notebook that reads the files, and should bump arrowout.SchemaVersion.
func TestEventSchema(t *testing.T) {
	file, err := arrowtest.ReadIPC(write(t, exporttest.Events(3)))
	require.NoError(t, err)
	var got []string
	for _, f := range file.Schema.Fields() {
		kind, _ := f.Metadata.GetValue(arrowout.KeyKind)
		line := f.Name + ": " + f.Type.String() + " (" + kind + ")"
		if f.Nullable {
			line += " nullable"
		}
		got = append(got, line)
	}
	dict := "dictionary<values=utf8, indices=int32, ordered=false>"
	ts := "timestamp[ns, tz=UTC]"
	require.Equal(t, []string{
		"id: utf8 (string)",
		"time: " + ts + " (time)",
		"time_raw: utf8 (string) nullable",
		"tz_basis: " + dict + " (string) nullable",
		"source: " + dict + " (string)",
		"parser: " + dict + " (string)",
		"category: " + dict + " (string)",
		"action: " + dict + " (string) nullable",
		"outcome: " + dict + " (string)",
		"principal: utf8 (string) nullable",
		"principal_type: " + dict + " (string) nullable",
		"src_ip: utf8 (string) nullable",
		"user_agent: utf8 (string) nullable",
		"credential: utf8 (string) nullable",
		"resource: utf8 (string) nullable",
		"resource_type: " + dict + " (string) nullable",
		"secret_ref: utf8 (string) nullable",
		"request_id: utf8 (string) nullable",
		"evidence_sha256: " + dict + " (string)",
		"evidence_path: " + dict + " (string)",
		"offset: int64 (int64)",
		"length: int64 (int64)",
		"line: int64 (int64) nullable",
		"record_index: int64 (int64) nullable",
		"raw_sha256: utf8 (string)",
		"attrs: utf8 (json) nullable",
	}, got)
}

func TestMetadata(t *testing.T) {
	file, err := arrowtest.ReadIPC(write(t, exporttest.Events(3)))
	require.NoError(t, err)
	md := file.Schema.Metadata()
	got := map[string]string{}
	for i, k := range md.Keys() {
		got[k] = md.Values()[i]
	}
	require.Equal(t, map[string]string{
		"breachline.schema_version": "1",
		"breachline.case_id":        "c0ffee00-0000-4000-8000-000000000000",
		"breachline.case_name":      "test case",
		"breachline.tool_version":   "test",
		"breachline.table":          "events",
		"breachline.filter":         "--since 2026-03-03T00:00:00Z",
		"breachline.as_of":          "2026-03-03T09:00:00Z",
		"breachline.as_of_seq":      "7",
		"breachline.as_of_hash":     strings.Repeat("9", 64),
		"breachline.evidence": `[{"path":"logs/file 0.log","sha256":"` + strings.Repeat("0", 64) +
			`","source":"aws-cloudtrail","records":10,"events":9,"rejects":1,` +
			`"first_event":"2026-03-03T10:00:00Z","last_event":"2026-03-03T11:00:00Z"}]`,
	}, got)
}

func TestDeterministic(t *testing.T) {
	for _, table := range append(arrowtest.Tables(100), exporttest.Events(70_000)) {
		a, err := os.ReadFile(write(t, table))
		require.NoError(t, err)
		b, err := os.ReadFile(write(t, table))
		require.NoError(t, err)
		require.True(t, string(a) == string(b), "%s: two exports differ", table.Name)
	}
}

func TestEmptyTable(t *testing.T) {
	file, err := arrowtest.ReadIPC(write(t, exporttest.Events(0)))
	require.NoError(t, err)
	require.Empty(t, file.Rows)
	require.Equal(t, len(export.EventColumns), file.Schema.NumFields())
}

func TestBadValues(t *testing.T) {
	cols := []export.Column{{Name: "n", Kind: export.Int64}, {Name: "s", Kind: export.String, Dict: true}}
	for name, row := range map[string]export.Row{
		"column n: null in a column that is not nullable":     {nil, "a"},
		"column n (int64): unexpected value of type int":      {1, "a"},
		"column s (string): unexpected value of type []uint8": {int64(1), []byte("a")},
	} {
		table := &export.Table{Name: "t", Columns: cols, Rows: func(ctx context.Context, fn func(export.Row) error) error {
			return fn(row)
		}}
		req := &export.Request{Table: table, Meta: exporttest.Meta("t")}
		err := arrowout.Format{}.Write(context.Background(), filepath.Join(t.TempDir(), "x.arrow"), req)
		require.ErrorContains(t, err, name)
	}
	far := time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
	table := &export.Table{Name: "t", Columns: []export.Column{{Name: "time", Kind: export.Time}},
		Rows: func(ctx context.Context, fn func(export.Row) error) error { return fn(export.Row{far}) }}
	err := arrowout.Format{}.Write(context.Background(), filepath.Join(t.TempDir(), "x.arrow"), &export.Request{Table: table})
	require.ErrorContains(t, err, "outside the range of timestamp[ns]")
}

// TestBatchBytes checks that wide rows cut a batch before BatchRows.
func TestBatchBytes(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	table := &export.Table{Name: "t", Columns: []export.Column{{Name: "s", Kind: export.String}},
		Rows: func(ctx context.Context, fn func(export.Row) error) error {
			for range 200 {
				if err := fn(export.Row{long}); err != nil {
					return err
				}
			}
			return nil
		}}
	file, err := arrowtest.ReadIPC(write(t, table))
	require.NoError(t, err)
	require.Equal(t, []int{64, 64, 64, 8}, file.Batches)
}
