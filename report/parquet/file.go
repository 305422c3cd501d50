package parquet

import (
	"bufio"
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/breachline/breachline/report/arrowout"
	"github.com/breachline/breachline/report/export"
)

// CreatedBy is the Parquet footer's created_by for a tool version. arrow-go's default names the
// library version, which would make the bytes of an export change with a dependency update
// rather than with breachline; the "<app> version <v>" shape is the one parquet-mr and Spark
// parse.
func CreatedBy(toolVersion string) string {
	if toolVersion == "" {
		return "breachline"
	}
	return "breachline version " + toolVersion
}

// writerProperties are the Parquet settings of every file of the columns cols.
//
// Each record batch becomes one row group (pqarrow's FileWriter.Write), so a row group holds at
// most arrowout.BatchRows rows, and the dictionary a Dict column brings with each batch is
// written as that row group's dictionary page, with no re-hashing.
//
// Only Dict columns are dictionary-encoded, and their dictionary page may grow as large as a
// batch, so that no column chunk ever falls back from dictionary to plain pages half way. That
// is for byte-identical output: arrow-go (v18.9.0) lists a chunk's page encoding stats in map
// order, which differs from run to run when a chunk has pages of two encodings. It costs little:
// the other columns are mostly unique (ids, hashes, times) and zstd takes what repeats.
//
// zstd at level 1 (klauspost/compress's fastest): about gzip's ratio at several times its
// speed, and read by every engine that matters here. Against the default level it made
// `ingest --to-lake` 12 % faster and its files no larger (docs/scale.md).
func writerProperties(mem memory.Allocator, cols []export.Column, meta export.Meta) *pq.WriterProperties {
	opts := []pq.WriterProperty{
		pq.WithAllocator(mem),
		pq.WithCompression(compress.Codecs.Zstd),
		pq.WithCompressionLevel(1),
		pq.WithCreatedBy(CreatedBy(meta.ToolVersion)),
		pq.WithMaxRowGroupLength(arrowout.BatchRows),
		pq.WithStats(true),
		pq.WithDictionaryDefault(false),
		pq.WithDictionaryPageSizeLimit(2 * arrowout.BatchBytes),
	}
	for _, c := range cols {
		if c.Dict && c.Kind == export.String {
			opts = append(opts, pq.WithDictionaryFor(c.Name, true))
		}
	}
	return pq.NewWriterProperties(opts...)
}

// arrowProperties store the Arrow schema in the file (ARROW:schema), so that Arrow readers
// (pyarrow, Polars, arrow-go) get back dictionary types, the UTC zone and the field metadata
// rather than what they would infer from Parquet types alone.
func arrowProperties(mem memory.Allocator) pqarrow.ArrowWriterProperties {
	return pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem), pqarrow.WithStoreSchema())
}

// file is one Parquet file being written, with the batch of rows not yet written to it.
type file struct {
	path    string
	out     *os.File
	buf     *bufio.Writer
	w       *pqarrow.FileWriter
	batcher *arrowout.Batcher
	rows    int64
}

// createFile creates path and starts a Parquet file of the table columns cols at row indices
// pick (nil: all).
func createFile(path string, mem memory.Allocator, schema *arrow.Schema, cols []export.Column, pick []int, meta export.Meta) (*file, error) {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	buf := bufio.NewWriterSize(out, 1<<20)
	w, err := pqarrow.NewFileWriter(schema, buf, writerProperties(mem, cols, meta), arrowProperties(mem))
	if err != nil {
		out.Close()
		return nil, fmt.Errorf("parquet: %w", err)
	}
	return &file{path: path, out: out, buf: buf, w: w, batcher: arrowout.NewBatcher(mem, schema, cols, pick, nil)}, nil
}

// writeRecord writes one batch as a row group.
func (f *file) writeRecord(rec arrow.RecordBatch) error {
	f.rows += rec.NumRows()
	return f.w.Write(rec)
}

// flush writes the rows batched so far, if any.
func (f *file) flush() error {
	if f.batcher.Len() == 0 {
		return nil
	}
	rec := f.batcher.NewRecord()
	defer rec.Release()
	return f.writeRecord(rec)
}

// close flushes the last batch, writes the footer and closes the file.
func (f *file) close() error {
	defer f.batcher.Release()
	err := f.flush()
	if cerr := f.w.Close(); err == nil {
		err = cerr
	}
	if ferr := f.buf.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("parquet: %s: %w", f.path, err)
	}
	return nil
}

// abort closes the file after an error; the caller removes the export.
func (f *file) abort() {
	f.batcher.Release()
	_ = f.w.Close()
	_ = f.out.Close()
}
