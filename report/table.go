package report

import (
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/breachline/breachline/normalize"
)

// TableWriter writes aligned columns. Cells are made printable and cut to MaxCell runes so one
// long user agent does not push the rest of the row off the screen.
type TableWriter struct {
	tw *tabwriter.Writer
	// MaxCell bounds a cell's width in runes; 0 means no bound.
	MaxCell int
}

// NewTable starts a table on w with the given column headers.
func NewTable(w io.Writer, headers ...string) *TableWriter {
	t := &TableWriter{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0), MaxCell: 60}
	t.Row(headers...)
	return t
}

// Row writes one row.
func (t *TableWriter) Row(cells ...string) {
	for i, c := range cells {
		c = strings.ReplaceAll(normalize.Printable(c), "\t", " ")
		if t.MaxCell > 0 && utf8.RuneCountInString(c) > t.MaxCell {
			r := []rune(c)
			c = string(r[:t.MaxCell-1]) + "…"
		}
		if c == "" {
			c = "-"
		}
		if i > 0 {
			io.WriteString(t.tw, "\t")
		}
		io.WriteString(t.tw, c)
	}
	io.WriteString(t.tw, "\n")
}

// Flush writes the table out.
func (t *TableWriter) Flush() error { return t.tw.Flush() }
