package breach

import "encoding/json"

// Schema names the facts record's layout; it changes when a key changes meaning.
const Schema = "breachline-breach-facts/1"

// Record is the canonical facts record of a report (--format json): the case it was made from,
// what a person entered, what the evidence shows, and the regime's deadlines and open items.
// Every other format renders it.
type Record struct {
	Schema   string            `json:"schema"`
	Case     CaseInfo          `json:"case"`
	Profile  map[string]*Entry `json:"profile"`
	Facts    Facts             `json:"facts"`
	Evidence []EvidenceFile    `json:"evidence"`
	Report   ReportInfo        `json:"report"`
}

// CaseInfo identifies the case and the state of it the record shows.
type CaseInfo struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// AsOf is the time of the case's last custody entry that changed it (reports and exports
	// skip): the record's generation time, never the clock.
	AsOf        string `json:"as_of"`
	AsOfSeq     int64  `json:"as_of_seq"`
	AsOfHash    string `json:"as_of_hash"`
	ToolVersion string `json:"tool_version"`
	WindowStart string `json:"window_start"`
	WindowEnd   string `json:"window_end"`
	// Correlation is the correlate run the facts rest on: its custody entry and hashes.
	CorrelationSeq int64  `json:"correlation_seq"`
	ResultsSHA256  string `json:"results_sha256"`
	RulesSHA256    string `json:"rules_sha256"`
}

// Entry is a value a person entered into the case profile, with the custody entry that
// recorded it.
type Entry struct {
	Value      string `json:"value"`
	Source     string `json:"source"` // always "entered"
	CustodySeq int64  `json:"custody_seq"`
}

// Fact is one thing the evidence shows: its value, the findings and events it is derived from,
// how it was derived, and the evidence coverage it depends on (what it cannot see beyond).
type Fact struct {
	Value       any          `json:"value"`
	DerivedFrom Sources      `json:"derived_from"`
	Method      string       `json:"method"`
	Coverage    []SourceSpan `json:"coverage"`
}

// Sources are the finding and event ids a fact is derived from, each list sorted.
type Sources struct {
	Findings []string `json:"findings"`
	Events   []string `json:"events"`
}

// SourceSpan is the time one log source covers in the case: its first and last event over every
// current evidence file of that source, and the silences longer than the correlator's gap
// threshold inside the incident window.
type SourceSpan struct {
	Source string `json:"source"`
	From   string `json:"from"`
	To     string `json:"to"`
	Gaps   int    `json:"gaps_in_window"`
}

// Facts are every fact the reports use. Proven and possible are kept apart in every one.
type Facts struct {
	FirstUnauthorizedActivity  Fact `json:"first_unauthorized_activity"`
	LastUnauthorizedActivity   Fact `json:"last_unauthorized_activity"`
	TimeFromAwareness          Fact `json:"time_from_awareness"`
	SecretsRead                Fact `json:"secrets_read"`
	CredentialsMisused         Fact `json:"credentials_misused"`
	CredentialsPossiblyMisused Fact `json:"credentials_possibly_misused"`
	CredentialsExposed         Fact `json:"credentials_exposed"`
	CredentialsPossiblyExposed Fact `json:"credentials_possibly_exposed"`
	CredentialsDerived         Fact `json:"credentials_derived"`
	CredentialsUnrevoked       Fact `json:"credentials_unrevoked"`
	OwnersAffected             Fact `json:"owners_affected"`
	DataCategories             Fact `json:"data_categories"`
	Indicators                 Fact `json:"indicators"`
	MeasuresTaken              Fact `json:"measures_taken"`
	CoverageGaps               Fact `json:"coverage_gaps"`
	KeyEvents                  Fact `json:"key_events"`
	Activity                   Fact `json:"activity"`
}

// Activity is the value of first/last_unauthorized_activity: an event, and where its source's
// evidence starts, since nothing before that can be seen.
type Activity struct {
	Time               string `json:"time"`
	EventID            string `json:"event_id"`
	Source             string `json:"source"`
	What               string `json:"what"`
	SourceCoverageFrom string `json:"source_coverage_from"`
	SourceCoverageTo   string `json:"source_coverage_to"`
}

// Awareness is the value of time_from_awareness.
type Awareness struct {
	AwarenessTime             *string  `json:"awareness_time"`
	FirstUnauthorizedActivity *string  `json:"first_unauthorized_activity"`
	HoursFromFirstActivity    *float64 `json:"hours_from_first_activity"`
	AsOf                      string   `json:"as_of"`
	HoursFromAwarenessToAsOf  *float64 `json:"hours_from_awareness_to_as_of"`
}

// Bounds is a value with a proven part and what only the upper bound adds.
type Bounds struct {
	Proven       []string `json:"proven"`
	PossibleOnly []string `json:"possible_only"`
	ProvenCount  int      `json:"proven_count"`
	UpperBound   int      `json:"upper_bound_count"`
}

// Credential is an inventory credential as the facts show it (masked display, handle, owner).
type Credential struct {
	Credential     string   `json:"credential"`
	Display        string   `json:"display"`
	Owner          string   `json:"owner"`
	Kind           string   `json:"kind"`
	DataCategories []string `json:"data_categories"`
	Status         string   `json:"status"`
	SecretRefs     []string `json:"secret_refs"`
	FirstExposure  *string  `json:"first_exposure"`
	FirstMisuse    *string  `json:"first_misuse"`
	LastMisuse     *string  `json:"last_misuse"`
	MisuseCount    int64    `json:"misuse_count"`
	NovelIPs       []string `json:"novel_ips"`
	RevokedAt      *string  `json:"revoked_at"`
	Derived        []string `json:"derived"`
}

// CredentialList is the value of the credentials_* facts.
type CredentialList struct {
	Count       int          `json:"count"`
	Credentials []Credential `json:"credentials"`
}

// Unrevoked is the value of credentials_unrevoked: exposed credentials with no revocation in the
// evidence or the inventory, proven bound and possible bound apart.
type Unrevoked struct {
	Proven   []Credential `json:"proven"`
	Possible []Credential `json:"possible"`
}

// Derived is a credential minted with an exposed one.
type Derived struct {
	Credential   string `json:"credential"`
	Parent       string `json:"parent"`
	ParentStatus string `json:"parent_status"`
	Issued       string `json:"issued"`
	Severity     string `json:"severity"`
}

// IP is an address the facts tie to the intrusion, with when the case sees it.
type IP struct {
	IP        string   `json:"ip"`
	FirstSeen string   `json:"first_seen"`
	LastSeen  string   `json:"last_seen"`
	Events    int64    `json:"events"`
	Why       []string `json:"why"`
}

// Indicators is the value of the indicators fact.
type Indicators struct {
	IPs        []IP     `json:"ips"`
	UserAgents []string `json:"user_agents"`
}

// Revocation is one measure taken on a credential of the proven or possible bound.
type Revocation struct {
	Credential                string   `json:"credential"`
	Display                   string   `json:"display"`
	Status                    string   `json:"status"`
	RevokedAt                 *string  `json:"revoked_at"`
	FirstExposure             *string  `json:"first_exposure"`
	HoursExposureToRevocation *float64 `json:"hours_exposure_to_revocation"`
	UsesAfterRevocation       int64    `json:"uses_after_revocation"`
	SuccessfulAfterRevocation int64    `json:"successful_uses_after_revocation"`
}

// Measures is the value of measures_taken.
type Measures struct {
	Revocations     []Revocation `json:"revocations"`
	RevokedProven   int          `json:"revoked_proven"`
	ProvenCount     int          `json:"proven_count"`
	RevokedPossible int          `json:"revoked_possible"`
	PossibleCount   int          `json:"possible_count"`
}

// Gap is a silence of one source inside the window.
type Gap struct {
	Source string  `json:"source"`
	Start  string  `json:"start"`
	End    string  `json:"end"`
	Hours  float64 `json:"hours"`
}

// Coverage is the value of coverage_gaps: each source's span, its silences, and what the
// evidence cannot show whatever the logs say.
type Coverage struct {
	Sources []SourceSpan `json:"sources"`
	Gaps    []Gap        `json:"gaps"`
	Limits  []string     `json:"limits"`
}

// KeyEvent is one row of the key-events timeline.
type KeyEvent struct {
	Time    string `json:"time"`
	Source  string `json:"source"`
	What    string `json:"what"`
	EventID string `json:"event_id"`
}

// HourCount is how many events one source has in one hour of the window.
type HourCount struct {
	Hour   string `json:"hour"`
	Source string `json:"source"`
	Events int64  `json:"events"`
}

// EvidenceFile is a current evidence file of the case.
type EvidenceFile struct {
	Path       string `json:"path"`
	SHA256     string `json:"sha256"`
	Source     string `json:"source"`
	Events     int64  `json:"events"`
	Rejects    int64  `json:"rejects"`
	FirstEvent string `json:"first_event"`
	LastEvent  string `json:"last_event"`
}

// ReportInfo is what the record says about the report made from it: the regime and stage, the
// deadline, what is still to be entered, and what changed since a previous report.
type ReportInfo struct {
	Regime    string    `json:"regime"`
	Stage     string    `json:"stage"`
	Deadline  *Deadline `json:"deadline"`
	OpenItems []string  `json:"open_items"`
	// Changes lists the differences from the report named by DiffFrom.
	DiffFrom string   `json:"diff_from,omitempty"`
	Changes  []string `json:"changes,omitempty"`
}

// Deadline is a regime's notification deadline, from the entered time of awareness.
type Deadline struct {
	Rule  string  `json:"rule"`
	Hours int     `json:"hours"`
	Due   *string `json:"due"`
	// Status is on-time or late as of the case's state (the generation time), or unknown
	// while the time of awareness is not entered.
	Status string `json:"status"`
	AsOf   string `json:"as_of"`
}

// JSON is the record's canonical bytes: indented, keys in the order above, a final newline.
func (r *Record) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
