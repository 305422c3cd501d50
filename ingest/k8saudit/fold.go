package k8saudit

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/normalize"
)

// Limits on what folding holds in memory. A request stays open from its first stage record to its
// final one (a watch or an exec session can stay open for hours), and every record read after the
// oldest open request waits behind it so that events leave in offset order. Past a limit the
// oldest open request is emitted with the stages it has.
const (
	maxOpen    = 8192     // open requests
	maxPending = 65536    // records waiting behind the oldest open request
	maxHeld    = 64 << 20 // bytes of record copies held by both
)

// folder turns the stage records of an audit log into one event per request (auditID).
//
// A request's event is read from, and points at, its chosen stage record: the final one
// (ResponseComplete or Panic) when it arrives, else the latest-ranked stage seen. Events are
// handed to the core in the offset order of their chosen records, as every ingester's are: an
// event (or reject) whose record lies after the chosen record of a still-open request waits until
// that request is completed or given up, so memory holds only open requests and what waits behind
// the oldest of them. Folded-away stage records produce no call of their own; their positions
// are listed in the event's attrs.stages.
type folder struct {
	emit   ingest.Emitter
	assume *time.Location
	key    *normalize.HandleKey
	limits limits

	open        map[string]*request
	front, back *request // open requests in the offset order of their chosen records
	pending     []*item  // events and rejects waiting behind front, in offset order
	held        int64    // bytes of record copies in open and pending

	evicted      map[string]int64 // auditID → offset of the partial event emitted for it
	evictedOrder []string

	folded, partial, evictions int64
	scratch                    item // the event emitted at once; the core copies it
}

// limits bound what a folder holds; tests shrink them.
type limits struct {
	open, pending int
	held          int64
}

var defaultLimits = limits{open: maxOpen, pending: maxPending, held: maxHeld}

// request is an open request: stage records seen under one auditID, no final stage yet.
type request struct {
	id     string
	a      *auditEvent
	env    envelope
	rec    ingest.Record // the chosen stage record; Raw is a copy
	stages []any         // {"stage","offset","length"} of every stage record, in stream order
	seen   uint8         // bit per stage rank
	note   string        // set when the request continues one emitted early
	prev   *request
	next   *request
}

// item is an event or a reject waiting for its turn.
type item struct {
	rec    ingest.Record // Raw is a copy
	ev     normalize.Event
	reason string // a reject when set
}

func newFolder(emit ingest.Emitter, assume *time.Location, key *normalize.HandleKey, lim limits) *folder {
	return &folder{emit: emit, assume: assume, key: key, limits: lim, open: make(map[string]*request), evicted: make(map[string]int64)}
}

// reject accounts for a record that is not an audit event.
func (f *folder) reject(rec ingest.Record, reason string) {
	if f.front == nil {
		f.emit.Reject(rec, reason)
		return
	}
	f.enqueue(&item{rec: own(rec), reason: reason})
	f.limit()
}

// record takes one decoded stage record.
func (f *folder) record(rec ingest.Record, a *auditEvent, env envelope) {
	id := a.AuditID
	if id == "" {
		f.complete(rec, a, env, nil, "")
		return
	}
	r := f.open[id]
	if r != nil && r.seen&stageBit(a.Stage) != 0 {
		// The same stage twice: a duplicated line, or an auditID used again. The open request
		// ends with what it has; this record starts afresh.
		f.close(r, "partial: a second "+a.Stage+" record under the same auditID followed")
		r = nil
	}
	if !a.final() {
		if r == nil {
			r = &request{id: id, note: f.continues(id)}
			f.open[id] = r
			f.pushBack(r)
		} else {
			f.folded++
		}
		r.stages = append(r.stages, stageRef(a.Stage, rec))
		r.seen |= stageBit(a.Stage)
		if r.a == nil || stageRank(a.Stage) >= stageRank(r.a.Stage) {
			// The request's record moves to this one, the newest: it no longer holds back what
			// lies between.
			wasFront := r == f.front
			f.held += int64(len(rec.Raw)) - int64(len(r.rec.Raw))
			r.a, r.env, r.rec = a, env, own(rec)
			if r != f.back {
				f.unlink(r)
				f.pushBack(r)
			}
			if wasFront {
				f.release()
			}
		}
		f.limit()
		return
	}
	// A final record, or one that does not say its stage: the request is complete.
	if r == nil {
		f.complete(rec, a, env, nil, f.continues(id))
		return
	}
	f.folded++
	wasFront := r == f.front
	f.remove(r)
	if wasFront {
		f.release()
	}
	f.complete(rec, a, env, append(r.stages, stageRef(a.Stage, rec)), r.note)
}

// continues returns the fold note of a request whose earlier stages were emitted early.
func (f *folder) continues(id string) string {
	if off, ok := f.evicted[id]; ok {
		return fmt.Sprintf("continues the partial event emitted for this auditID at offset %d", off)
	}
	return ""
}

// complete emits, or queues behind the open requests, the event of a request whose chosen record
// is the one just read.
func (f *folder) complete(rec ingest.Record, a *auditEvent, env envelope, stages []any, note string) {
	it := &f.scratch
	if f.front != nil {
		it = &item{}
	}
	it.ev = normalize.Event{}
	if err := a.toEvent(env, f.assume, f.key, &it.ev); err != nil {
		f.reject(rec, err.Error()+stagesOf(stages))
		return
	}
	if len(stages) > 1 {
		it.ev.SetAttr("stages", stages)
	}
	it.ev.SetAttr("fold", note)
	if f.front == nil {
		f.emit.Event(rec, &it.ev)
		return
	}
	it.rec = own(rec)
	f.enqueue(it)
	f.limit()
}

// close ends open request r with the stages it has, noting why it is partial.
func (f *folder) close(r *request, note string) {
	wasFront := r == f.front
	f.remove(r)
	f.partial++
	it := &item{rec: r.rec}
	if err := r.a.toEvent(r.env, f.assume, f.key, &it.ev); err != nil {
		it.reason = err.Error() + stagesOf(r.stages)
	} else {
		if len(r.stages) > 1 {
			it.ev.SetAttr("stages", r.stages)
		}
		if r.note != "" {
			note += "; " + r.note
		}
		it.ev.SetAttr("fold", note)
	}
	if wasFront {
		// Nothing unemitted lies before the oldest open request's record.
		f.send(it)
		f.release()
		return
	}
	f.enqueue(it)
}

// limit gives up the oldest open requests while folding holds more than its bounds.
func (f *folder) limit() {
	lim := f.limits
	for f.front != nil && (len(f.open) > lim.open || len(f.pending) > lim.pending || f.held > lim.held) {
		r := f.front
		f.evictions++
		if len(f.evictedOrder) >= lim.open {
			delete(f.evicted, f.evictedOrder[0])
			f.evictedOrder = f.evictedOrder[1:]
		}
		f.evicted[r.id] = r.rec.Offset
		f.evictedOrder = append(f.evictedOrder, r.id)
		f.close(r, fmt.Sprintf("partial: emitted before its final stage, as more than %d requests, %d records or %d bytes were held", lim.open, lim.pending, lim.held))
	}
}

// finish ends the stream: open requests are emitted with the stages they have, in order.
func (f *folder) finish() {
	for f.front != nil {
		f.close(f.front, "partial: no ResponseComplete or Panic stage in this input")
	}
	f.release()
	if f.folded > 0 {
		f.emit.Note(fmt.Sprintf("%d stage records were folded into the events of their requests: records count requests (auditIDs), and an event's attrs.stages lists the stage records it stands for", f.folded))
	}
	if f.partial > 0 {
		f.emit.Note(fmt.Sprintf("%d requests had no final stage when emitted (attrs.fold says why); %d of them were emitted early to bound memory", f.partial, f.evictions))
	}
}

// enqueue adds it to the pending queue in offset order.
func (f *folder) enqueue(it *item) {
	f.held += int64(len(it.rec.Raw))
	n := len(f.pending)
	if n == 0 || f.pending[n-1].rec.Offset <= it.rec.Offset {
		f.pending = append(f.pending, it)
		return
	}
	i, _ := slices.BinarySearchFunc(f.pending, it.rec.Offset, func(p *item, off int64) int {
		if p.rec.Offset <= off {
			return -1
		}
		return 1
	})
	f.pending = slices.Insert(f.pending, i, it)
}

// release emits the pending items that no open request precedes.
func (f *folder) release() {
	p := f.pending
	n := 0
	for n < len(p) && (f.front == nil || p[n].rec.Offset < f.front.rec.Offset) {
		f.held -= int64(len(p[n].rec.Raw))
		f.send(p[n])
		p[n] = nil
		n++
	}
	if n == len(p) {
		f.pending = p[:0]
	} else if n > 0 {
		// The queue is a window on its array, moved back only when most of it is spent, so a
		// release costs O(items released).
		f.pending = p[n:]
		if len(f.pending) < cap(f.pending)/4 {
			f.pending = append(make([]*item, 0, 2*len(f.pending)+16), f.pending...)
		}
	}
}

func (f *folder) send(it *item) {
	if it.reason != "" {
		f.emit.Reject(it.rec, it.reason)
		return
	}
	f.emit.Event(it.rec, &it.ev)
}

func (f *folder) remove(r *request) {
	delete(f.open, r.id)
	f.held -= int64(len(r.rec.Raw))
	f.unlink(r)
}

func (f *folder) pushBack(r *request) {
	r.prev, r.next = f.back, nil
	if f.back != nil {
		f.back.next = r
	} else {
		f.front = r
	}
	f.back = r
}

func (f *folder) unlink(r *request) {
	if r.prev != nil {
		r.prev.next = r.next
	} else {
		f.front = r.next
	}
	if r.next != nil {
		r.next.prev = r.prev
	} else {
		f.back = r.prev
	}
	r.prev, r.next = nil, nil
}

// own returns rec with a private copy of its bytes, which the scanner reuses.
func own(rec ingest.Record) ingest.Record {
	rec.Raw = append([]byte(nil), rec.Raw...)
	return rec
}

func stageRef(stage string, rec ingest.Record) any {
	return map[string]any{"stage": stage, "offset": rec.Offset, "length": rec.Length}
}

// stagesOf is what a reject of a request says of the stage records folded into it, which no
// event lists then: without it they would be in the evidence but in no event and no reject.
func stagesOf(stages []any) string {
	if len(stages) < 2 {
		return ""
	}
	parts := make([]string, len(stages))
	for i, s := range stages {
		m := s.(map[string]any)
		parts[i] = fmt.Sprintf("%s at %d (%d bytes)", m["stage"], m["offset"], m["length"])
	}
	return "; the request's stage records: " + strings.Join(parts, ", ")
}

func stageBit(stage string) uint8 { return 1 << stageRank(stage) }
