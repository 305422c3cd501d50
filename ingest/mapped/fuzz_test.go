package mapped

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/normalize"
)

// FuzzIngest runs the JSON test mapping over arbitrary bytes (seeds: its golden inputs).
func FuzzIngest(f *testing.F) {
	ing, err := Load("testdata/mappings/json.yaml")
	if err != nil {
		f.Fatal(err)
	}
	ingesttest.Fuzz(f, ing, "testdata/json")
}

// FuzzIngestCSV runs the CSV test mapping over arbitrary bytes (seeds: its golden inputs).
func FuzzIngestCSV(f *testing.F) {
	ing, err := Load("testdata/mappings/csv.yaml")
	if err != nil {
		f.Fatal(err)
	}
	ingesttest.Fuzz(f, ing, "testdata/csv")
}

// FuzzLoad feeds arbitrary mapping files to Parse: it must not panic, every fault must be a
// *MappingError, and a mapping it accepts must read records without panicking or breaking the
// event model.
func FuzzLoad(f *testing.F) {
	for _, pattern := range []string{"testdata/mappings/*.yaml", "builtin/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(base))
	f.Add([]byte(base + "  secret_ref:\n    template: \"x:{a}/{b[0]}\"\n    when: {from: c, in: [d]}\n"))
	samples := [][]byte{}
	for _, p := range []string{"testdata/json/lines.jsonl", "testdata/json/array.json", "testdata/csv/basic.csv", "testdata/csv-noheader/rows.csv"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		samples = append(samples, b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ing, err := Parse("fuzz.yaml", data)
		if err != nil {
			var me *MappingError
			if !errors.As(err, &me) {
				t.Fatalf("fault is not a *MappingError: %v", err)
			}
			return
		}
		for _, s := range samples {
			_ = ing.Detect(s)
			em := &modelEmitter{t: t}
			src := &ingest.Source{Reader: bytes.NewReader(s), Path: "sample", Options: ingest.Options{MaxRecord: 4096, Key: ingesttest.Key}}
			if err := ing.Ingest(context.Background(), src, em); err != nil {
				t.Fatalf("ingest of in-memory input failed: %v", err)
			}
		}
	})
}

// modelEmitter checks what a fuzzed mapping emits against the event model.
type modelEmitter struct{ t *testing.T }

func (e *modelEmitter) Event(rec ingest.Record, ev *normalize.Event) {
	if !ev.Category.Valid() {
		e.t.Fatalf("event with category %q", ev.Category)
	}
	if ev.Outcome != "" && !ev.Outcome.Valid() {
		e.t.Fatalf("event with outcome %q", ev.Outcome)
	}
	if ev.Time.IsZero() || ev.TZBasis == "" {
		e.t.Fatalf("event without a time basis")
	}
}

func (e *modelEmitter) Reject(rec ingest.Record, reason string) {
	if reason == "" {
		e.t.Fatalf("reject without a reason")
	}
}

func (e *modelEmitter) Note(string) {}
