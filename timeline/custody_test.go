package timeline

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func newCase(t *testing.T) *Case {
	t.Helper()
	c, err := Create(context.Background(), filepath.Join(t.TempDir(), "case.db"))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	clock := time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC)
	c.SetClock(func() time.Time { clock = clock.Add(time.Second); return clock })
	return c
}

func TestCustodyChainDetectsEveryKindOfTampering(t *testing.T) {
	ctx := context.Background()
	c := newCase(t)
	actor := Actor{Examiner: "j.doe", Args: []string{"breachline", "test"}}
	require.NoError(t, c.Init(ctx, actor, "test case", "devel"))
	for _, a := range []string{"ingest", "ingest", "correlate"} {
		_, err := c.Record(ctx, actor, a, map[string]string{"x": a})
		require.NoError(t, err)
	}
	entries, err := c.Custody(ctx)
	require.NoError(t, err)
	require.Len(t, entries, 4)
	require.NoError(t, VerifyChain(entries))

	altered := append([]CustodyEntry(nil), entries...)
	altered[1].Examiner = "mallory"
	requireBroken(t, altered, 2, "altered")

	removed := append(append([]CustodyEntry(nil), entries[:1]...), entries[2:]...)
	requireBroken(t, removed, 3, "missing")

	swapped := append([]CustodyEntry(nil), entries...)
	swapped[1], swapped[2] = swapped[2], swapped[1]
	requireBroken(t, swapped, 3, "missing or out of order")

	rehashed := append([]CustodyEntry(nil), entries...)
	rehashed[1].Action = "nothing to see"
	rehashed[1].Hash = entryHash(&rehashed[1]) // a forger recomputes this link, but not the next
	requireBroken(t, rehashed, 3, "prev_hash")
}

func requireBroken(t *testing.T, entries []CustodyEntry, seq int64, reason string) {
	t.Helper()
	err := VerifyChain(entries)
	var ce *ChainError
	require.True(t, errors.As(err, &ce), "expected a broken chain, got %v", err)
	require.Equal(t, seq, ce.Seq)
	require.Contains(t, ce.Error(), reason)
}

func TestCustodyIsAppendOnlyInTheDatabase(t *testing.T) {
	ctx := context.Background()
	c := newCase(t)
	require.NoError(t, c.Init(ctx, Actor{Examiner: "a"}, "", "devel"))
	_, err := c.db.ExecContext(ctx, "UPDATE custody SET examiner = 'b'")
	require.ErrorContains(t, err, "append-only")
	_, err = c.db.ExecContext(ctx, "DELETE FROM custody")
	require.ErrorContains(t, err, "append-only")
}
