package xlsx

import (
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/breachline/breachline/report/export"
)

// layout is how a table's columns become a sheet's columns. Every column keeps its name; a
// Time column becomes two: "<name> (UTC)", a real Excel date an investigator can sort, filter
// and compute with (shown to the millisecond), and "<name>_utc", the exact instant as text to
// the nanosecond, because two events in the same millisecond must still be told apart and the
// date cell cannot.
type layout struct {
	cols    []export.Column
	headers []string
	widths  []float64
	// link is the output position of the extra hyperlink column (Findings' timeline_event),
	// or -1.
	link int
	// values and cells are reused for every row, so a row costs no allocation of its own.
	values []any
	cells  []excelize.Cell
}

// LinkColumn is the column Findings gains after events: the first cited event that the Timeline
// holds, linked to its row there.
const LinkColumn = "timeline_event"

// newLayout lays out cols; linkAfter names the column after which LinkColumn goes, or is "".
func newLayout(cols []export.Column, linkAfter string) *layout {
	l := &layout{cols: cols, link: -1}
	for _, c := range cols {
		if c.Kind == export.Time {
			l.headers = append(l.headers, c.Name+" (UTC)", c.Name+"_utc")
			l.widths = append(l.widths, 24, 31)
		} else {
			l.headers = append(l.headers, c.Name)
			l.widths = append(l.widths, width(c))
		}
		if c.Name == linkAfter {
			l.link = len(l.headers)
			l.headers = append(l.headers, LinkColumn)
			l.widths = append(l.widths, 34)
		}
	}
	l.values = make([]any, len(l.headers))
	l.cells = make([]excelize.Cell, len(l.headers))
	return l
}

// width is a column's width in characters: wide enough for the usual value, so the sheet reads
// on opening without every column at excelize's default or at the width of its longest cell.
func width(c export.Column) float64 {
	switch c.Name {
	case "id", "event_id", "request_id":
		return 34
	case "evidence_sha256", "raw_sha256":
		return 18
	case "evidence_path", "resource", "secret_ref", "read_ref", "credential", "display", "handle":
		return 30
	case "user_agent", "snippet", "reason", "reasons":
		return 40
	case "summary":
		return 70
	case "attrs", "events", "derived":
		return 60
	case "src_ip":
		return 16
	}
	switch c.Kind {
	case export.Int64:
		return 12
	case export.Bool:
		return 10
	case export.JSON:
		return 40
	}
	if c.Dict {
		return 16
	}
	return 20
}

// lastColumn is the sheet's last column letter, for the autofilter range.
func (l *layout) lastColumn() string {
	name, _ := excelize.ColumnNumberToName(len(l.headers))
	return name
}

// row turns a row into cell values. Text is a string (an inline string in the sheet), whole
// numbers are numbers, booleans booleans, times a date cell and its exact text; a null and an
// empty text are both an empty cell. The slice is reused by the next call.
func (l *layout) row(r export.Row, st rowStyles) []any {
	j := 0
	for i, c := range l.cols {
		v := r[i]
		switch c.Kind {
		case export.Time:
			if v == nil {
				l.values[j], l.values[j+1] = nil, nil
			} else {
				t := v.(time.Time)
				if serial, ok := excelSerial(t); ok {
					l.cells[j] = excelize.Cell{StyleID: st.date, Value: serial}
					l.values[j] = &l.cells[j]
				} else {
					l.values[j] = exactTime(t)
				}
				l.values[j+1] = exactTime(t)
			}
			j += 2
		case export.Int64:
			if v == nil {
				l.values[j] = nil
			} else if n := v.(int64); n > maxExactInt || n < -maxExactInt {
				l.values[j] = strconv.FormatInt(n, 10)
			} else {
				l.values[j] = n
			}
			j++
		case export.Bool:
			l.values[j] = v // nil or bool
			j++
		default: // String, JSON
			if s, _ := v.(string); s == "" {
				l.values[j] = nil
			} else {
				l.values[j] = cellText(s)
			}
			j++
		}
		if j == l.link {
			l.values[j] = nil // the caller fills it in
			j++
		}
	}
	return l.values
}

// column is the 1-based sheet column of the named table column, or 0.
func (l *layout) column(name string) int {
	j := 0
	for _, c := range l.cols {
		j++
		if c.Name == name {
			return j
		}
		if c.Kind == export.Time {
			j++
		}
		if j == l.link {
			j++
		}
	}
	return 0
}
