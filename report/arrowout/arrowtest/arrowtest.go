// Package arrowtest reads Arrow data back into export rows and gives the canonical form in
// which the Go tests and the independent readers under test/readers compare values, so that the
// Arrow and Parquet tests (and the end-to-end export test) check files the same way.
package arrowtest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/breachline/breachline/report/export"
)

// Rows returns the rows of rec as export values: strings, int64, time.Time in UTC, bool, nil.
func Rows(rec arrow.RecordBatch) ([]export.Row, error) {
	rows := make([]export.Row, rec.NumRows())
	for i := range rows {
		rows[i] = make(export.Row, rec.NumCols())
	}
	for c, col := range rec.Columns() {
		for i := range rows {
			v, err := Value(col, i)
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", rec.ColumnName(c), err)
			}
			rows[i][c] = v
		}
	}
	return rows, nil
}

// Value returns value i of arr as an export value.
func Value(arr arrow.Array, i int) (any, error) {
	if arr.IsNull(i) {
		return nil, nil
	}
	switch a := arr.(type) {
	case *array.String:
		return a.Value(i), nil
	case *array.LargeString:
		return a.Value(i), nil
	case *array.Int64:
		return a.Value(i), nil
	case *array.Boolean:
		return a.Value(i), nil
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return a.Value(i).ToTime(unit).UTC(), nil
	case *array.Dictionary:
		return Value(a.Dictionary(), a.GetValueIndex(i))
	}
	return nil, fmt.Errorf("unexpected array type %s", arr.DataType())
}

// Equal reports whether two rows hold the same values. Values are compared with ==, which for
// the export types (and times in UTC) is exact and much cheaper than reflect.DeepEqual.
func Equal(a, b export.Row) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// IPCFile is an Arrow IPC file read back whole.
type IPCFile struct {
	Schema  *arrow.Schema
	Batches []int // rows per record batch
	Rows    []export.Row
}

// ReadIPC reads an Arrow IPC file with arrow-go's own reader.
func ReadIPC(path string) (*IPCFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out := &IPCFile{Schema: r.Schema()}
	for i := 0; i < r.NumRecords(); i++ {
		rec, err := r.RecordBatch(i)
		if err != nil {
			return nil, err
		}
		rows, err := Rows(rec)
		if err != nil {
			return nil, err
		}
		out.Batches = append(out.Batches, len(rows))
		out.Rows = append(out.Rows, rows...)
	}
	return out, nil
}

// Canonical is the text both sides of a reader check give a non-null value: strings as they
// are, whole numbers in decimal, times as nanoseconds since the Unix epoch in decimal (exact,
// unlike a float or a formatted time), booleans as true or false. It is the form
// test/readers/check.mjs produces.
func Canonical(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case bool:
		return strconv.FormatBool(x), true
	case time.Time:
		return strconv.FormatInt(x.UnixNano(), 10), true
	}
	panic(fmt.Sprintf("arrowtest: no canonical form for %T", v))
}

// Digests returns, per column name, the SHA-256 of the column's values in row order, each
// written as "N\n" for null or "V<byte length>:<canonical text>\n" (the length keeps values
// with newlines unambiguous). A digest per column tells a failing test which column differs.
func Digests(names []string, rows []export.Row) map[string]string {
	out := make(map[string]string, len(names))
	for c, name := range names {
		h := sha256.New()
		for _, r := range rows {
			s, ok := Canonical(r[c])
			if !ok {
				h.Write([]byte("N\n"))
				continue
			}
			fmt.Fprintf(h, "V%d:%s\n", len(s), s)
		}
		out[name] = hex.EncodeToString(h.Sum(nil))
	}
	return out
}

// Spot returns row r in the JSON form check.mjs prints for a spot row: canonical text, or nil.
func Spot(r export.Row) []any {
	out := make([]any, len(r))
	for i, v := range r {
		if s, ok := Canonical(v); ok {
			out[i] = s
		}
	}
	return out
}
