package arrowout

import (
	"bufio"
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/breachline/breachline/report/export"
)

// Format is the Arrow IPC file format (--to arrow), also known as Feather v2.
//
// Buffers are not compressed. An uncompressed file can be memory-mapped and read without a
// copy (pyarrow, Polars scan_ipc, DuckDB's arrow extension), and needs no codec in the reader:
// the JavaScript apache-arrow package, for one, reads no compressed buffers without extra
// codecs. Parquet (--to parquet) is the compact form.
type Format struct {
	// Mem allocates the batches; nil means memory.DefaultAllocator.
	Mem memory.Allocator
}

// Name is the --to value.
func (Format) Name() string { return "arrow" }

// Summary is one line for --help.
func (Format) Summary() string {
	return "Arrow IPC file (Feather v2): typed columns, dictionary-encoded categories, case metadata"
}

// Write writes req.Table to path as one Arrow IPC file.
//
// It reads the table twice: once for the dictionaries of the Dict columns (see Dictionaries),
// once for the batches.
func (f Format) Write(ctx context.Context, path string, req *export.Request) (err error) {
	mem := f.Mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	t := req.Table
	dicts, err := ScanDictionaries(ctx, mem, t)
	if err != nil {
		return err
	}
	defer dicts.Release()
	schema := Schema(t.Columns, req.Meta)

	return export.WriteFile(path, func(buf *bufio.Writer) error {
		w, err := ipc.NewFileWriter(buf, ipc.WithSchema(schema), ipc.WithAllocator(mem))
		if err != nil {
			return err
		}
		b := NewBatcher(mem, schema, t.Columns, nil, dicts)
		defer b.Release()
		if err := Stream(ctx, t, b, w.Write); err != nil {
			_ = w.Close()
			return fmt.Errorf("arrow: %w", err)
		}
		if err := w.Close(); err != nil {
			return fmt.Errorf("arrow: %w", err)
		}
		return nil
	})
}
