package xlsx

import (
	"encoding/json"
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/breachline/breachline/report/export"
)

// findings are the case's findings, held in memory: a case has few, and they must be read
// before the Timeline so that its rows can be looked for while it streams.
type findings struct {
	table *export.Table
	rows  []export.Row
	// events lists the ids each finding cites, in the finding's order.
	events [][]string
}

// readFindings reads the findings and notes the ids they cite in w.cited. It returns nil when
// the request has no findings table.
func (w *writer) readFindings() (*findings, error) {
	t, err := w.table("findings")
	if err != nil || t == nil {
		return nil, err
	}
	rows, err := collect(w, t)
	if err != nil {
		return nil, fmt.Errorf("xlsx: findings: %w", err)
	}
	fs := &findings{table: t, rows: rows, events: make([][]string, len(rows))}
	w.cited = map[string]*place{}
	if col := t.Index("events"); col >= 0 {
		for i, r := range rows {
			s, _ := r[col].(string)
			// A list that does not parse gets no link; its text is still shown.
			_ = json.Unmarshal([]byte(s), &fs.events[i])
			for _, id := range fs.events[i] {
				if w.cited[id] == nil {
					w.cited[id] = &place{}
				}
			}
		}
	}
	return fs, nil
}

func collect(w *writer, t *export.Table) ([]export.Row, error) {
	var out []export.Row
	err := t.Rows(w.ctx, func(r export.Row) error {
		out = append(out, append(export.Row(nil), r...))
		return nil
	})
	return out, err
}

// writeFindings writes the Findings sheet: each row filled in its severity's colour, and a
// timeline_event column after events holding the first cited event that the Timeline shows,
// linked to its row there. One link per finding, because a cell holds one hyperlink; the
// events column keeps the whole list. An event outside the exported Timeline (left out by the
// filter) is not linked: the column then names the first cited event as plain text.
func (w *writer) writeFindings(fs *findings, res *tableResult) error {
	l := newLayout(fs.table.Columns, "events")
	set, err := newSheetSet(w.wb, res.title, l, w.limit, w.styles)
	if err != nil {
		return err
	}
	sevCol := fs.table.Index("severity")
	links := map[string]int{}
	for i, r := range fs.rows {
		st := w.styles.plainRow()
		if sevCol >= 0 {
			if s, ok := w.styles.bySeverity[fmt.Sprint(r[sevCol])]; ok {
				st = s
			}
		}
		values := l.row(r, st)
		var target *place
		var id string
		for _, e := range fs.events[i] {
			if p := w.cited[e]; p != nil && p.sheet != "" {
				target, id = p, e
				break
			}
		}
		switch {
		case target != nil:
			l.cells[l.link] = excelize.Cell{StyleID: st.link, Value: cellText(id)}
			values[l.link] = &l.cells[l.link]
		case len(fs.events[i]) > 0:
			values[l.link] = cellText(fs.events[i][0])
		}
		var opts []excelize.RowOpts
		if st.plain != 0 {
			opts = append(opts, excelize.RowOpts{StyleID: st.plain})
		}
		sheet, row, err := set.write(values, opts...)
		if err != nil {
			return err
		}
		// excelize refuses more hyperlinks than a sheet can hold; past that the id stays text.
		if target != nil && links[sheet] < excelize.TotalSheetHyperlinks {
			cell, _ := excelize.CoordinatesToCellName(l.link+1, row)
			tip := "event " + id + " on " + target.sheet
			if err := w.wb.SetCellHyperLink(sheet, cell, location(target.sheet, target.col, target.row), "Location",
				excelize.HyperlinkOpts{Tooltip: &tip}); err != nil {
				return err
			}
			links[sheet]++
		}
	}
	res.present, res.rows, res.sheets = true, set.total, set.names
	return set.finish()
}
