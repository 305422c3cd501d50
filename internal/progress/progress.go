// Package progress draws the ingest progress bar on a terminal: bytes read, events stored per
// second and the time left. It draws nothing unless stderr is a terminal, because
// schollz/progressbar would otherwise write its frames into logs and pipes.
package progress

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/breachline/breachline/normalize"
)

// Bar implements ingest.Progress. It is safe for concurrent use, as the core needs: the files
// read at once all add their bytes (the bar counts bytes read over all files), while the one
// goroutine that stores names the file it is storing and counts the events stored, which the
// description shows as "file · N events/s".
type Bar struct {
	bar    *progressbar.ProgressBar // locks itself
	events atomic.Int64
	file   atomic.Pointer[string] // the file being stored
	start  time.Time
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// New returns a bar over total bytes drawn on w, or nil when w is not a terminal or quiet is set.
// A nil *Bar is a valid ingest.Progress that does nothing.
func New(w io.Writer, total int64, quiet bool) *Bar {
	if quiet || !IsTerminal(w) {
		return nil
	}
	return &Bar{start: time.Now(), bar: progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(true),
	)}
}

// StartFile implements ingest.Progress.
func (b *Bar) StartFile(path string, _ int64) {
	if b == nil {
		return
	}
	// The name is the evidence's, chosen by whoever wrote it: escaped like every field shown.
	name := normalize.Printable(filepath.Base(path))
	b.file.Store(&name)
	b.bar.Describe(name)
}

// ReadBytes implements ingest.Progress.
func (b *Bar) ReadBytes(n int) {
	if b == nil {
		return
	}
	_ = b.bar.Add(n)
}

// EventsStored implements ingest.Progress.
func (b *Bar) EventsStored(n int) {
	if b == nil {
		return
	}
	total := b.events.Add(int64(n))
	if s := time.Since(b.start).Seconds(); s > 0 {
		rate := fmt.Sprintf("%.0f events/s", float64(total)/s)
		if name := b.file.Load(); name != nil {
			rate = *name + " · " + rate
		}
		b.bar.Describe(rate)
	}
}

// Finish clears the bar.
func (b *Bar) Finish() {
	if b == nil {
		return
	}
	_ = b.bar.Finish()
}
