package mapped

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"regexp"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/normalize"
)

func TestParseEpoch(t *testing.T) {
	for _, c := range []struct {
		in     string
		perSec int64
		want   string // RFC 3339, or "" for an error
	}{
		{"1772445600", 1, "2026-03-02T10:00:00Z"},
		{"1772445600.123456789123", 1, "2026-03-02T10:00:00.123456789Z"},
		{"1772445600.5", 1, "2026-03-02T10:00:00.5Z"},
		{"1772445600123", 1e3, "2026-03-02T10:00:00.123Z"},
		{"1772445600123.4567", 1e3, "2026-03-02T10:00:00.1234567Z"},
		{"1772445600123456", 1e6, "2026-03-02T10:00:00.123456Z"},
		{"1772445600123456.7", 1e6, "2026-03-02T10:00:00.1234567Z"},
		{"1772445600123456789", 1e9, "2026-03-02T10:00:00.123456789Z"},
		{"1772445600123456789.9", 1e9, "2026-03-02T10:00:00.123456789Z"},
		{"-1", 1, "1969-12-31T23:59:59Z"},
		{"-1500", 1e3, "1969-12-31T23:59:58.5Z"},
		{"0", 1e9, "1970-01-01T00:00:00Z"},
		{"1e9", 1, ""}, {"+5", 1, ""}, {"5.", 1, ""}, {".5", 1, ""}, {"", 1, ""}, {"1 ", 1, ""},
		{"99999999999999999999", 1, ""}, {"0x10", 1, ""}, {"--1", 1, ""},
	} {
		got, err := parseEpoch(c.in, c.perSec)
		if c.want == "" {
			require.Error(t, err, c.in)
			continue
		}
		require.NoError(t, err, c.in)
		require.Equal(t, c.want, got.Format(time.RFC3339Nano), c.in)
	}
}

func TestTransforms(t *testing.T) {
	apply := func(tr transform, in string) string {
		out, err := tr.apply(in)
		require.NoError(t, err)
		return out
	}
	require.Equal(t, "ünïcode", apply(lowercase{}, "ÜNÏCODE"))
	require.Equal(t, "ÜNÏCODE", apply(uppercase{}, "ünïcode"))
	require.Equal(t, "x y", apply(trim{}, " \t x y \n"))
	require.Equal(t, "/a b/ü+c", apply(percentDecode{}, "/a%20b/%C3%bc+c"))
	require.Equal(t, "/100%/%zz/%4", apply(percentDecode{}, "/100%/%zz/%4"), "a stray % is kept as logged")
	require.Equal(t, "/plain", apply(percentDecode{}, "/plain"))
	for in, want := range map[string]bool{"200": true, "0": true, "0.004": true, "-1": true,
		"-": false, "": false, "007": false, "1e3": false, "1.": false, ".5": false, "1,5": false} {
		require.Equal(t, want, isDecimal(in), "%q", in)
	}
	require.Equal(t, normalize.TokenHandle("raw-token"), apply(tokenHandle{}, "raw-token"))
	require.Equal(t, "", apply(tokenHandle{}, "****"), "a placeholder is no credential")
	require.Equal(t, "", apply(tokenHandle{}, "REDACTED"))
	h := normalize.TokenHandle("x")
	require.Equal(t, h, apply(tokenHandle{}, h), "a handle stays as it is")
	re := capture{regexp.MustCompile(`user=(\w+)|uid=(\d+)`)}
	require.Equal(t, "bob", apply(re, "a user=bob b"))
	require.Equal(t, "", apply(re, "uid=42"), "the first group did not take part")
	require.Equal(t, "", apply(re, "nothing"))
	tb := &table{m: map[string]string{"a": "x"}, where: "m.yaml:3"}
	require.Equal(t, "x", apply(tb, "a"))
	_, err := tb.apply("b")
	require.EqualError(t, err, `value "b" is not in the map at m.yaml:3, which has no default`)
	tb.def, tb.hasDef = "d", true
	require.Equal(t, "d", apply(tb, "b"))
}

func TestPaths(t *testing.T) {
	for in, want := range map[string][]step{
		"a":                {{key: "a", index: -1}},
		"a.b[0].c":         {{key: "a", index: -1}, {key: "b", index: -1}, {index: 0}, {key: "c", index: -1}},
		`a["x.y"][2]`:      {{key: "a", index: -1}, {key: "x.y", index: -1}, {index: 2}},
		`["@timestamp"]`:   {{key: "@timestamp", index: -1}},
		`a["q\"uote"]`:     {{key: "a", index: -1}, {key: `q"uote`, index: -1}},
		"[0]":              {{index: 0}},
		"userIdentity.arn": {{key: "userIdentity", index: -1}, {key: "arn", index: -1}},
	} {
		got, err := parsePath(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", ".a", "a.", "a..b", "a[", "a[]", "a[01]", "a[-1]", "a[1x]", `a["x]`, "a]b", `a"b`, "a[0]b", "a[70000]"} {
		_, err := parsePath(bad)
		require.Error(t, err, bad)
	}
}

func TestTemplates(t *testing.T) {
	parts, err := parseTemplate("hub-space:{repo.name}/{key}")
	require.NoError(t, err)
	require.Equal(t, []tmplPart{{lit: "hub-space:", slot: -1}, {path: "repo.name", slot: -1}, {lit: "/", slot: -1}, {path: "key", slot: -1}}, parts)
	parts, err = parseTemplate("{{literal}} {x}")
	require.NoError(t, err)
	require.Equal(t, "{literal} ", parts[0].lit)
	for _, bad := range []string{"no holes", "{", "{}", "a}b", "{a"} {
		_, err := parseTemplate(bad)
		require.Error(t, err, bad)
	}
}

// TestReadErrorKeepsCompleteRecords: when the evidence stream breaks, the records read whole
// before the break are events and the error reaches the core, which reports the rest.
func TestReadErrorKeepsCompleteRecords(t *testing.T) {
	broken := errors.New("disk read failed")
	for _, c := range []struct {
		mapping, input string
		events         int
	}{
		{"testdata/mappings/json.yaml", "testdata/json/lines.jsonl", 5},
		{"testdata/mappings/csv.yaml", "testdata/csv/basic.csv", 3},
	} {
		ing := load(t, c.mapping)
		data, err := os.ReadFile(c.input)
		require.NoError(t, err)
		cut := bytes.LastIndexByte(data[:len(data)-1], '\n') + 10 // inside the last record
		em := &countingEmitter{}
		r := io.MultiReader(bytes.NewReader(data[:cut]), iotest.ErrReader(broken))
		err = ing.Ingest(context.Background(), &ingest.Source{Reader: r, Options: ingest.Options{MaxRecord: 1 << 20, Key: ingesttest.Key}}, em)
		require.ErrorIs(t, err, broken, c.input)
		require.Equal(t, c.events-1, em.events, "%s: the records before the break", c.input)
		require.Zero(t, em.rejects, c.input)
	}
}

type countingEmitter struct{ events, rejects int }

func (c *countingEmitter) Event(ingest.Record, *normalize.Event) { c.events++ }
func (c *countingEmitter) Reject(ingest.Record, string)          { c.rejects++ }
func (c *countingEmitter) Note(string)                           {}
