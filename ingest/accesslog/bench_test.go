package accesslog

import (
	"bytes"
	"testing"

	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/internal/synth"
)

func BenchmarkIngest(b *testing.B) {
	const lines = 200_000
	var buf bytes.Buffer
	buf.Grow(lines * 200)
	if err := synth.AccessLog(&buf, lines, 1); err != nil {
		b.Fatal(err)
	}
	ingesttest.Bench(b, New(), buf.Bytes())
}
