package jsonrec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
	"testing/iotest"

	"github.com/breachline/breachline/ingest"
)

// FuzzScanner holds the scanner to its promises on any input: it ends, records are the input's
// own bytes at their offsets, offsets only grow, byte-at-a-time reads give the same records and
// the same end, and a scan of in-memory input ends cleanly or at a truncation at its end.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{
		`{"a":1}` + "\n" + `{"b":[1,2]}`, `{"Records":[{"x":1},{"y":"}"}],"n":1}`, `[1, "two", {"t":3}]`,
		"{\n  \"a\": 1\n}\n{\"b\":\n", `[1, }]`, "\xEF\xBB\xBF{\"a\":\"\\\"\"}", `{"QueryStatus":"x","QueryResultRows":[[{"a":"1"}]]}`,
		`{"Records":[{"x":1}],"Other":[{"y":2}],"n":5,"NextToken":"t"}`, `{"Records":[{"x":1}], 5, "n":{"a":"}"}}`,
		`{"Records":[{"a":1},{"b":`, `{"Records":[], "n": }`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		run := func(slow bool) ([]got, error) {
			var r io.Reader = bytes.NewReader(data)
			if slow {
				r = iotest.OneByteReader(r)
			}
			s := New(r, 256, "Records", "QueryResultRows").Metadata("NextToken")
			var out []got
			last := int64(-1)
			for s.Next() {
				rec := s.Record()
				if rec.Offset < last || rec.Offset+rec.Length > int64(len(data)) {
					t.Fatalf("record [%d,+%d) after %d in %d bytes", rec.Offset, rec.Length, last, len(data))
				}
				if int64(len(rec.Raw)) == rec.Length && !bytes.Equal(rec.Raw, data[rec.Offset:rec.Offset+rec.Length]) {
					t.Fatalf("record at %d is not the input's bytes", rec.Offset)
				}
				last = rec.Offset
				out = append(out, got{rec.Offset, rec.Length, rec.Line, rec.Index, string(rec.Raw), s.Bad()})
				if len(out) > len(data)+1 {
					t.Fatal("more records than bytes")
				}
			}
			if err := s.Err(); err != nil {
				var re *ingest.ReadError
				if !errors.Is(err, ErrTruncated) || !errors.As(err, &re) || re.Offset != int64(len(data)) {
					t.Fatalf("in-memory input ended with %v", err)
				}
			}
			return out, s.Err()
		}
		a, errA := run(false)
		b, errB := run(true)
		if fmt.Sprint(errA) != fmt.Sprint(errB) {
			t.Fatalf("ends differ: %v with whole reads, %v with one-byte reads", errA, errB)
		}
		if len(a) != len(b) {
			t.Fatalf("%d records with whole reads, %d with one-byte reads", len(a), len(b))
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("record %d differs: %+v vs %+v", i, a[i], b[i])
			}
		}
	})
}
