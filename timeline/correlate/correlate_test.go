package correlate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/timeline"
)

// scenarioCase ingests testdata/scenario.json with its inventory and indicators and correlates
// it with the incident window of 2026-03-03.
func scenarioCase(t *testing.T) (*timeline.Case, *Result) {
	t.Helper()
	return correlated(t, "testdata/scenario.json")
}

// correlated is scenarioCase over other evidence: paths are ingested in the order given.
func correlated(t *testing.T, paths ...string) (*timeline.Case, *Result) {
	t.Helper()
	return caseWith(t, paths, "testdata/inventory.csv", "testdata/iocs.csv")
}

// caseWith ingests paths in the order given, imports the inventory and the indicators and
// correlates.
func caseWith(t *testing.T, paths []string, inventory, iocs string) (*timeline.Case, *Result) {
	t.Helper()
	ctx := context.Background()
	// One key for every test case, so that two cases built from the same inputs are identical.
	c, err := timeline.CreateWithKey(ctx, filepath.Join(t.TempDir(), "case.db"), ingesttest.Key)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	ingestInto(t, c, paths...)
	_, err = ImportInventory(ctx, c, testActor, []string{inventory})
	require.NoError(t, err)
	_, err = ImportIndicators(ctx, c, testActor, []string{iocs})
	require.NoError(t, err)
	return c, correlateCase(t, c)
}

var testActor = timeline.Actor{Examiner: "test"}

// ingestInto ingests paths into c in the order given; none may be a file c already holds.
func ingestInto(t *testing.T, c *timeline.Case, paths ...string) {
	t.Helper()
	ctx := context.Background()
	res, err := ingest.Run(ctx, ingest.Config{Ingesters: all.Ingesters()}, paths, c.Sink(ctx, testActor))
	require.NoError(t, err)
	for _, r := range res {
		require.NoError(t, r.Err)
		require.Empty(t, r.DuplicateOf, r.Path)
	}
}

// correlateCase correlates c over the incident window of 2026-03-03 and 04 (the scenario's and
// the sample incident's).
func correlateCase(t *testing.T, c *timeline.Case) *Result {
	t.Helper()
	r, err := Run(context.Background(), c, testActor, Options{
		WindowStart: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC),
		WindowEnd:   time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC),
		Gap:         4 * time.Hour,
	})
	require.NoError(t, err)
	return r
}

func TestScenario(t *testing.T) {
	ctx := context.Background()
	c, r := scenarioCase(t)

	status := map[string]*CredentialStatus{}
	require.NoError(t, Credentials(ctx, c.DB(), "", func(s *CredentialStatus) error { status[s.Credential] = s; return nil }))
	require.Len(t, status, 3)
	bob := status["aws-key-id:AKIATESTBOB000000001"]
	require.Equal(t, "misused", bob.Status)
	require.Equal(t, "2026-03-03T01:00:00.000000000Z", *bob.FirstExposure, "the ARN read matches the inventory's name")
	require.Equal(t, "2026-03-03T03:00:00.000000000Z", *bob.FirstMisuse)
	require.Equal(t, "2026-03-04T10:00:00.000000000Z", *bob.LastMisuse, "the refused use after revocation is an attempt, not misuse")
	require.Equal(t, int64(4), bob.MisuseCount, "three uses of the key and one of the temporary key minted with it")
	require.Equal(t, []string{"198.51.100.77"}, bob.NovelIPs)
	require.Equal(t, "2026-03-04T09:00:00.000000000Z", *bob.RevokedAt)
	require.Equal(t, []string{"aws-key-id:ASIATESTTEMP00000001"}, bob.Derived)
	require.Equal(t, "bob@example.com", *bob.Owner)

	other := status[ingesttest.Key.Token("hf_OtherTokenValue0123456789abcdefghij")]
	quiet := status[ingesttest.Key.Token("ghp_QuietTokenValue0123456789abcdefghij")]
	require.NotNil(t, other)
	require.Equal(t, "possibly-exposed", other.Status, "read in the window only by its declared consumer")
	require.Equal(t, "not-exposed", quiet.Status)

	rules := map[string][]*Finding{}
	require.NoError(t, Findings(ctx, c.DB(), FindingFilter{}, func(f *Finding) error {
		rules[f.Rule] = append(rules[f.Rule], f)
		return nil
	}))
	require.Len(t, rules["suspicious-secret-read@2"], 1)
	require.Equal(t, "high", rules["suspicious-secret-read@2"][0].Severity, "the reader's address is an indicator")
	require.Len(t, rules["exposed-credential-used-novel@2"], 1)
	require.Equal(t, "critical", rules["exposed-credential-used-novel@2"][0].Severity)
	require.Len(t, rules["use-after-revocation@1"], 1)
	require.Equal(t, "high", rules["use-after-revocation@1"][0].Severity, "one use after revocation succeeded")
	require.Len(t, rules["derived-credential@2"], 1)
	require.Len(t, rules["ip-pivot@2"], 1)
	require.Equal(t, "aws-key-id:AKIATESTCAROL0000001", *rules["ip-pivot@2"][0].Credential)
	require.NotEmpty(t, rules["exposed-credential-not-revoked@1"], "the possibly exposed hub token was never revoked")
	require.NotEmpty(t, rules["coverage-gap@1"])

	var attempts int
	require.NoError(t, c.DB().QueryRowContext(ctx, "SELECT count(*) FROM exposures WHERE class = 'attempt'").Scan(&attempts))
	require.Zero(t, attempts, "prod/admin is not in the inventory")
	require.NotEmpty(t, r.ResultsHash)
}

func TestRunsAreByteIdentical(t *testing.T) {
	ctx := context.Background()
	c, first := scenarioCase(t)
	second, err := Run(ctx, c, timeline.Actor{Examiner: "again"}, Options{
		WindowStart: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC),
		WindowEnd:   time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC),
		Gap:         4 * time.Hour,
	})
	require.NoError(t, err)
	require.Equal(t, first.ResultsHash, second.ResultsHash)
	_, other := scenarioCase(t)
	require.Equal(t, first.ResultsHash, other.ResultsHash, "a new case from the same inputs gives the same results")
}

// The correlate custody entry carries the sha256 of the rules' SQL, so that a rule changed
// without a version bump still shows in the custody log.
func TestCustodyRecordsTheRulesSQL(t *testing.T) {
	c, _ := scenarioCase(t)
	entries, err := c.Custody(context.Background())
	require.NoError(t, err)
	last := entries[len(entries)-1]
	require.Equal(t, "correlate", last.Action)

	files, err := fs.ReadDir(ruleFiles, "rules")
	require.NoError(t, err)
	h := sha256.New()
	for _, f := range files { // ReadDir sorts by name: the order the rules run in
		b, err := ruleFiles.ReadFile("rules/" + f.Name())
		require.NoError(t, err)
		h.Write(b)
	}
	require.Equal(t, hex.EncodeToString(h.Sum(nil)), last.Objects["rules_sha256"])
	for _, r := range Rules {
		require.Equal(t, r.Version, last.Objects["rule "+r.Name], r.Name)
	}
}
