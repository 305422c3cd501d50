package auditd

import (
	"fmt"
	"math"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/normalize"
)

// Reassembly. The kernel writes one audit event as several records (SYSCALL, EXECVE, CWD,
// PATH…, PROCTITLE) that share node, time and serial, and records of concurrent events
// interleave. auditd's own log never carries the end-of-event (EOE) record (auditd drops it
// before writing; only the realtime/plugin stream has it), so the end of an event is known
// only when EOE is present; otherwise it is inferred without any clock: an event stays open until
// reorderWindow later events have begun. The records of one event are written within a few
// events of each other, so the window joins them however they interleave, and it is counted in
// events, so the result does not depend on how fast the file is read or when it was written.
//
// One event is one record of the evidence: it becomes exactly one event or one reject. Its record
// (offset and length, the bytes raw_sha256 hashes and `show` prints) is its first run of adjacent
// lines, which for an event written without interruption is all of it; when lines of other events
// lie between its own, the record stops before the first of them, so that it never holds bytes
// of another event, and attrs.lines gives the offset and length of every one of its lines. Records
// are handed to the core in order of their first line (offsets never go back), so an event that
// completes early waits for the open ones that began before it. Memory holds only what is waiting, and is bounded: when the bytes or the
// records waiting exceed their limits the oldest open event is closed early, and a note says so.

// Limits of reassembly; the assembler's copies can be lowered by tests.
const (
	// reorderWindow is how many later events may begin before an event without EOE is closed.
	reorderWindow = 10_000
	// maxWaiting bounds the records (events and rejects) held for emission order.
	maxWaiting = 4 * reorderWindow
	// windowBytes bounds the bytes of the evidence held for waiting records.
	windowBytes = 64 << 20
	// maxMembers and maxEventBytes bound one event: the largest real ones, the EXECVE records
	// of a command line near the kernel's limit, are a few thousand records and about 13 MiB.
	maxMembers    = 20_000
	maxEventBytes = 16 << 20
	// recentClosed is how many closed events are remembered to recognise a record that arrives
	// after its event was closed.
	recentClosed = reorderWindow
)

// Why an event was closed, in attrs.closed_by.
const (
	byEOE     = "eoe"          // its end-of-event record arrived
	byWindow  = "window"       // reorderWindow later events had begun
	byEnd     = "end-of-input" // the input ended
	byBound   = "memory-bound" // the waiting records reached the memory bound
	byMembers = "record-bound" // it reached maxMembers records or maxEventBytes
)

// group is one audit event being assembled, or one line that could not be an audit record.
type group struct {
	key        string
	first      int64 // offset of the first line
	end        int64 // end of the last line
	line       int64 // number of the first line
	gen        uint64
	members    []member
	bytes      int64 // of its lines
	last       int64 // number of the last line added, counting non-blank lines only
	open       bool
	eoe        bool
	syscall    bool // holds a record that the kernel ends with EOE (SYSCALL, URINGOP)
	incomplete bool // closed without the EOE that records of its kind end with in this file
	split      bool // other lines lie between its first and last line
	closedBy   string
	continues  int64 // offset of the earlier part of this event, or -1

	reject  string // a line that is not an audit record: why
	snippet []byte // its beginning, when the line was too long to keep
}

// member is one line of a group.
type member struct {
	off int64
	n   int64
	seq int64 // the line's number among the non-blank lines, to tell adjacent lines
}

// assembler groups lines into events and hands them to the emitter in stream order.
type assembler struct {
	emit  ingest.Emitter
	w     *window
	build builder

	groups map[string]*group // open events, and recently closed ones by key
	queue  deque             // waiting records in order of their first line
	order  deque             // open events in the order they began
	closed []*group          // ring of recently closed events
	closeN int

	gen    uint64
	lines  int64
	keyBuf []byte
	sawEOE bool

	window, waiting, members, recent int

	// counts for the notes
	incomplete, incompleteAtEnd, early, continued int
}

func newAssembler(emit ingest.Emitter, w *window, b builder) *assembler {
	return &assembler{
		emit: emit, w: w, build: b,
		groups: make(map[string]*group, 64),
		window: reorderWindow, waiting: maxWaiting, members: maxMembers, recent: recentClosed,
	}
}

// keep is the offset of the first byte a waiting record needs.
func (a *assembler) keep() int64 {
	if g := a.queue.front(); g != nil {
		return g.first
	}
	return math.MaxInt64
}

// add takes one line.
func (a *assembler) add(l line) {
	a.lines++
	if l.bad != "" {
		a.reject(l, l.bad, append([]byte(nil), l.raw...))
		return
	}
	h, why := parseHeader(l.raw)
	if why != "" {
		a.reject(l, why, nil)
		return
	}
	// Events are told apart by node, time and serial: serials restart at boot and differ per
	// node in an aggregated log.
	a.keyBuf = append(append(append(a.keyBuf[:0], h.node.in(l.raw)...), 0), h.stamp.in(l.raw)...)
	eoe := string(h.typ.in(l.raw)) == "EOE"
	if eoe {
		a.sawEOE = true
	}
	g := a.groups[string(a.keyBuf)]
	if g == nil || !g.open {
		prev := g
		g = a.begin(l)
		if prev != nil {
			g.continues = prev.first
			a.continued++
		}
	} else {
		if g.last != a.lines-1 {
			g.split = true
		}
		g.members = append(g.members, member{l.off, l.n, a.lines})
		g.end, g.last, g.bytes = l.off+l.n, a.lines, g.bytes+l.n
	}
	if t := h.typ.in(l.raw); string(t) == "SYSCALL" || string(t) == "URINGOP" {
		g.syscall = true
	}
	switch {
	case eoe:
		g.eoe = true
		a.close(g, byEOE)
	case len(g.members) >= a.members || g.bytes >= maxEventBytes:
		a.close(g, byMembers)
		a.early++
	}
	a.drain()
	a.bound()
}

// bound closes the oldest open event when too many records wait behind it.
func (a *assembler) bound() {
	if a.queue.len() > a.waiting {
		a.closeOldest()
	}
}

// begin opens a new event at line l and closes the events it pushes out of the window.
func (a *assembler) begin(l line) *group {
	a.gen++
	g := &group{
		key: string(a.keyBuf), first: l.off, end: l.off + l.n, line: l.no, gen: a.gen,
		members: make([]member, 1, 8), bytes: l.n, last: a.lines, open: true, continues: -1,
	}
	g.members[0] = member{l.off, l.n, a.lines}
	a.groups[g.key] = g
	a.queue.push(g)
	for o := a.order.front(); o != nil; o = a.order.front() {
		if o.open && a.gen-o.gen < uint64(a.window) {
			break
		}
		a.order.pop()
		if o.open {
			a.close(o, byWindow)
		}
	}
	a.order.push(g)
	return g
}

// reject queues a line that cannot be part of an event.
func (a *assembler) reject(l line, why string, snippet []byte) {
	a.queue.push(&group{first: l.off, end: l.off + l.n, line: l.no, reject: why, snippet: snippet, continues: -1})
	a.drain()
	a.bound()
}

// close ends event g. It stays known by its key for a while so that a record arriving late is
// recognised as the continuation of an event already closed.
func (a *assembler) close(g *group, by string) {
	g.open, g.closedBy = false, by
	if by != byEOE && g.syscall && a.sawEOE {
		g.incomplete = true
		a.incomplete++
		if by == byEnd {
			a.incompleteAtEnd++
		}
	}
	if len(a.closed) < a.recent {
		a.closed = append(a.closed, g)
		return
	}
	i := a.closeN % len(a.closed)
	if old := a.closed[i]; a.groups[old.key] == old {
		delete(a.groups, old.key)
	}
	a.closed[i] = g
	a.closeN++
}

// closeOldest closes the oldest open event early, to bound memory. It reports false when no
// event is open.
func (a *assembler) closeOldest() bool {
	for o := a.order.front(); o != nil; o = a.order.front() {
		a.order.pop()
		if o.open {
			a.close(o, byBound)
			a.early++
			a.drain()
			return true
		}
	}
	return false
}

// drain emits the waiting records from the front of the queue up to the first open event.
func (a *assembler) drain() {
	for g := a.queue.front(); g != nil && !g.open; g = a.queue.front() {
		a.queue.pop()
		a.send(g)
	}
}

// finish closes every open event at the end of input and emits everything waiting.
func (a *assembler) finish() {
	for o := a.order.front(); o != nil; o = a.order.front() {
		a.order.pop()
		if o.open {
			a.close(o, byEnd)
		}
	}
	a.drain()
	a.notes()
}

// send hands one record to the emitter.
func (a *assembler) send(g *group) {
	rec := ingest.Record{Offset: g.first, Length: g.end - g.first, Line: g.line, Index: normalize.NoIndex}
	switch {
	case g.reject != "":
		// A line too long to keep brings its beginning; any other is still in the window.
		if rec.Raw = g.snippet; rec.Raw == nil {
			rec.Raw = a.w.bytes(g.first, g.end-g.first)
		}
		a.emit.Reject(rec, g.reject)
		return
	case len(g.members) == 1 && g.eoe:
		rec.Raw = a.w.bytes(g.first, g.end-g.first)
		if g.continues >= 0 {
			a.emit.Reject(rec, fmt.Sprintf("end-of-event (EOE) record of the event at offset %d, which had been closed before it arrived", g.continues))
		} else {
			a.emit.Reject(rec, "end-of-event (EOE) record without any other record of its event")
		}
		return
	}
	span := a.w.bytes(g.first, g.end-g.first)
	rec.Length = g.run()
	rec.Raw = span[:rec.Length]
	var ev normalize.Event
	if why := a.build.event(g, span, &ev); why != "" {
		a.emit.Reject(rec, why)
		return
	}
	a.emit.Event(rec, &ev)
	g.members = nil // the key stays for late records; the lines are no longer needed
}

// run returns the length of the event's first run of adjacent lines, from its first line to the
// end of the last line before a line of something else: the bytes that are the event's alone.
func (g *group) run() int64 {
	end := g.members[0].off + g.members[0].n
	for i := 1; i < len(g.members) && g.members[i].seq == g.members[i-1].seq+1; i++ {
		end = g.members[i].off + g.members[i].n
	}
	return end - g.first
}

// notes tells the examiner how reassembly went where it was not clean.
func (a *assembler) notes() {
	if a.incomplete > 0 {
		a.emit.Note(fmt.Sprintf("syscall events without their end-of-event (EOE) record although this file carries EOE records: %d, emitted with attrs.incomplete (%d of them still open at the end of input)", a.incomplete, a.incompleteAtEnd))
	}
	if a.early > 0 {
		a.emit.Note(fmt.Sprintf("events closed early to bound memory: %d (attrs.closed_by memory-bound or record-bound); records of theirs that came later form separate events", a.early))
	}
	if a.continued > 0 {
		a.emit.Note(fmt.Sprintf("events made of records that arrived after their event had been closed: %d (attrs.continues gives the offset of the earlier part)", a.continued))
	}
}

// deque is a FIFO of groups.
type deque struct {
	items []*group
	head  int
}

func (d *deque) len() int { return len(d.items) - d.head }

func (d *deque) push(g *group) { d.items = append(d.items, g) }

func (d *deque) front() *group {
	if d.head < len(d.items) {
		return d.items[d.head]
	}
	return nil
}

func (d *deque) pop() {
	d.items[d.head] = nil
	d.head++
	if d.head == len(d.items) {
		d.items, d.head = d.items[:0], 0
	} else if d.head >= 4096 && d.head*2 >= len(d.items) {
		n := copy(d.items, d.items[d.head:])
		clear(d.items[n:])
		d.items, d.head = d.items[:n], 0
	}
}
