// Package normalize holds breachline's domain model: the normalized event every ingester emits,
// the reject that stands in for a record that could not become one, the evidence file they came
// from, and the rules that keep them comparable across sources (credential handles, secret
// redaction, IP and time canonical forms). It depends on nothing else in the module, so every
// other package can share it.
package normalize

import (
	"fmt"
	"math"
	"time"
)

// Category is the investigative class of an event. The set is closed: the correlator and the
// reports reason over these names, so an ingester maps every record onto one of them.
type Category string

// The categories, in the order the documentation lists them.
const (
	SecretRead       Category = "secret_read"
	SecretWrite      Category = "secret_write"
	CredentialIssue  Category = "credential_issue"
	CredentialRevoke Category = "credential_revoke"
	Auth             Category = "auth"
	HTTPRequest      Category = "http_request"
	APICall          Category = "api_call"
	Admin            Category = "admin"
	DataAccess       Category = "data_access"
	Process          Category = "process"
	Other            Category = "other"
)

// Categories lists every valid category.
var Categories = []Category{
	SecretRead, SecretWrite, CredentialIssue, CredentialRevoke, Auth, HTTPRequest,
	APICall, Admin, DataAccess, Process, Other,
}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if c == k {
			return true
		}
	}
	return false
}

// Outcome says whether the logged action succeeded.
type Outcome string

// The outcomes. Unknown is used when the record does not say; it is never guessed.
const (
	Success Outcome = "success"
	Failure Outcome = "failure"
	Unknown Outcome = "unknown"
)

// Valid reports whether o is one of the three outcomes.
func (o Outcome) Valid() bool { return o == Success || o == Failure || o == Unknown }

// Time-zone bases: how an event's UTC time was derived from the record's text.
const (
	// TZExplicit: the record's timestamp carries an offset or Z.
	TZExplicit = "explicit"
	// TZUTCBySpec: the format defines the timestamp as UTC (epoch seconds, for instance).
	TZUTCBySpec = "utc-by-spec"
	// tzAssumedPrefix is followed by the zone name the examiner gave with --assume-tz.
	tzAssumedPrefix = "assumed:"
)

// TZAssumed returns the basis for a timestamp read in the examiner-supplied zone loc.
func TZAssumed(loc *time.Location) string { return tzAssumedPrefix + loc.String() }

// Event is one normalized log record. Its JSON form (see MarshalJSON) and the columns of the case
// store's events table are a contract shared with the exporters, the correlator and other tools.
//
// Ingesters fill the descriptive fields (Time through RequestID, and Attrs); the ingest core fills
// identity and provenance (ID, Source, Parser, the Evidence* fields, Offset, Length, Line,
// RecordIndex, RawSHA256) from the record it was handed, so no ingester can get them wrong.
type Event struct {
	ID            string
	Time          time.Time
	TimeRaw       string
	TZBasis       string
	Source        string
	Parser        string
	Category      Category
	Action        string
	Outcome       Outcome
	Principal     string
	PrincipalType string
	SrcIP         string
	UserAgent     string
	Credential    string
	Resource      string
	ResourceType  string
	SecretRef     string
	RequestID     string

	EvidenceSHA256 string
	EvidencePath   string
	Offset         int64
	Length         int64
	Line           int64 // 1-based; 0 when the format has no lines
	RecordIndex    int64 // position inside a container array; NoIndex when there is none
	RawSHA256      string

	// Attrs holds format-specific extras. Values are strings, numbers, booleans, or slices and
	// maps of those, so that they encode to JSON deterministically.
	Attrs map[string]any
	// AttrsJSON is the canonical JSON of Attrs (keys sorted), set by the ingest core or read back
	// from the case store; when set it wins over Attrs for output.
	AttrsJSON []byte
}

// Fields are the event model's keys in contract order: the JSON keys of MarshalJSON, the columns
// of the case store's events table and the header of CSV output.
var Fields = []string{
	"id", "time", "time_raw", "tz_basis", "source", "parser", "category", "action", "outcome",
	"principal", "principal_type", "src_ip", "user_agent", "credential", "resource", "resource_type",
	"secret_ref", "request_id", "evidence_sha256", "evidence_path", "offset", "length", "line",
	"record_index", "raw_sha256", "attrs",
}

// NoIndex is the RecordIndex of a record that is not an element of a container array.
const NoIndex = -1

// SetAttr sets an extra, allocating the map on first use. Empty strings are skipped so that attrs
// never carry "nothing" as if it were a value.
func (e *Event) SetAttr(key string, v any) {
	if s, ok := v.(string); ok && s == "" {
		return
	}
	if v == nil {
		return
	}
	if e.Attrs == nil {
		e.Attrs = make(map[string]any, 8)
	}
	e.Attrs[key] = v
}

// Check reports the first way e breaks the event model, or nil. The ingest core runs it on every
// event so that an ingester bug becomes a reject with a reason instead of a silent bad row.
func (e *Event) Check() error {
	switch {
	case e.Time.IsZero() && e.TimeRaw == "":
		return fmt.Errorf("record has no usable timestamp")
	case e.Time.IsZero():
		// The zero time.Time is also a real instant, 0001-01-01T00:00:00Z, which a record can
		// state: say what it said.
		return fmt.Errorf("timestamp %q gives no usable time (a case stores the years %d to %d)", e.TimeRaw, MinTime.Year(), MaxTime.Year())
	case e.Time.Before(MinTime) || e.Time.After(MaxTime):
		return fmt.Errorf("timestamp %s is outside the years a case stores (%d to %d)", e.Time.UTC().Format(time.RFC3339), MinTime.Year(), MaxTime.Year())
	case !e.Category.Valid():
		return fmt.Errorf("ingester produced invalid category %q", e.Category)
	case !e.Outcome.Valid():
		return fmt.Errorf("ingester produced invalid outcome %q", e.Outcome)
	case e.TZBasis == "":
		return fmt.Errorf("ingester did not say how the timestamp's zone was known")
	}
	if e.Credential != "" {
		if err := CheckHandle(e.Credential); err != nil {
			return err
		}
	}
	return nil
}

// MinTime and MaxTime bound an event's time: the case store keeps it as nanoseconds since 1970
// in a signed 64-bit integer (years 1677 to 2262).
var (
	MinTime = time.Unix(0, math.MinInt64).UTC()
	MaxTime = time.Unix(0, math.MaxInt64).UTC()
)

// TimeLayout is the fixed-width RFC 3339 form of Event.Time: UTC with nine fractional digits, so
// that text order is time order in SQLite and in files.
const TimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// FormatTime renders t in TimeLayout after converting it to UTC.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }
