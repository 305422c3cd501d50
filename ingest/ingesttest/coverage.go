package ingesttest

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/normalize"
)

// Span is a stretch of the decompressed evidence stream.
type Span struct{ Offset, Length int64 }

// Layout tells the coverage check what of a format's input is not records: the container syntax
// the format defines. Every format's golden test passes its own, so an ingester that drops bytes
// silently (a member of a wrapper object, the tail of a cut array, the lines between two records)
// fails its golden test instead of losing evidence unseen.
type Layout struct {
	// Syntax reports whether gap, bytes that no event or reject covers, starting at offset off
	// of stream (white space around it trimmed), is container syntax of the format. Nil accepts
	// nothing: only white space may lie between records.
	Syntax func(stream []byte, off int64, gap []byte) bool
	// Owns returns the bytes an event holds beyond its own [offset, offset+length): auditd's
	// lines that lie among other events' lines (attrs.lines).
	Owns func(e normalize.Event) []Span
	// RejectOwns is Owns for a reject, which has no attributes: what it stands for beyond its
	// span is in its reason (k8s-audit's stage records of a rejected request).
	RejectOwns func(r normalize.Reject) []Span
}

// Lines is the layout of line formats: records and white space, nothing else.
var Lines = Layout{}

// Coverage asserts that every event and reject lies inside stream, that every event's
// raw_sha256 is the hash of its bytes, and that every byte of stream that is not white space lies
// in some event's or reject's span (or a span it owns) or in a gap that l.Syntax accepts: records
// plus rejects account for the whole input, so that nothing read is lost unseen.
func Coverage(t testing.TB, stream []byte, events []normalize.Event, rejects []normalize.Reject, l Layout) {
	t.Helper()
	gaps, err := Uncovered(stream, events, rejects, l)
	require.NoError(t, err)
	for _, g := range gaps {
		show := stream[g.Offset : g.Offset+min(g.Length, 120)]
		require.Failf(t, "bytes of the input are in no event or reject",
			"[%d,%d) is neither a record nor container syntax of the format: %q", g.Offset, g.Offset+g.Length, show)
	}
}

// Uncovered returns the stretches of stream, white space trimmed, that no event or reject covers
// and l.Syntax does not accept. The error says why events and rejects cannot be checked: a span
// outside the stream, or an event whose raw_sha256 is not the hash of its bytes.
func Uncovered(stream []byte, events []normalize.Event, rejects []normalize.Reject, l Layout) ([]Span, error) {
	var spans []Span
	add := func(what string, at int64, s Span) error {
		if s.Offset < 0 || s.Length < 0 || s.Offset+s.Length > int64(len(stream)) {
			return fmt.Errorf("%s at %d: [%d,+%d) lies outside the %d-byte stream", what, at, s.Offset, s.Length, len(stream))
		}
		spans = append(spans, s)
		return nil
	}
	for _, e := range events {
		if err := add("event", e.Offset, Span{e.Offset, e.Length}); err != nil {
			return nil, err
		}
		if sum := sha256.Sum256(stream[e.Offset : e.Offset+e.Length]); hex.EncodeToString(sum[:]) != e.RawSHA256 {
			return nil, fmt.Errorf("event at %d: raw_sha256 %s is not the hash of its bytes", e.Offset, e.RawSHA256)
		}
		if l.Owns != nil {
			for _, s := range l.Owns(e) {
				if err := add("a span of the event", e.Offset, s); err != nil {
					return nil, err
				}
			}
		}
	}
	for _, r := range rejects {
		if err := add("reject", r.Offset, Span{r.Offset, r.Length}); err != nil {
			return nil, err
		}
		if l.RejectOwns != nil {
			for _, s := range l.RejectOwns(r) {
				if err := add("a span of the reject", r.Offset, s); err != nil {
					return nil, err
				}
			}
		}
	}
	slices.SortFunc(spans, func(a, b Span) int { return cmp.Compare(a.Offset, b.Offset) })
	var gaps []Span
	check := func(from, to int64) {
		gap := stream[from:to]
		if from == 0 {
			gap = bytes.TrimPrefix(gap, []byte("\xEF\xBB\xBF")) // a byte order mark is not content
		}
		trimmed := bytes.TrimLeft(gap, " \t\r\n")
		off := to - int64(len(trimmed))
		trimmed = bytes.TrimRight(trimmed, " \t\r\n")
		if len(trimmed) > 0 && (l.Syntax == nil || !l.Syntax(stream, off, trimmed)) {
			gaps = append(gaps, Span{off, int64(len(trimmed))})
		}
	}
	pos := int64(0)
	for _, s := range spans {
		if s.Offset > pos {
			check(pos, s.Offset)
		}
		pos = max(pos, s.Offset+s.Length)
	}
	if pos < int64(len(stream)) {
		check(pos, int64(len(stream)))
	}
	return gaps, nil
}

// JSONContainer is the Syntax of formats read with jsonrec: what may lie between records is the
// punctuation of arrays and wrapper objects, a member key that opens an array (jsonrec reads the
// elements of any array in a wrapper object as records), and the members the format declares as
// metadata (jsonrec.Scanner.Metadata), with their values.
func JSONContainer(metadata ...string) func(stream []byte, off int64, gap []byte) bool {
	return func(_ []byte, _ int64, gap []byte) bool {
		i := 0
		ws := func() {
			for i < len(gap) && (gap[i] == ' ' || gap[i] == '\t' || gap[i] == '\r' || gap[i] == '\n') {
				i++
			}
		}
		for ws(); i < len(gap); ws() {
			switch c := gap[i]; {
			case bytes.IndexByte([]byte("{}[],"), c) >= 0:
				i++
				continue
			case c != '"':
				return false // a value outside any record
			}
			end, ok := jsonEnd(gap, i)
			if !ok {
				return false
			}
			key := string(gap[i+1 : end-1])
			i = end
			ws()
			if i >= len(gap) || gap[i] != ':' {
				return false // a string outside any record, not a member key
			}
			i++
			ws()
			if slices.Contains(metadata, key) {
				if i >= len(gap) {
					return false
				}
				if i, ok = jsonEnd(gap, i); !ok {
					return false
				}
				continue
			}
			if i >= len(gap) || gap[i] != '[' {
				return false // a member that is neither records nor metadata
			}
		}
		return true
	}
}

// jsonEnd returns the index just past the JSON value that starts at b[i] (a string, an object or
// array, or a scalar), or false when b ends first.
func jsonEnd(b []byte, i int) (int, bool) {
	depth, inStr, esc := 0, false, false
	for j := i; j < len(b); j++ {
		c := b[j]
		switch {
		case inStr:
			if esc {
				esc = false
			} else if c == '\\' {
				esc = true
			} else if c == '"' {
				inStr = false
				if depth == 0 {
					return j + 1, true
				}
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth == 0 {
				return j, j > i
			}
			if depth--; depth == 0 {
				return j + 1, true
			}
		case depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n'):
			return j, j > i
		}
	}
	if depth == 0 && !inStr && len(b) > i {
		return len(b), true // a scalar that ends with b
	}
	return 0, false
}

// AttrSpans is the Owns of a format whose events list the other records they hold in the
// attribute key, as [offset, length] pairs (auditd's attrs.lines) or as objects with offset and
// length (k8s-audit's attrs.stages).
func AttrSpans(key string) func(e normalize.Event) []Span {
	return func(e normalize.Event) []Span {
		var attrs map[string]json.RawMessage
		var list []json.RawMessage
		if json.Unmarshal(e.AttrsJSON, &attrs) != nil || json.Unmarshal(attrs[key], &list) != nil {
			return nil
		}
		var out []Span
		for _, raw := range list {
			var pair [2]int64
			var obj struct{ Offset, Length int64 }
			if json.Unmarshal(raw, &pair) == nil {
				out = append(out, Span{pair[0], pair[1]})
			} else if json.Unmarshal(raw, &obj) == nil {
				out = append(out, Span{obj.Offset, obj.Length})
			}
		}
		return out
	}
}

// CSVHeader is the Syntax of CSV formats: the header row, the first line of the stream, names
// the columns and is not a record.
func CSVHeader(stream []byte, off int64, gap []byte) bool {
	start := int64(len(stream) - len(bytes.TrimLeft(bytes.TrimPrefix(stream, []byte("\xEF\xBB\xBF")), " \t\r\n")))
	return off == start && bytes.IndexByte(gap, '\n') < 0
}

// CorpusCoverage runs Coverage on every file of the shared corpus's <kind> directory that ing
// detects: third-party logs hold shapes no fixture thought of, and a byte of them lost unseen is
// a gap in the ingester as much as one in a fixture.
func CorpusCoverage(t *testing.T, ing ingest.Ingester, kind string, opts ingest.Options, l Layout) {
	t.Helper()
	root := CorpusDir(t, kind)
	var files []string
	require.NoError(t, filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	}))
	n := 0
	for _, p := range files {
		if !Detects(t, ing, p) {
			continue
		}
		n++
		t.Run(filepath.Base(p), func(t *testing.T) {
			mem := Ingest(t, ing, p, opts)
			Coverage(t, decompressed(t, p), mem.Events, mem.Rejects, l)
		})
	}
	require.NotZero(t, n, "no %s files in %s", ing.Name(), root)
}
