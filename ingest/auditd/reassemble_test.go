package auditd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/internal/synth"
	"github.com/breachline/breachline/normalize"
)

// recorder is an Emitter that keeps what it is given and checks, as the fuzz checker does, that
// records come in stream order with the input's own bytes.
type recorder struct {
	t       *testing.T
	data    []byte
	last    int64
	events  []normalize.Event
	rejects []string
	notes   []string
}

func (r *recorder) check(rec ingest.Record) {
	r.t.Helper()
	require.GreaterOrEqual(r.t, rec.Offset, r.last, "offsets must not go back")
	r.last = rec.Offset
	require.LessOrEqual(r.t, rec.Offset+rec.Length, int64(len(r.data)))
	if int64(len(rec.Raw)) == rec.Length {
		require.Equal(r.t, string(r.data[rec.Offset:rec.Offset+rec.Length]), string(rec.Raw))
	}
}

func (r *recorder) Event(rec ingest.Record, ev *normalize.Event) {
	r.check(rec)
	require.Equal(r.t, rec.Length, int64(len(rec.Raw)), "an event keeps all its bytes")
	e := *ev
	e.Offset, e.Length, e.Line = rec.Offset, rec.Length, rec.Line
	e.Attrs = make(map[string]any, len(ev.Attrs))
	for k, v := range ev.Attrs {
		e.Attrs[k] = v
	}
	r.events = append(r.events, e)
}

func (r *recorder) Reject(rec ingest.Record, why string) {
	r.check(rec)
	r.rejects = append(r.rejects, fmt.Sprintf("%d: %s", rec.Offset, why))
}

func (r *recorder) Note(msg string) { r.notes = append(r.notes, msg) }

func run(t *testing.T, data string, o ingest.Options, lim limits) *recorder {
	t.Helper()
	r := &recorder{t: t, data: []byte(data)}
	src := &ingest.Source{Reader: strings.NewReader(data), Path: "test", Options: o}
	require.NoError(t, ingestWith(context.Background(), src, r, lim))
	return r
}

// sc writes a SYSCALL record of serial n; pa a PATH record.
func sc(n int) string {
	return fmt.Sprintf("type=SYSCALL msg=audit(1772442000.%03d:%d): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=1 a2=0 a3=0 items=1 ppid=1 pid=%d auid=1000 uid=1000 ses=3 comm=\"cat\" exe=\"/usr/bin/cat\" key=(null)\n", n%1000, n, 100+n)
}

func pa(n int, name string) string {
	return fmt.Sprintf("type=PATH msg=audit(1772442000.%03d:%d): item=0 name=\"%s\" inode=1 dev=fd:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\n", n%1000, n, name)
}

func eoe(n int) string { return fmt.Sprintf("type=EOE msg=audit(1772442000.%03d:%d): \n", n%1000, n) }

func byKind(r *recorder, attr string) map[string]int {
	out := map[string]int{}
	for _, e := range r.events {
		out[fmt.Sprint(e.Attrs[attr])]++
	}
	return out
}

func TestWindowClosesAndLateRecordContinues(t *testing.T) {
	var b strings.Builder
	b.WriteString(sc(1))
	for n := 2; n <= 16; n++ {
		b.WriteString(sc(n) + pa(n, "/etc/hosts"))
	}
	b.WriteString(pa(1, "/run/secrets/db")) // 15 events after its SYSCALL: beyond a window of 10
	r := run(t, b.String(), ingest.Options{SecretPaths: []string{"/run/secrets/*"}}, limits{window: 10})
	require.Len(t, r.events, 17)
	require.Empty(t, r.rejects)
	require.Equal(t, map[string]int{"window": 7, "end-of-input": 10}, byKind(r, "closed_by"))
	late := r.events[len(r.events)-1]
	require.Equal(t, int64(0), late.Attrs["continues"])
	require.Equal(t, []string{"PATH"}, late.Attrs["record_types"])
	require.Equal(t, normalize.Other, late.Category, "a PATH alone does not show an open")
	require.Len(t, r.notes, 1)
	require.Contains(t, r.notes[0], "arrived after their event had been closed")

	// With the default window the same input joins the late record to its event.
	r = run(t, b.String(), ingest.Options{SecretPaths: []string{"/run/secrets/*"}}, limits{})
	require.Len(t, r.events, 16)
	require.Equal(t, normalize.SecretRead, r.events[0].Category)
	require.Equal(t, "file:/run/secrets/db", r.events[0].SecretRef)
	require.Len(t, r.events[0].Attrs["lines"], 2)
}

// TestRecordHoldsOnlyTheEventsLines: an event's record (what raw_sha256 hashes and show prints)
// is its first run of adjacent lines and never a line of another event; attrs.lines gives every
// line of an interleaved event. Blank lines do not interrupt a run.
func TestRecordHoldsOnlyTheEventsLines(t *testing.T) {
	l := []string{sc(1), pa(1, "/a"), sc(2), pa(1, "/b"), pa(2, "/c"), "\n", sc(3), "\n", pa(3, "/d")}
	data := strings.Join(l, "")
	off := make([]int64, len(l))
	for i := 1; i < len(l); i++ {
		off[i] = off[i-1] + int64(len(l[i-1]))
	}
	n := func(i int) int64 { return int64(len(l[i])) - 1 } // without its newline
	r := run(t, data, ingest.Options{}, limits{})
	require.Len(t, r.events, 3)
	type span struct{ off, n int64 }
	got := func(e normalize.Event) span { return span{e.Offset, e.Length} }
	require.Equal(t, span{off[0], off[1] + n(1) - off[0]}, got(r.events[0]), "its first two lines, not the other event's after them")
	require.Equal(t, []any{[]any{off[0], n(0)}, []any{off[1], n(1)}, []any{off[3], n(3)}}, r.events[0].Attrs["lines"])
	require.Equal(t, span{off[2], n(2)}, got(r.events[1]))
	require.Equal(t, []any{[]any{off[2], n(2)}, []any{off[4], n(4)}}, r.events[1].Attrs["lines"])
	require.Equal(t, span{off[6], off[8] + n(8) - off[6]}, got(r.events[2]), "blank lines between its lines are no other event's")
	require.Nil(t, r.events[2].Attrs["lines"])
}

func TestEOEClosesAndIncompleteIsNoted(t *testing.T) {
	data := sc(1) + sc(2) + pa(2, "/a") + eoe(2) + pa(1, "/b") + eoe(1) + sc(3) + pa(3, "/c") + eoe(9)
	r := run(t, data, ingest.Options{}, limits{})
	require.Len(t, r.events, 3)
	require.Equal(t, "eoe", r.events[0].Attrs["closed_by"])
	require.Equal(t, []string{"SYSCALL", "PATH", "EOE"}, r.events[0].Attrs["record_types"])
	require.Equal(t, "eoe", r.events[1].Attrs["closed_by"])
	require.Equal(t, true, r.events[2].Attrs["incomplete"])
	require.Len(t, r.rejects, 1)
	require.Contains(t, r.rejects[0], "end-of-event (EOE) record without any other record of its event")
	require.Contains(t, strings.Join(r.notes, "\n"), "1 of them still open at the end of input")
}

func TestMemoryBoundClosesOldest(t *testing.T) {
	// One event stays open while more than the window's bytes of other events pass.
	var b strings.Builder
	b.WriteString(sc(1))
	for n := 2; b.Len() < 600<<10; n++ {
		b.WriteString(sc(n) + pa(n, "/etc/hosts") + eoe(n))
	}
	b.WriteString(pa(1, "/late"))
	r := run(t, b.String(), ingest.Options{MaxRecord: 1024}, limits{bytes: 1})
	require.Empty(t, r.rejects)
	require.Equal(t, "memory-bound", r.events[0].Attrs["closed_by"])
	require.Equal(t, int64(0), r.events[len(r.events)-1].Attrs["continues"])
	require.Contains(t, strings.Join(r.notes, "\n"), "events closed early to bound memory: ")
}

func TestWaitingBoundClosesOldest(t *testing.T) {
	data := sc(1) + strings.Repeat("garbage\n", 20) + pa(1, "/x")
	r := run(t, data, ingest.Options{}, limits{waiting: 5})
	require.Len(t, r.rejects, 20)
	require.Len(t, r.events, 2)
	require.Equal(t, "memory-bound", r.events[0].Attrs["closed_by"])
}

func TestLongLineWhileEventOpen(t *testing.T) {
	long := "type=EXECVE msg=audit(1772442000.001:1): a0=\"" + strings.Repeat("x", 400<<10) + "\"\n"
	data := sc(1) + long + pa(1, "/x") + sc(2) + pa(2, "/y")

	// The window holds the long line while the event waits: the event spans it.
	r := run(t, data, ingest.Options{MaxRecord: 1024}, limits{})
	require.Len(t, r.rejects, 1)
	require.Contains(t, r.rejects[0], "exceeds the 1024-byte limit")
	require.Len(t, r.events, 2)
	require.Equal(t, []string{"SYSCALL", "PATH"}, r.events[0].Attrs["record_types"])

	// A window too small for it closes the event before the line, and skips the line.
	r = run(t, data, ingest.Options{MaxRecord: 1024}, limits{bytes: 1})
	require.Len(t, r.rejects, 1)
	require.Len(t, r.events, 3)
	require.Equal(t, "memory-bound", r.events[0].Attrs["closed_by"])
	require.Equal(t, int64(0), r.events[1].Attrs["continues"])
	require.Equal(t, "end-of-input", r.events[2].Attrs["closed_by"])
}

func TestMembersBound(t *testing.T) {
	data := sc(1) + pa(1, "/a") + pa(1, "/b") + pa(1, "/c") + pa(1, "/d")
	r := run(t, data, ingest.Options{}, limits{members: 3})
	require.Len(t, r.events, 2)
	require.Equal(t, "record-bound", r.events[0].Attrs["closed_by"])
	require.Equal(t, []string{"PATH", "PATH"}, r.events[1].Attrs["record_types"])
}

// TestInterleavingJoins shuffles the records of many events within a few events of each other,
// as concurrent syscalls are logged, and checks that every event is rebuilt whole.
func TestInterleavingJoins(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 9))
	type line struct {
		pos  float64
		text string
	}
	var lines []line
	want := map[string]int{}
	for n := 1; n <= 2000; n++ {
		k := 1 + rnd.IntN(5)
		want[fmt.Sprint(n)] = k + 1
		lines = append(lines, line{float64(n), sc(n)})
		for i := 0; i < k; i++ {
			lines = append(lines, line{float64(n) + rnd.Float64()*8, pa(n, fmt.Sprintf("/f%d", i))})
		}
	}
	// Stable order by position: the SYSCALL of an event stays its first line.
	for i := 1; i < len(lines); i++ {
		for j := i; j > 0 && lines[j].pos < lines[j-1].pos; j-- {
			lines[j], lines[j-1] = lines[j-1], lines[j]
		}
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.text)
	}
	r := run(t, b.String(), ingest.Options{}, limits{})
	require.Empty(t, r.rejects)
	got := map[string]int{}
	for _, e := range r.events {
		got[e.Attrs["serial"].(string)] = len(e.Attrs["record_types"].([]string))
	}
	require.Equal(t, want, got)
}

type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReadErrorFlushesWhatWasRead(t *testing.T) {
	data := sc(1) + pa(1, "/a") + sc(2) + "type=PATH msg=audit(17724"
	boom := errors.New("unexpected EOF")
	rec := &recorder{t: t, data: []byte(data)}
	src := &ingest.Source{Reader: &failingReader{data: []byte(data), err: boom}, Path: "test"}
	require.ErrorIs(t, ingestWith(context.Background(), src, rec, limits{}), boom)
	require.Len(t, rec.events, 2, "complete lines before the break become events")
	require.Empty(t, rec.rejects, "the cut line is the core's break reject")
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	src := &ingest.Source{Reader: strings.NewReader(sc(1)), Path: "test"}
	require.ErrorIs(t, New().Ingest(ctx, src, &recorder{t: t}), context.Canceled)
}

func TestWindowLines(t *testing.T) {
	data := "a\r\n\n  \nb\nlong-line-here\r\nc"
	w := newWindow(strings.NewReader(data), 10, 0)
	var got []string
	for w.next(1<<62) == stepLine {
		got = append(got, fmt.Sprintf("%d+%d@%d:%s:%v", w.cur.off, w.cur.n, w.cur.no, w.cur.raw, w.cur.bad != ""))
	}
	require.NoError(t, w.err)
	require.Equal(t, []string{"0+1@1:a:false", "7+1@4:b:false", "9+14@5:long-line-here:true", "25+1@6:c:false"}, got)

	// A line longer than the buffer is skipped without being kept.
	big := strings.Repeat("y", 3*chunk) + "\r\nz\n"
	w = newWindow(io.MultiReader(strings.NewReader(big)), 100, 0)
	require.Equal(t, stepLine, w.next(1<<62))
	require.Equal(t, int64(3*chunk), w.cur.n)
	require.Len(t, w.cur.raw, normalize.SnippetLen)
	require.Equal(t, stepLine, w.next(1<<62))
	require.Equal(t, "z", string(w.cur.raw))
	require.Equal(t, int64(3*chunk+2), w.cur.off)
	require.Equal(t, stepEnd, w.next(1<<62))
	require.Less(t, len(w.buf), 2*chunk+1, "the long line was not buffered")
}

func TestDeterministic(t *testing.T) {
	var b bytes.Buffer
	for n := 1; n < 300; n++ {
		b.WriteString(sc(n) + pa(n, ".env"))
	}
	o := ingest.Options{SecretPaths: []string{"*.env"}}
	a1 := run(t, b.String(), o, limits{window: 7})
	a2 := run(t, b.String(), o, limits{window: 7})
	require.Equal(t, a1.events, a2.events)
}

// heapWatch counts events and samples the heap while they stream.
type heapWatch struct {
	events, rejects int
	peak            uint64
}

func (h *heapWatch) Event(ingest.Record, *normalize.Event) {
	h.events++
	if h.events%20_000 == 0 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		h.peak = max(h.peak, m.HeapAlloc)
	}
}
func (h *heapWatch) Reject(ingest.Record, string) { h.rejects++ }
func (h *heapWatch) Note(string)                  {}

// TestBoundedMemory streams a log far larger than the reassembly window and checks that the heap
// stays bounded: only waiting events are held, whatever the size of the input.
func TestBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 300,000 events")
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(synth.Auditd(pw, 300_000, 3)) }()
	h := &heapWatch{}
	src := &ingest.Source{Reader: pr, Path: "stream", Options: ingest.Options{SecretPaths: []string{"/run/secrets/*"}}}
	require.NoError(t, New().Ingest(context.Background(), src, h))
	require.Equal(t, 300_000, h.events)
	require.Zero(t, h.rejects)
	t.Logf("peak heap %d MiB", h.peak>>20)
	require.Less(t, h.peak, uint64(160<<20))
}
