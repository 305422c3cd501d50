package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/report/arrowout/arrowtest"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
)

// TestExportIndependentReaders exports the sample incident's events as a user does, to Arrow and
// to Parquet (one file and partitioned), reads them back with apache-arrow and DuckDB
// (test/readers) and compares every value with what `breachline timeline --format jsonl` says
// the case holds.
func TestExportIndependentReaders(t *testing.T) {
	c := exporttest.IncidentCase(t)
	casePath := c.Path()
	dir := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		code := Main(context.Background(), append(args, "--case", casePath), &out, &errb)
		require.Zero(t, code, "breachline %s: %s", strings.Join(args, " "), errb.String())
		return out.String()
	}

	for _, filter := range [][]string{nil, {"--source", "aws-cloudtrail"}} {
		store := storeRows(t, run(append([]string{"timeline", "--format", "jsonl"}, filter...)...))
		require.NotEmpty(t, store)
		all := make([]int, len(store))
		for i := range all {
			all[i] = i
		}
		spot := arrowtest.SpotArg(all)
		suffix := strconv.Itoa(len(filter))

		arrowFile := filepath.Join(dir, "events"+suffix+".arrow")
		run(append([]string{"export", "--to", "arrow", "--table", "events", "--out", arrowFile}, filter...)...)
		s := arrowtest.Node(t, "arrow", arrowFile, "--spot", spot)
		requireStore(t, s, store, nil)
		require.Equal(t, strings.Join(filter, " "), s.Metadata["breachline.filter"])

		pqFile := filepath.Join(dir, "events"+suffix+".parquet")
		run(append([]string{"export", "--to", "parquet", "--table", "events", "--out", pqFile}, filter...)...)
		requireStore(t, arrowtest.Node(t, "parquet", pqFile, "--spot", spot), micros(store), nil)

		lake := filepath.Join(dir, "lake"+suffix)
		run(append([]string{"export", "--to", "parquet", "--table", "events", "--out", lake, "--partition", "day,source"}, filter...)...)
		s = arrowtest.Node(t, "parquet", lake, "--hive", "--order", "time,id", "--spot", spot)
		requireStore(t, s, micros(store), []string{"day", "source"})
	}
}

// storeRows turns timeline's jsonl into event rows of export.EventColumns; JSON columns keep
// the value's JSON text.
func storeRows(t *testing.T, jsonl string) []export.Row {
	t.Helper()
	var rows []export.Row
	sc := bufio.NewScanner(strings.NewReader(jsonl))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var m map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m))
		row := make(export.Row, len(export.EventColumns))
		for i, c := range export.EventColumns {
			raw, ok := m[c.Name]
			if !ok || string(raw) == "null" {
				continue
			}
			switch c.Kind {
			case export.JSON:
				row[i] = string(raw)
			case export.Int64:
				var n int64
				require.NoError(t, json.Unmarshal(raw, &n), c.Name)
				row[i] = n
			case export.Bool:
				var b bool
				require.NoError(t, json.Unmarshal(raw, &b), c.Name)
				row[i] = b
			default:
				var s string
				require.NoError(t, json.Unmarshal(raw, &s), c.Name)
				row[i] = s
				if c.Kind == export.Time {
					tm, err := time.Parse(time.RFC3339Nano, s)
					require.NoError(t, err, c.Name)
					row[i] = tm.UTC()
				}
			}
		}
		rows = append(rows, row)
	}
	require.NoError(t, sc.Err())
	return rows
}

func micros(rows []export.Row) []export.Row {
	out := make([]export.Row, len(rows))
	for i, r := range rows {
		out[i] = append(export.Row(nil), r...)
	}
	arrowtest.Micros(out)
	return out
}

// requireStore compares every value a reader saw with the store's rows; partition columns come
// last, from the folder names, and are not in the files.
func requireStore(t *testing.T, s *arrowtest.Summary, store []export.Row, partition []string) {
	t.Helper()
	require.Equal(t, len(store), s.Rows)
	col := map[string]int{}
	for i, c := range s.Columns {
		col[c.Name] = i
	}
	for i, row := range store {
		got := s.Spot[strconv.Itoa(i)]
		require.NotNil(t, got, "row %d", i)
		for c, column := range export.EventColumns {
			j, ok := col[column.Name]
			require.True(t, ok, "column %s", column.Name)
			want, _ := arrowtest.Canonical(row[c])
			if row[c] == nil {
				require.Nil(t, got[j], "row %d %s", i, column.Name)
				continue
			}
			if column.Kind == export.JSON { // the same document; spacing and key order may differ
				var a, b any
				require.NoError(t, json.Unmarshal([]byte(want), &a))
				require.NoError(t, json.Unmarshal([]byte(got[j].(string)), &b))
				require.True(t, reflect.DeepEqual(a, b), "row %d %s: %s vs %s", i, column.Name, want, got[j])
				continue
			}
			require.Equal(t, want, got[j], "row %d %s", i, column.Name)
		}
		for _, key := range partition {
			j := col[key]
			want := row[1].(time.Time).Format(time.DateOnly)
			if key == "source" {
				want = row[4].(string)
			}
			require.Equal(t, want, got[j], "row %d partition %s", i, key)
		}
	}
}
