package arrowout

import (
	"context"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/breachline/breachline/report/export"
)

// Dictionaries are the fixed dictionaries of a table's Dict columns, one per column, found by a
// pass over the rows before any batch is written.
//
// They exist because the Arrow IPC file format allows one dictionary per field for the whole
// file (arrow-go's FileWriter rejects replacements and deltas), while rows are streamed in
// batches: a dictionary that grew from batch to batch could not be written. Sorting the values
// also makes the dictionary, and so the file, independent of which value came first.
type Dictionaries struct {
	byColumn []*dictionary // by table column index; nil for columns that are not Dict
}

// dictionary is one column's values, sorted, with each value's index.
type dictionary struct {
	values []string
	index  map[string]int32
	arr    arrow.Array // built once and shared by every batch, so writers see one dictionary
}

// ScanDictionaries reads every row of t once and collects the distinct values of its Dict
// columns. Dict columns are low-cardinality by contract, so the memory this takes is small.
func ScanDictionaries(ctx context.Context, mem memory.Allocator, t *export.Table) (*Dictionaries, error) {
	sets := make([]map[string]struct{}, len(t.Columns))
	var dictCols []int
	for i, c := range t.Columns {
		if c.Dict && c.Kind == export.String {
			sets[i] = map[string]struct{}{}
			dictCols = append(dictCols, i)
		}
	}
	if len(dictCols) > 0 {
		err := t.Rows(ctx, func(r export.Row) error {
			for _, i := range dictCols {
				if s, ok := r[i].(string); ok {
					if _, seen := sets[i][s]; !seen {
						sets[i][s] = struct{}{}
					}
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	d := &Dictionaries{byColumn: make([]*dictionary, len(t.Columns))}
	for _, i := range dictCols {
		values := make([]string, 0, len(sets[i]))
		for s := range sets[i] {
			values = append(values, s)
		}
		slices.Sort(values)
		d.byColumn[i] = newDictionary(mem, values)
	}
	return d, nil
}

func newDictionary(mem memory.Allocator, values []string) *dictionary {
	d := &dictionary{values: values, index: make(map[string]int32, len(values))}
	b := array.NewStringBuilder(mem)
	defer b.Release()
	for i, s := range values {
		d.index[s] = int32(i)
		b.Append(s)
	}
	d.arr = b.NewArray()
	return d
}

// Release frees the dictionaries' arrays.
func (d *Dictionaries) Release() {
	if d == nil {
		return
	}
	for _, x := range d.byColumn {
		if x != nil {
			x.arr.Release()
		}
	}
}

// dictAppender builds a Dict column. With a fixed dictionary it only looks values up; without
// one it collects each batch's own dictionary, values in first-seen order, which is what the
// Parquet writer wants (a dictionary per row group, written as the row group's dictionary page).
type dictAppender struct {
	col     export.Column
	mem     memory.Allocator
	fixed   *dictionary
	indices *array.Int32Builder
	// per-batch dictionary, when fixed is nil
	memo   map[string]int32
	values *array.StringBuilder
}

func newDictAppender(mem memory.Allocator, c export.Column, fixed *dictionary) *dictAppender {
	a := &dictAppender{col: c, mem: mem, fixed: fixed, indices: array.NewInt32Builder(mem)}
	if fixed == nil {
		a.memo = map[string]int32{}
		a.values = array.NewStringBuilder(mem)
	}
	return a
}

func (a *dictAppender) add(v any) (int, error) {
	s, ok := v.(string)
	if !ok {
		if v == nil && a.col.Nullable {
			a.indices.AppendNull()
			return 0, nil
		}
		return 0, typeError(a.col, v)
	}
	if a.fixed != nil {
		i, ok := a.fixed.index[s]
		if !ok {
			return 0, fmt.Errorf("column %s: value %q was not there when the dictionary was read: the table changed during the export", a.col.Name, s)
		}
		a.indices.Append(i)
		return 4, nil
	}
	i, ok := a.memo[s]
	if !ok {
		i = int32(len(a.memo))
		a.memo[s] = i
		a.values.Append(s)
		a.indices.Append(i)
		return 4 + len(s), nil
	}
	a.indices.Append(i)
	return 4, nil
}

func (a *dictAppender) newArray() arrow.Array {
	indices := a.indices.NewArray()
	defer indices.Release()
	var dict arrow.Array
	if a.fixed != nil {
		dict = a.fixed.arr
		dict.Retain()
	} else {
		dict = a.values.NewArray()
		clear(a.memo)
	}
	defer dict.Release()
	return array.NewDictionaryArray(DictString, indices, dict)
}

func (a *dictAppender) reserve(n int) { a.indices.Reserve(n) }

func (a *dictAppender) release() {
	a.indices.Release()
	if a.values != nil {
		a.values.Release()
	}
}
