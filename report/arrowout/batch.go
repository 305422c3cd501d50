package arrowout

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/breachline/breachline/report/export"
)

// The bounds of one record batch. A batch is cut at whichever comes first, so memory stays
// bounded for any table size and any row width (a table of long attrs cuts early). 64k rows is
// large enough that per-batch overhead is noise and small enough for a reader to page through.
const (
	BatchRows  = 64 * 1024
	BatchBytes = 64 << 20
)

// Batcher turns rows into record batches of a schema. It is the one place a Row becomes Arrow
// data: the IPC file and the Parquet files are both fed from it.
type Batcher struct {
	schema    *arrow.Schema
	cols      []export.Column
	pick      []int // row index of each schema field
	appenders []appender
	rows      int
	bytes     int
	// MaxRows and MaxBytes cut a batch; NewBatcher sets them to BatchRows and BatchBytes.
	MaxRows, MaxBytes int
}

// NewBatcher returns a batcher for the table columns cols, writing the columns at the row
// indices pick (nil: all, in order) under schema, whose fields must match them. dicts gives
// fixed dictionaries for Dict columns (indexed like cols); nil makes a dictionary per batch.
func NewBatcher(mem memory.Allocator, schema *arrow.Schema, cols []export.Column, pick []int, dicts *Dictionaries) *Batcher {
	if pick == nil {
		pick = make([]int, len(cols))
		for i := range pick {
			pick[i] = i
		}
	}
	b := &Batcher{schema: schema, cols: cols, pick: pick, MaxRows: BatchRows, MaxBytes: BatchBytes}
	for _, ci := range pick {
		var d *dictionary
		if dicts != nil {
			d = dicts.byColumn[ci]
		}
		b.appenders = append(b.appenders, newAppender(mem, cols[ci], d))
	}
	return b
}

// Schema is the schema of the batches.
func (b *Batcher) Schema() *arrow.Schema { return b.schema }

// Append adds one row. The row may be reused by the caller afterwards.
func (b *Batcher) Append(r export.Row) error {
	if len(r) != len(b.cols) {
		return fmt.Errorf("row has %d values, the table %d columns", len(r), len(b.cols))
	}
	for i, ci := range b.pick {
		n, err := b.appenders[i].add(r[ci])
		if err != nil {
			return err
		}
		b.bytes += n
	}
	b.rows++
	return nil
}

// Len is the number of rows in the batch being built.
func (b *Batcher) Len() int { return b.rows }

// Bytes is the approximate size of the batch being built.
func (b *Batcher) Bytes() int { return b.bytes }

// Full reports whether the batch being built has reached MaxRows or MaxBytes.
func (b *Batcher) Full() bool { return b.rows >= b.MaxRows || b.bytes >= b.MaxBytes }

// NewRecord returns the rows appended since the last call as a record batch, which the caller
// must Release, and starts a new batch.
func (b *Batcher) NewRecord() arrow.RecordBatch {
	arrs := make([]arrow.Array, len(b.appenders))
	for i, a := range b.appenders {
		arrs[i] = a.newArray()
	}
	rec := array.NewRecordBatch(b.schema, arrs, int64(b.rows))
	for i, a := range arrs {
		a.Release()
		b.appenders[i].reserve(b.rows)
	}
	b.rows, b.bytes = 0, 0
	return rec
}

// Release frees the builders.
func (b *Batcher) Release() {
	for _, a := range b.appenders {
		a.release()
	}
}

// Stream reads every row of t into b and calls write with each full batch and the last,
// partial one; write must not keep the record past its return. A table without rows gives no
// batch.
func Stream(ctx context.Context, t *export.Table, b *Batcher, write func(arrow.RecordBatch) error) error {
	flush := func() error {
		rec := b.NewRecord()
		defer rec.Release()
		return write(rec)
	}
	err := t.Rows(ctx, func(r export.Row) error {
		if err := b.Append(r); err != nil {
			return err
		}
		if b.Full() {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if b.Len() > 0 {
		return flush()
	}
	return nil
}
