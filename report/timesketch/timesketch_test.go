package timesketch

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
)

// The -update flag rewrites golden files, as in the ingest tests. exporttest links ingesttest,
// which defines it already; it is defined here only when it is not.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files with the current output")
	}
}

func updating() bool { return flag.Lookup("update").Value.(flag.Getter).Get().(bool) }

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

var t0 = time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)

// findings cite events 1, 3 and 5; event 3 twice, by findings of two rules.
func findings() *export.Table {
	return rowsTable("findings", export.FindingColumns, []export.Row{
		{"f1", "secret-read-then-used", "critical", t0, "read then used", nil, nil, nil, nil, fmt.Sprintf(`[%q,%q]`, eventID(3), eventID(1))},
		{"f2", "novel-ip", "high", t0, "new address", nil, nil, nil, nil, fmt.Sprintf(`[%q,%q]`, eventID(5), eventID(3))},
		{"f3", "coverage-gap", "info", t0, "gap", nil, nil, nil, nil, `[]`},
	})
}

func request(events *export.Table) *export.Request {
	return &export.Request{Table: events, Meta: exporttest.Meta("events"), Tables: func(name string) (*export.Table, error) {
		if name == "findings" {
			return findings(), nil
		}
		return nil, fmt.Errorf("no %s", name)
	}}
}

func write(t *testing.T, req *export.Request) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "timeline.jsonl")
	require.NoError(t, Format{}.Write(context.Background(), path, req))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// TestGolden compares a small export with testdata/small.golden.jsonl; go test
// ./report/timesketch -update rewrites it.
func TestGolden(t *testing.T) {
	got := write(t, request(exporttest.Events(12)))
	golden := filepath.Join("testdata", "small.golden.jsonl")
	if updating() {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(golden, got, 0o644))
		return
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "missing golden file; run go test with -update")
	require.Equal(t, string(want), string(got))
}

// TestLines checks every line as Timesketch reads it: valid JSON on one line, the required
// fields, datetime and timestamp agreeing, the event's own fields intact.
func TestLines(t *testing.T) {
	const n = 60
	out := write(t, request(exporttest.Events(n)))
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	i := 0
	for sc.Scan() {
		var line map[string]any
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&line), "line %d", i+1)
		want := exporttest.EventRow(i)
		tm := want[1].(time.Time)
		for _, k := range []string{"message", "datetime", "timestamp", "timestamp_desc"} {
			require.Contains(t, line, k)
		}
		require.NotContains(t, line["message"], "\n")
		require.Equal(t, "Event Recorded", line["timestamp_desc"])
		dt, err := time.Parse(time.RFC3339Nano, line["datetime"].(string))
		require.NoError(t, err)
		require.True(t, strings.HasSuffix(line["datetime"].(string), "+00:00"))
		require.True(t, tm.Truncate(time.Microsecond).Equal(dt), "%s vs %s", tm, dt)
		require.Equal(t, json.Number(fmt.Sprint(tm.UnixMicro())), line["timestamp"])
		for k, c := range export.EventColumns {
			v, ok := line[c.Name]
			if want[k] == nil {
				require.False(t, ok, "line %d: null %s is left out", i+1, c.Name)
				continue
			}
			switch c.Kind {
			case export.Int64:
				require.Equal(t, json.Number(fmt.Sprint(want[k])), v)
			case export.Time:
				require.Equal(t, export.Text(want[k]), v)
			default:
				require.Equal(t, want[k], v, "line %d %s", i+1, c.Name)
			}
		}
		i++
	}
	require.NoError(t, sc.Err())
	require.Equal(t, n, i)
}

func TestTags(t *testing.T) {
	out := write(t, request(exporttest.Events(8)))
	lines := bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n"))
	got := map[int][2]any{}
	for i, l := range lines {
		var line struct {
			Tag      []string `json:"tag"`
			Findings []string `json:"findings"`
		}
		require.NoError(t, json.Unmarshal(l, &line))
		if line.Tag != nil || line.Findings != nil {
			got[i] = [2]any{line.Tag, line.Findings}
		}
	}
	require.Equal(t, map[int][2]any{
		1: {[]string{"breachline:secret-read-then-used", "severity:critical"}, []string{"f1"}},
		3: {[]string{"breachline:novel-ip", "breachline:secret-read-then-used", "severity:critical", "severity:high"}, []string{"f1", "f2"}},
		5: {[]string{"breachline:novel-ip", "severity:high"}, []string{"f2"}},
	}, got)
}

func TestMessage(t *testing.T) {
	m := newMessageColumns(export.EventColumns)
	row := func(set map[string]any) export.Row {
		r := make(export.Row, len(export.EventColumns))
		for i, c := range export.EventColumns {
			r[i] = set[c.Name]
		}
		return r
	}
	require.Equal(t, "alice (user) GetSecretValue aws-sm:prod/db from 203.0.113.5 — success", m.message(row(map[string]any{
		"principal": "alice", "principal_type": "user", "action": "GetSecretValue", "category": "secret_read",
		"secret_ref": "aws-sm:prod/db", "resource": "arn:aws:secretsmanager:…", "src_ip": "203.0.113.5", "outcome": "success"})))
	require.Equal(t, "aws-key-id:AKIA1 http_request /login — failure", m.message(row(map[string]any{
		"credential": "aws-key-id:AKIA1", "category": "http_request", "resource": "/login", "outcome": "failure"})))
	require.Equal(t, `line one\nline two\r\x1b[0m\u0085\u2028 GET — unknown`, m.message(row(map[string]any{
		"principal": "line one\nline two\r\x1b[0m\u0085\u2028", "action": "GET", "outcome": "unknown"})))
}

func TestCut(t *testing.T) {
	require.Equal(t, "short", cut("short"))
	exact := strings.Repeat("a", MaxValueBytes)
	require.Equal(t, exact, cut(exact))

	long := strings.Repeat("ü", 20000) // 40,000 bytes of two-byte characters
	got := cut(long)
	require.LessOrEqual(t, len(got), MaxValueBytes)
	require.True(t, utf8.ValidString(got))
	i := strings.Index(got, "…[cut ")
	require.Zero(t, i%2, "cut between the bytes of a character")
	require.Equal(t, fmt.Sprintf("…[cut %d bytes]", len(long)-i), got[i:])

	// A long attrs value in a line is cut the same way and the line stays valid JSON.
	r := exporttest.EventRow(0)
	r[len(r)-1] = `{"blob":"` + strings.Repeat("x", 50000) + `"}`
	events := rowsTable("events", export.EventColumns, []export.Row{r})
	var line map[string]any
	require.NoError(t, json.Unmarshal(write(t, request(events)), &line))
	attrs := line["attrs"].(string)
	require.Len(t, attrs, MaxValueBytes)
	require.True(t, strings.HasSuffix(attrs, fmt.Sprintf("…[cut %d bytes]", 50011-strings.Index(attrs, "…"))), "%s", attrs[len(attrs)-40:])
}

func TestDeterministic(t *testing.T) {
	a := write(t, request(exporttest.Events(200)))
	b := write(t, request(exporttest.Events(200)))
	require.True(t, bytes.Equal(a, b))
}

func TestOtherTable(t *testing.T) {
	err := Format{}.Write(context.Background(), filepath.Join(t.TempDir(), "x.jsonl"), &export.Request{Table: findings()})
	require.ErrorContains(t, err, "--table findings")
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"plain", "quote \" back \\ slash", "ctl \x00\x01\x1f\t\n\r", "ünïcödé 🙂 <script>&", "bad \xff byte"} {
		var back string
		require.NoError(t, json.Unmarshal(appendString(nil, s), &back))
		require.Equal(t, strings.ToValidUTF8(s, "\uFFFD"), back)
	}
}
