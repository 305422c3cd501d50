package vaultaudit

import (
	"bytes"
	"testing"

	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/internal/synth"
)

func BenchmarkIngest(b *testing.B) {
	var buf bytes.Buffer
	if err := synth.VaultAudit(&buf, 50_000, 1); err != nil {
		b.Fatal(err)
	}
	ingesttest.Bench(b, New(), buf.Bytes())
}
