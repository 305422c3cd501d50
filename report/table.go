package report

import (
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/breachline/breachline/normalize"
)

// tablePadding is the space between columns.
const tablePadding = 2

// TableWriter writes aligned columns. Cells are made printable and cut to MaxCell runes so one
// long user agent does not push the rest of the row off the screen.
type TableWriter struct {
	tw *tabwriter.Writer
	// MaxCell bounds a cell's width in runes; 0 means no bound.
	MaxCell int
	// Width, when above 0, is the width every row must fit: the free-text columns (see FreeText)
	// are shortened, the widest first, until it does. NewTable sets it to the terminal's width
	// when w is a terminal; it can be changed until the first row after the header. Rows are
	// then held until Flush, which needs all of them to know the columns' widths.
	Width     int
	freeText  []bool
	rows      [][]string // held rows, the header first
	streaming bool       // rows go straight to tw: no width to fit
}

// NewTable starts a table on w with the given column headers.
func NewTable(w io.Writer, headers ...string) *TableWriter {
	t := &TableWriter{tw: tabwriter.NewWriter(w, 0, 0, tablePadding, ' ', 0), MaxCell: 60, Width: TerminalWidth(w)}
	t.Row(headers...)
	return t
}

// FreeText names the columns (by index) that may be shortened to fit Width: descriptions,
// summaries, paths, user agents. The others hold what an examiner copies into a query or a
// report (ids, hashes, handles, times, addresses, counts) and are never cut to fit; a table
// without free-text columns is left as wide as it is.
func (t *TableWriter) FreeText(cols ...int) {
	for _, c := range cols {
		for len(t.freeText) <= c {
			t.freeText = append(t.freeText, false)
		}
		t.freeText[c] = true
	}
}

// Row writes one row.
func (t *TableWriter) Row(cells ...string) {
	row := make([]string, len(cells))
	for i, c := range cells {
		c = strings.ReplaceAll(normalize.Printable(c), "\t", " ")
		if t.MaxCell > 0 && utf8.RuneCountInString(c) > t.MaxCell {
			c = cut(c, t.MaxCell)
		}
		if c == "" {
			c = "-"
		}
		row[i] = c
	}
	if !t.streaming && t.Width <= 0 && len(t.rows) > 0 {
		t.streaming = true
		for _, r := range t.rows {
			t.write(r)
		}
		t.rows = nil
	}
	if t.streaming {
		t.write(row)
		return
	}
	t.rows = append(t.rows, row)
}

func (t *TableWriter) write(row []string) {
	for i, c := range row {
		if i > 0 {
			io.WriteString(t.tw, "\t")
		}
		io.WriteString(t.tw, c)
	}
	io.WriteString(t.tw, "\n")
}

// Flush writes the table out.
func (t *TableWriter) Flush() error {
	if t.rows != nil {
		if t.Width > 0 {
			t.fit()
		}
		for _, r := range t.rows {
			t.write(r)
		}
		t.rows = nil
	}
	return t.tw.Flush()
}

// fit shortens the cells of free-text columns so that the widest row is at most Width runes.
// The widest free-text column gives up a rune at a time, so columns end up as even as they can;
// none goes below its header or minFreeText.
func (t *TableWriter) fit() {
	const minFreeText = 12
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	total := 0
	for i, w := range widths {
		total += w
		if i < len(widths)-1 {
			total += tablePadding
		}
	}
	floor := make([]int, len(widths))
	for i := range floor {
		floor[i] = minFreeText
		if len(t.rows) > 0 && i < len(t.rows[0]) {
			floor[i] = max(floor[i], utf8.RuneCountInString(t.rows[0][i])) // the header stays whole
		}
	}
	limit := append([]int(nil), widths...)
	for total > t.Width {
		widest := -1
		for i := range limit {
			if i < len(t.freeText) && t.freeText[i] && limit[i] > floor[i] && (widest < 0 || limit[i] > limit[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break // as narrow as it gets
		}
		limit[widest]--
		total--
	}
	for _, r := range t.rows {
		for i, c := range r {
			if limit[i] < widths[i] && utf8.RuneCountInString(c) > limit[i] {
				r[i] = cut(c, limit[i])
			}
		}
	}
}

// cut shortens s to n runes, the last one an ellipsis.
func cut(s string, n int) string {
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
