package report

import (
	"encoding/csv"
	"io"

	"github.com/breachline/breachline/normalize"
)

// CSVWriter writes RFC 4180 CSV with a header row. Control characters in cells are written as
// visible escapes (\x1b), as in tables: CSV files end up in terminals and spreadsheets too.
type CSVWriter struct {
	w   *csv.Writer
	buf []string
}

// NewCSV starts CSV output on w with the given header.
func NewCSV(w io.Writer, header ...string) *CSVWriter {
	c := &CSVWriter{w: csv.NewWriter(w)}
	c.Row(header...)
	return c
}

// Row writes one record.
func (c *CSVWriter) Row(cells ...string) {
	c.buf = c.buf[:0]
	for _, s := range cells {
		c.buf = append(c.buf, normalize.Printable(s))
	}
	_ = c.w.Write(c.buf)
}

// Flush writes buffered records and reports any write error.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}
