//go:build duckdb

package duckdb

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/lake"
	"github.com/breachline/breachline/report/parquet"
	"github.com/breachline/breachline/timeline"
	"github.com/breachline/breachline/timeline/correlate"
)

var actor = timeline.Actor{Examiner: "test"}

// incidentCase is the sample incident, ingested with its inventory and indicators.
func incidentCase(t *testing.T) *timeline.Case {
	t.Helper()
	ctx := context.Background()
	c, err := timeline.CreateWithKey(ctx, filepath.Join(t.TempDir(), "case.db"), ingesttest.Key)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	res, err := ingest.Run(ctx, ingest.Config{Ingesters: all.Ingesters()}, []string{"../../../samples/incident/logs"}, c.Sink(ctx, actor))
	require.NoError(t, err)
	for _, r := range res {
		require.NoError(t, r.Err)
	}
	_, err = correlate.ImportInventory(ctx, c, actor, []string{"../../../samples/incident/inventory.csv"})
	require.NoError(t, err)
	_, err = correlate.ImportIndicators(ctx, c, actor, []string{"../../../samples/incident/iocs.csv"})
	require.NoError(t, err)
	return c
}

// results are the case's result tables, as text in a total order.
func results(t *testing.T, c *timeline.Case) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for table, order := range map[string]string{
		"exposures": "time, event_id, secret_ref", "credential_uses": "credential, time, event_id, handle",
		"findings": "id", "credential_summary": "credential", "coverage": "source",
	} {
		rows, err := c.DB().Query("SELECT * FROM " + table + " ORDER BY " + order)
		require.NoError(t, err)
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			line := ""
			for i, v := range vals {
				line += cols[i] + "=" + fmtValue(v) + " "
			}
			out[table] = append(out[table], line)
		}
		require.NoError(t, rows.Close())
	}
	return out
}

func fmtValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// TestSameResultsAsSQLite correlates the sample incident on SQLite, exports its lake, correlates
// the lake on DuckDB into the same case, and requires the same rows and the same results sha256.
func TestSameResultsAsSQLite(t *testing.T) {
	for _, numbered := range []bool{false, true} {
		t.Run(fmt.Sprintf("numbered=%v", numbered), func(t *testing.T) {
			defer func(was bool, rows int64) { numberStrings, copyChunk = was, rows }(numberStrings, copyChunk)
			// numbered: the dictionary's values are numbered, as when two of them share a hash,
			// and the results are copied 7 rows at a time, in many chunks and batches.
			numberStrings = numbered
			if numbered {
				copyChunk = 7
			}
			sameResultsAsSQLite(t)
		})
	}
}

func sameResultsAsSQLite(t *testing.T) {
	ctx := context.Background()
	c := incidentCase(t)
	opt := correlate.Options{Gap: 4 * time.Hour, WindowStart: time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC)}
	want, err := correlate.Run(ctx, c, actor, opt)
	require.NoError(t, err)
	wantRows := results(t, c)
	dir := filepath.Join(t.TempDir(), "lake")
	_, err = lake.Export(ctx, c, dir, false, "test", parquet.Format{})
	require.NoError(t, err)

	got, err := Run(ctx, c, actor, opt, dir)
	require.NoError(t, err)
	gotRows := results(t, c)
	for table := range wantRows {
		require.Equal(t, wantRows[table], gotRows[table], table)
	}
	require.Equal(t, want.ResultsHash, got.ResultsHash)
	require.Equal(t, want.Rounds, got.Rounds)
	require.Equal(t, want.Credentials, got.Credentials)
}

// TestRefusesALakeOfAnotherCase: the results of a lake land in a case only when the lake is that
// case's, as it is now.
func TestRefusesALakeOfAnotherCase(t *testing.T) {
	ctx := context.Background()
	c, other := incidentCase(t), incidentCase(t)
	dir := filepath.Join(t.TempDir(), "lake")
	_, err := lake.Export(ctx, other, dir, false, "test", parquet.Format{})
	require.NoError(t, err)
	_, err = Run(ctx, c, actor, correlate.Options{Gap: 4 * time.Hour}, dir)
	require.ErrorContains(t, err, "is the lake of another case")

	_, err = Run(ctx, other, actor, correlate.Options{Gap: 4 * time.Hour}, dir)
	require.NoError(t, err, "a correlation since the export is no change to the events")
	_, err = correlate.ImportIndicators(ctx, other, actor, []string{"../../../samples/incident/iocs.csv"})
	require.NoError(t, err)
	_, err = Run(ctx, other, actor, correlate.Options{Gap: 4 * time.Hour}, dir)
	require.ErrorContains(t, err, "export the lake again")
}
