// Package xlsx writes a case as an Excel workbook (breachline export --to xlsx): a Summary of
// the case and its custody state, the Timeline of events, and the Findings, Credentials,
// Exposures and Rejects, each on its own sheet, for an investigator or a lawyer to open and work
// in. Every cell is a value, never a formula; dates are real dates; the file is reproducible.
package xlsx

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/breachline/breachline/report/export"
)

// SheetRows is the number of data rows an Excel sheet holds below its header row (Excel's
// 1,048,576 rows less one). A table with more rows continues on "<Sheet> (2)" and so on.
const SheetRows = 1_048_575

// Format is the xlsx output format.
type Format struct {
	// RowLimit is the number of data rows per sheet; zero or more than SheetRows means
	// SheetRows. Tests lower it to see a split without writing a million rows.
	RowLimit int
}

// Name is the --to value.
func (Format) Name() string { return "xlsx" }

// Summary is the line --help shows.
func (Format) Summary() string {
	return "Excel workbook: Summary, Timeline, Findings, Credentials, Exposures, Rejects (all tables, whatever --table)"
}

// sheet is one of the workbook's tables: its sheet title and the table it shows.
type sheet struct{ title, table string }

// sheets are the workbook's table sheets in tab order, after Summary. Findings are written
// after the Timeline because their links need the Timeline rows, but their tab comes second.
var sheets = []sheet{
	{"Timeline", "events"},
	{"Findings", "findings"},
	{"Credentials", "credentials"},
	{"Exposures", "exposures"},
	{"Rejects", "rejects"},
}

// tableResult is what the Summary says about one table.
type tableResult struct {
	sheet
	present bool // false when the case has no such table to give
	rows    int64
	sheets  []string
}

// Write writes the workbook to path. The workbook holds every table, so it reads them all through
// req.Tables; req.Table is used for its own name.
func (f Format) Write(ctx context.Context, path string, req *export.Request) (err error) {
	limit := f.RowLimit
	if limit <= 0 || limit > SheetRows {
		limit = SheetRows
	}
	dir := filepath.Dir(path)
	// excelize spools each streamed sheet to a temporary file once it passes 16 MiB; beside
	// the output rather than in /tmp, which may be small or held in memory.
	wb := excelize.NewFile(excelize.Options{TmpDir: dir})
	defer func() { err = errors.Join(err, wb.Close()) }()
	st, err := newStyles(wb)
	if err != nil {
		return err
	}
	if err := wb.SetSheetName("Sheet1", "Summary"); err != nil {
		return err
	}
	w := &writer{ctx: ctx, wb: wb, req: req, styles: st, limit: limit}

	findings, err := w.readFindings()
	if err != nil {
		return err
	}
	results := make([]tableResult, len(sheets))
	for i, s := range sheets {
		results[i].sheet = s
		var t *export.Table
		if s.table != "findings" {
			if t, err = w.table(s.table); err != nil {
				return fmt.Errorf("xlsx: %s: %w", s.table, err)
			}
		}
		switch {
		case s.table == "events" && t != nil:
			err = w.writeTimeline(t, &results[i])
		case s.table == "findings" && findings != nil:
			err = w.writeFindings(findings, &results[i])
		case t != nil:
			err = w.writeTable(t, &results[i])
		}
		if err != nil {
			return fmt.Errorf("xlsx: %s: %w", s.table, err)
		}
	}
	if err := w.writeSummary(results); err != nil {
		return fmt.Errorf("xlsx: summary: %w", err)
	}
	return save(wb, path, req.Meta)
}

// writer holds one export's state.
type writer struct {
	ctx    context.Context
	wb     *excelize.File
	req    *export.Request
	styles *styles
	limit  int

	// cited maps each event id a finding cites to where the Timeline put it; only these ids
	// are remembered while the Timeline streams, so memory follows the findings, not the events.
	cited map[string]*place
	// first and last are the Timeline's earliest and latest event times.
	first, last time.Time
}

// place is a Timeline row.
type place struct {
	sheet    string
	row, col int
}

// table returns the named table: req.Table when it is the one, otherwise req.Tables'; nil when
// the request offers no other tables.
func (w *writer) table(name string) (*export.Table, error) {
	if w.req.Table != nil && w.req.Table.Name == name {
		return w.req.Table, nil
	}
	if w.req.Tables == nil {
		return nil, nil
	}
	return w.req.Tables(name)
}

// writeTable streams a table onto its sheets with no styling beyond the dates.
func (w *writer) writeTable(t *export.Table, res *tableResult) error {
	set, err := newSheetSet(w.wb, res.title, newLayout(t.Columns, ""), w.limit, w.styles)
	if err != nil {
		return err
	}
	plain := w.styles.plainRow()
	n := 0
	err = t.Rows(w.ctx, func(r export.Row) error {
		if n++; n%1024 == 0 {
			if err := w.ctx.Err(); err != nil {
				return err
			}
		}
		_, _, err := set.write(set.layout.row(r, plain))
		return err
	})
	if err != nil {
		return err
	}
	res.present, res.rows, res.sheets = true, set.total, set.names
	return set.finish()
}

// save sets the document properties from the metadata and writes the package through
// sortedZip, so the same case gives the same bytes.
func save(wb *excelize.File, path string, meta export.Meta) (err error) {
	asOf := meta.AsOf.UTC().Truncate(time.Second)
	props := &excelize.DocProperties{
		Creator:        "breachline " + meta.ToolVersion,
		LastModifiedBy: "breachline " + meta.ToolVersion,
		Title:          "breachline case " + meta.CaseName,
		Identifier:     meta.CaseID,
		Description:    fmt.Sprintf("case %s as of custody entry %d (%s)", meta.CaseID, meta.AsOfSeq, meta.AsOfHash),
	}
	if !meta.AsOf.IsZero() {
		props.Created = asOf.Format(time.RFC3339)
		props.Modified = props.Created
	}
	if err := wb.SetDocProps(props); err != nil {
		return err
	}
	if err := wb.SetAppProps(&excelize.AppProperties{Application: "breachline"}); err != nil {
		return err
	}
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, out.Close()) }()
	spool, err := os.CreateTemp(filepath.Dir(path), ".xlsx-spool-*")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, spool.Close(), os.Remove(spool.Name())) }()
	if meta.AsOf.IsZero() {
		asOf = time.Time{}
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	z := newSortedZip(bw, spool, asOf)
	wb.SetZipWriter(func(io.Writer) excelize.ZipWriter { return z })
	// The buffer excelize hands the zip writer is left empty: sortedZip writes to the file.
	if _, err := wb.WriteToBuffer(); err != nil {
		return err
	}
	return bw.Flush()
}
