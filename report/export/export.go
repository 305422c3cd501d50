// Package export is the one registry of file outputs (breachline export --to …). It hands every
// output format the same thing: a Table, a typed column list with a streaming row source, and
// the Meta that says which case, which tool and which filter produced it. A format package
// (report/csvout, report/arrowout, report/parquet, report/xlsx, report/timesketch…) only turns
// rows into bytes; reading the case, the temporary file, the rename into place and the custody
// entry are done once, here, for all of them.
package export

import (
	"context"
	"fmt"
	"time"
)

// Kind is the type of a column's values. It fixes the Go type a row holds in that column
// (see Row) and so the type each format writes.
type Kind int

// The column kinds.
const (
	// String is text; a row holds a string.
	String Kind = iota
	// Int64 is a whole number (offsets, lengths, counts); a row holds an int64.
	Int64
	// Time is an instant, UTC, nanosecond precision; a row holds a time.Time in UTC.
	Time
	// JSON is a JSON document kept as its text (attrs, lists); a row holds a string.
	JSON
	// Bool is true or false (a use after revocation, a read in the window); a row holds a bool.
	Bool
)

func (k Kind) String() string {
	switch k {
	case String:
		return "string"
	case Int64:
		return "int64"
	case Time:
		return "time"
	case JSON:
		return "json"
	case Bool:
		return "bool"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Column is one column of a table.
type Column struct {
	// Name is the column's key: the event model's or the result table's JSON key.
	Name string
	Kind Kind
	// Dict marks a low-cardinality column (source, category, outcome…) that a format with
	// dictionaries (Arrow, Parquet) should dictionary-encode.
	Dict bool
	// Nullable says the value may be absent; a row then holds nil.
	Nullable bool
}

// Row is one row: values in column order, each nil (only where the column is Nullable) or of the
// Go type its Kind names. A row passed to a callback is reused for the next one: copy what
// must outlive the call.
type Row []any

// Table is a table to export: its columns and a source that streams its rows in the table's
// canonical order (events by time then id, findings by severity then time, …).
type Table struct {
	// Name is the --table value: events, findings, credentials, exposures, uses or rejects.
	Name    string
	Columns []Column
	// Rows calls fn once per row, in order, and stops at the first error fn returns.
	Rows func(ctx context.Context, fn func(Row) error) error
}

// Index returns the position of the named column, or -1.
func (t *Table) Index(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Names are the table's column names, in order: a header row.
func (t *Table) Names() []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name
	}
	return out
}

// Meta says what an export holds and where it came from. Formats that carry metadata (Arrow
// schema metadata, Parquet key/value metadata, the workbook's Summary sheet) write all of it.
type Meta struct {
	CaseID      string
	CaseName    string
	ToolVersion string
	// Table is the exported table's name; Filter is the timeline filter applied to events, in
	// the command's own flag syntax ("--since 2026-03-03T00:00:00Z --source aws-cloudtrail"), or
	// "" for none.
	Table  string
	Filter string
	// AsOf is the time of the case's last custody entry that changed it (OutputActions are
	// skipped), AsOfSeq and AsOfHash its number and hash: the state of the case the file shows. Formats use AsOf
	// wherever they need a generation time, so that the same case exports to the same bytes.
	AsOf     time.Time
	AsOfSeq  int64
	AsOfHash string
	// Evidence lists the case's current evidence files, in ingest order.
	Evidence []Evidence
}

// Evidence is one evidence file as the Summary of a workbook lists it.
type Evidence struct {
	Path, SHA256, Source string
	Records, Events      int64
	Rejects              int64
	FirstEvent           time.Time // zero when the file gave no event
	LastEvent            time.Time
}

// Request is one export: the table chosen with --table, every table of the case (for formats
// that write several at once, such as a workbook), the metadata and the format options.
type Request struct {
	Table *Table
	// Tables returns any table by name, with the same event filter as Table. Formats that
	// write one table ignore it.
	Tables func(name string) (*Table, error)
	Meta   Meta
	// Partition lists the --partition keys (day, source); only formats whose Partitions
	// reports true get a non-empty list.
	Partition []string
}

// Format is an output format.
type Format interface {
	// Name is the --to value.
	Name() string
	// Summary is one line for --help.
	Summary() string
	// Write writes the export to path, which does not exist yet: a file, or with Dir a
	// directory the format creates. The path is temporary; the caller renames it into place
	// once Write returned nil and removes it otherwise, so Write need not clean up after itself.
	Write(ctx context.Context, path string, req *Request) error
}

// DirFormat is implemented by formats that may write a directory instead of one file.
type DirFormat interface {
	Format
	// Dir reports whether the request makes a directory (Parquet with --partition).
	Dir(req *Request) bool
}

// Partitioner is implemented by formats that take --partition.
type Partitioner interface {
	Format
	// Partitions lists the keys the format can partition by, in the order they nest.
	Partitions() []string
}

// TableFormat is implemented by formats that write only some tables (a Timesketch timeline is
// made of events): the command refuses the others before reading anything.
type TableFormat interface {
	Format
	// Tables lists the --table values the format writes.
	Tables() []string
}

// Tables lists the table names in the order --help shows them.
var Tables = []string{"events", "findings", "credentials", "exposures", "uses", "rejects"}
