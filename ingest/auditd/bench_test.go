package auditd

import (
	"bytes"
	"testing"

	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/internal/synth"
)

// BenchmarkIngest reports events/s (audit events, several lines each) and lines/s.
func BenchmarkIngest(b *testing.B) {
	var buf bytes.Buffer
	if err := synth.Auditd(&buf, 50_000, 1); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	lines := bytes.Count(data, []byte{'\n'})
	ingesttest.Bench(b, New(), data)
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(lines)*float64(b.N)/s, "lines/s")
	}
}
