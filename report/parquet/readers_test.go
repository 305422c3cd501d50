package parquet_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/report/arrowout"
	"github.com/breachline/breachline/report/arrowout/arrowtest"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
)

// TestIndependentReader reads the files with DuckDB, which has its own Parquet reader, and
// compares every value. DuckDB holds UTC timestamps in microseconds, so times are compared at
// that precision here (the arrow-go round trip checks nanoseconds).
func TestIndependentReader(t *testing.T) {
	tables := append([]*export.Table{exporttest.Events(150_000)}, arrowtest.Tables(50)...)
	for _, table := range tables {
		t.Run(table.Name, func(t *testing.T) {
			rows, err := exporttest.Collect(context.Background(), table)
			require.NoError(t, err)
			arrowtest.Micros(rows)
			spot := []int{0, 1, 2, 3, len(rows) / 2, len(rows) - 1}
			s := arrowtest.Node(t, "parquet", write(t, table), "--spot", arrowtest.SpotArg(spot))
			arrowtest.RequireValues(t, s, table.Names(), rows, spot)
			require.Equal(t, []string{"ZSTD"}, s.Compression)
			require.Equal(t, "breachline version test", s.CreatedBy)
			require.Equal(t, table.Name, s.Metadata[arrowout.KeyTable])
			require.Equal(t, "9999999999999999999999999999999999999999999999999999999999999999", s.Metadata[arrowout.KeyAsOfHash])
		})
	}
}

// TestIndependentReaderPartitioned reads a partitioned export as one table with DuckDB's
// hive_partitioning: the partition columns come back from the folder names, after the file
// columns, day as a DATE and source as text.
func TestIndependentReaderPartitioned(t *testing.T) {
	table := exporttest.Events(150_000)
	rows, err := exporttest.Collect(context.Background(), table)
	require.NoError(t, err)
	for _, keys := range [][]string{{"day", "source"}, {"day"}, {"source"}} {
		t.Run(keys[0]+"_"+keys[len(keys)-1], func(t *testing.T) {
			cols := table.Names()
			var want []export.Row
			for _, r := range rows {
				w := append(export.Row(nil), r...)
				if keys[len(keys)-1] == "source" {
					w = withoutSource(w)
				}
				if keys[0] == "day" {
					w = append(w, r[1].(time.Time).Format(time.DateOnly))
				}
				if keys[len(keys)-1] == "source" {
					w = append(w, r[4])
				}
				want = append(want, w)
			}
			if keys[len(keys)-1] == "source" {
				cols = append(cols[:4:4], cols[5:]...)
			}
			cols = append(cols, keys...)
			arrowtest.Micros(want)
			spot := []int{0, 1, 2, 77_777, len(want) - 1}
			dir := write(t, table, keys...)
			s := arrowtest.Node(t, "parquet", dir, "--hive", "--order", "time,id", "--spot", arrowtest.SpotArg(spot))
			arrowtest.RequireValues(t, s, cols, want, spot)
			if keys[0] == "day" {
				require.Equal(t, "DATE", s.Columns[len(cols)-len(keys)].Type)
			}
			require.Equal(t, files(t, dir), s.Files)
		})
	}
}
