package export_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
	"github.com/breachline/breachline/timeline"
)

// Every table of a real case gives rows of its columns' kinds: what each format relies on.
func TestCaseTablesHoldTheirColumnKinds(t *testing.T) {
	ctx := context.Background()
	c := exporttest.IncidentCase(t)
	tables := export.CaseTables(c, timeline.Filter{})
	for _, name := range export.Tables {
		tab, err := tables(name)
		require.NoError(t, err)
		rows, err := exporttest.Collect(ctx, tab)
		require.NoError(t, err, name)
		if name != "rejects" { // the sample incident's logs have none
			require.NotEmpty(t, rows, name)
		}
		for i, r := range rows {
			require.Len(t, r, len(tab.Columns))
			for j, col := range tab.Columns {
				v := r[j]
				if v == nil {
					require.True(t, col.Nullable, "%s row %d: %s is nil", name, i, col.Name)
					continue
				}
				switch col.Kind {
				case export.String, export.JSON:
					require.IsType(t, "", v, "%s.%s", name, col.Name)
				case export.Int64:
					require.IsType(t, int64(0), v, "%s.%s", name, col.Name)
				case export.Bool:
					require.IsType(t, false, v, "%s.%s", name, col.Name)
				case export.Time:
					require.IsType(t, time.Time{}, v, "%s.%s", name, col.Name)
					require.Equal(t, time.UTC, v.(time.Time).Location(), "%s.%s", name, col.Name)
				}
			}
		}
	}
	_, err := tables("nope")
	require.ErrorContains(t, err, `unknown table "nope"`)
}

// The as-of entry skips custody entries that only record an output, so a second export of the
// same case carries the same metadata as the first.
func TestCaseMetaIgnoresExports(t *testing.T) {
	ctx := context.Background()
	c := exporttest.IncidentCase(t)
	before, err := export.CaseMeta(ctx, c, "events", "", "test")
	require.NoError(t, err)
	_, err = c.Record(ctx, timeline.Actor{Examiner: "test"}, "export", map[string]string{"out": "x"})
	require.NoError(t, err)
	after, err := export.CaseMeta(ctx, c, "events", "", "test")
	require.NoError(t, err)
	require.Equal(t, before, after)
	require.NotEmpty(t, before.CaseID)
	require.NotEmpty(t, before.Evidence)
	require.False(t, before.AsOf.IsZero())
}
