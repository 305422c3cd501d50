package timeline

import (
	"strings"

	"github.com/breachline/breachline/normalize"
)

// The physical layout of events and rejects since schema 5, and the views that give the event
// model's contract over it. The tables are free to be compact; readers that want the contract
// (SQL users, exporters, other tools) read events_v and rejects_v, whose columns are exactly
// normalize.Fields and the reject's fields, with the same values `timeline --format jsonl`
// prints.
//
//   - Provenance once per file: a row holds its evidence's integer id; the evidence's sha256,
//     path, format (the events' source) and parser live only in evidence.
//   - Ids and hashes as bytes: eid is the event id's 16 bytes, raw_hash raw_sha256's 32.
//   - Time as time_ns, nanoseconds since 1970 UTC; time_raw as a code when it is a rendering of
//     the time SQL can redo (timeraw.go), else its text.
//   - Low-cardinality text as ids into strings (strings.go), in the columns suffixed _sid.
//   - attrs as a shape in strings and the values as a JSON array (attrscodec.go).

// eventColumns is the events table's columns; superseded_events has the same.
const eventColumns = `
	eid                BLOB NOT NULL,
	time_ns            INTEGER NOT NULL,
	time_raw,          -- no declared type: a code (integer) or the text, never converted
	tz_basis_sid       INTEGER NOT NULL,
	category_sid       INTEGER NOT NULL,
	action_sid         INTEGER,
	outcome_sid        INTEGER NOT NULL,
	principal_sid      INTEGER,
	principal_type_sid INTEGER,
	src_ip_sid         INTEGER,
	user_agent_sid     INTEGER,
	credential_sid     INTEGER,
	resource           TEXT,
	resource_type_sid  INTEGER,
	secret_ref_sid     INTEGER,
	request_id         TEXT,
	evidence_id        INTEGER NOT NULL,
	offset             INTEGER NOT NULL,
	length             INTEGER NOT NULL,
	line               INTEGER,
	record_index       INTEGER,
	raw_hash           BLOB NOT NULL,
	attrs_shape_sid    INTEGER,
	attrs              TEXT`

// eventInsertColumns are the events columns an ingest binds, in ordinal order; evidence_id is
// written into the statement, once per file.
var eventInsertColumns = []string{
	"eid", "time_ns", "time_raw", "tz_basis_sid", "category_sid", "action_sid", "outcome_sid",
	"principal_sid", "principal_type_sid", "src_ip_sid", "user_agent_sid", "credential_sid", "resource",
	"resource_type_sid", "secret_ref_sid", "request_id", "offset", "length", "line", "record_index",
	"raw_hash", "attrs_shape_sid", "attrs",
}

// The ordinals of eventInsertColumns, for the writer.
const (
	colEID = iota
	colTime
	colTimeRaw
	colTZ
	colCategory
	colAction
	colOutcome
	colPrincipal
	colPrincipalType
	colSrcIP
	colUserAgent
	colCredential
	colResource
	colResourceType
	colSecretRef
	colRequestID
	colOffset
	colLength
	colLine
	colIndex
	colRawHash
	colShape
	colAttrs
	nEventCols
)

const rejectColumns = `
	evidence_id INTEGER NOT NULL,
	offset      INTEGER NOT NULL,
	length      INTEGER NOT NULL,
	line        INTEGER,
	reason      TEXT NOT NULL,
	snippet     TEXT NOT NULL`

// dictColumns are the event model's fields stored as string ids, with their columns.
var dictColumns = []struct{ field, col string }{
	{"tz_basis", "tz_basis_sid"}, {"category", "category_sid"}, {"action", "action_sid"},
	{"outcome", "outcome_sid"}, {"principal", "principal_sid"}, {"principal_type", "principal_type_sid"},
	{"src_ip", "src_ip_sid"}, {"user_agent", "user_agent_sid"}, {"credential", "credential_sid"},
	{"resource_type", "resource_type_sid"}, {"secret_ref", "secret_ref_sid"},
}

// strSQL returns the SQL of the strings value with id col, or NULL.
func strSQL(col string) string { return "(SELECT value FROM strings WHERE id = " + col + ")" }

// eventsViewSQL is the CREATE VIEW of the contract view over table (events or
// superseded_events): normalize.Fields, in order, as `timeline --format jsonl` prints them.
func eventsViewSQL(view, table string) string {
	col := func(f string) string {
		for _, d := range dictColumns {
			if d.field == f {
				return strSQL("e." + d.col)
			}
		}
		switch f {
		case "id":
			return "lower(hex(e.eid))"
		case "time":
			return timeSQL("e")
		case "time_raw":
			return timeRawSQL("e")
		case "source":
			return "v.format"
		case "parser":
			return "v.parser"
		case "evidence_sha256":
			return "v.sha256"
		case "evidence_path":
			return "v.path"
		case "raw_sha256":
			return "lower(hex(e.raw_hash))"
		case "attrs":
			return attrsSQL("e", strSQL("e.attrs_shape_sid"))
		}
		return "e." + f
	}
	var b strings.Builder
	b.WriteString("CREATE VIEW " + view + " AS SELECT\n")
	for i, f := range normalize.Fields {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString("\t" + col(f) + " AS " + f)
	}
	b.WriteString("\nFROM " + table + " e JOIN evidence v ON v.id = e.evidence_id")
	return b.String()
}

// rejectsViewSQL is the CREATE VIEW of the contract view over table (rejects or
// superseded_rejects).
func rejectsViewSQL(view, table string) string {
	return "CREATE VIEW " + view + ` AS SELECT v.sha256 AS evidence_sha256, v.path AS evidence_path, r.offset AS offset,
	r.length AS length, r.line AS line, r.reason AS reason, r.snippet AS snippet
FROM ` + table + " r JOIN evidence v ON v.id = r.evidence_id"
}
