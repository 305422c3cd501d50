package gcpaudit

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/normalize"
)

// TestBigQueryShape: testdata/bigquery.jsonl holds the entries of lines.jsonl and lb.jsonl, and
// bigquery_gke.jsonl those of gcloud.json (GKE and Workspace), as a BigQuery export writes them:
// protopayload_auditlog with requestJson/responseJson, TIMESTAMPs with " UTC", integers as
// strings, latency as seconds and nanos, a typed jsonPayload in its own lower-cased column, label
// names with '_' for every other character. Both shapes give the same events but for what says
// where they came from.
func TestBigQueryShape(t *testing.T) {
	for bq, sources := range map[string][]string{
		"bigquery.jsonl":     {"lines.jsonl", "lb.jsonl"},
		"bigquery_gke.jsonl": {"gcloud.json"},
	} {
		t.Run(bq, func(t *testing.T) {
			var want []normalize.Event
			for _, name := range sources {
				mem := ingesttest.Ingest(t, New(), "testdata/"+name, ingest.Options{})
				require.Empty(t, mem.Rejects)
				want = append(want, mem.Events...)
			}
			got := ingesttest.Ingest(t, New(), "testdata/"+bq, ingest.Options{})
			require.Empty(t, got.Rejects)
			require.Len(t, got.Events, len(want))
			for i := range want {
				w, g := comparable(want[i]), comparable(got.Events[i])
				require.Equal(t, "bigquery", g.Attrs["export"], "entry %d", i+1)
				delete(g.Attrs, "export")
				if g.Attrs["payload_column"] != nil {
					// A typed jsonPayload: its @type is the column's name, its keys lower-cased.
					require.Equal(t, "jsonpayload_type_loadbalancerlogentry", g.Attrs["payload_column"])
					for _, m := range []map[string]any{w.Attrs, g.Attrs} {
						delete(m, "payload_column")
						delete(m, "payload_type")
						delete(m, "message")
					}
				}
				// The labels breachline does not read keep BigQuery's names.
				if l, ok := w.Attrs["labels"].(map[string]any); ok {
					bqNames := map[string]any{}
					for k, v := range l {
						bqNames[bqColumnName(k)] = v
					}
					w.Attrs["labels"] = bqNames
				}
				require.Equal(t, w, g, "entry %d", i+1)
				require.Equal(t, normalize.TZExplicit, got.Events[i].TZBasis)
			}
		})
	}
}

// comparable is ev without what depends on the bytes it was read from: BigQuery keeps
// microseconds, and writes its times in its own form.
func comparable(ev normalize.Event) normalize.Event {
	ev.ID, ev.TimeRaw, ev.Parser = "", "", ""
	ev.EvidenceSHA256, ev.EvidencePath, ev.Offset, ev.Length, ev.Line, ev.RecordIndex, ev.RawSHA256 = "", "", 0, 0, 0, 0, ""
	ev.Time = ev.Time.Truncate(time.Microsecond)
	// The core keeps the attributes as their canonical JSON.
	var attrs map[string]any
	if err := json.Unmarshal(ev.AttrsJSON, &attrs); err != nil {
		panic(err)
	}
	delete(attrs, "receive_timestamp")
	ev.Attrs, ev.AttrsJSON = attrs, nil
	return ev
}

func TestParseTime(t *testing.T) {
	for raw, want := range map[string]string{
		"2024-05-31 10:00:00.123456 UTC": "2024-05-31T10:00:00.123456Z",
		"2024-05-31 10:00:00 UTC":        "2024-05-31T10:00:00Z",
		"2024-05-31 10:00:00.5 UTC":      "2024-05-31T10:00:00.5Z",
		"2024-05-31T10:00:00.123456Z":    "2024-05-31T10:00:00.123456Z",
		"2024-05-31T12:00:00+02:00":      "2024-05-31T10:00:00Z",
	} {
		got, basis, err := parseTime(raw, nil)
		require.NoError(t, err, raw)
		require.Equal(t, normalize.TZExplicit, basis, raw)
		require.Equal(t, want, got.UTC().Format(time.RFC3339Nano), raw)
	}
	for _, raw := range []string{"2024-02-30 10:00:00 UTC", "2024-05-31T10:00:00 UTC", "2024-05-31 10:00:00 CET", " UTC", "2024-05-31 10:00:00"} {
		_, _, err := parseTime(raw, nil)
		require.Error(t, err, raw)
	}
}

func TestDurationText(t *testing.T) {
	for _, c := range []struct {
		sec, ns int64
		want    string
	}{{0, 12345000, "0.012345s"}, {1, 500000000, "1.500s"}, {3, 0, "3s"}, {0, 7, "0.000000007s"}} {
		require.Equal(t, c.want, durationText(c.sec, c.ns))
	}
}
