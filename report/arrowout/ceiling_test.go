package arrowout_test

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/breachline/breachline/report/arrowout/arrowtest"
	"github.com/breachline/breachline/report/export"
)

// BenchmarkCeiling writes the rows of BenchmarkExport with arrow-go alone, as a user's own
// program would (arrowtest.PlainRecords into ipc.FileWriter): the format's ratio is
// BenchmarkExport/format against this (docs/performance.md).
func BenchmarkCeiling(b *testing.B) {
	rows := arrowtest.BenchEvents()
	for b.Loop() {
		out, err := os.Create(filepath.Join(b.TempDir(), "events.arrow"))
		if err != nil {
			b.Fatal(err)
		}
		buf := bufio.NewWriterSize(out, 1<<20)
		w, err := ipc.NewFileWriter(buf, ipc.WithSchema(arrowtest.PlainSchema(export.EventColumns)))
		if err != nil {
			b.Fatal(err)
		}
		if err := arrowtest.PlainRecords(rows, export.EventColumns, func(r arrow.RecordBatch) error { return w.Write(r) }); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		if err := buf.Flush(); err != nil {
			b.Fatal(err)
		}
		out.Close()
	}
}
