package parquet_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/breachline/breachline/report/arrowout"
	"github.com/breachline/breachline/report/arrowout/arrowtest"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
	"github.com/breachline/breachline/report/parquet"
)

// benchTable is the benchmarks' events held in memory.
func benchTable() *export.Table {
	return arrowtest.InMemory("events", export.EventColumns, arrowtest.BenchEvents())
}

// BenchmarkExport compares the Parquet format (rows in, file out) with the ceiling of pqarrow
// alone writing the same data already built as records, with the same writer properties.
func BenchmarkExport(b *testing.B) {
	table := benchTable()
	req := &export.Request{Table: table, Meta: exporttest.Meta("events")}
	b.Run("format", func(b *testing.B) {
		for b.Loop() {
			if err := (parquet.Format{}).Write(context.Background(), filepath.Join(b.TempDir(), "events.parquet"), req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("partitioned", func(b *testing.B) {
		preq := *req
		preq.Partition = []string{"day", "source"}
		for b.Loop() {
			if err := (parquet.Format{}).Write(context.Background(), filepath.Join(b.TempDir(), "events"), &preq); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("writer-alone", func(b *testing.B) {
		ctx := context.Background()
		schema := arrowout.Schema(table.Columns, req.Meta)
		bt := arrowout.NewBatcher(memory.DefaultAllocator, schema, table.Columns, nil, nil)
		var recs []arrow.RecordBatch
		if err := arrowout.Stream(ctx, table, bt, func(r arrow.RecordBatch) error {
			r.Retain()
			recs = append(recs, r)
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		defer func() {
			for _, r := range recs {
				r.Release()
			}
		}()
		opts := []pq.WriterProperty{pq.WithCompression(compress.Codecs.Zstd), pq.WithCreatedBy("bench"),
			pq.WithMaxRowGroupLength(arrowout.BatchRows), pq.WithDictionaryDefault(false),
			pq.WithDictionaryPageSizeLimit(2 * arrowout.BatchBytes)}
		for _, c := range table.Columns {
			if c.Dict {
				opts = append(opts, pq.WithDictionaryFor(c.Name, true))
			}
		}
		for b.Loop() {
			out, err := os.Create(filepath.Join(b.TempDir(), "events.parquet"))
			if err != nil {
				b.Fatal(err)
			}
			buf := bufio.NewWriterSize(out, 1<<20)
			w, err := pqarrow.NewFileWriter(schema, buf, pq.NewWriterProperties(opts...),
				pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range recs {
				if err := w.Write(r); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			if err := buf.Flush(); err != nil {
				b.Fatal(err)
			}
			out.Close()
		}
	})
}

// BenchmarkExportStreaming exports 1M events made on the fly: run it alone under
// /usr/bin/time -v to see the format's peak memory.
func BenchmarkExportStreaming(b *testing.B) {
	req := &export.Request{Table: exporttest.Events(arrowtest.BenchRows), Meta: exporttest.Meta("events")}
	for b.Loop() {
		if err := (parquet.Format{}).Write(context.Background(), filepath.Join(b.TempDir(), "events.parquet"), req); err != nil {
			b.Fatal(err)
		}
	}
}
