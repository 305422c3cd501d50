// Package csvout writes any table as CSV (RFC 4180, a header row of the column names, UTF-8).
// Cells go through report.CSVWriter, the same writer as every command's --format csv: control
// characters are made printable and a cell a spreadsheet would run as a formula gets a leading
// single quote (docs/exports.md).
package csvout

import (
	"bufio"
	"context"

	"github.com/breachline/breachline/report"
	"github.com/breachline/breachline/report/export"
)

// Format is the CSV output.
type Format struct{}

func (Format) Name() string { return "csv" }
func (Format) Summary() string {
	return "CSV with a header row (RFC 4180, UTF-8), formulas neutralised"
}

// Write writes req.Table to path.
func (Format) Write(ctx context.Context, path string, req *export.Request) error {
	return export.WriteFile(path, func(bw *bufio.Writer) error {
		header := req.Table.Names()
		w := report.NewCSV(bw, header...)
		cells := make([]string, len(header))
		err := req.Table.Rows(ctx, func(r export.Row) error {
			for i, v := range r {
				cells[i] = export.Text(v)
			}
			w.Row(cells...)
			return nil
		})
		if err != nil {
			return err
		}
		return w.Flush()
	})
}
