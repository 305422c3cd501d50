package parquet_test

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/breachline/breachline/report/arrowout/arrowtest"
	"github.com/breachline/breachline/report/export"
)

// BenchmarkCeiling writes the rows of BenchmarkExport with arrow-go alone, as a user's own
// program would: arrowtest.PlainRecords into pqarrow's FileWriter with zstd and the library's
// defaults otherwise. The format's ratio is BenchmarkExport/format against this
// (docs/performance.md).
func BenchmarkCeiling(b *testing.B) {
	rows := arrowtest.BenchEvents()
	schema := arrowtest.PlainSchema(export.EventColumns)
	for b.Loop() {
		out, err := os.Create(filepath.Join(b.TempDir(), "events.parquet"))
		if err != nil {
			b.Fatal(err)
		}
		buf := bufio.NewWriterSize(out, 1<<20)
		w, err := pqarrow.NewFileWriter(schema, buf, pq.NewWriterProperties(pq.WithCompression(compress.Codecs.Zstd)),
			pqarrow.DefaultWriterProps())
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
