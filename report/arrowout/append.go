package arrowout

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/breachline/breachline/report/export"
)

// An appender builds one column of a batch. Each kind has its own so that the per-value work is
// one type assertion and one builder call, with no switch on the kind per value.
type appender interface {
	// add appends v and returns about how many bytes it added to the batch (8 for a fixed-width
	// value, the text plus its offset for a string), which the batcher counts to bound a batch
	// by size as well as by rows.
	add(v any) (int, error)
	newArray() arrow.Array
	// reserve makes room for a batch of rows like the last one, so a batch's buffers are
	// allocated once rather than grown by doubling (and copied) as values come.
	reserve(rows int)
	release()
}

// The instants a timestamp[ns] can hold; time.Time.UnixNano is undefined outside them.
var (
	minTime = time.Unix(0, -1<<63)
	maxTime = time.Unix(0, 1<<63-1)
)

func newAppender(mem memory.Allocator, c export.Column, dict *dictionary) appender {
	switch c.Kind {
	case export.Int64:
		return &int64Appender{col: c, b: array.NewInt64Builder(mem)}
	case export.Time:
		return &timeAppender{col: c, b: array.NewTimestampBuilder(mem, Timestamp)}
	case export.Bool:
		return &boolAppender{col: c, b: array.NewBooleanBuilder(mem)}
	case export.String:
		if c.Dict {
			return newDictAppender(mem, c, dict)
		}
	}
	return &stringAppender{col: c, b: array.NewStringBuilder(mem)}
}

// typeError says which column got a value of the wrong Go type: a bug in the table's row
// source, reported rather than written as garbage.
func typeError(c export.Column, v any) error {
	if v == nil {
		return fmt.Errorf("column %s: null in a column that is not nullable", c.Name)
	}
	return fmt.Errorf("column %s (%s): unexpected value of type %T", c.Name, c.Kind, v)
}

type stringAppender struct {
	col  export.Column
	b    *array.StringBuilder
	data int // text bytes in the batch being built
}

func (a *stringAppender) add(v any) (int, error) {
	s, ok := v.(string)
	if !ok {
		if v == nil && a.col.Nullable {
			a.b.AppendNull()
			return 0, nil
		}
		return 0, typeError(a.col, v)
	}
	a.b.Append(s)
	a.data += len(s)
	return 4 + len(s), nil
}
func (a *stringAppender) newArray() arrow.Array { return a.b.NewArray() }
func (a *stringAppender) reserve(n int) {
	a.b.Reserve(n)
	a.b.ReserveData(a.data)
	a.data = 0
}
func (a *stringAppender) release() { a.b.Release() }

type int64Appender struct {
	col export.Column
	b   *array.Int64Builder
}

func (a *int64Appender) add(v any) (int, error) {
	n, ok := v.(int64)
	if !ok {
		if v == nil && a.col.Nullable {
			a.b.AppendNull()
			return 0, nil
		}
		return 0, typeError(a.col, v)
	}
	a.b.Append(n)
	return 8, nil
}
func (a *int64Appender) newArray() arrow.Array { return a.b.NewArray() }
func (a *int64Appender) reserve(n int)         { a.b.Reserve(n) }
func (a *int64Appender) release()              { a.b.Release() }

type timeAppender struct {
	col export.Column
	b   *array.TimestampBuilder
}

func (a *timeAppender) add(v any) (int, error) {
	t, ok := v.(time.Time)
	if !ok {
		if v == nil && a.col.Nullable {
			a.b.AppendNull()
			return 0, nil
		}
		return 0, typeError(a.col, v)
	}
	if t.Before(minTime) || t.After(maxTime) {
		return 0, fmt.Errorf("column %s: time %s is outside the range of timestamp[ns] (1677-09-21 to 2262-04-11)",
			a.col.Name, t.UTC().Format(time.RFC3339Nano))
	}
	a.b.Append(arrow.Timestamp(t.UnixNano()))
	return 8, nil
}
func (a *timeAppender) newArray() arrow.Array { return a.b.NewArray() }
func (a *timeAppender) reserve(n int)         { a.b.Reserve(n) }
func (a *timeAppender) release()              { a.b.Release() }

type boolAppender struct {
	col export.Column
	b   *array.BooleanBuilder
}

func (a *boolAppender) add(v any) (int, error) {
	x, ok := v.(bool)
	if !ok {
		if v == nil && a.col.Nullable {
			a.b.AppendNull()
			return 0, nil
		}
		return 0, typeError(a.col, v)
	}
	a.b.Append(x)
	return 1, nil
}
func (a *boolAppender) newArray() arrow.Array { return a.b.NewArray() }
func (a *boolAppender) reserve(n int)         { a.b.Reserve(n) }
func (a *boolAppender) release()              { a.b.Release() }
