package xlsx

import (
	"time"

	"github.com/breachline/breachline/report/export"
)

// writeTimeline streams the events onto the Timeline sheets. Besides the rows it keeps the
// earliest and latest event time for the Summary, and the row of each event a finding cites,
// for the Findings' links.
func (w *writer) writeTimeline(t *export.Table, res *tableResult) error {
	idCol, timeCol := t.Index("id"), t.Index("time")
	set, err := newSheetSet(w.wb, res.title, newLayout(t.Columns, ""), w.limit, w.styles)
	if err != nil {
		return err
	}
	plain := w.styles.plainRow()
	idOut := set.layout.column("id")
	n := 0
	err = t.Rows(w.ctx, func(r export.Row) error {
		if n++; n%1024 == 0 {
			if err := w.ctx.Err(); err != nil {
				return err
			}
		}
		sheet, row, err := set.write(set.layout.row(r, plain))
		if err != nil {
			return err
		}
		if timeCol >= 0 {
			if tm, ok := r[timeCol].(time.Time); ok {
				if w.first.IsZero() || tm.Before(w.first) {
					w.first = tm
				}
				if tm.After(w.last) {
					w.last = tm
				}
			}
		}
		if idCol >= 0 && len(w.cited) > 0 {
			if id, _ := r[idCol].(string); id != "" {
				if p := w.cited[id]; p != nil && p.sheet == "" {
					p.sheet, p.row, p.col = sheet, row, idOut
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	res.present, res.rows, res.sheets = true, set.total, set.names
	return set.finish()
}
