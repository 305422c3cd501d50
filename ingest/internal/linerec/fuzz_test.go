package linerec

import (
	"bytes"
	"testing"
	"testing/iotest"
)

// FuzzScanner: any input ends, lines are the input's bytes at their offsets, and byte-at-a-time
// reads give the same lines.
func FuzzScanner(f *testing.F) {
	f.Add([]byte("one\r\ntwo\n\n  \nthree"))
	f.Add(bytes.Repeat([]byte("x"), 3000))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := scanAll(bytes.NewReader(data), 1024)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := scanAll(iotest.OneByteReader(bytes.NewReader(data)), 1024)
		if len(a) != len(b) {
			t.Fatalf("%d lines vs %d with one-byte reads", len(a), len(b))
		}
		for i, g := range a {
			if g != b[i] {
				t.Fatalf("line %d differs", i)
			}
			if g.Offset+g.Length > int64(len(data)) {
				t.Fatalf("line beyond the input")
			}
			if int64(len(g.Raw)) == g.Length && g.Raw != string(data[g.Offset:g.Offset+g.Length]) {
				t.Fatalf("line %d is not the input's bytes", i)
			}
		}
	})
}
