package progress

import (
	"io"
	"sync"
	"testing"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/stretchr/testify/require"
)

// TestBarTakesCallsFromManyGoroutines: the core reads several files at once, each adding its
// bytes, while the writer names files and counts events; run with -race.
func TestBarTakesCallsFromManyGoroutines(t *testing.T) {
	b := &Bar{start: time.Now(), bar: progressbar.NewOptions64(8*1000*10, progressbar.OptionSetWriter(io.Discard))}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				b.ReadBytes(10)
			}
		}()
	}
	for i := range 100 {
		b.StartFile("logs/file.log", 10)
		b.EventsStored(i)
	}
	wg.Wait()
	require.Equal(t, int64(8*1000*10), b.bar.State().CurrentNum)
	require.Equal(t, int64(99*100/2), b.events.Load())
	b.Finish()

	var none *Bar // what New returns without a terminal: every call is a no-op
	none.StartFile("x", 1)
	none.ReadBytes(1)
	none.EventsStored(1)
	none.Finish()
}
