package breach

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/timeline"
	"github.com/breachline/breachline/timeline/correlate"
)

// OutputActions are the custody actions that record an output of the case (an export, a
// report) and do not change what a report shows: the "as of" entry skips them, so the same case
// gives the same report however many were made from it.
var OutputActions = map[string]bool{"export": true, "report": true}

// ProfileActions are the custody actions of breachline case set and case import.
var ProfileActions = map[string]bool{"case-set": true, "case-import": true}

// builder gathers the facts of one case.
type builder struct {
	c        *timeline.Case
	db       *sql.DB
	rules    map[string]string // rule name → version, of the correlate run
	spans    map[string]*SourceSpan
	events   map[string]*normalize.Event
	creds    []Credential
	byCred   map[string]*Credential
	findings []*correlate.Finding
	window   [2]time.Time
	cov      []correlate.Coverage
}

// Build reads the facts record of c for a report of regime at stage: the case's identity and
// state, the profile, every fact with its provenance, the evidence files, the deadline and the
// open items. The case must have been correlated.
func Build(ctx context.Context, c *timeline.Case, toolVersion, regime, stage string) (*Record, error) {
	meta, err := export.CaseMeta(ctx, c, "report", "", toolVersion)
	if err != nil {
		return nil, err
	}
	entries, err := c.Custody(ctx)
	if err != nil {
		return nil, err
	}
	r := &Record{Schema: Schema, Case: CaseInfo{ID: meta.CaseID, Name: meta.CaseName, ToolVersion: toolVersion}}
	var corr *timeline.CustodyEntry
	profileSeq := map[string]int64{}
	for i := range entries {
		e := &entries[i]
		if OutputActions[e.Action] {
			continue
		}
		r.Case.AsOf, r.Case.AsOfSeq, r.Case.AsOfHash = e.Time, e.Seq, e.Hash
		if e.Action == "correlate" {
			corr = e
		}
		if ProfileActions[e.Action] {
			for k := range e.Objects {
				if name, ok := strings.CutPrefix(k, "profile."); ok {
					profileSeq[name] = e.Seq
				}
			}
		}
	}
	if t, err := time.Parse(time.RFC3339Nano, r.Case.AsOf); err == nil {
		r.Case.AsOf = ts(t)
	}
	if corr == nil {
		return nil, fmt.Errorf("the case has not been correlated: run breachline correlate first")
	}
	r.Case.CorrelationSeq = corr.Seq
	r.Case.ResultsSHA256, r.Case.RulesSHA256 = corr.Objects["results_sha256"], corr.Objects["rules_sha256"]
	b := &builder{c: c, db: c.DB(), rules: map[string]string{}, spans: map[string]*SourceSpan{},
		events: map[string]*normalize.Event{}, byCred: map[string]*Credential{}}
	for k, v := range corr.Objects {
		if name, ok := strings.CutPrefix(k, "rule "); ok {
			b.rules[name] = v
		}
	}
	for i, k := range []string{"window_start", "window_end"} {
		t, err := time.Parse(time.RFC3339Nano, corr.Objects[k])
		if err != nil {
			return nil, fmt.Errorf("the last correlate entry (%d) has no %s", corr.Seq, k)
		}
		b.window[i] = t.UTC()
	}
	r.Case.WindowStart, r.Case.WindowEnd = ts(b.window[0]), ts(b.window[1])

	profile, err := c.Profile(ctx)
	if err != nil {
		return nil, err
	}
	r.Profile = map[string]*Entry{}
	for _, k := range KeyNames() {
		r.Profile[k] = nil
		if v, ok := profile[k]; ok && v != "" {
			r.Profile[k] = &Entry{Value: v, Source: "entered", CustodySeq: profileSeq[k]}
		}
	}
	for _, e := range meta.Evidence {
		r.Evidence = append(r.Evidence, EvidenceFile{Path: e.Path, SHA256: e.SHA256, Source: e.Source, Events: e.Events,
			Rejects: e.Rejects, FirstEvent: ts(e.FirstEvent), LastEvent: ts(e.LastEvent)})
		s := b.spans[e.Source]
		if s == nil {
			s = &SourceSpan{Source: e.Source, From: ts(e.FirstEvent), To: ts(e.LastEvent)}
			b.spans[e.Source] = s
		}
		if f := ts(e.FirstEvent); f < s.From {
			s.From = f
		}
		if l := ts(e.LastEvent); l > s.To {
			s.To = l
		}
	}
	if err := b.load(ctx); err != nil {
		return nil, err
	}
	if err := b.facts(ctx, r, profile); err != nil {
		return nil, err
	}
	r.Report = reportInfo(r, profile, regime, stage)
	return r, nil
}

// ts is the record's form of a time: RFC 3339 UTC, seconds, or fractions when the log had them.
func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// norm rewrites a time the correlator stored (nine fractional digits) in the record's form.
func norm(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return ts(t)
}

func normp(s *string) *string {
	if s == nil {
		return nil
	}
	v := norm(*s)
	return &v
}

func (b *builder) rule(name string) string { return name + "@" + b.rules[name] }

// load reads the credential summary, the inventory and the findings.
func (b *builder) load(ctx context.Context) error {
	kinds := map[string]string{}
	cats := map[string][]string{}
	if err := correlate.Inventory(ctx, b.db, func(r *correlate.InventoryRow) error {
		if r.Kind != "" {
			kinds[r.Credential] = r.Kind
		}
		for _, c := range strings.Split(r.DataCategories, ";") {
			if c = strings.TrimSpace(c); c != "" && !slices.Contains(cats[r.Credential], c) {
				cats[r.Credential] = append(cats[r.Credential], c)
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := correlate.Credentials(ctx, b.db, "", func(s *correlate.CredentialStatus) error {
		c := Credential{Credential: s.Credential, Display: s.Display, Kind: kinds[s.Credential], Status: s.Status,
			SecretRefs: s.SecretRefs, FirstExposure: normp(s.FirstExposure), FirstMisuse: normp(s.FirstMisuse),
			LastMisuse: normp(s.LastMisuse), MisuseCount: s.MisuseCount, NovelIPs: s.NovelIPs, RevokedAt: normp(s.RevokedAt),
			Derived: s.Derived, DataCategories: cats[s.Credential]}
		if s.Owner != nil {
			c.Owner = *s.Owner
		}
		if c.DataCategories == nil {
			c.DataCategories = []string{}
		}
		b.creds = append(b.creds, c)
		return nil
	}); err != nil {
		return err
	}
	for i := range b.creds {
		b.byCred[b.creds[i].Credential] = &b.creds[i]
	}
	var err error
	if b.cov, err = correlate.CoverageBySource(ctx, b.db); err != nil {
		return err
	}
	for _, c := range b.cov {
		if sp := b.spans[c.Source]; sp != nil {
			sp.Gaps = len(c.Gaps)
		}
	}
	return correlate.Findings(ctx, b.db, correlate.FindingFilter{}, func(f *correlate.Finding) error {
		b.findings = append(b.findings, f)
		return nil
	})
}

// withStatus returns the credentials of the given statuses, in the summary's order.
func (b *builder) withStatus(statuses ...string) []Credential {
	out := []Credential{}
	for _, c := range b.creds {
		if slices.Contains(statuses, c.Status) {
			out = append(out, c)
		}
	}
	return out
}

// findingsOf returns the findings of rules (names without version) about any of the credentials
// or their derived ones, and the events they cite.
func (b *builder) findingsOf(creds []Credential, rules ...string) Sources {
	want := map[string]bool{}
	for _, c := range creds {
		want[c.Credential] = true
		for _, d := range c.Derived {
			want[d] = true
		}
	}
	var s Sources
	for _, f := range b.findings {
		name, _, _ := strings.Cut(f.Rule, "@")
		if f.Credential == nil || !want[*f.Credential] || !slices.Contains(rules, name) {
			continue
		}
		s.Findings = append(s.Findings, f.ID)
		s.Events = append(s.Events, f.Events...)
	}
	return s.sorted()
}

func (s Sources) sorted() Sources {
	s.Findings = uniq(s.Findings)
	s.Events = uniq(s.Events)
	return s
}

func uniq(s []string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	out = slices.Compact(out)
	if out == nil {
		out = []string{}
	}
	return out
}

// event reads an event by id, once.
func (b *builder) event(ctx context.Context, id string) (*normalize.Event, error) {
	if e, ok := b.events[id]; ok {
		return e, nil
	}
	e, err := b.c.Event(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", id, err)
	}
	b.events[id] = e
	return e, nil
}

// coverage returns the spans of the sources of the events, sorted by source.
func (b *builder) coverage(ctx context.Context, events []string) ([]SourceSpan, error) {
	seen := map[string]bool{}
	for _, id := range events {
		e, err := b.event(ctx, id)
		if err != nil {
			return nil, err
		}
		seen[e.Source] = true
	}
	return b.spansOf(seen), nil
}

func (b *builder) spansOf(sources map[string]bool) []SourceSpan {
	out := []SourceSpan{}
	for s := range sources {
		if sp := b.spans[s]; sp != nil {
			out = append(out, *sp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out
}

func (b *builder) allSpans() []SourceSpan {
	all := map[string]bool{}
	for s := range b.spans {
		all[s] = true
	}
	return b.spansOf(all)
}

func hours(from, to string) *float64 {
	a, err1 := time.Parse(time.RFC3339Nano, from)
	z, err2 := time.Parse(time.RFC3339Nano, to)
	if err1 != nil || err2 != nil {
		return nil
	}
	// Hours to two decimals, from whole minutes: 30.75, not 30.7500000001.
	h := math.Round(z.Sub(a).Round(time.Minute).Hours()*100) / 100
	return &h
}

// AsOf is the time of the last custody entry that changed the case (outputs skipped), in the
// record's form, and its sequence number.
func AsOf(entries []timeline.CustodyEntry) (string, int64) {
	var at string
	var seq int64
	for _, e := range entries {
		if !OutputActions[e.Action] {
			at, seq = e.Time, e.Seq
		}
	}
	return norm(at), seq
}
