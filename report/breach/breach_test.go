package breach_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/report/breach"
	"github.com/breachline/breachline/report/export/exporttest"
	"github.com/breachline/breachline/timeline"
)

func samples(t *testing.T) string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "..", "samples", "incident")
}

// profiled is the sample incident's case with samples/incident/profile.yaml imported on a fixed
// clock, so that its as-of time (the profile's entry) is the same on every run.
func profiled(t *testing.T) *timeline.Case {
	c := exporttest.IncidentCase(t)
	c.SetClock(func() time.Time { return time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC) })
	b, err := os.ReadFile(filepath.Join(samples(t), "profile.yaml"))
	require.NoError(t, err)
	values, err := breach.ParseProfileYAML(b)
	require.NoError(t, err)
	_, err = c.SetProfile(context.Background(), timeline.Actor{Examiner: "test"}, "case-import", values, nil)
	require.NoError(t, err)
	return c
}

// stable replaces what depends on the machine and the moment the case was built (its first
// custody entry's time, hence its id and the chain's hashes; the checkout's path).
func stable(t *testing.T, r *breach.Record) []byte {
	b, err := r.JSON()
	require.NoError(t, err)
	s := strings.ReplaceAll(string(b), r.Case.ID, "CASE-ID")
	s = strings.ReplaceAll(s, r.Case.AsOfHash, "AS-OF-HASH")
	abs, err := filepath.Abs(samples(t))
	require.NoError(t, err)
	s = strings.ReplaceAll(s, abs, "$SAMPLES")
	s = strings.ReplaceAll(s, samples(t), "$SAMPLES")
	return []byte(s)
}

// TestIncidentFacts holds the facts record of the sample incident to its golden file
// (go test ./report/breach -update rewrites it) and to samples/incident/truth.json.
func TestIncidentFacts(t *testing.T) {
	ctx := context.Background()
	c := profiled(t)
	r, err := breach.Build(ctx, c, "test", "gdpr-art33", "")
	require.NoError(t, err)

	golden := filepath.Join("testdata", "incident-gdpr-art33.golden.json")
	got := stable(t, r)
	if ingesttest.Updating() {
		require.NoError(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "go test ./report/breach -update rewrites the golden file; read the diff")

	var tr struct {
		AttackerIPs []string `json:"attacker_ips"`
		SecretsRead []string `json:"secrets_read_by_attacker"`
		Misused     []struct {
			Credential  string `json:"credential"`
			FirstMisuse string `json:"first_misuse"`
		} `json:"misused_credentials"`
		ExposedOnly     []string                      `json:"exposed_not_misused"`
		PossiblyMisused []struct{ Credential string } `json:"possibly_misused"`
		NotExposed      []string                      `json:"not_exposed"`
		Derived         []string                      `json:"derived_credentials"`
		Revocations     []struct {
			Credential string
			At         string
			After      bool `json:"used_successfully_afterwards"`
		} `json:"revocations"`
	}
	b, err := os.ReadFile(filepath.Join(samples(t), "truth.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &tr))
	key, err := c.HandleKey(ctx)
	require.NoError(t, err)
	creds := func(f breach.Fact) map[string]breach.Credential {
		m := map[string]breach.Credential{}
		for _, x := range f.Value.(breach.CredentialList).Credentials {
			m[x.Credential] = x
		}
		return m
	}
	misused := creds(r.Facts.CredentialsMisused)
	require.Len(t, misused, len(tr.Misused))
	for _, m := range tr.Misused {
		x, ok := misused[key.Keyed(m.Credential)]
		require.True(t, ok, m.Credential)
		require.Equal(t, m.FirstMisuse, *x.FirstMisuse, m.Credential)
	}
	exposed := creds(r.Facts.CredentialsExposed)
	require.Len(t, exposed, len(tr.ExposedOnly))
	for _, h := range tr.ExposedOnly {
		require.Contains(t, exposed, key.Keyed(h))
	}
	// A possibly-misused credential is never misused, and never in the proven bound; the
	// correlator may class it possibly-misused or possibly-exposed as its rules evolve.
	possible := creds(r.Facts.CredentialsPossiblyMisused)
	for k, v := range creds(r.Facts.CredentialsPossiblyExposed) {
		possible[k] = v
	}
	for _, p := range tr.PossiblyMisused {
		require.Contains(t, possible, key.Keyed(p.Credential))
		require.NotContains(t, misused, key.Keyed(p.Credential))
	}
	for _, h := range tr.NotExposed {
		k := key.Keyed(h)
		require.NotContains(t, misused, k)
		require.NotContains(t, exposed, k)
		require.NotContains(t, possible, k)
	}
	first := map[string]string{}
	for _, m := range tr.Misused {
		first[m.Credential] = m.FirstMisuse
	}
	earliest := slices.Min(slices.Collect(func(yield func(string) bool) {
		for _, v := range first {
			if !yield(v) {
				return
			}
		}
	}))
	act := r.Facts.FirstUnauthorizedActivity.Value.(breach.Activity)
	require.LessOrEqual(t, act.Time, earliest, "the first unauthorized activity is no later than the first misuse")
	require.NotEmpty(t, act.SourceCoverageFrom, "a first activity always says where its source's evidence starts")

	secrets := r.Facts.SecretsRead.Value.(breach.Bounds)
	require.ElementsMatch(t, tr.SecretsRead, secrets.Proven)

	var derived []string
	for _, d := range r.Facts.CredentialsDerived.Value.([]breach.Derived) {
		derived = append(derived, d.Credential)
	}
	for _, h := range tr.Derived {
		require.Contains(t, derived, key.Keyed(h))
	}

	m := r.Facts.MeasuresTaken.Value.(breach.Measures)
	revoked := map[string]breach.Revocation{}
	for _, x := range m.Revocations {
		revoked[x.Credential] = x
	}
	for _, want := range tr.Revocations {
		x, ok := revoked[key.Keyed(want.Credential)]
		require.True(t, ok, want.Credential)
		require.NotNil(t, x.RevokedAt, want.Credential)
		require.Equal(t, want.At, *x.RevokedAt, want.Credential)
		require.Equal(t, want.After, x.SuccessfulAfterRevocation > 0, want.Credential)
	}
	require.Equal(t, len(tr.Revocations), m.RevokedProven+m.RevokedPossible)

	var ips []string
	for _, ip := range r.Facts.Indicators.Value.(breach.Indicators).IPs {
		ips = append(ips, ip.IP)
		require.NotEmpty(t, ip.FirstSeen, ip.IP)
		require.NotEmpty(t, ip.LastSeen, ip.IP)
	}
	for _, ip := range tr.AttackerIPs {
		require.Contains(t, ips, ip)
	}

	// Every fact cites what it rests on, and every cited event is in the case.
	facts := map[string]breach.Fact{}
	fb, _ := json.Marshal(r.Facts)
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(fb, &raw))
	for name := range raw {
		var f breach.Fact
		require.NoError(t, json.Unmarshal(raw[name], &f))
		facts[name] = f
		require.NotEmpty(t, f.Method, name)
		for _, id := range f.DerivedFrom.Events {
			_, err := c.Event(ctx, id)
			require.NoError(t, err, "%s cites %s", name, id)
		}
	}
	require.NotEmpty(t, facts["credentials_misused"].DerivedFrom.Findings)
	require.Empty(t, r.Report.OpenItems, "the sample profile enters everything gdpr-art33 needs")
}

// TestNoHumanInput: a case no person has said anything about lists every input each report
// needs as an open item, and fills none of them in.
func TestNoHumanInput(t *testing.T) {
	ctx := context.Background()
	c := exporttest.IncidentCase(t)
	for _, rs := range [][2]string{{"gdpr-art33", ""}, {"gdpr-art34", ""}, {"nis2", "early-warning"}, {"nis2", "notification"}, {"nis2", "final"}} {
		r, err := breach.Build(ctx, c, "test", rs[0], rs[1])
		require.NoError(t, err)
		for k, v := range r.Profile {
			require.Nil(t, v, "%s: %s", rs, k)
		}
		need := breach.Required(rs[0], rs[1])
		require.Len(t, r.Report.OpenItems, len(need), rs)
		for i, k := range breach.Missing(map[string]string{}, rs[0], rs[1], false) {
			require.Contains(t, r.Report.OpenItems[i], "case set "+k+"=", rs)
			require.True(t, strings.HasPrefix(r.Report.OpenItems[i], "TO BE COMPLETED: "), rs)
		}
		require.True(t, r.Report.Deadline.Status == "unknown" || rs[0] == "gdpr-art34", rs)
		d := breach.Compose(r)
		markers := 0
		for _, s := range d.Sections {
			for _, b := range s.Blocks {
				for _, f := range b.Fields {
					if f.Basis == breach.Open {
						require.True(t, strings.HasPrefix(f.Value, "TO BE COMPLETED: "), f.Label)
						markers++
					}
					if f.Basis == breach.Entered && f.Fact != "" {
						t.Fatalf("%s: %s shows an entered value nobody entered: %q", rs, f.Label, f.Value)
					}
				}
			}
		}
		require.NotZero(t, markers, rs)
	}
	// And nothing looks like an invented date of awareness or deadline.
	r, err := breach.Build(ctx, c, "test", "gdpr-art33", "")
	require.NoError(t, err)
	require.Nil(t, r.Report.Deadline.Due)
	require.Nil(t, r.Facts.TimeFromAwareness.Value.(breach.Awareness).AwarenessTime)
	require.False(t, regexp.MustCompile(`GmbH|dpo@`).Match(stable(t, r)))
}

// TestDiff: an update says what was entered or changed since the previous report's facts.
func TestDiff(t *testing.T) {
	ctx := context.Background()
	c := exporttest.IncidentCase(t)
	first, err := breach.Build(ctx, c, "test", "gdpr-art33", "")
	require.NoError(t, err)
	prev, err := first.JSON()
	require.NoError(t, err)
	same, err := breach.Diff(prev, first)
	require.NoError(t, err)
	require.Equal(t, []string{"no change in the entered values or the facts"}, same)
	_, err = c.SetProfile(ctx, timeline.Actor{Examiner: "test"}, "case-set", map[string]string{"stage": "update", "contact": "dpo@example.org"}, nil)
	require.NoError(t, err)
	next, err := breach.Build(ctx, c, "test", "gdpr-art33", "")
	require.NoError(t, err)
	changes, err := breach.Diff(prev, next)
	require.NoError(t, err)
	require.Equal(t, []string{"entered: contact", "entered: stage"}, changes)
	require.Contains(t, next.Report.OpenItems, "TO BE COMPLETED: the reference of the previous notification (authority's case number) (breachline case set previous_reference=…)")
}
