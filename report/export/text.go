package export

import (
	"strconv"
	"time"

	"github.com/breachline/breachline/normalize"
)

// Text is a value's text form, the same in every text output (CSV, JSON strings, workbook cells
// that hold text): times in the event model's layout (UTC, nine fraction digits), whole numbers
// in decimal, true/false, JSON as its text, and "" for nil.
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.UTC().Format(normalize.TimeLayout)
	}
	panic("export: unexpected row value type")
}
