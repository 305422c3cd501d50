package progress

import (
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Rows is a bar over a number of rows (an export), drawn only on a terminal.
type Rows struct{ bar *progressbar.ProgressBar }

// NewRows returns a bar over total rows described by what, or nil when w is not a terminal or
// quiet is set. A nil *Rows does nothing.
func NewRows(w io.Writer, total int64, what string, quiet bool) *Rows {
	if quiet || !IsTerminal(w) || total <= 0 {
		return nil
	}
	return &Rows{bar: progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rows"),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)}
}

// Add counts n more rows done.
func (r *Rows) Add(n int) {
	if r != nil {
		_ = r.bar.Add(n)
	}
}

// Finish clears the bar.
func (r *Rows) Finish() {
	if r != nil {
		_ = r.bar.Finish()
	}
}
