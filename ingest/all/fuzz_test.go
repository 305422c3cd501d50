package all_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/ingest/ingesttest"
)

// fuzzSeeds are the hostile inputs under 64 KiB and a few golden inputs of every format.
func fuzzSeeds(f *testing.F) {
	for _, b := range hostileInputs(f) {
		if len(b) < 64<<10 {
			f.Add(b)
		}
	}
	dirs, _ := filepath.Glob("../*/testdata")
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		n := 0
		for _, p := range files {
			if strings.HasSuffix(p, ".golden.jsonl") || strings.HasSuffix(p, ".md") || n == 3 {
				continue
			}
			if b, err := os.ReadFile(p); err == nil && len(b) < 16<<10 {
				f.Add(b)
				n++
			}
		}
	}
}

// FuzzDetect feeds arbitrary heads to every ingester's Detect, as format detection does with a
// file's first 64 KiB (possibly cut inside a record): none may panic.
func FuzzDetect(f *testing.F) {
	fuzzSeeds(f)
	ings := all.Ingesters()
	f.Fuzz(func(t *testing.T, head []byte) {
		for _, ing := range ings {
			_ = ing.Detect(head)
		}
		_ = ingest.Detect(ings, head)
	})
}

// FuzzRun ingests arbitrary files through ingest.Run with format detection, as the command line
// does: no panic, and the file is either refused with an error naming it or every record is
// accounted for (records = events + rejects, every event passing the model's checks).
func FuzzRun(f *testing.F) {
	fuzzSeeds(f)
	ings := all.Ingesters()
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "evidence")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		mem := &ingesttest.Memory{}
		cfg := ingest.Config{Ingesters: ings, Workers: 1, Options: ingest.Options{MaxRecord: 4096}}
		res, err := ingest.Run(context.Background(), cfg, []string{path}, mem)
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, path, res, mem)
	})
}
