package jsonrec

import (
	"bytes"
	"testing"
	"testing/iotest"
)

// FuzzScanner holds the scanner to its promises on any input: it ends, records are the input's
// own bytes at their offsets, offsets only grow, and byte-at-a-time reads give the same records.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{
		`{"a":1}` + "\n" + `{"b":[1,2]}`, `{"Records":[{"x":1},{"y":"}"}],"n":1}`, `[1, "two", {"t":3}]`,
		"{\n  \"a\": 1\n}\n{\"b\":\n", `[1, }]`, "\xEF\xBB\xBF{\"a\":\"\\\"\"}", `{"QueryStatus":"x","QueryResultRows":[[{"a":"1"}]]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		run := func(slow bool) []got {
			var r = bytes.NewReader(data)
			s := New(r, 256, "Records", "QueryResultRows")
			if slow {
				s = New(iotest.OneByteReader(bytes.NewReader(data)), 256, "Records", "QueryResultRows")
			}
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
			return out
		}
		a, b := run(false), run(true)
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
