package arrowtest

import (
	"context"
	"fmt"
	"time"

	"github.com/breachline/breachline/report/export"
)

// Tables returns a small table for each column list other than events, filled by Table.
func Tables(n int) []*export.Table {
	return []*export.Table{
		Table("findings", export.FindingColumns, n),
		Table("credentials", export.CredentialColumns, n),
		Table("exposures", export.ExposureColumns, n),
		Table("uses", export.UseColumns, n),
		Table("rejects", export.RejectColumns, n),
	}
}

// Strange are text values a writer must carry through unchanged.
var Strange = []string{
	"=1+1", "line one\nline two", "\ttab\r\n", "quote \" back\\slash", "ünïcödé – 日本語 – 🙂",
	"", " ", "\x00nul inside", "null", "%2F/slash=eq",
}

// Table returns a table of n rows with the columns cols: row i's values are a pure function
// of i and the column's kind, every Nullable column is null in one row of three, Dict columns
// take a few values and text columns the Strange ones.
func Table(name string, cols []export.Column, n int) *export.Table {
	base := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	return &export.Table{Name: name, Columns: cols, Rows: func(ctx context.Context, fn func(export.Row) error) error {
		row := make(export.Row, len(cols))
		for i := range n {
			for c, col := range cols {
				if col.Nullable && (i+c)%3 == 0 {
					row[c] = nil
					continue
				}
				switch col.Kind {
				case export.Int64:
					row[c] = int64(i*1000+c) - 5
				case export.Time:
					row[c] = base.Add(time.Duration(i)*time.Hour*7 + time.Duration(c)*time.Nanosecond)
				case export.Bool:
					row[c] = (i+c)%2 == 0
				case export.JSON:
					row[c] = fmt.Sprintf(`{"i":%d,"s":%q}`, i, Strange[(i+c)%len(Strange)])
				default:
					if col.Dict {
						row[c] = fmt.Sprintf("%s-%d", col.Name, (i+c)%3)
					} else {
						row[c] = Strange[(i+c)%len(Strange)]
					}
				}
			}
			if err := fn(row); err != nil {
				return err
			}
		}
		return nil
	}}
}

// InMemory returns a table that serves rows from memory, so that a benchmark times the format
// and not the making of the rows.
func InMemory(name string, cols []export.Column, rows []export.Row) *export.Table {
	return &export.Table{Name: name, Columns: cols, Rows: func(ctx context.Context, fn func(export.Row) error) error {
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}}
}
