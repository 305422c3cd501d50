package breach

import (
	"fmt"
	"strconv"
	"strings"
)

// Compose lays out the report of r's regime and stage. Values a person must enter and did not
// read "TO BE COMPLETED: …" where they belong and are listed first as open items; nothing is
// filled in by guess.
func Compose(r *Record) *Document {
	c := &composer{r: r, d: &Document{Record: r}}
	c.d.OpenItems = r.Report.OpenItems
	stage := r.Report.Stage
	if stage == "" {
		stage = ToBeCompleted("the report stage")
	}
	c.d.Header = []Field{
		{Label: "Case", Value: r.Case.ID, Basis: Evidence},
		{Label: "Case name", Value: orDash(r.Case.Name), Basis: Entered},
		{Label: "Regime", Value: r.Report.Regime, Basis: Computed},
		{Label: "Stage", Value: stage, Basis: Computed},
		{Label: "Generated as of", Value: r.Case.AsOf + " (the case's last change, custody entry " + strconv.FormatInt(r.Case.AsOfSeq, 10) +
			"; not the clock, so the same case gives the same report)", Basis: Computed},
		{Label: "Incident window", Value: r.Case.WindowStart + " – " + r.Case.WindowEnd, Basis: Computed},
		{Label: "Tool", Value: "breachline " + r.Case.ToolVersion, Basis: Computed},
	}
	switch r.Report.Regime {
	case "gdpr-art33":
		c.art33()
	case "gdpr-art34":
		c.art34()
	case "nis2":
		c.nis2()
	}
	c.common()
	return c.d
}

type composer struct {
	r *Record
	d *Document
}

func (c *composer) section(heading string, blocks ...Block) {
	c.d.Sections = append(c.d.Sections, Section{Heading: heading, Blocks: blocks})
}

// entered is a profile value as a field, or its TO BE COMPLETED marker.
func (c *composer) entered(label, key string) Field {
	if e := c.r.Profile[key]; e != nil {
		return Field{Label: label, Value: e.Value, Basis: Entered, Fact: "profile." + key}
	}
	k, _ := LookupKey(key)
	return Field{Label: label, Value: ToBeCompleted(k.What), Basis: Open, Fact: "profile." + key}
}

func (c *composer) value(key string) string {
	if e := c.r.Profile[key]; e != nil {
		return e.Value
	}
	return ""
}

func fields(f ...Field) Block { return Block{Kind: Fields, Fields: f} }
func para(s string) Block     { return Block{Kind: Para, Text: s} }
func list(items ...string) Block {
	if len(items) == 0 {
		items = []string{"none"}
	}
	return Block{Kind: List, Items: items}
}
func table(header []string, rows [][]string) Block {
	return Block{Kind: TableBlock, Table: &Table{Header: header, Rows: rows}}
}
func ev(label, value, fact string) Field {
	return Field{Label: label, Value: value, Basis: Evidence, Fact: fact}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func deref(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}

func hrs(h *float64) string {
	if h == nil {
		return "-"
	}
	return strconv.FormatFloat(*h, 'f', -1, 64) + " h"
}

func (c *composer) activity(f Fact) string {
	a, ok := f.Value.(Activity)
	if !ok {
		return "none in the evidence"
	}
	return fmt.Sprintf("%s, %s (%s, event %s); the %s evidence covers %s to %s, nothing before it can be seen",
		a.Time, a.What, a.Source, a.EventID, a.Source, a.SourceCoverageFrom, a.SourceCoverageTo)
}

func (c *composer) deadlineFields() []Field {
	d := c.r.Report.Deadline
	out := []Field{c.entered("Became aware at", "awareness_time"), c.entered("Basis of awareness", "awareness_basis")}
	if d == nil {
		return out
	}
	due := "- (no time of awareness entered)"
	if d.Due != nil {
		due = *d.Due
	} else if d.Hours == 0 {
		due = "-"
	}
	status := d.Status
	switch d.Status {
	case "late":
		status = "late: the case's state (" + d.AsOf + ") is after the deadline"
	case "on-time":
		status = "on time as of " + d.AsOf + " (the generation time); filing later than the deadline makes it late"
	case "unknown":
		status = "unknown until the time of awareness is entered"
	}
	out = append(out, Field{Label: "Deadline", Value: d.Rule, Basis: Computed},
		Field{Label: "Due", Value: due, Basis: Computed}, Field{Label: "Status", Value: status, Basis: Computed})
	if d.Status == "late" {
		out = append(out, c.entered("Reasons for the delay", "delay_reasons"))
	}
	return out
}

func credRows(creds []Credential) [][]string {
	var rows [][]string
	for _, x := range creds {
		rows = append(rows, []string{x.Status, x.Display, orDash(x.Kind), orDash(x.Owner), deref(x.FirstExposure),
			deref(x.FirstMisuse), strconv.FormatInt(x.MisuseCount, 10), deref(x.RevokedAt)})
	}
	return rows
}

var credHeader = []string{"Status", "Credential", "Kind", "Owner", "First exposure", "First misuse", "Misuses", "Revoked"}

func (c *composer) credentials() []Credential {
	f := &c.r.Facts
	var all []Credential
	for _, x := range []Fact{f.CredentialsMisused, f.CredentialsExposed, f.CredentialsPossiblyMisused, f.CredentialsPossiblyExposed} {
		if l, ok := x.Value.(CredentialList); ok {
			all = append(all, l.Credentials...)
		}
	}
	return all
}

func count(f Fact) int {
	if l, ok := f.Value.(CredentialList); ok {
		return l.Count
	}
	return 0
}

func bounds(f Fact) Bounds {
	b, _ := f.Value.(Bounds)
	return b
}

func joinOr(s []string, none string) string {
	if len(s) == 0 {
		return none
	}
	return strings.Join(s, "; ")
}

// natureFields are the evidence's answer to "what happened", proven and possible apart.
func (c *composer) natureFields() []Field {
	f := &c.r.Facts
	s := bounds(f.SecretsRead)
	o := bounds(f.OwnersAffected)
	d := bounds(f.DataCategories)
	derived, _ := f.CredentialsDerived.Value.([]Derived)
	return []Field{
		ev("First unauthorized activity", c.activity(f.FirstUnauthorizedActivity), "first_unauthorized_activity"),
		ev("Last unauthorized activity", c.activity(f.LastUnauthorizedActivity), "last_unauthorized_activity"),
		ev("Secrets proven read by an unauthorized party", fmt.Sprintf("%d: %s", s.ProvenCount, joinOr(s.Proven, "none")), "secrets_read"),
		ev("Secrets possibly read (upper bound adds)", fmt.Sprintf("%d more (upper bound %d): %s", len(s.PossibleOnly), s.UpperBound, joinOr(s.PossibleOnly, "none")), "secrets_read"),
		ev("Credentials misused (proven)", strconv.Itoa(count(f.CredentialsMisused)), "credentials_misused"),
		ev("Credentials exposed, no misuse seen (proven)", strconv.Itoa(count(f.CredentialsExposed)), "credentials_exposed"),
		ev("Credentials possibly misused (not counted as misused)", strconv.Itoa(count(f.CredentialsPossiblyMisused)), "credentials_possibly_misused"),
		ev("Credentials possibly exposed", strconv.Itoa(count(f.CredentialsPossiblyExposed)), "credentials_possibly_exposed"),
		ev("Credentials derived from exposed ones", strconv.Itoa(len(derived)), "credentials_derived"),
		ev("Accounts affected (owners of proven-exposed credentials)", fmt.Sprintf("%d: %s", o.ProvenCount, joinOr(o.Proven, "none")), "owners_affected"),
		ev("Accounts possibly affected (upper bound adds)", fmt.Sprintf("%d more (upper bound %d): %s", len(o.PossibleOnly), o.UpperBound, joinOr(o.PossibleOnly, "none")), "owners_affected"),
		ev("Data categories reachable with proven-exposed credentials", joinOr(d.Proven, "none in the inventory"), "data_categories"),
		ev("Data categories reachable with possibly exposed credentials only", joinOr(d.PossibleOnly, "none"), "data_categories"),
	}
}

func (c *composer) measuresBlocks() []Block {
	m, _ := c.r.Facts.MeasuresTaken.Value.(Measures)
	var rows [][]string
	for _, x := range m.Revocations {
		rows = append(rows, []string{x.Status, x.Display, deref(x.FirstExposure), deref(x.RevokedAt), hrs(x.HoursExposureToRevocation),
			strconv.FormatInt(x.UsesAfterRevocation, 10), strconv.FormatInt(x.SuccessfulAfterRevocation, 10)})
	}
	un, _ := c.r.Facts.CredentialsUnrevoked.Value.(Unrevoked)
	var unp, unq []string
	for _, x := range un.Proven {
		unp = append(unp, x.Display+" of "+orDash(x.Owner)+" ("+x.Status+")")
	}
	for _, x := range un.Possible {
		unq = append(unq, x.Display+" of "+orDash(x.Owner)+" ("+x.Status+")")
	}
	return []Block{
		fields(ev("Revoked, proven bound", fmt.Sprintf("%d of %d", m.RevokedProven, m.ProvenCount), "measures_taken"),
			ev("Revoked, possible bound", fmt.Sprintf("%d of %d", m.RevokedPossible, m.PossibleCount), "measures_taken"),
			ev("Not revoked in the evidence (proven bound)", joinOr(unp, "none"), "credentials_unrevoked"),
			ev("Not revoked in the evidence (possible bound)", joinOr(unq, "none"), "credentials_unrevoked")),
		table([]string{"Status", "Credential", "First exposure", "Revoked", "Exposure to revocation", "Uses after", "Went through"}, rows),
	}
}

func (c *composer) indicatorBlocks() []Block {
	in, _ := c.r.Facts.Indicators.Value.(Indicators)
	var rows [][]string
	for _, ip := range in.IPs {
		rows = append(rows, []string{ip.IP, ip.FirstSeen, ip.LastSeen, strconv.FormatInt(ip.Events, 10), strings.Join(ip.Why, "; ")})
	}
	return []Block{table([]string{"Address", "First seen", "Last seen", "Events", "Why"}, rows),
		para("User agents of the misuses:"), list(in.UserAgents...)}
}

func (c *composer) art33() {
	r := c.r
	c.d.Title = "Personal data breach notification (GDPR Art. 33)"
	c.d.Subtitle = "To the supervisory authority: " + orTBC(c.value("supervisory_authority"), "the lead supervisory authority")
	phase := c.entered("Phase (Art. 33(4))", "stage")
	phaseFields := []Field{phase}
	if r.Report.Stage != "" && r.Report.Stage != "initial" {
		phaseFields = append(phaseFields, c.entered("Previous notification", "previous_reference"))
	}
	c.section("Controller and notification",
		fields(append([]Field{c.entered("Controller", "controller_name"), c.entered("Main establishment", "controller_establishment"),
			c.entered("Lead supervisory authority", "supervisory_authority")}, phaseFields...)...),
		fields(c.deadlineFields()...))
	c.section("(a) Nature of the breach",
		fields(c.entered("What happened", "narrative"), c.entered("How it was discovered", "discovery")),
		para("What the evidence shows (proven and possible kept apart; a possible misuse is never counted as a misuse):"),
		fields(c.natureFields()...),
		fields(c.entered("Data subjects concerned (categories, approximate number)", "data_subjects"),
			c.entered("Personal data records concerned (approximate number)", "records_affected")),
		table(credHeader, credRows(c.credentials())))
	c.section("(b) Contact point", fields(c.entered("DPO or other contact point", "contact")))
	c.section("(c) Likely consequences",
		fields(c.entered("Likely consequences", "consequences"), c.entered("Likelihood and severity", "consequences_likelihood")))
	c.section("(d) Measures taken and proposed",
		append([]Block{para("Measures taken, as the evidence shows them:")}, append(c.measuresBlocks(),
			fields(c.entered("Measures taken or proposed", "measures_planned"), c.entered("Other authorities informed", "authorities_informed")))...)...)
	c.section("Indicators", c.indicatorBlocks()...)
}

func orTBC(v, what string) string {
	if v == "" {
		return ToBeCompleted(what)
	}
	return v
}

func (c *composer) art34() {
	f := &c.r.Facts
	c.d.Title = "Notice to the people affected by a personal data breach (GDPR Art. 34)"
	c.d.Subtitle = "From " + orTBC(c.value("controller_name"), "the controller's name")
	first, _ := f.FirstUnauthorizedActivity.Value.(Activity)
	last, _ := f.LastUnauthorizedActivity.Value.(Activity)
	s := bounds(f.SecretsRead)
	happened := fmt.Sprintf("Our logs show that someone without permission read %d of the stored secrets (passwords, keys and access tokens) "+
		"between %s and %s, and used %d of the credentials in them. %d more credentials were read, with no sign in our logs that they were used. "+
		"%d more may have been seen: we cannot tell from our logs whether they were.",
		s.ProvenCount, orDash(first.Time), orDash(last.Time), count(f.CredentialsMisused), count(f.CredentialsExposed),
		count(f.CredentialsPossiblyMisused)+count(f.CredentialsPossiblyExposed))
	c.section("What happened", fields(c.entered("In our words", "narrative")), para(happened))
	c.section("What this may mean for you", fields(c.entered("Likely consequences", "consequences")))
	var rows [][]string
	for _, x := range c.credentials() {
		what := "may have been seen: revoke it and create a new one"
		switch x.Status {
		case "misused":
			what = "was used by someone else: revoke it, create a new one, and check what it was used for"
		case "exposed":
			what = "was read by someone else: revoke it and create a new one"
		}
		if x.RevokedAt != nil {
			what += " (we revoked it at " + *x.RevokedAt + ")"
		}
		rows = append(rows, []string{x.Display, orDash(x.Kind), what})
	}
	m, _ := f.MeasuresTaken.Value.(Measures)
	c.section("What we have done",
		para(fmt.Sprintf("We revoked %d of the %d credentials that were proven exposed, and %d of the %d that may have been.",
			m.RevokedProven, m.ProvenCount, m.RevokedPossible, m.PossibleCount)),
		fields(c.entered("Our measures", "measures_planned")))
	c.section("What you should do",
		fields(c.entered("Our advice", "advice_to_individuals")),
		para("If one of these credentials is yours (shown shortened), revoke it and create a new one; do not reuse it anywhere:"),
		table([]string{"Credential", "Kind", "What to do"}, rows))
	c.section("Who to contact", fields(c.entered("Contact", "contact")))
}

func (c *composer) nis2() {
	r := c.r
	stage := r.Report.Stage
	titles := map[string]string{"early-warning": "NIS2 early warning (Art. 23(4)(a))",
		"notification": "NIS2 incident notification (Art. 23(4)(b))", "final": "NIS2 final report (Art. 23(4)(d))"}
	c.d.Title = titles[stage]
	c.d.Subtitle = "To the CSIRT or competent authority: " + orTBC(c.value("supervisory_authority"), "the competent authority or CSIRT")
	in, _ := r.Facts.Indicators.Value.(Indicators)
	c.section("Entity and deadline",
		fields(c.entered("Entity", "controller_name"), c.entered("Sector", "sector"), c.entered("Competent authority / CSIRT", "supervisory_authority"),
			c.entered("Contact point", "contact")),
		fields(c.deadlineFields()...))
	c.section("Early warning",
		fields(c.entered("Suspected unlawful or malicious act", "suspected_malicious"),
			ev("What the evidence shows", fmt.Sprintf("%d secrets proven read by an unauthorized party; %d credentials misused; %d addresses tied to the intrusion; first activity %s",
				len(bounds(r.Facts.SecretsRead).Proven), count(r.Facts.CredentialsMisused), len(in.IPs), c.activity(r.Facts.FirstUnauthorizedActivity)), "secrets_read"),
			c.entered("Cross-border impact", "cross_border")))
	if stage == "early-warning" {
		return
	}
	c.section("Incident notification: severity, impact, indicators",
		append([]Block{fields(c.entered("Severity and impact (assessment)", "severity_assessment"), c.entered("Description", "narrative"),
			c.entered("Other authorities informed", "authorities_informed")),
			fields(c.natureFields()...)}, c.indicatorBlocks()...)...)
	if stage == "notification" {
		return
	}
	c.section("Final report",
		append([]Block{fields(c.entered("Detailed description", "narrative"), c.entered("Root cause / type of threat", "root_cause"),
			c.entered("Mitigation measures applied and ongoing", "measures_planned"), c.entered("Cross-border impact", "cross_border")),
			table(credHeader, credRows(c.credentials())), para("Mitigation the evidence shows:")}, c.measuresBlocks()...)...)
}

// common adds what every report has: the key events, the charts, the coverage and limits, the
// documentation record, and changes since a previous report.
func (c *composer) common() {
	r := c.r
	var rows [][]string
	if ke, ok := r.Facts.KeyEvents.Value.([]KeyEvent); ok {
		for _, k := range ke {
			rows = append(rows, []string{k.Time, k.Source, k.What, k.EventID})
		}
	}
	c.section("Key events", table([]string{"Time (UTC)", "Source", "What happened", "Event id"}, rows))
	c.section("Charts",
		para("Exposure: one bar per credential of the proven and possible bounds, from its first exposure to its revocation (or the end of the window); marks at each misuse."),
		Block{Kind: Chart, Chart: "exposure"},
		para("Activity: events per hour by source across the incident window."),
		Block{Kind: Chart, Chart: "activity"})
	cov, _ := r.Facts.CoverageGaps.Value.(Coverage)
	var srows, grows [][]string
	for _, s := range cov.Sources {
		srows = append(srows, []string{s.Source, s.From, s.To, strconv.Itoa(s.Gaps)})
	}
	for _, g := range cov.Gaps {
		grows = append(grows, []string{g.Source, g.Start, g.End, strconv.FormatFloat(g.Hours, 'f', -1, 64) + " h"})
	}
	c.section("What the evidence cannot show",
		table([]string{"Source", "Evidence from", "Evidence to", "Silences in window"}, srows),
		table([]string{"Source", "Silent from", "Silent to", "Length"}, grows),
		list(cov.Limits...))
	if r.Report.DiffFrom != "" {
		c.section("Changes since the previous notification ("+r.Report.DiffFrom+")", list(r.Report.Changes...))
	}
	if r.Report.Regime != "gdpr-art34" {
		c.section("Documentation (GDPR Art. 33(5))",
			para("The facts relating to the breach, its effects and the remedial action are recorded in the case file and its hash-chained custody log; "+
				"this report is recorded there with its sha256. The JSON form of this report (--format json) is the facts record, each fact with the findings and events it is derived from."),
			fields(ev("Case id", r.Case.ID, "case.id"), ev("As of custody entry", fmt.Sprintf("%d (%s)", r.Case.AsOfSeq, r.Case.AsOfHash), "case.as_of_seq"),
				ev("Correlation", fmt.Sprintf("custody entry %d, results sha256 %s, rules sha256 %s", r.Case.CorrelationSeq, r.Case.ResultsSHA256, r.Case.RulesSHA256), "case.correlation_seq")))
	}
}
