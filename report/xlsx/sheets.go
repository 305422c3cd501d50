package xlsx

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// sheetSet streams one table onto one sheet, or onto several when it has more rows than a
// sheet holds: "Timeline", then "Timeline (2)", "Timeline (3)"… each with the header row.
// Each sheet is flushed before the next is started, as excelize's StreamWriter requires.
type sheetSet struct {
	wb     *excelize.File
	title  string
	layout *layout
	limit  int // data rows per sheet
	styles *styles

	names  []string // the sheets made, in order
	counts []int    // data rows on each
	sw     *excelize.StreamWriter
	row    int // the last row written on the current sheet (1 is the header)
	total  int64
}

func newSheetSet(wb *excelize.File, title string, l *layout, limit int, st *styles) (*sheetSet, error) {
	s := &sheetSet{wb: wb, title: title, layout: l, limit: limit, styles: st}
	return s, s.start()
}

// start makes the next sheet and writes its header: widths and panes first, since a stream
// writer takes them only before the first row.
func (s *sheetSet) start() error {
	name := s.title
	if n := len(s.names); n > 0 {
		name = fmt.Sprintf("%s (%d)", s.title, n+1)
	}
	if _, err := s.wb.NewSheet(name); err != nil {
		return err
	}
	sw, err := s.wb.NewStreamWriter(name)
	if err != nil {
		return err
	}
	for i, w := range s.layout.widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	header := make([]any, len(s.layout.headers))
	for i, h := range s.layout.headers {
		header[i] = excelize.Cell{StyleID: s.styles.header, Value: h}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	s.names, s.counts, s.sw, s.row = append(s.names, name), append(s.counts, 0), sw, 1
	return nil
}

// write writes one row and returns where it went.
func (s *sheetSet) write(values []any, opts ...excelize.RowOpts) (sheet string, row int, err error) {
	if s.counts[len(s.counts)-1] >= s.limit {
		if err := s.finish(); err != nil {
			return "", 0, err
		}
		if err := s.start(); err != nil {
			return "", 0, err
		}
	}
	s.row++
	if err := s.sw.SetRow("A"+strconv.Itoa(s.row), values, opts...); err != nil {
		return "", 0, err
	}
	s.counts[len(s.counts)-1]++
	s.total++
	return s.names[len(s.names)-1], s.row, nil
}

// finish puts the autofilter over the current sheet's rows and flushes it.
func (s *sheetSet) finish() error {
	name := s.names[len(s.names)-1]
	if err := s.wb.AutoFilter(name, "A1:"+s.layout.lastColumn()+strconv.Itoa(s.row), nil); err != nil {
		return err
	}
	return s.sw.Flush()
}

// location is the internal hyperlink target of a cell: Timeline!A123, or 'Timeline (2)'!A5
// where the sheet name needs quoting.
func location(sheet string, col, row int) string {
	cell, _ := excelize.CoordinatesToCellName(col, row)
	if strings.ContainsAny(sheet, " ()'-!") {
		sheet = "'" + strings.ReplaceAll(sheet, "'", "''") + "'"
	}
	return sheet + "!" + cell
}
