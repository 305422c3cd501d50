package breach

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/timeline"
)

// misuseSQL is true for a credential use (aliased u) the correlator concluded is misuse: never a
// possible misuse, which starts "possible misuse:".
const misuseSQL = `EXISTS (SELECT 1 FROM json_each(u.reasons) r WHERE r.value LIKE 'misuse:%')`

// Limits are what no log in the case can show, whatever it says (docs/correlation.md).
var Limits = []string{
	"Activity before a source's first event, or in a silence of a source, is not in the evidence.",
	"A read of a secret by a path the logs do not record (another route to the secret store, a backup) is invisible.",
	"An intruder reading as a declared consumer from the consumer's own address, with no other trace, looks like a routine read.",
	"A Vault listing returns key names only: it shows possible exposure, never proven.",
	"A credential with no revocation in the evidence may have been revoked in a system whose logs are not in the case.",
	"A new address is not proof of an intruder: a proven-exposed credential used by its travelling owner counts as misused; the examiner judges with the events cited.",
}

func (b *builder) facts(ctx context.Context, r *Record, profile map[string]string) error {
	f := &r.Facts
	byEvent := map[string][]string{}
	for _, x := range b.findings {
		for _, id := range x.Events {
			byEvent[id] = append(byEvent[id], x.ID)
		}
	}

	// Unauthorized activity: suspicious reads and misuses, refused ones included.
	rows, err := b.db.QueryContext(ctx, `SELECT time, event_id, 'read', secret_ref, coalesce(principal, ''), coalesce(src_ip, '')
		FROM exposures WHERE class = 'suspicious' AND in_window
		UNION ALL
		SELECT u.time, u.event_id, 'use', u.credential, coalesce(u.action, ''), coalesce(u.src_ip, '')
		FROM credential_uses u WHERE `+misuseSQL+` ORDER BY 1, 2`)
	if err != nil {
		return err
	}
	type act struct{ time, id, kind, what, who, ip string }
	var acts []act
	for rows.Next() {
		var a act
		if err := rows.Scan(&a.time, &a.id, &a.kind, &a.what, &a.who, &a.ip); err != nil {
			rows.Close()
			return err
		}
		acts = append(acts, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	method := "first and last of the suspicious reads (rule " + b.rule("suspicious-secret-read") + ") and misuses (rule " +
		b.rule("exposed-credential-used-novel") + "), refused ones included"
	activity := func(a act) (Fact, error) {
		e, err := b.event(ctx, a.id)
		if err != nil {
			return Fact{}, err
		}
		v := Activity{Time: norm(a.time), EventID: a.id, Source: e.Source}
		if a.kind == "read" {
			v.What = fmt.Sprintf("suspicious read of %s by %s%s", a.what, orUnknown(a.who), from(a.ip))
		} else {
			v.What = fmt.Sprintf("misuse of %s (%s)%s", b.display(a.what), orUnknown(a.who), from(a.ip))
		}
		if sp := b.spans[e.Source]; sp != nil {
			v.SourceCoverageFrom, v.SourceCoverageTo = sp.From, sp.To
		}
		return Fact{Value: v, DerivedFrom: Sources{Findings: byEvent[a.id], Events: []string{a.id}}.sorted(), Method: method,
			Coverage: b.spansOf(map[string]bool{e.Source: true})}, nil
	}
	none := Fact{Value: nil, DerivedFrom: Sources{}.sorted(), Method: method, Coverage: b.allSpans()}
	f.FirstUnauthorizedActivity, f.LastUnauthorizedActivity = none, none
	var firstTime *string
	if len(acts) > 0 {
		if f.FirstUnauthorizedActivity, err = activity(acts[0]); err != nil {
			return err
		}
		if f.LastUnauthorizedActivity, err = activity(acts[len(acts)-1]); err != nil {
			return err
		}
		t := norm(acts[0].time)
		firstTime = &t
	}

	// Time from awareness.
	aw := Awareness{FirstUnauthorizedActivity: firstTime, AsOf: r.Case.AsOf}
	if v := profile["awareness_time"]; v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			s := ts(t)
			aw.AwarenessTime = &s
			if firstTime != nil {
				aw.HoursFromFirstActivity = hours(*firstTime, s)
			}
			aw.HoursFromAwarenessToAsOf = hours(s, r.Case.AsOf)
		}
	}
	f.TimeFromAwareness = Fact{Value: aw, DerivedFrom: f.FirstUnauthorizedActivity.DerivedFrom,
		Method:   "hours from first_unauthorized_activity to the entered awareness_time, and from it to the case's as-of time",
		Coverage: f.FirstUnauthorizedActivity.Coverage}

	// Secrets read.
	if f.SecretsRead, err = b.secretsRead(ctx); err != nil {
		return err
	}

	// Credentials by status, proven and possible apart.
	list := func(status, rule string) (Fact, error) {
		creds := b.withStatus(status)
		src := b.findingsOf(creds, rule)
		ev, err := b.exposureEvents(ctx, creds, !strings.HasPrefix(status, "possibly"))
		if err != nil {
			return Fact{}, err
		}
		src.Events = uniq(append(src.Events, ev...))
		cov, err := b.coverage(ctx, src.Events)
		if err != nil {
			return Fact{}, err
		}
		return Fact{Value: CredentialList{Count: len(creds), Credentials: creds}, DerivedFrom: src,
			Method: fmt.Sprintf("credential summary status %s (rule %s)", status, b.rule(rule)), Coverage: cov}, nil
	}
	for _, x := range []struct {
		dst          *Fact
		status, rule string
	}{
		{&f.CredentialsMisused, "misused", "exposed-credential-used-novel"},
		{&f.CredentialsPossiblyMisused, "possibly-misused", "novel-use-possible-exposure"},
		{&f.CredentialsExposed, "exposed", "exposed-credential-not-revoked"},
		{&f.CredentialsPossiblyExposed, "possibly-exposed", "exposed-credential-not-revoked"},
	} {
		if *x.dst, err = list(x.status, x.rule); err != nil {
			return err
		}
	}
	if f.CredentialsDerived, err = b.derived(ctx); err != nil {
		return err
	}

	// Unrevoked.
	proven := b.withStatus("misused", "exposed")
	possible := b.withStatus("possibly-misused", "possibly-exposed")
	un := Unrevoked{Proven: []Credential{}, Possible: []Credential{}}
	for _, c := range proven {
		if c.RevokedAt == nil {
			un.Proven = append(un.Proven, c)
		}
	}
	for _, c := range possible {
		if c.RevokedAt == nil {
			un.Possible = append(un.Possible, c)
		}
	}
	src := b.findingsOf(append(slices.Clone(un.Proven), un.Possible...), "exposed-credential-not-revoked")
	cov, err := b.coverage(ctx, src.Events)
	if err != nil {
		return err
	}
	f.CredentialsUnrevoked = Fact{Value: un, DerivedFrom: src, Coverage: cov,
		Method: "exposed credentials (proven: misused, exposed; possible: possibly-misused, possibly-exposed) with no revocation in the evidence or the inventory (rule " + b.rule("exposed-credential-not-revoked") + ")"}

	// Owners and data categories.
	bounds := func(get func(Credential) []string) Bounds {
		var p, u []string
		for _, c := range proven {
			p = append(p, get(c)...)
		}
		for _, c := range possible {
			u = append(u, get(c)...)
		}
		p = uniq(p)
		var only []string
		for _, v := range uniq(u) {
			if !slices.Contains(p, v) {
				only = append(only, v)
			}
		}
		if only == nil {
			only = []string{}
		}
		return Bounds{Proven: p, PossibleOnly: only, ProvenCount: len(p), UpperBound: len(p) + len(only)}
	}
	all := append(slices.Clone(proven), possible...)
	credSrc := b.findingsOf(all, "exposed-credential-used-novel", "novel-use-possible-exposure", "exposed-credential-not-revoked")
	credCov, err := b.coverage(ctx, credSrc.Events)
	if err != nil {
		return err
	}
	f.OwnersAffected = Fact{Value: bounds(func(c Credential) []string {
		if c.Owner == "" {
			return nil
		}
		return []string{c.Owner}
	}), DerivedFrom: credSrc, Coverage: credCov,
		Method: "distinct inventory owners of the proven-exposed credentials (misused, exposed) and of the possibly exposed ones (possibly-misused, possibly-exposed)"}
	f.DataCategories = Fact{Value: bounds(func(c Credential) []string { return c.DataCategories }), DerivedFrom: credSrc, Coverage: credCov,
		Method: "inventory data_categories of the proven-exposed and the possibly exposed credentials"}

	if f.Indicators, err = b.indicators(ctx, proven); err != nil {
		return err
	}
	if f.MeasuresTaken, err = b.measures(ctx, proven, possible); err != nil {
		return err
	}
	if f.CoverageGaps, err = b.coverageGaps(ctx); err != nil {
		return err
	}
	if f.KeyEvents, err = b.keyEvents(ctx, byEvent); err != nil {
		return err
	}
	f.Activity, err = b.activity(ctx)
	return err
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown principal"
	}
	return s
}

func from(ip string) string {
	if ip == "" {
		return ""
	}
	return " from " + ip
}

// display is the masked form of an inventory credential, or the handle itself.
func (b *builder) display(cred string) string {
	if c := b.byCred[cred]; c != nil {
		if c.Owner != "" {
			return c.Display + " of " + c.Owner
		}
		return c.Display
	}
	return cred
}

func (b *builder) secretsRead(ctx context.Context) (Fact, error) {
	var proven, upper, events []string
	rows, err := b.db.QueryContext(ctx, `SELECT secret_ref, event_id, class = 'suspicious' AND proves FROM exposures
		WHERE in_window AND outcome <> 'failure' ORDER BY time, event_id, secret_ref`)
	if err != nil {
		return Fact{}, err
	}
	for rows.Next() {
		var ref, id string
		var p bool
		if err := rows.Scan(&ref, &id, &p); err != nil {
			rows.Close()
			return Fact{}, err
		}
		upper = append(upper, ref)
		if p {
			proven = append(proven, ref)
		}
		events = append(events, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Fact{}, err
	}
	proven = uniq(proven)
	only := []string{}
	for _, v := range uniq(upper) {
		if !slices.Contains(proven, v) {
			only = append(only, v)
		}
	}
	var src Sources
	for _, x := range b.findings {
		if strings.HasPrefix(x.Rule, "suspicious-secret-read@") || strings.HasPrefix(x.Rule, "novel-use-possible-exposure@") {
			src.Findings = append(src.Findings, x.ID)
		}
	}
	src.Events = events
	src = src.sorted()
	cov, err := b.coverage(ctx, src.Events)
	if err != nil {
		return Fact{}, err
	}
	return Fact{Value: Bounds{Proven: proven, PossibleOnly: only, ProvenCount: len(proven), UpperBound: len(proven) + len(only)},
		DerivedFrom: src, Coverage: cov,
		Method: "inventory secrets with a suspicious successful read that proves exposure (rule " + b.rule("suspicious-secret-read") +
			"); possible: any other successful read in the window"}, nil
}

// exposureEvents returns, for each credential, the read its exposure rests on: the first
// proving read, or (possible) the first successful read in the window.
func (b *builder) exposureEvents(ctx context.Context, creds []Credential, proving bool) ([]string, error) {
	cond := "x.in_window AND x.outcome <> 'failure'"
	if proving {
		cond = "x.proves"
	}
	var out []string
	for _, c := range creds {
		var id string
		err := b.db.QueryRowContext(ctx, `SELECT x.event_id FROM exposures x JOIN inventory i ON i.secret_ref = x.secret_ref
			WHERE i.credential = ? AND `+cond+` ORDER BY x.time, x.event_id LIMIT 1`, c.Credential).Scan(&id)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

func (b *builder) derived(ctx context.Context) (Fact, error) {
	parent := map[string]*Credential{}
	for i := range b.creds {
		for _, d := range b.creds[i].Derived {
			parent[d] = &b.creds[i]
		}
	}
	out := []Derived{}
	var src Sources
	for _, x := range b.findings {
		if !strings.HasPrefix(x.Rule, "derived-credential@") || x.Credential == nil {
			continue
		}
		d := Derived{Credential: *x.Credential, Issued: norm(x.Time), Severity: x.Severity}
		if p := parent[d.Credential]; p != nil {
			d.Parent, d.ParentStatus = p.Credential, p.Status
		}
		out = append(out, d)
		src.Findings = append(src.Findings, x.ID)
		src.Events = append(src.Events, x.Events...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Issued != out[j].Issued {
			return out[i].Issued < out[j].Issued
		}
		return out[i].Credential < out[j].Credential
	})
	src = src.sorted()
	cov, err := b.coverage(ctx, src.Events)
	if err != nil {
		return Fact{}, err
	}
	return Fact{Value: out, DerivedFrom: src, Coverage: cov,
		Method: "credentials issued with an exposed credential at or after its exposure (rule " + b.rule("derived-credential") + "); severity high when misused, low for a routine rotation"}, nil
}

func (b *builder) indicators(ctx context.Context, proven []Credential) (Fact, error) {
	why := map[string][]string{}
	add := func(ip, reason string) {
		if ip != "" && !slices.Contains(why[ip], reason) {
			why[ip] = append(why[ip], reason)
		}
	}
	for _, c := range proven {
		for _, ip := range c.NovelIPs {
			add(ip, "misuse of "+c.Display+" of "+c.Owner)
		}
	}
	rows, err := b.db.QueryContext(ctx, `SELECT DISTINCT coalesce(src_ip, ''), secret_ref FROM exposures
		WHERE class = 'suspicious' AND in_window ORDER BY 1, 2`)
	if err != nil {
		return Fact{}, err
	}
	for rows.Next() {
		var ip, ref string
		if err := rows.Scan(&ip, &ref); err != nil {
			rows.Close()
			return Fact{}, err
		}
		add(ip, "suspicious read of "+ref)
	}
	rows.Close()
	rows, err = b.db.QueryContext(ctx, `SELECT value, coalesce(note, '') FROM iocs WHERE type = 'ip' ORDER BY value`)
	if err != nil {
		return Fact{}, err
	}
	for rows.Next() {
		var ip, note string
		if err := rows.Scan(&ip, &note); err != nil {
			rows.Close()
			return Fact{}, err
		}
		add(ip, strings.TrimSpace("indicator imported by the examiner "+note))
	}
	rows.Close()
	var src Sources
	out := Indicators{IPs: []IP{}, UserAgents: []string{}}
	for ip, reasons := range why {
		x := IP{IP: ip, Why: reasons}
		var first, last string
		err := b.c.Events(ctx, timeline.Filter{IP: ip}, func(e *normalize.Event) error {
			if first == "" {
				first = e.ID
				x.FirstSeen = ts(e.Time)
			}
			last = e.ID
			x.LastSeen = ts(e.Time)
			x.Events++
			return nil
		})
		if err != nil {
			return Fact{}, err
		}
		if first != "" {
			src.Events = append(src.Events, first, last)
		}
		out.IPs = append(out.IPs, x)
	}
	sort.Slice(out.IPs, func(i, j int) bool {
		if out.IPs[i].FirstSeen != out.IPs[j].FirstSeen {
			return out.IPs[i].FirstSeen < out.IPs[j].FirstSeen
		}
		return out.IPs[i].IP < out.IPs[j].IP
	})
	rows, err = b.db.QueryContext(ctx, `SELECT DISTINCT u.user_agent FROM credential_uses u
		WHERE u.user_agent IS NOT NULL AND u.user_agent <> '' AND `+misuseSQL+` ORDER BY 1`)
	if err != nil {
		return Fact{}, err
	}
	for rows.Next() {
		var ua string
		if err := rows.Scan(&ua); err != nil {
			rows.Close()
			return Fact{}, err
		}
		out.UserAgents = append(out.UserAgents, ua)
	}
	rows.Close()
	for _, x := range b.findings {
		name, _, _ := strings.Cut(x.Rule, "@")
		if name == "suspicious-secret-read" || name == "exposed-credential-used-novel" || name == "ip-pivot" {
			src.Findings = append(src.Findings, x.ID)
		}
	}
	src = src.sorted()
	cov, err := b.coverage(ctx, src.Events)
	if err != nil {
		return Fact{}, err
	}
	return Fact{Value: out, DerivedFrom: src, Coverage: cov,
		Method: "addresses of misuses and suspicious reads and imported ip indicators, first and last seen in any event of the case; user agents of the misuses"}, nil
}

func (b *builder) measures(ctx context.Context, proven, possible []Credential) (Fact, error) {
	m := Measures{Revocations: []Revocation{}, ProvenCount: len(proven), PossibleCount: len(possible)}
	for _, c := range append(slices.Clone(proven), possible...) {
		r := Revocation{Credential: c.Credential, Display: c.Display, Status: c.Status, RevokedAt: c.RevokedAt, FirstExposure: c.FirstExposure}
		if c.RevokedAt != nil {
			if strings.HasPrefix(c.Status, "possibly") {
				m.RevokedPossible++
			} else {
				m.RevokedProven++
			}
			if c.FirstExposure != nil {
				r.HoursExposureToRevocation = hours(*c.FirstExposure, *c.RevokedAt)
			}
		}
		if err := b.db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(outcome <> 'failure'), 0) FROM credential_uses
			WHERE credential = ? AND after_revocation`, c.Credential).Scan(&r.UsesAfterRevocation, &r.SuccessfulAfterRevocation); err != nil {
			return Fact{}, err
		}
		m.Revocations = append(m.Revocations, r)
	}
	src := b.findingsOf(append(slices.Clone(proven), possible...), "use-after-revocation", "exposed-credential-not-revoked")
	err := b.c.Events(ctx, timeline.Filter{Categories: []string{"credential_revoke"}}, func(e *normalize.Event) error {
		src.Events = append(src.Events, e.ID)
		return nil
	})
	if err != nil {
		return Fact{}, err
	}
	src = src.sorted()
	cov, err := b.coverage(ctx, src.Events)
	if err != nil {
		return Fact{}, err
	}
	return Fact{Value: m, DerivedFrom: src, Coverage: cov,
		Method: "revocation: the first successful credential_revoke naming the credential or the inventory's revoked_at, whichever is earlier; uses after it (rule " + b.rule("use-after-revocation") + ")"}, nil
}

func (b *builder) coverageGaps(ctx context.Context) (Fact, error) {
	v := Coverage{Gaps: []Gap{}, Limits: Limits}
	for _, c := range b.cov {
		for _, g := range c.Gaps {
			v.Gaps = append(v.Gaps, Gap{Source: c.Source, Start: norm(g.Start), End: norm(g.End), Hours: *hours(g.Start, g.End)})
		}
	}
	v.Sources = b.allSpans()
	var src Sources
	for _, x := range b.findings {
		if strings.HasPrefix(x.Rule, "coverage-gap@") {
			src.Findings = append(src.Findings, x.ID)
			src.Events = append(src.Events, x.Events...)
		}
	}
	return Fact{Value: v, DerivedFrom: src.sorted(), Coverage: v.Sources,
		Method: "each source's silences in the window longer than the correlate gap threshold (rule " + b.rule("coverage-gap") + "), and the standing limits of the evidence"}, nil
}

func (b *builder) keyEvents(ctx context.Context, byEvent map[string][]string) (Fact, error) {
	var out []KeyEvent
	add := func(id, what string) error {
		e, err := b.event(ctx, id)
		if err != nil {
			return err
		}
		out = append(out, KeyEvent{Time: ts(e.Time), Source: e.Source, What: what, EventID: id})
		return nil
	}
	// Suspicious reads, one row per read event.
	rows, err := b.db.QueryContext(ctx, `SELECT event_id, coalesce(principal, ''), coalesce(src_ip, ''), group_concat(secret_ref, ', ')
		FROM (SELECT DISTINCT event_id, principal, src_ip, secret_ref FROM exposures WHERE class = 'suspicious' AND in_window ORDER BY secret_ref)
		GROUP BY event_id, principal, src_ip`)
	if err != nil {
		return Fact{}, err
	}
	type row struct{ id, a, b, c string }
	var reads []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.a, &r.b, &r.c); err != nil {
			rows.Close()
			return Fact{}, err
		}
		reads = append(reads, r)
	}
	rows.Close()
	for _, r := range reads {
		if err := add(r.id, fmt.Sprintf("suspicious read of %s by %s%s", r.c, orUnknown(r.a), from(r.b))); err != nil {
			return Fact{}, err
		}
	}
	// First misuse and first possible misuse of each credential, uses after revocation that went
	// through.
	rows, err = b.db.QueryContext(ctx, `SELECT kind, credential, event_id, coalesce(action, ''), coalesce(src_ip, '') FROM (
		SELECT 'misuse' AS kind, u.credential, u.event_id, u.action, u.src_ip,
			row_number() OVER (PARTITION BY u.credential ORDER BY u.time, u.event_id) AS n
		FROM credential_uses u WHERE `+misuseSQL+` AND u.outcome <> 'failure'
		UNION ALL
		SELECT 'possible', u.credential, u.event_id, u.action, u.src_ip,
			row_number() OVER (PARTITION BY u.credential ORDER BY u.time, u.event_id)
		FROM credential_uses u WHERE u.novel AND u.outcome <> 'failure'
			AND EXISTS (SELECT 1 FROM json_each(u.reasons) r WHERE r.value LIKE 'possible misuse:%')
		UNION ALL
		SELECT 'after-revocation', u.credential, u.event_id, u.action, u.src_ip, 1
		FROM credential_uses u WHERE u.after_revocation AND u.outcome <> 'failure'
	) WHERE n = 1`)
	if err != nil {
		return Fact{}, err
	}
	var uses []row
	var kinds []string
	for rows.Next() {
		var k string
		var r row
		if err := rows.Scan(&k, &r.a, &r.id, &r.b, &r.c); err != nil {
			rows.Close()
			return Fact{}, err
		}
		uses = append(uses, r)
		kinds = append(kinds, k)
	}
	rows.Close()
	for i, r := range uses {
		what := map[string]string{"misuse": "first misuse of %s: %s%s", "possible": "possible misuse (not counted as misuse) of %s: %s%s",
			"after-revocation": "use after revocation, went through, of %s: %s%s"}[kinds[i]]
		if err := add(r.id, fmt.Sprintf(what, b.display(r.a), r.b, from(r.c))); err != nil {
			return Fact{}, err
		}
	}
	// Credentials minted with exposed ones, and revocations.
	for _, x := range b.findings {
		if strings.HasPrefix(x.Rule, "derived-credential@") && x.Credential != nil && len(x.Events) > 0 {
			if err := add(x.Events[0], "credential issued with an exposed one: "+*x.Credential); err != nil {
				return Fact{}, err
			}
		}
	}
	err = b.c.Events(ctx, timeline.Filter{Categories: []string{"credential_revoke"}}, func(e *normalize.Event) error {
		b.events[e.ID] = e
		what := "credential revoked: " + e.Action
		if e.Principal != "" {
			what += " by " + e.Principal
		}
		out = append(out, KeyEvent{Time: ts(e.Time), Source: e.Source, What: what, EventID: e.ID})
		return nil
	})
	if err != nil {
		return Fact{}, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Time != out[j].Time {
			return out[i].Time < out[j].Time
		}
		return out[i].EventID < out[j].EventID
	})
	out = slices.CompactFunc(out, func(a, b KeyEvent) bool { return a == b })
	var src Sources
	for _, k := range out {
		src.Events = append(src.Events, k.EventID)
		src.Findings = append(src.Findings, byEvent[k.EventID]...)
	}
	src = src.sorted()
	cov, err := b.coverage(ctx, src.Events)
	if err != nil {
		return Fact{}, err
	}
	if out == nil {
		out = []KeyEvent{}
	}
	return Fact{Value: out, DerivedFrom: src, Coverage: cov,
		Method: "suspicious reads, each credential's first misuse and first possible misuse, uses after revocation that went through, derived credentials' issue and every credential_revoke event"}, nil
}

func (b *builder) activity(ctx context.Context) (Fact, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT (e.time_ns - ?1) / 3600000000000, v.format, count(*)
		FROM events e JOIN evidence v ON v.id = e.evidence_id
		WHERE v.superseded_by IS NULL AND e.time_ns >= ?1 AND e.time_ns < ?2 GROUP BY 1, 2 ORDER BY 1, 2`,
		b.window[0].UnixNano(), b.window[1].UnixNano())
	if err != nil {
		return Fact{}, err
	}
	defer rows.Close()
	out := []HourCount{}
	for rows.Next() {
		var h, n int64
		var src string
		if err := rows.Scan(&h, &src, &n); err != nil {
			return Fact{}, err
		}
		out = append(out, HourCount{Hour: ts(b.window[0].Add(time.Duration(h) * time.Hour)), Source: src, Events: n})
	}
	if err := rows.Err(); err != nil {
		return Fact{}, err
	}
	return Fact{Value: out, DerivedFrom: Sources{}.sorted(), Coverage: b.allSpans(),
		Method: "query: events per hour and source in the incident window (hours counted from the window's start)"}, nil
}
