// Package arrowout writes a table as an Arrow IPC file (Feather v2) and holds the one conversion
// from an export.Table to Arrow schemas and record batches, which the Parquet writer reuses so
// that both formats give a reader the same columns, types and metadata.
package arrowout

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/breachline/breachline/report/export"
)

// SchemaVersion is the version of the column-to-type mapping below. It is written into every
// file so that a reader can tell which mapping a file follows; it changes only when a type
// changes, not when a table gains a column.
const SchemaVersion = "1"

// The schema metadata keys. They are namespaced so that they never collide with the keys Arrow
// and Parquet tools add themselves (ARROW:schema, pandas).
const (
	KeySchemaVersion = "breachline.schema_version"
	KeyCaseID        = "breachline.case_id"
	KeyCaseName      = "breachline.case_name"
	KeyToolVersion   = "breachline.tool_version"
	KeyTable         = "breachline.table"
	KeyFilter        = "breachline.filter"
	KeyAsOf          = "breachline.as_of"
	KeyAsOfSeq       = "breachline.as_of_seq"
	KeyAsOfHash      = "breachline.as_of_hash"
	KeyEvidence      = "breachline.evidence"
	// KeyKind is a field's metadata key naming its export.Kind, so that a JSON column (stored
	// as plain utf8, which every reader understands) can still be told apart from text.
	KeyKind = "breachline.kind"
)

// Timestamp is the type of every Time column: nanoseconds, because event times keep the
// precision of the log, and UTC, because every time in a case is an instant.
var Timestamp = &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}

// DictString is the type of a Dict column: int32 indices into utf8 values, the index type
// pandas, Polars and DuckDB read without a cast.
var DictString = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

// Type returns the Arrow type a column is written as.
func Type(c export.Column) arrow.DataType {
	switch c.Kind {
	case export.Int64:
		return arrow.PrimitiveTypes.Int64
	case export.Time:
		return Timestamp
	case export.Bool:
		return arrow.FixedWidthTypes.Boolean
	case export.String:
		if c.Dict {
			return DictString
		}
	}
	return arrow.BinaryTypes.String // String, and JSON as its text
}

// Field returns the Arrow field of a column.
func Field(c export.Column) arrow.Field {
	return arrow.Field{Name: c.Name, Type: Type(c), Nullable: c.Nullable,
		Metadata: arrow.NewMetadata([]string{KeyKind}, []string{c.Kind.String()})}
}

// Schema returns the schema of a file holding cols, with meta as its schema metadata.
func Schema(cols []export.Column, meta export.Meta) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = Field(c)
	}
	md := Metadata(meta)
	return arrow.NewSchema(fields, &md)
}

// Metadata returns the schema metadata of an export, in a fixed key order so that the same
// export gives the same bytes. Times are RFC 3339 with nanoseconds in UTC; the evidence list is
// JSON.
func Metadata(m export.Meta) arrow.Metadata {
	asOf := ""
	if !m.AsOf.IsZero() {
		asOf = m.AsOf.UTC().Format(time.RFC3339Nano)
	}
	keys := []string{KeySchemaVersion, KeyCaseID, KeyCaseName, KeyToolVersion, KeyTable, KeyFilter,
		KeyAsOf, KeyAsOfSeq, KeyAsOfHash, KeyEvidence}
	vals := []string{SchemaVersion, m.CaseID, m.CaseName, m.ToolVersion, m.Table, m.Filter,
		asOf, strconv.FormatInt(m.AsOfSeq, 10), m.AsOfHash, evidenceJSON(m.Evidence)}
	return arrow.NewMetadata(keys, vals)
}

// evidence is the JSON form of one export.Evidence in the metadata.
type evidence struct {
	Path       string `json:"path"`
	SHA256     string `json:"sha256"`
	Source     string `json:"source"`
	Records    int64  `json:"records"`
	Events     int64  `json:"events"`
	Rejects    int64  `json:"rejects"`
	FirstEvent string `json:"first_event,omitempty"`
	LastEvent  string `json:"last_event,omitempty"`
}

func evidenceJSON(list []export.Evidence) string {
	out := make([]evidence, len(list))
	for i, e := range list {
		out[i] = evidence{Path: e.Path, SHA256: e.SHA256, Source: e.Source, Records: e.Records,
			Events: e.Events, Rejects: e.Rejects}
		if !e.FirstEvent.IsZero() {
			out[i].FirstEvent = e.FirstEvent.UTC().Format(time.RFC3339Nano)
		}
		if !e.LastEvent.IsZero() {
			out[i].LastEvent = e.LastEvent.UTC().Format(time.RFC3339Nano)
		}
	}
	b, err := json.Marshal(out)
	if err != nil { // cannot happen: the struct holds only strings and numbers
		panic(err)
	}
	return string(b)
}
