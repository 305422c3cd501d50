//go:build duckdb

package duckdb

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
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
	for _, r := range correlate.ResultTables {
		table := r.Name
		rows, err := c.DB().Query("SELECT * FROM " + table + " ORDER BY " + r.Order)
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
			sameResultsAsSQLite(t, incidentCase(t))
		})
	}
}

// TestReparsedFileKeepsItsPlace: a file parsed again keeps its first version's place in the
// case's evidence order, which decides which copy of a record stored twice is the one the
// results cite. The lake lists the files in that order, so DuckDB cites the copies SQLite cites.
func TestReparsedFileKeepsItsPlace(t *testing.T) {
	ctx := context.Background()
	c := incidentCase(t)
	// A gzip copy of the CloudTrail log of the intrusion's day, ingested after it: every record
	// of that log is stored twice. Then the log itself is parsed again, so that its current
	// version comes after the copy in the evidence table.
	log := "../../../samples/incident/logs/cloudtrail/111122223333_CloudTrail_eu-west-1_20260303T0000Z.json"
	raw, err := os.ReadFile(log)
	require.NoError(t, err)
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	_, err = w.Write(raw)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	copied := filepath.Join(t.TempDir(), "copy.json.gz")
	require.NoError(t, os.WriteFile(copied, gz.Bytes(), 0o644))
	for _, cfg := range []struct {
		path    string
		reparse bool
	}{{copied, false}, {log, true}} {
		res, err := ingest.Run(ctx, ingest.Config{Ingesters: all.Ingesters(), Reparse: cfg.reparse}, []string{cfg.path}, c.Sink(ctx, actor))
		require.NoError(t, err)
		require.Len(t, res, 1)
		require.NoError(t, res[0].Err)
	}
	var versions int
	require.NoError(t, c.DB().QueryRow("SELECT count(*) FROM evidence WHERE path LIKE '%20260303T0000Z.json'").Scan(&versions))
	require.Equal(t, 2, versions, "the log has two versions")
	res := sameResultsAsSQLite(t, c)
	require.Positive(t, res.Duplicates, "the copy's records are duplicates")
}

// sameResultsAsSQLite correlates c on SQLite, exports its lake, correlates the lake on DuckDB
// into c, and requires the same rows and the same results sha256. It returns SQLite's result.
func sameResultsAsSQLite(t *testing.T, c *timeline.Case) *correlate.Result {
	ctx := context.Background()
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
	return want
}

// TestKeyCategoriesAreTheRules: the load keeps attrs for the categories the key-event rule
// selects, and for no other.
func TestKeyCategoriesAreTheRules(t *testing.T) {
	rule, err := os.ReadFile("../rules/00_key_events.sql")
	require.NoError(t, err)
	require.Contains(t, string(rule), "e.category_sid IN ("+keyCategories+")")
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
