package exporttest

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/timeline"
	"github.com/breachline/breachline/timeline/correlate"
)

// IncidentCase builds a case from the bundled sample incident (samples/incident) as make demo
// does: every log ingested, the inventory and indicators imported, correlated over 2026-03-03
// and 04. It has every table filled: events, findings, credentials, exposures and uses.
func IncidentCase(t testing.TB) *timeline.Case {
	t.Helper()
	ctx := context.Background()
	_, here, _, _ := runtime.Caller(0)
	samples := filepath.Join(filepath.Dir(here), "..", "..", "..", "samples", "incident")
	c, err := timeline.CreateWithKey(ctx, filepath.Join(t.TempDir(), "case.db"), ingesttest.Key)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	actor := timeline.Actor{Examiner: "test"}
	res, err := ingest.Run(ctx, ingest.Config{Ingesters: all.Ingesters()}, []string{filepath.Join(samples, "logs")}, c.Sink(ctx, actor))
	require.NoError(t, err)
	for _, r := range res {
		require.NoError(t, r.Err, r.Path)
	}
	_, err = correlate.ImportInventory(ctx, c, actor, []string{filepath.Join(samples, "inventory.csv")})
	require.NoError(t, err)
	_, err = correlate.ImportIndicators(ctx, c, actor, []string{filepath.Join(samples, "iocs.csv")})
	require.NoError(t, err)
	_, err = correlate.Run(ctx, c, actor, correlate.Options{
		WindowStart: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC),
		WindowEnd:   time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC),
		Gap:         4 * time.Hour,
	})
	require.NoError(t, err)
	return c
}
