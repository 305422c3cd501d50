package lake_test

import (
	"context"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/lake"
	"github.com/breachline/breachline/report/arrowout/arrowtest"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
	"github.com/breachline/breachline/report/parquet"
	"github.com/breachline/breachline/timeline"
)

func parquetFormat() parquet.Format { return parquet.Format{} }

func samples(t *testing.T) string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "samples", "incident", "logs")
}

// readTable reads every Parquet file of a lake table back, in path order. With the source
// partition, the source the folder names is put back in its column (4, as in EventColumns).
func readTable(t *testing.T, root, table string) []export.Row {
	t.Helper()
	var paths []string
	require.NoError(t, filepath.WalkDir(filepath.Join(root, table), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, p)
		}
		return err
	}))
	slices.Sort(paths)
	var out []export.Row
	for _, p := range paths {
		source := ""
		for _, seg := range strings.Split(filepath.ToSlash(p), "/") {
			if v, ok := strings.CutPrefix(seg, "source="); ok {
				source, _ = url.PathUnescape(v)
			}
		}
		r, err := file.OpenParquetFile(p, false)
		require.NoError(t, err)
		fr, err := pqarrow.NewFileReader(r, pqarrow.ArrowReadProperties{BatchSize: 4096}, memory.DefaultAllocator)
		require.NoError(t, err)
		rr, err := fr.GetRecordReader(context.Background(), nil, nil)
		require.NoError(t, err)
		for rr.Next() {
			rows, err := arrowtest.Rows(rr.RecordBatch())
			require.NoError(t, err)
			for _, row := range rows {
				if source != "" {
					row = slices.Insert(row, 4, any(source))
				}
				out = append(out, row)
			}
		}
		require.NoError(t, rr.Err())
		rr.Release()
		r.Close()
	}
	return out
}

// byFirst sorts rows by their first column (an event id, a sha256), then by the whole row's
// text, for comparing tables whose files hold the rows in another order.
func byFirst(rows []export.Row) []export.Row {
	slices.SortFunc(rows, func(a, b export.Row) int {
		for i := range a {
			if c := strings.Compare(export.Text(a[i]), export.Text(b[i])); c != 0 {
				return c
			}
		}
		return 0
	})
	return rows
}

func caseRows(t *testing.T, c *timeline.Case, table string) []export.Row {
	t.Helper()
	tb, err := export.CaseTables(c, timeline.Filter{})(table)
	require.NoError(t, err)
	rows, err := exporttest.Collect(context.Background(), tb)
	require.NoError(t, err)
	return rows
}

// TestExportIncident exports the sample incident's case as a lake: every table holds the case's
// rows, and the same case gives the same bytes.
func TestExportIncident(t *testing.T) {
	ctx := context.Background()
	c := exporttest.IncidentCase(t)
	out := filepath.Join(t.TempDir(), "lake")
	res, err := lake.Export(ctx, c, out, false, "test", parquetFormat())
	require.NoError(t, err)

	events := caseRows(t, c, "events")
	require.Equal(t, byFirst(events), byFirst(readTable(t, out, lake.TableEvents)))
	require.Equal(t, caseRows(t, c, "rejects"), readTable(t, out, lake.TableRejects))
	require.FileExists(t, filepath.Join(out, "events", "day=2026-03-03", "source=aws-cloudtrail", "part-0.parquet"))

	evidence := readTable(t, out, lake.TableEvidence)
	require.Len(t, evidence, 9)
	for _, ev := range evidence {
		require.Equal(t, ev[12], ev[13].(int64)+ev[14].(int64), "records = events + rejects")
		require.Len(t, ev[17], 64, "rows_sha256 from the case")
	}
	require.Len(t, readTable(t, out, lake.TableInventory), 28)
	require.Len(t, readTable(t, out, lake.TableInventoryHandles), 11)
	require.Equal(t, []export.Row{{"ip", "203.0.113.66", "builder token used from here (first responders)"}},
		readTable(t, out, lake.TableIndicators))

	d, err := lake.ReadDescriptor(out)
	require.NoError(t, err)
	require.Equal(t, res.Descriptor, d)
	require.Equal(t, "lake export", d.MadeBy)
	require.Equal(t, ingesttest.Key.ID(), d.HandleKeyID)
	require.Equal(t, int64(len(events)), d.Tables[lake.TableEvents].Rows)
	require.Equal(t, []string{"day", "source"}, d.Tables[lake.TableEvents].Partition)

	again, err := lake.Export(ctx, c, out, true, "test", parquetFormat())
	require.NoError(t, err)
	require.Equal(t, res.Manifest, again.Manifest, "the same case gives the same bytes")
	_, err = lake.Export(ctx, c, out, false, "test", parquetFormat())
	require.ErrorIs(t, err, export.ErrExists)
}

// TestExportKeepsAReparsedFilesPlace: a file parsed again stays where its first version was in
// the lake's evidence list, as in the case, where that order decides which copy of a record
// stored twice the correlator cites.
func TestExportKeepsAReparsedFilesPlace(t *testing.T) {
	ctx := context.Background()
	c := exporttest.IncidentCase(t)
	shas := func(rows []export.Row) []any {
		var out []any
		for _, r := range rows {
			out = append(out, r[0])
		}
		return out
	}
	before := filepath.Join(t.TempDir(), "before")
	_, err := lake.Export(ctx, c, before, false, "test", parquetFormat())
	require.NoError(t, err)
	first := readTable(t, before, lake.TableEvidence)

	files, err := c.Evidence(ctx)
	require.NoError(t, err)
	res, err := ingest.Run(ctx, ingest.Config{Ingesters: all.Ingesters(), Reparse: true}, []string{files[0].AbsPath}, c.Sink(ctx, timeline.Actor{Examiner: "test"}))
	require.NoError(t, err)
	require.NoError(t, res[0].Err)

	after := filepath.Join(t.TempDir(), "after")
	_, err = lake.Export(ctx, c, after, false, "test", parquetFormat())
	require.NoError(t, err)
	again := readTable(t, after, lake.TableEvidence)
	require.Equal(t, shas(first), shas(again), "the same files in the same order")
	require.Equal(t, int64(1), first[0][1])
	require.Equal(t, int64(2), again[0][1], "the first file, now its second version")
}

func ingestReq(workers int) *lake.IngestRequest {
	return &lake.IngestRequest{Config: ingest.Config{Ingesters: all.Ingesters(), Workers: workers},
		Key: ingesttest.Key, Examiner: "test", ToolVersion: "test", Parquet: parquetFormat()}
}

// TestIngestMatchesCase ingests the sample incident's logs straight into a lake: its events,
// rejects and evidence are the ones a case holds after the same ingest, and the same inputs give
// the same bytes whatever the number of workers.
func TestIngestMatchesCase(t *testing.T) {
	ctx := context.Background()
	c := exporttest.IncidentCase(t)
	var manifests []string
	for _, workers := range []int{1, 3} {
		out := filepath.Join(t.TempDir(), "lake")
		req := ingestReq(workers)
		req.Inputs = ingest.Expand([]string{samples(t)})
		res, results, err := lake.Ingest(ctx, out, req)
		require.NoError(t, err)
		require.False(t, ingest.Partial(results))
		manifests = append(manifests, res.Manifest)

		require.Equal(t, byFirst(caseRows(t, c, "events")), byFirst(readTable(t, out, lake.TableEvents)))
		require.Empty(t, readTable(t, out, lake.TableRejects))
		evidence, err := c.Evidence(ctx)
		require.NoError(t, err)
		var want []export.Row
		for _, e := range evidence {
			want = append(want, export.Row{e.SHA256, e.Path, e.Records, e.Events, e.Rejects, e.FirstEvent.UTC(), e.LastEvent.UTC()})
		}
		var got []export.Row
		for _, r := range readTable(t, out, lake.TableEvidence) {
			got = append(got, export.Row{r[0], r[2], r[12], r[13], r[14], r[10], r[11]})
		}
		require.Equal(t, byFirst(want), byFirst(got))

		d, err := lake.ReadDescriptor(out)
		require.NoError(t, err)
		require.Equal(t, "ingest", d.MadeBy)
		require.Equal(t, ingesttest.Key.ID(), d.HandleKeyID)
		require.Equal(t, int64(132), d.Tables[lake.TableEvents].Rows)
		require.Equal(t, int64(9), d.Tables[lake.TableEvidence].Rows)
		require.NoFileExists(t, filepath.Join(out, lake.KeyFileName), "the examiner gave the key")
	}
	require.Equal(t, manifests[0], manifests[1])
}

// TestIngestRejects: every record is an event or a reject, and the rejects land in the lake.
func TestIngestRejects(t *testing.T) {
	dir := t.TempDir()
	log := `203.0.113.5 - - [03/Mar/2026:10:00:00 +0000] "GET /a HTTP/1.1" 200 12 "-" "curl/8"
not an access log line at all
203.0.113.5 - - [03/Mar/2026:10:00:01 +0000] "GET /b HTTP/1.1" 404 0 "-" "curl/8"
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "access.log"), []byte(log), 0o644))
	out := filepath.Join(t.TempDir(), "lake")
	req := ingestReq(2)
	req.Inputs = ingest.Expand([]string{dir})
	_, results, err := lake.Ingest(context.Background(), out, req)
	require.NoError(t, err)
	require.Len(t, results, 1)
	require.Equal(t, int64(3), results[0].Evidence.Records)
	rejects := readTable(t, out, lake.TableRejects)
	require.Len(t, rejects, 1)
	require.Equal(t, int64(2), rejects[0][4], "the reject's line")
	require.Len(t, readTable(t, out, lake.TableEvents), 2)
	ev := readTable(t, out, lake.TableEvidence)
	require.Equal(t, export.Row{int64(3), int64(2), int64(1)}, export.Row(ev[0][12:15]))
}

// TestIngestKeyFile: a generated key is written to the lake with mode 0600, outside the
// manifest, and it is the key the handles were made under.
func TestIngestKeyFile(t *testing.T) {
	key, err := lake.GenerateKey()
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), "lake")
	req := ingestReq(2)
	req.Inputs = ingest.Expand([]string{samples(t)})
	req.Key, req.WriteKey = key, true
	res, _, err := lake.Ingest(context.Background(), out, req)
	require.NoError(t, err)
	path := filepath.Join(out, lake.KeyFileName)
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o600), info.Mode().Perm())
	back, err := lake.ReadKey(path)
	require.NoError(t, err)
	require.Equal(t, key.String(), back.String())
	require.Equal(t, key.ID(), res.Descriptor.HandleKeyID)
	require.NotContains(t, res.Manifest, lake.KeyFileName)
	left, err := filepath.Glob(filepath.Join(filepath.Dir(out), ".lake*"))
	require.NoError(t, err)
	require.Empty(t, left, "no temporary file is left beside the lake")
}

// TestIngestRefusesExisting: a lake is never written into an existing folder.
func TestIngestRefusesExisting(t *testing.T) {
	out := t.TempDir()
	req := ingestReq(1)
	req.Inputs = ingest.Expand([]string{samples(t)})
	_, _, err := lake.Ingest(context.Background(), out, req)
	require.ErrorIs(t, err, export.ErrExists)
}

// TestIndependentReader reads the events of a lake made by an ingest with DuckDB
// (test/readers), as one Hive-partitioned table: every value is the case's (times to the
// microsecond, DuckDB's precision), with day and source from the folder names.
func TestIndependentReader(t *testing.T) {
	c := exporttest.IncidentCase(t)
	out := filepath.Join(t.TempDir(), "lake")
	req := ingestReq(2)
	req.Inputs = ingest.Expand([]string{samples(t)})
	_, _, err := lake.Ingest(context.Background(), out, req)
	require.NoError(t, err)

	var want []export.Row
	for _, r := range caseRows(t, c, "events") {
		w := append(slices.Clone(r[:4]), r[5:]...)
		want = append(want, append(w, r[1].(time.Time).Format(time.DateOnly), r[4]))
	}
	slices.SortStableFunc(want, func(a, b export.Row) int {
		if c := a[1].(time.Time).Compare(b[1].(time.Time)); c != 0 {
			return c
		}
		return strings.Compare(a[0].(string), b[0].(string))
	})
	arrowtest.Micros(want)
	var cols []string
	for _, c := range export.EventColumns {
		if c.Name != "source" {
			cols = append(cols, c.Name)
		}
	}
	cols = append(cols, "day", "source")
	spot := []int{0, 1, 50, len(want) - 1}
	s := arrowtest.Node(t, "parquet", filepath.Join(out, lake.TableEvents), "--hive", "--order", "time,id", "--spot", arrowtest.SpotArg(spot))
	arrowtest.RequireValues(t, s, cols, want, spot)
}
