package export

import (
	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/timeline"
)

// Helpers for packages that build tables of their own from the same parts (the lake, which
// writes an ingest's events straight to Parquet, and the case's inventory and indicators): one
// conversion of an event to a row, one reader of a result table, for every output.

// EventRow fills row, of len(EventColumns), with e's values in EventColumns order, exactly as
// the events table of an export holds them (empty text is nil, as the event model's JSON leaves
// those keys out), and returns it.
func EventRow(row Row, e *normalize.Event) Row { return eventRow(row, e) }

// SQLTable is a table of the case read by one query whose result columns are cols, in order;
// INTEGER 0/1 columns become Bool and RFC 3339 text becomes Time, as for the result tables.
func SQLTable(c *timeline.Case, name string, cols []Column, query string) *Table {
	return sqlTable(c, name, cols, query)
}

// RejectRow fills row, of len(RejectColumns), with r's values in RejectColumns order (a line of 0,
// none, is nil) and returns it.
func RejectRow(row Row, r *normalize.Reject) Row {
	row[0], row[1], row[2], row[3] = r.EvidenceSHA256, r.EvidencePath, r.Offset, r.Length
	row[4] = nil
	if r.Line > 0 {
		row[4] = r.Line
	}
	row[5], row[6] = r.Reason, r.Snippet
	return row
}
