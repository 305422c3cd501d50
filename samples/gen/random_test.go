package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/timeline"
	"github.com/breachline/breachline/timeline/correlate"
)

// TestRandomIncidents correlates random incidents (writeRandom) in background noise, over many
// seeds: no benign credential is ever misused, every misused one is found with its exact first
// misuse, owners travelling after a routine read are possibly misused, and the rest keep the
// status the construction gives them.
func TestRandomIncidents(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 8
	}
	var misused, possible int
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		dir := t.TempDir()
		tr, err := writeRandom(dir, seed, 200)
		require.NoError(t, err)
		got := correlateRandom(t, dir)
		want := map[string]string{}
		for h, m := range tr.Misused {
			want[got.keyed(h)] = m
		}
		require.Equal(t, want, got.misused, "seed %d: every misused credential with its first misuse, and no benign one", seed)
		for _, set := range []struct {
			status string
			creds  []string
		}{{"possibly-misused", tr.PossiblyMisused}, {"exposed", tr.Exposed}, {"possibly-exposed", tr.PossiblyExposed}} {
			for _, h := range set.creds {
				require.Equal(t, set.status, got.status[got.keyed(h)], "seed %d: %s", seed, h)
			}
		}
		misused += len(tr.Misused)
		possible += len(tr.PossiblyMisused)
	}
	require.Greater(t, misused, seeds/2, "the seeds exercise misuse")
	require.Greater(t, possible, seeds/2, "the seeds exercise possible misuse")
}

type randomResult struct {
	status  map[string]string
	misused map[string]string
	keyed   func(string) string
}

func correlateRandom(t *testing.T, dir string) randomResult {
	t.Helper()
	ctx := context.Background()
	c, err := timeline.Create(ctx, filepath.Join(t.TempDir(), "case.db"))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	key, err := c.HandleKey(ctx)
	require.NoError(t, err)
	actor := timeline.Actor{Examiner: "random"}
	res, err := ingest.Run(ctx, ingest.Config{Ingesters: all.Ingesters()}, []string{filepath.Join(dir, "logs")}, c.Sink(ctx, actor))
	require.NoError(t, err)
	for _, r := range res {
		require.NoError(t, r.Err)
		require.Zero(t, r.Evidence.Rejects, r.Path)
	}
	_, err = correlate.ImportInventory(ctx, c, actor, []string{filepath.Join(dir, "inventory.csv")})
	require.NoError(t, err)
	_, err = correlate.ImportIndicators(ctx, c, actor, []string{filepath.Join(dir, "iocs.csv")})
	require.NoError(t, err)
	_, err = correlate.Run(ctx, c, actor, correlate.Options{WindowStart: windowStart, WindowEnd: windowEnd, Gap: 4 * time.Hour})
	require.NoError(t, err)
	out := randomResult{status: map[string]string{}, misused: map[string]string{}, keyed: key.Keyed}
	require.NoError(t, correlate.Credentials(ctx, c.DB(), "", func(s *correlate.CredentialStatus) error {
		out.status[s.Credential] = s.Status
		if s.Status == "misused" {
			out.misused[s.Credential] = *s.FirstMisuse
		}
		return nil
	}))
	return out
}
