// Package jsonlout writes any table as JSON lines: one object per row with the columns as keys,
// in column order. The events table gives exactly the event model's JSON (the lines of
// `timeline --format jsonl`): keys without a value are left out. The result tables keep every
// key, null where it does not apply, as their commands' --format jsonl do.
package jsonlout

import (
	"bufio"
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report/export"
)

// Format is the JSON lines output.
type Format struct{}

func (Format) Name() string { return "jsonl" }
func (Format) Summary() string {
	return "JSON lines, one object per row (events: the event model's JSON)"
}

// Write writes req.Table to path.
func (Format) Write(ctx context.Context, path string, req *export.Request) error {
	t := req.Table
	keys := make([][]byte, len(t.Columns))
	for i, c := range t.Columns {
		keys[i], _ = json.Marshal(c.Name)
	}
	sparse := t.Name == "events"
	return export.WriteFile(path, func(bw *bufio.Writer) error {
		var buf []byte
		return t.Rows(ctx, func(r export.Row) error {
			buf = append(buf[:0], '{')
			for i, v := range r {
				if v == nil && sparse {
					continue
				}
				if len(buf) > 1 {
					buf = append(buf, ',')
				}
				buf = append(append(buf, keys[i]...), ':')
				buf = appendValue(buf, t.Columns[i].Kind, v)
			}
			buf = append(buf, '}', '\n')
			_, err := bw.Write(buf)
			return err
		})
	})
}

// appendValue appends v as JSON: JSON columns as the document they hold, times in the event
// model's layout.
func appendValue(dst []byte, k export.Kind, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		if k == export.JSON {
			return append(dst, x...)
		}
		return normalize.AppendJSONString(dst, x)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case bool:
		return strconv.AppendBool(dst, x)
	case time.Time:
		dst = append(dst, '"')
		return append(x.UTC().AppendFormat(dst, normalize.TimeLayout), '"')
	}
	panic("jsonlout: unexpected row value type")
}
