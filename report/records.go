package report

import (
	"encoding/json"
	"io"
)

// Records writes a list of one kind of record (evidence files, findings, credentials…) in the
// chosen format, so that every command offers the same three forms the same way: an aligned
// table for people, CSV with a header, or one JSON object per line.
type Records struct {
	format Format
	table  *TableWriter
	csv    *CSVWriter
	enc    *json.Encoder
}

// NewRecords starts output on w. tableHeader and csvHeader name the columns of the table and CSV
// forms (CSV columns are machine names, table columns are for reading).
func NewRecords(w io.Writer, f Format, tableHeader, csvHeader []string) *Records {
	r := &Records{format: f}
	switch f {
	case Table:
		r.table = NewTable(w, tableHeader...)
	case CSV:
		r.csv = NewCSV(w, csvHeader...)
	default:
		r.enc = json.NewEncoder(w)
		r.enc.SetEscapeHTML(false)
	}
	return r
}

// Table returns the table writer in table form (to change its cell width), else nil.
func (r *Records) Table() *TableWriter { return r.table }

// FreeText marks table columns that may be shortened to fit the terminal (TableWriter.FreeText);
// the other forms are never shortened.
func (r *Records) FreeText(cols ...int) {
	if r.table != nil {
		r.table.FreeText(cols...)
	}
}

// Write writes one record: tableRow in table form, csvRow in CSV form, jsonValue in JSON lines.
func (r *Records) Write(tableRow, csvRow []string, jsonValue any) error {
	switch r.format {
	case Table:
		r.table.Row(tableRow...)
	case CSV:
		r.csv.Row(csvRow...)
	default:
		return r.enc.Encode(jsonValue)
	}
	return nil
}

// Close flushes the output.
func (r *Records) Close() error {
	switch r.format {
	case Table:
		return r.table.Flush()
	case CSV:
		return r.csv.Flush()
	}
	return nil
}
