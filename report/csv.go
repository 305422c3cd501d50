package report

import (
	"encoding/csv"
	"io"

	"github.com/breachline/breachline/normalize"
)

// CSVWriter writes RFC 4180 CSV with a header row. Control characters in cells are written as
// visible escapes (\x1b), as in tables: CSV files end up in terminals and spreadsheets too. For
// the spreadsheets, a cell that would start a formula is neutralised (see neutralise).
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
		c.buf = append(c.buf, neutralise(normalize.Printable(s)))
	}
	_ = c.w.Write(c.buf)
}

// Flush writes buffered records and reports any write error.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// neutralise prefixes a single quote to a cell that a spreadsheet would run as a formula: one
// starting with =, +, -, @, tab or carriage return (OWASP, CSV injection). Log fields are written
// by the intruder; a user agent of =HYPERLINK(…) must not become a live link in counsel's copy
// of the timeline. Plain numbers (-1, +3.5) stay as they are, so they still sort as numbers.
func neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if !plainNumber(s) {
			return "'" + s
		}
	}
	return s
}

// plainNumber reports whether s is a decimal number: an optional sign, digits with an optional
// fraction, and an optional exponent. Nothing a spreadsheet could read as a formula.
func plainNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	n := digits()
	if i < len(s) && s[i] == '.' {
		i++
		n += digits()
	}
	if n == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
