package xlsx

import (
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// writeSummary writes the Summary sheet, the first tab: what the workbook shows and where it
// came from, so that a printed or forwarded workbook still says which case, which custody
// state, which filter and which evidence it reflects. It is written last, once every table's
// row count is known.
func (w *writer) writeSummary(results []tableResult) error {
	sw, err := w.wb.NewStreamWriter("Summary")
	if err != nil {
		return err
	}
	for i, width := range []float64{26, 66, 34, 14, 14, 14, 24, 24} {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	meta := w.req.Meta
	row := 0
	put := func(values ...any) error {
		row++
		for i, v := range values {
			if s, ok := v.(string); ok {
				values[i] = cellText(s)
			}
		}
		return sw.SetRow("A"+strconv.Itoa(row), values)
	}
	header := func(names ...string) error {
		values := make([]any, len(names))
		for i, n := range names {
			values[i] = excelize.Cell{StyleID: w.styles.header, Value: n}
		}
		return put(values...)
	}
	date := func(t time.Time) []any {
		if t.IsZero() {
			return []any{nil, nil}
		}
		if serial, ok := excelSerial(t); ok {
			return []any{excelize.Cell{StyleID: w.styles.date, Value: serial}, exactTime(t)}
		}
		return []any{exactTime(t), exactTime(t)}
	}
	filter := meta.Filter
	if filter == "" {
		filter = "(none: every event of the case)"
	}
	var events int64
	for _, r := range results {
		if r.table == "events" {
			events = r.rows
		}
	}
	rows := [][]any{
		{excelize.Cell{StyleID: w.styles.title, Value: "breachline case export"}},
		{},
		{"Case ID", meta.CaseID},
		{"Case name", meta.CaseName},
		{"Tool version", "breachline " + meta.ToolVersion},
		{"Requested table", meta.Table, "the workbook holds every table"},
		{"Filter", filter},
		append([]any{"As of (UTC)"}, date(meta.AsOf)...),
		{"As-of custody entry", meta.AsOfSeq},
		{"As-of custody hash", meta.AsOfHash},
		{"Events", events},
		append([]any{"First event (UTC)"}, date(w.first)...),
		append([]any{"Last event (UTC)"}, date(w.last)...),
		{},
	}
	for _, r := range rows {
		if err := put(r...); err != nil {
			return err
		}
	}
	if err := header("Table", "Rows", "Sheets"); err != nil {
		return err
	}
	for _, r := range results {
		var v []any
		switch {
		case !r.present:
			v = []any{r.table, nil, "not in this export"}
		case len(r.sheets) > 1:
			v = []any{r.table, r.rows, strings.Join(r.sheets, ", ") + " (more rows than one sheet holds: " +
				strconv.Itoa(w.limit) + " per sheet)"}
		default:
			v = []any{r.table, r.rows, strings.Join(r.sheets, ", ")}
		}
		if err := put(v...); err != nil {
			return err
		}
	}
	if err := put(); err != nil {
		return err
	}
	if err := header("Evidence file", "SHA-256", "Source", "Records", "Events", "Rejects", "First event (UTC)", "Last event (UTC)"); err != nil {
		return err
	}
	for _, e := range meta.Evidence {
		first, last := date(e.FirstEvent), date(e.LastEvent)
		if err := put(e.Path, e.SHA256, e.Source, e.Records, e.Events, e.Rejects, first[0], last[0]); err != nil {
			return err
		}
	}
	if err := put(); err != nil {
		return err
	}
	for _, note := range notes {
		if err := put(note); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// notes end the Summary: how to read the workbook's cells.
var notes = []string{
	"Times are UTC. Date cells show milliseconds; each date column is followed by a *_utc column with the exact time to the nanosecond, as text.",
	"No cell holds a formula. Text from the logs that begins with =, +, -, @, a tab or a carriage return is stored as text and is never evaluated.",
	"Text longer than a cell holds (32,767 characters) is cut and ends with …[cut N bytes]; the case file holds the whole value.",
	"Control characters other than tab and line breaks are shown as \\xNN. An empty cell is an empty or absent value.",
	"Findings are coloured by severity; timeline_event links to the Timeline row of the first cited event the Timeline holds.",
}
