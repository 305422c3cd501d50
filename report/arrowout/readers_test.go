package arrowout_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/report/arrowout"
	"github.com/breachline/breachline/report/arrowout/arrowtest"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
)

// TestIndependentReader reads the files with the JavaScript apache-arrow package, which shares
// no code with arrow-go, and compares every value.
func TestIndependentReader(t *testing.T) {
	tables := append([]*export.Table{exporttest.Events(150_000)}, arrowtest.Tables(50)...)
	for _, table := range tables {
		t.Run(table.Name, func(t *testing.T) {
			rows, err := exporttest.Collect(context.Background(), table)
			require.NoError(t, err)
			spot := []int{0, 1, 2, 3, len(rows) / 2, len(rows) - 1}
			s := arrowtest.Node(t, "arrow", write(t, table), "--spot", arrowtest.SpotArg(spot))
			arrowtest.RequireValues(t, s, table.Names(), rows, spot)
			for i, c := range table.Columns {
				require.Equal(t, c.Nullable, s.Columns[i].Nullable, c.Name)
			}
			require.Equal(t, "1", s.Metadata[arrowout.KeySchemaVersion])
			require.Equal(t, table.Name, s.Metadata[arrowout.KeyTable])
			require.Equal(t, "7", s.Metadata[arrowout.KeyAsOfSeq])
			if table.Name == "events" {
				require.Equal(t, []int{65536, 65536, 18928}, s.Batches)
				require.Equal(t, "Timestamp<NANOSECOND, UTC>", s.Columns[1].Type)
				require.Equal(t, "Dictionary<Int32, Utf8>", s.Columns[4].Type)
			}
		})
	}
}
