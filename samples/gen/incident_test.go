package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/timeline"
	"github.com/breachline/breachline/timeline/correlate"
)

const incidentDir = "../incident"

// TestSamplesAreGenerated requires the committed sample incident to be exactly what the generator
// writes: the samples are reproducible, and nobody edits them by hand.
func TestSamplesAreGenerated(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, write(dir, 0, 1))
	var want []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			want = append(want, rel)
		}
		return err
	}))
	for _, rel := range want {
		got, err := os.ReadFile(filepath.Join(incidentDir, rel))
		require.NoError(t, err, "run: go run ./samples/gen")
		gen, _ := os.ReadFile(filepath.Join(dir, rel))
		require.True(t, bytes.Equal(gen, got), "%s differs from what samples/gen writes: run go run ./samples/gen", rel)
	}
}

// TestCorrelatorFindsTheTruth runs the whole chain on the sample incident (ingest every log with
// format detection, import the inventory and the indicators, correlate over the incident
// window) and requires the results to match truth.json exactly.
func TestCorrelatorFindsTheTruth(t *testing.T) { checkTruth(t, incidentDir) }

// TestTruthHoldsInNoise embeds the incident in background events of every source, as the
// benchmarks do at volume, and requires the same results.
func TestTruthHoldsInNoise(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, write(dir, 2000, 7))
	checkTruth(t, dir)
}

func checkTruth(t *testing.T, incidentDir string) {
	var tr truth
	b, err := os.ReadFile(filepath.Join(incidentDir, "truth.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &tr))

	ctx := context.Background()
	c, err := timeline.Create(ctx, filepath.Join(t.TempDir(), "case.db"))
	require.NoError(t, err)
	defer c.Close()
	key, err := c.HandleKey(ctx)
	require.NoError(t, err)
	tr.keyed(key)
	actor := timeline.Actor{Examiner: "truth"}
	res, err := ingest.Run(ctx, ingest.Config{Ingesters: all.Ingesters()}, []string{filepath.Join(incidentDir, "logs")}, c.Sink(ctx, actor))
	require.NoError(t, err)
	for _, r := range res {
		require.NoError(t, r.Err)
		require.Zero(t, r.Evidence.Rejects, "%s: the sample logs are clean", r.Path)
		require.NotEmpty(t, r.Evidence.Format, r.Path)
	}
	_, err = correlate.ImportInventory(ctx, c, actor, []string{filepath.Join(incidentDir, "inventory.csv")})
	require.NoError(t, err)
	_, err = correlate.ImportIndicators(ctx, c, actor, []string{filepath.Join(incidentDir, "iocs.csv")})
	require.NoError(t, err)
	start, _ := time.Parse(time.RFC3339, tr.Window[0])
	end, _ := time.Parse(time.RFC3339, tr.Window[1])
	_, err = correlate.Run(ctx, c, actor, correlate.Options{WindowStart: start, WindowEnd: end, Gap: 4 * time.Hour})
	require.NoError(t, err)
	db := c.DB()

	status := map[string]*correlate.CredentialStatus{}
	require.NoError(t, correlate.Credentials(ctx, db, "", func(s *correlate.CredentialStatus) error { status[s.Credential] = s; return nil }))

	misused := map[string]string{}
	var novelIPs []string
	for cred, s := range status {
		if s.Status == "misused" {
			misused[cred] = *s.FirstMisuse
			novelIPs = append(novelIPs, s.NovelIPs...)
		}
	}
	want := map[string]string{}
	for _, m := range tr.Misused {
		tm, _ := time.Parse(time.RFC3339, m.FirstMisuse)
		want[m.Credential] = tm.UTC().Format("2006-01-02T15:04:05.000000000Z")
	}
	require.Equal(t, want, misused, "every misused credential with its first misuse, and no benign one")
	require.ElementsMatch(t, tr.AttackerIPs, dedupe(novelIPs))
	for _, cred := range tr.ExposedNotMisued {
		require.Equal(t, "exposed", status[cred].Status, cred)
	}
	possible := map[string][]string{}
	for _, p := range tr.PossiblyMisused {
		s := status[p.Credential]
		require.Equal(t, "possibly-misused", s.Status, p.What)
		require.Zero(t, s.MisuseCount, "a possible misuse never counts as misuse: %s", p.What)
		require.Empty(t, s.NovelIPs, p.What)
		possible[p.Credential] = p.Addresses
	}
	for cred, s := range status {
		if _, ok := possible[cred]; !ok {
			require.NotEqual(t, "possibly-misused", s.Status, cred)
		}
		for _, ip := range s.NovelIPs {
			require.NotContains(t, tr.BenignNewIPs, ip, "a benign address among the misuses of %s", cred)
		}
	}
	for _, cred := range tr.NotExposed {
		require.Equal(t, "not-exposed", status[cred].Status, cred)
	}
	for _, r := range tr.Revocations {
		tm, _ := time.Parse(time.RFC3339, r.At)
		require.Equal(t, tm.UTC().Format("2006-01-02T15:04:05.000000000Z"), *status[r.Credential].RevokedAt, r.Credential)
	}

	var proven, attempts []string
	var asConsumer []string
	rows, err := db.QueryContext(ctx, "SELECT DISTINCT secret_ref, class, proves, reasons FROM exposures WHERE class <> 'expected'")
	require.NoError(t, err)
	for rows.Next() {
		var ref, class, reasons string
		var proves bool
		require.NoError(t, rows.Scan(&ref, &class, &proves, &reasons))
		if strings.Contains(reasons, "consumer identity possibly used by the intruder") {
			asConsumer = append(asConsumer, ref)
		}
		switch {
		case class == "attempt":
			attempts = append(attempts, ref)
		case proves:
			proven = append(proven, ref)
		}
	}
	require.NoError(t, rows.Err())
	rows.Close()
	require.ElementsMatch(t, tr.SecretsRead, proven)
	require.ElementsMatch(t, tr.FailedReads, attempts)
	require.ElementsMatch(t, tr.ReadAsConsumer, dedupe(asConsumer))

	var derived, revokedButWorked []string
	possibleFindings := map[string][]string{}
	require.NoError(t, correlate.Findings(ctx, db, correlate.FindingFilter{MinSeverity: "medium"}, func(f *correlate.Finding) error {
		switch f.Rule {
		case rule("derived-credential"):
			derived = append(derived, *f.Credential)
		case rule("use-after-revocation"):
			if f.Severity == "high" {
				revokedButWorked = append(revokedButWorked, *f.Credential)
			}
		case rule("novel-use-possible-exposure"):
			require.Equal(t, "medium", f.Severity)
			possibleFindings[*f.Credential] = append(possibleFindings[*f.Credential], *f.SrcIP)
			return nil // the owner's new address, for the examiner to dismiss
		}
		if f.SrcIP != nil {
			require.NotContains(t, tr.BenignNewIPs, *f.SrcIP, "a benign new address in finding %s", f.Summary)
		}
		return nil
	}))
	require.ElementsMatch(t, tr.Derived, derived)
	require.Equal(t, possible, possibleFindings, "one possible-misuse finding per possibly misused credential, naming its first new address")
	var worked []string
	for _, r := range tr.Revocations {
		if r.WorkedAfterward {
			worked = append(worked, r.Credential)
		}
	}
	require.ElementsMatch(t, worked, revokedButWorked)
}

// rule is a rule's name as its findings give it, with its current version.
func rule(name string) string {
	for _, r := range correlate.Rules {
		if r.Name == name {
			return r.Name + "@" + r.Version
		}
	}
	panic("no rule " + name)
}

// keyed turns the truth's sha256 handles, which do not depend on a case, into the case's keyed
// handles of the same values.
func (tr *truth) keyed(k *normalize.HandleKey) {
	for i := range tr.Misused {
		tr.Misused[i].Credential = k.Keyed(tr.Misused[i].Credential)
	}
	for i := range tr.PossiblyMisused {
		tr.PossiblyMisused[i].Credential = k.Keyed(tr.PossiblyMisused[i].Credential)
	}
	for i := range tr.Revocations {
		tr.Revocations[i].Credential = k.Keyed(tr.Revocations[i].Credential)
	}
	for _, hs := range [][]string{tr.ExposedNotMisued, tr.NotExposed, tr.Derived} {
		for i := range hs {
			hs[i] = k.Keyed(hs[i])
		}
	}
}

func dedupe(xs []string) []string {
	sort.Strings(xs)
	var out []string
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}
