// Package parquet writes a table as Parquet (--to parquet): one zstd-compressed file, or with
// --partition a Hive-style directory of files that DuckDB, Spark, Trino and Athena read as one
// table. It is the only package that imports arrow-go's parquet packages; the columns, types and
// metadata come from report/arrowout, so a Parquet export reads back as the same Arrow schema as
// an Arrow export.
package parquet

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/breachline/breachline/report/arrowout"
	"github.com/breachline/breachline/report/export"
)

// Format is the Parquet format.
type Format struct {
	// Mem allocates the batches; nil means memory.DefaultAllocator.
	Mem memory.Allocator
	// MaxOpen and BufferBytes bound a partitioned export (see Partitioned); zero means
	// DefaultMaxOpen and DefaultBufferBytes.
	MaxOpen     int
	BufferBytes int
}

// Name is the --to value.
func (Format) Name() string { return "parquet" }

// Summary is one line for --help.
func (Format) Summary() string {
	return "Parquet (zstd), one file or with --partition day,source a Hive-style directory"
}

// Partitions lists the --partition keys, in the order the folders nest.
func (Format) Partitions() []string { return []string{KeyDay, KeySource} }

// Dir reports whether the export is a directory: it is when partitioned.
func (Format) Dir(req *export.Request) bool { return len(req.Partition) > 0 }

// Write writes req.Table to path: a file, or a directory of partitions when req.Partition is
// set.
func (f Format) Write(ctx context.Context, path string, req *export.Request) error {
	mem := f.Mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	if len(req.Partition) > 0 {
		p, err := newPartitioned(f, mem, path, req)
		if err != nil {
			return err
		}
		return p.write(ctx)
	}
	t := req.Table
	schema := arrowout.Schema(t.Columns, req.Meta)
	pf, err := createFile(path, mem, schema, t.Columns, nil, req.Meta)
	if err != nil {
		return err
	}
	if err := arrowout.Stream(ctx, t, pf.batcher, pf.writeRecord); err != nil {
		pf.abort()
		return fmt.Errorf("parquet: %w", err)
	}
	return pf.close()
}
