package xlsx

import (
	"github.com/xuri/excelize/v2"
)

// DateFormat is the number format of every date cell: ISO order, so that it reads the same in
// every locale, and milliseconds, the finest Excel shows.
const DateFormat = "yyyy-mm-dd hh:mm:ss.000"

// severityFill is the fill of a Findings row by the finding's severity: the colours an
// investigator reads without a legend (red, orange, yellow, blue, grey).
var severityFill = map[string]string{
	"critical": "F4B6B6",
	"high":     "F8CBAD",
	"medium":   "FFE699",
	"low":      "DDEBF7",
	"info":     "EDEDED",
}

// styles are the workbook's cell styles. excelize numbers styles in the order they are made,
// so they are all made up front, in a fixed order, for the output to be reproducible.
type styles struct {
	header, title, date, link int
	// bySeverity holds a Findings row's styles for each severity.
	bySeverity map[string]rowStyles
}

// rowStyles are the styles of one kind of row: plain cells, date cells and hyperlinks.
type rowStyles struct{ plain, date, link int }

func newStyles(wb *excelize.File) (*styles, error) {
	s := &styles{bySeverity: map[string]rowStyles{}}
	dateFmt := DateFormat
	linkFont := &excelize.Font{Color: "0563C1", Underline: "single"}
	var err error
	mk := func(st *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = wb.NewStyle(st)
		return id
	}
	s.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}},
		Border: []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}}})
	s.title = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	s.date = mk(&excelize.Style{CustomNumFmt: &dateFmt})
	s.link = mk(&excelize.Style{Font: linkFont})
	for _, sev := range []string{"critical", "high", "medium", "low", "info"} {
		fill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{severityFill[sev]}}
		s.bySeverity[sev] = rowStyles{
			plain: mk(&excelize.Style{Fill: fill}),
			date:  mk(&excelize.Style{Fill: fill, CustomNumFmt: &dateFmt}),
			link:  mk(&excelize.Style{Fill: fill, Font: linkFont}),
		}
	}
	return s, err
}

// plainRow is the styles of a row without a severity.
func (s *styles) plainRow() rowStyles { return rowStyles{plain: 0, date: s.date, link: s.link} }
