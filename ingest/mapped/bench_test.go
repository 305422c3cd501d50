package mapped

import (
	"bytes"
	"testing"

	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/internal/synth"
)

// BenchmarkIngest measures the built-in hub-audit mapping on a JSON array export.
func BenchmarkIngest(b *testing.B) {
	var buf bytes.Buffer
	if err := synth.HubAudit(&buf, 50_000, 1); err != nil {
		b.Fatal(err)
	}
	ingesttest.Bench(b, builtin(b, "hub-audit"), buf.Bytes())
}

// BenchmarkIngestCSV measures the CSV test mapping on a CSV export with quoted, multi-line notes.
func BenchmarkIngestCSV(b *testing.B) {
	var buf bytes.Buffer
	if err := synth.SecretsCSV(&buf, 100_000, 1); err != nil {
		b.Fatal(err)
	}
	ingesttest.Bench(b, load(b, "testdata/mappings/csv.yaml"), buf.Bytes())
}
