package arrowout_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/breachline/breachline/report/arrowout"
	"github.com/breachline/breachline/report/arrowout/arrowtest"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
)

// benchTable is the benchmarks' events held in memory.
func benchTable() *export.Table {
	return arrowtest.InMemory("events", export.EventColumns, arrowtest.BenchEvents())
}

// BenchmarkExport compares the Arrow format (rows in, file out: dictionary pass, conversion,
// writing) with the ceiling of arrow-go's ipc.FileWriter alone writing the same data already
// built as records.
func BenchmarkExport(b *testing.B) {
	table := benchTable()
	req := &export.Request{Table: table, Meta: exporttest.Meta("events")}
	b.Run("format", func(b *testing.B) {
		for b.Loop() {
			path := filepath.Join(b.TempDir(), "events.arrow")
			if err := (arrowout.Format{}).Write(context.Background(), path, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("writer-alone", func(b *testing.B) {
		recs, schema := prebuilt(b, table, req.Meta)
		defer func() {
			for _, r := range recs {
				r.Release()
			}
		}()
		for b.Loop() {
			path := filepath.Join(b.TempDir(), "events.arrow")
			out, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			buf := bufio.NewWriterSize(out, 1<<20)
			w, err := ipc.NewFileWriter(buf, ipc.WithSchema(schema))
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

// prebuilt converts a table to records outside the timed loop.
func prebuilt(b *testing.B, table *export.Table, meta export.Meta) ([]arrow.RecordBatch, *arrow.Schema) {
	ctx := context.Background()
	dicts, err := arrowout.ScanDictionaries(ctx, memory.DefaultAllocator, table)
	if err != nil {
		b.Fatal(err)
	}
	schema := arrowout.Schema(table.Columns, meta)
	bt := arrowout.NewBatcher(memory.DefaultAllocator, schema, table.Columns, nil, dicts)
	var recs []arrow.RecordBatch
	err = arrowout.Stream(ctx, table, bt, func(r arrow.RecordBatch) error {
		r.Retain()
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return recs, schema
}

// BenchmarkExportStreaming exports 1M events made on the fly, holding none in memory: run it
// alone under /usr/bin/time -v to see the format's peak memory.
func BenchmarkExportStreaming(b *testing.B) {
	req := &export.Request{Table: exporttest.Events(arrowtest.BenchRows), Meta: exporttest.Meta("events")}
	for b.Loop() {
		path := filepath.Join(b.TempDir(), "events.arrow")
		if err := (arrowout.Format{}).Write(context.Background(), path, req); err != nil {
			b.Fatal(err)
		}
	}
}
