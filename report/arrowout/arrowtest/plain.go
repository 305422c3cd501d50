package arrowtest

import (
	"context"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
)

// PlainSchema is a table's columns as the simplest arrow-go code types them: every text column
// plain utf8, no dictionaries, no metadata.
func PlainSchema(cols []export.Column) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		var t arrow.DataType = arrow.BinaryTypes.String
		switch c.Kind {
		case export.Int64:
			t = arrow.PrimitiveTypes.Int64
		case export.Time:
			t = &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}
		case export.Bool:
			t = arrow.FixedWidthTypes.Boolean
		}
		fields[i] = arrow.Field{Name: c.Name, Type: t, Nullable: c.Nullable}
	}
	return arrow.NewSchema(fields, nil)
}

// PlainRecords is the benchmarks' ceiling: rows already in memory appended to one arrow-go
// RecordBuilder of PlainSchema, a record every 65,536 rows, the code a user's own program would
// write with the library. write gets each record and must not keep it.
func PlainRecords(rows []export.Row, cols []export.Column, write func(arrow.RecordBatch) error) error {
	rb := array.NewRecordBuilder(memory.DefaultAllocator, PlainSchema(cols))
	defer rb.Release()
	flush := func() error {
		rec := rb.NewRecordBatch()
		defer rec.Release()
		return write(rec)
	}
	for n, r := range rows {
		for i, v := range r {
			fb := rb.Field(i)
			switch x := v.(type) {
			case nil:
				fb.AppendNull()
			case string:
				fb.(*array.StringBuilder).Append(x)
			case int64:
				fb.(*array.Int64Builder).Append(x)
			case time.Time:
				fb.(*array.TimestampBuilder).Append(arrow.Timestamp(x.UnixNano()))
			case bool:
				fb.(*array.BooleanBuilder).Append(x)
			}
		}
		if (n+1)%65536 == 0 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// BenchRows is the number of events the benchmarks export.
const BenchRows = 1_000_000

var (
	benchOnce sync.Once
	benchRows []export.Row
)

// BenchEvents returns BenchRows exporttest events held in memory, made once per process, so
// that a benchmark times the writing and not the making of rows.
func BenchEvents() []export.Row {
	benchOnce.Do(func() {
		benchRows, _ = exporttest.Collect(context.Background(), exporttest.Events(BenchRows))
	})
	return benchRows
}
