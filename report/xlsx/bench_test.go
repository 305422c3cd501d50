package xlsx

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
)

// benchRows is the size of the benchmark timeline: a million events, about the most a sheet
// holds. BREACHLINE_XLSX_BENCH_ROWS changes it for a quick run.
func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("BREACHLINE_XLSX_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// BenchmarkTimeline writes a timeline of exporttest events (the other tables empty) through the
// Format, and, as the ceiling, the same values through excelize's StreamWriter alone: one sheet,
// the date style, no exact-time column, no summary, no reordering of the zip. Both generate the
// rows the same way, so the difference is what the Format adds. Run with -benchtime 1x.
func BenchmarkTimeline(b *testing.B) {
	n := benchRows()
	b.Run("format", func(b *testing.B) {
		empty := func(name string) (*export.Table, error) {
			cols := map[string][]export.Column{"findings": export.FindingColumns, "credentials": export.CredentialColumns,
				"exposures": export.ExposureColumns, "uses": export.UseColumns, "rejects": export.RejectColumns}[name]
			return rowsTable(name, cols, nil), nil
		}
		for b.Loop() {
			req := &export.Request{Table: exporttest.Events(n), Tables: empty, Meta: exporttest.Meta("events")}
			path := filepath.Join(b.TempDir(), "case.xlsx")
			if err := (Format{}).Write(context.Background(), path, req); err != nil {
				b.Fatal(err)
			}
			reportSize(b, path)
		}
	})
	b.Run("streamwriter", func(b *testing.B) {
		for b.Loop() {
			path := filepath.Join(b.TempDir(), "case.xlsx")
			if err := streamWriterAlone(path, n); err != nil {
				b.Fatal(err)
			}
			reportSize(b, path)
		}
	})
	b.Run("rows", func(b *testing.B) { // the generator alone, for reference
		for b.Loop() {
			_ = exporttest.Events(n).Rows(context.Background(), func(export.Row) error { return nil })
		}
	})
}

func reportSize(b *testing.B, path string) {
	if fi, err := os.Stat(path); err == nil {
		b.ReportMetric(float64(fi.Size())/1e6, "MB")
	}
}

// streamWriterAlone is the ceiling: excelize writing the events as plainly as it can.
func streamWriterAlone(path string, n int) error {
	wb := excelize.NewFile()
	defer wb.Close()
	dateFmt := DateFormat
	date, err := wb.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return err
	}
	sw, err := wb.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	header := make([]any, len(export.EventColumns))
	for i, c := range export.EventColumns {
		header[i] = c.Name
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	values := make([]any, len(export.EventColumns))
	cells := make([]excelize.Cell, len(export.EventColumns))
	row := 1
	err = exporttest.Events(n).Rows(context.Background(), func(r export.Row) error {
		for i, v := range r {
			if t, ok := v.(time.Time); ok {
				s, _ := excelSerial(t)
				cells[i] = excelize.Cell{StyleID: date, Value: s}
				values[i] = &cells[i]
			} else {
				values[i] = v
			}
		}
		row++
		return sw.SetRow("A"+strconv.Itoa(row), values)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return wb.SaveAs(path)
}
