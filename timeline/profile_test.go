package timeline

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestProfileAndReports(t *testing.T) {
	ctx := context.Background()
	c, err := Create(ctx, filepath.Join(t.TempDir(), "case.db"))
	require.NoError(t, err)
	defer c.Close()
	actor := Actor{Examiner: "dpo"}
	require.NoError(t, c.Init(ctx, actor, "test", "test"))

	e, err := c.SetProfile(ctx, actor, "case-set", map[string]string{"contact": "dpo@example.org", "stage": "initial"}, nil)
	require.NoError(t, err)
	require.Equal(t, ProfileValueHash("dpo@example.org"), e.Objects["profile.contact"])
	_, err = c.SetProfile(ctx, actor, "case-import", map[string]string{"stage": "", "narrative": "x"}, map[string]string{"file p.yaml": "abc"})
	require.NoError(t, err)
	p, err := c.Profile(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"contact": "dpo@example.org", "narrative": "x"}, p)

	facts := json.RawMessage(`{"schema":"x"}`)
	e, err = c.RecordReport(ctx, actor, ReportRecord{ID: "0123456789abcdef", Regime: "gdpr-art33", Format: "pdf", Out: "r.pdf",
		SHA256: "0123456789abcdef00", AsOf: "2026-03-05T09:00:00Z", AsOfSeq: 3, Facts: facts}, "ff")
	require.NoError(t, err)
	require.Equal(t, "report", e.Action)
	require.Equal(t, "ff", e.Objects["facts_sha256"])
	r, err := c.Report(ctx, "012345")
	require.NoError(t, err)
	require.Equal(t, e.Seq, r.Seq)
	require.JSONEq(t, string(facts), string(r.Facts))
	_, err = c.Report(ctx, "nope")
	require.Error(t, err)

	entries, err := c.Custody(ctx)
	require.NoError(t, err)
	require.NoError(t, VerifyChain(entries))
	require.Len(t, entries, 4) // init, set, import, report
}
