package ingest_test

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/normalize"
)

var benchInputs = flag.String("bench.inputs", "", "comma-separated paths BenchmarkRun ingests")

// BenchmarkRun measures the core and the ingesters without a store (a sink that counts and
// drops), on the files -bench.inputs names, with 1 worker and with all cores:
//
//	go test -run '^$' -bench Run -benchtime 1x ./ingest/ -args -bench.inputs=/tmp/acc1m.log
func BenchmarkRun(b *testing.B) {
	if *benchInputs == "" {
		b.Skip("no -bench.inputs")
	}
	in := ingest.Expand(strings.Split(*benchInputs, ","))
	// The command line's garbage collector settings (cmd/breachline tuneGC).
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(128 << 20))
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.SetBytes(in.Bytes)
			stop := samplePeakHeap(b)
			defer stop()
			var events int64
			for i := 0; i < b.N; i++ {
				sink := &discard{}
				cfg := ingest.Config{Ingesters: all.Ingesters(), Workers: workers}
				res, err := ingest.RunInputs(context.Background(), cfg, in, sink)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range res {
					if r.Err != nil {
						b.Fatal(r.Err)
					}
				}
				events += sink.events.Load()
			}
			ingesttest.ReportRate(b, events)
		})
	}
}

// discard is a Sink that counts events and keeps nothing.
type discard struct{ events atomic.Int64 }

func (d *discard) Known(string) (string, bool, error) { return "", false, nil }
func (d *discard) Begin(*normalize.Evidence) (ingest.FileWriter, error) {
	return discardFile{d}, nil
}
func (d *discard) HandleKey() *normalize.HandleKey { return ingesttest.Key }

type discardFile struct{ d *discard }

func (f discardFile) Write(ev []normalize.Event, _ []normalize.Reject) error {
	f.d.events.Add(int64(len(ev)))
	return nil
}
func (discardFile) Commit(*normalize.Evidence) error { return nil }
func (discardFile) Rollback() error                  { return nil }

// samplePeakHeap reports the largest heap in use seen while the benchmark runs (the live data
// plus what the collector has not freed yet), sampled every 10 ms, when the returned function
// is called.
func samplePeakHeap(b *testing.B) (stop func()) {
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-t.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	}
}
