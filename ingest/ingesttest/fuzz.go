package ingesttest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/normalize"
)

// Fuzz runs ing over arbitrary bytes: it must not panic, must account for records in stream
// order (offsets never go back), must keep every record inside the input with the input's own
// bytes, and must end on in-memory input without error or with a break at the input's end (an
// *ingest.ReadError: the input ends inside a record or container). Seeds are the golden inputs
// in dir.
func Fuzz(f *testing.F, ing ingest.Ingester, dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasSuffix(name, ".golden.jsonl") || strings.HasSuffix(name, ".gz") || strings.HasSuffix(name, ".md") {
			continue
		}
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = ing.Detect(data)
		em := &checkEmitter{t: t, data: data}
		src := &ingest.Source{Reader: bytes.NewReader(data), Path: "fuzz", Options: ingest.Options{MaxRecord: 4096, Key: Key}}
		if err := ing.Ingest(context.Background(), src, em); err != nil {
			var re *ingest.ReadError
			if !errors.As(err, &re) || re.Offset != int64(len(data)) {
				t.Fatalf("ingest of in-memory input failed: %v", err)
			}
		}
	})
}

type checkEmitter struct {
	t    *testing.T
	data []byte
	last int64
}

func (c *checkEmitter) check(rec ingest.Record) {
	c.t.Helper()
	if rec.Offset < c.last {
		c.t.Fatalf("offset went back: %d after %d", rec.Offset, c.last)
	}
	c.last = rec.Offset
	if rec.Offset < 0 || rec.Length < 0 || rec.Offset+rec.Length > int64(len(c.data)) {
		c.t.Fatalf("record [%d,+%d) outside the %d-byte input", rec.Offset, rec.Length, len(c.data))
	}
	if int64(len(rec.Raw)) == rec.Length && !bytes.Equal(rec.Raw, c.data[rec.Offset:rec.Offset+rec.Length]) {
		c.t.Fatalf("record at %d: raw bytes are not the input's bytes", rec.Offset)
	}
}

func (c *checkEmitter) Event(rec ingest.Record, ev *normalize.Event) {
	c.check(rec)
	if int64(len(rec.Raw)) != rec.Length {
		c.t.Fatalf("event from a record whose bytes were not all kept (at %d)", rec.Offset)
	}
	// A missing time becomes a reject in the core; a category or outcome outside the model is a bug.
	if !ev.Category.Valid() {
		c.t.Fatalf("invalid category %q", ev.Category)
	}
	if ev.Outcome != "" && !ev.Outcome.Valid() {
		c.t.Fatalf("invalid outcome %q", ev.Outcome)
	}
}

func (c *checkEmitter) Reject(rec ingest.Record, reason string) {
	c.check(rec)
	if reason == "" {
		c.t.Fatalf("reject at %d without a reason", rec.Offset)
	}
}

func (c *checkEmitter) Note(string) {}
