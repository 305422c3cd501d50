package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/breachline/breachline/normalize"
)

// batchSize bounds the events and rejects of one batch.
const batchSize = 1024

// batchBytes bounds the memory one batch takes, as estimated from its records' sizes, so that a
// batch of large records (CloudTrail's) weighs about what one of a thousand access-log lines
// does: the bounds on what is in flight count batches.
const batchBytes = 1 << 20

// eventSize and rejectSize are what an event and a reject take in memory beside the bytes of
// their record and attrs (the fields, the id and the hashes), for batchBytes.
const (
	eventSize  = 512
	rejectSize = 256
)

// batch is what one FileWriter.Write stores.
type batch struct {
	events  []normalize.Event
	rejects []normalize.Reject
	bytes   int  // memory taken, estimated
	ahead   bool // holds one of the runner's ahead tokens
}

// batches recycles batches once the writer has stored them: a sink does not keep the slices it
// is given.
var batches = sync.Pool{New: func() any { return &batch{events: make([]normalize.Event, 0, batchSize)} }}

func newBatch() *batch { return batches.Get().(*batch) }

func (b *batch) empty() bool { return len(b.events) == 0 && len(b.rejects) == 0 }

func (b *batch) full() bool {
	return len(b.events)+len(b.rejects) >= batchSize || b.bytes >= batchBytes
}

func (b *batch) recycle() {
	clear(b.events) // drop the strings and attrs they hold until the batch is filled again
	clear(b.rejects)
	b.events, b.rejects, b.bytes = b.events[:0], b.rejects[:0], 0
	batches.Put(b)
}

// tally is what one parse counted for the evidence row. A split file's pieces each have one, and
// the writer adds them up in stream order.
type tally struct {
	records, events, rejects int64
	first, last              time.Time
	notes                    []string
	end                      int64 // end offset of the furthest record accounted for
}

// add counts o's records after t's.
func (t *tally) add(o *tally) {
	t.records += o.records
	t.events += o.events
	t.rejects += o.rejects
	if !o.first.IsZero() && (t.first.IsZero() || o.first.Before(t.first)) {
		t.first = o.first
	}
	if o.last.After(t.last) {
		t.last = o.last
	}
	for _, n := range o.notes {
		t.note(n)
	}
	t.end = max(t.end, o.end)
}

// note keeps msg once: every piece of a split file gives the notes about the whole file (the
// mapping that read it), and saying one thing twice tells the examiner nothing more.
func (t *tally) note(msg string) {
	if !slices.Contains(t.notes, msg) {
		t.notes = append(t.notes, msg)
	}
}

// fileInfo is what every event and reject of one evidence file carries.
type fileInfo struct {
	ing    Ingester
	parser string // name@version
	sha256 string
	path   string
	key    *normalize.HandleKey
}

// ingester returns the file's ingester; nil for an empty file, which none reads.
func (f *fileInfo) ingester() Ingester {
	if f == nil {
		return nil
	}
	return f.ing
}

// parse is one run of the ingester over a stretch of the decompressed stream: the whole of it,
// or a piece of a split file. Its batches come out on a channel, each holding a place in room or
// one of the runner's ahead tokens, so that a parse ahead of the writer waits instead of
// growing; the rest is valid once done is closed.
type parse struct {
	batches chan *batch
	room    chan struct{}
	// ahead is the runner's pool of batches any file read ahead of the writer may fill beyond
	// its room (nil when this parse may not), until stored is closed: the writer has reached
	// the file, and its parse keeps to its room.
	ahead  chan struct{}
	stored <-chan struct{}
	held   *atomic.Int64 // ahead tokens the file's batches hold, returned when it is given up

	done  chan struct{}
	t     tally
	calls int64 // Event and Reject calls the ingester made, skipped ones included
	err   error // the ingester's: the stretch broke off, or it gave up
	at    int64 // where it broke off, in the whole stream, when err is set
}

// newParse returns a parse with room for depth batches, and, when j is given, the use of the
// runner's ahead tokens while j is not being stored.
func newParse(depth int, r *runner, j *fileJob) *parse {
	p := &parse{room: make(chan struct{}, depth), done: make(chan struct{})}
	if j != nil {
		p.ahead, p.stored, p.held = r.ahead, j.stored, &j.heldBatches
	}
	p.batches = make(chan *batch, depth+cap(p.ahead))
	return p
}

// acquire waits until b may be sent, and reports false when ctx ends first.
func (p *parse) acquire(ctx context.Context, b *batch) bool {
	for {
		ahead, stored := p.ahead, p.stored
		select {
		case <-stored:
			ahead, stored = nil, nil
		default:
		}
		select {
		case p.room <- struct{}{}:
			return true
		case ahead <- struct{}{}:
			b.ahead = true
			p.held.Add(1)
			return true
		case <-stored: // look again: no ahead tokens from now on
		case <-ctx.Done():
			return false
		}
	}
}

// release frees the place b held, once the writer has stored it.
func (p *parse) release(b *batch) {
	if b.ahead {
		b.ahead = false
		<-p.ahead
		p.held.Add(-1)
		return
	}
	<-p.room
}

// run runs the ingester over r, the stretch of the stream after base bytes and lines newlines,
// on the calling goroutine. The first skip records are not handed on: an earlier parse of the
// same stretch delivered them already.
func (p *parse) run(ctx context.Context, f *fileInfo, opts Options, r io.Reader, base, lines, skip int64) {
	defer close(p.done)
	em := &emitter{f: f, ctx: ctx, p: p, base: base, lines: lines, skip: skip, cur: newBatch()}
	counted := &offsetReader{r: r}
	err := f.ing.Ingest(ctx, &Source{Reader: counted, Path: f.path, Options: opts}, em)
	em.flush()
	close(p.batches)
	p.t, p.calls = em.t, em.calls
	if err != nil {
		p.err, p.at = err, base+counted.n
		var re *ReadError
		if errors.As(err, &re) {
			p.at = base + re.Offset
		}
	}
}

// emitter is the Emitter of one parse. Everything done per record that needs no order — identity,
// checks, redaction, hashes — is done here, on the parsing goroutine, so that the one writer
// only stores. Offsets and lines are shifted by the stretch's start, so that an ingester reading
// a piece of a split file counts from the piece's start like from a file's.
type emitter struct {
	f           *fileInfo
	ctx         context.Context
	p           *parse
	base, lines int64
	skip        int64
	calls       int64
	cur         *batch
	t           tally
}

// send hands the current batch on when it is full.
func (r *emitter) send() {
	if r.cur.full() {
		r.handOn()
		r.cur = newBatch()
	}
}

// flush hands on what is left once the ingester returned.
func (r *emitter) flush() {
	if r.cur.empty() {
		r.cur.recycle()
	} else {
		r.handOn()
	}
	r.cur = nil
}

func (r *emitter) handOn() {
	if r.p.acquire(r.ctx, r.cur) {
		r.p.batches <- r.cur // never waits: the place is taken
	} else { // the writer is gone; the ingester stops at its next ctx check
		r.cur.recycle()
	}
}

// shift moves rec from the stretch's coordinates into the stream's, and reports whether the
// record is to be handed on.
func (r *emitter) shift(rec *Record) bool {
	r.calls++
	if r.calls <= r.skip {
		return false
	}
	rec.Offset += r.base
	if rec.Line > 0 {
		rec.Line += r.lines
	}
	return true
}

// account notes how far the records handed over reach, for the break reject.
func (r *emitter) account(rec Record) {
	r.t.end = max(r.t.end, rec.Offset+rec.Length)
}

// Event implements Emitter.
func (r *emitter) Event(rec Record, in *normalize.Event) {
	if !r.shift(&rec) {
		return
	}
	e := *in
	e.Source, e.Parser = r.f.ing.Name(), r.f.parser
	e.EvidenceSHA256, e.EvidencePath = r.f.sha256, r.f.path
	e.Offset, e.Length, e.Line, e.RecordIndex = rec.Offset, rec.Length, rec.Line, rec.Index
	if e.Outcome == "" {
		e.Outcome = normalize.Unknown
	}
	if err := e.Check(); err != nil {
		r.reject(rec, err.Error())
		return
	}
	if err := sanitize(&e, r.f.key); err != nil {
		r.reject(rec, err.Error())
		return
	}
	e.Time = e.Time.UTC()
	sum := sha256.Sum256(rec.Raw)
	e.RawSHA256 = hex.EncodeToString(sum[:])
	e.ID = normalize.EventID(e.EvidenceSHA256, e.Offset, e.RecordIndex)

	r.account(rec)
	r.t.records++
	r.t.events++
	if r.t.first.IsZero() || e.Time.Before(r.t.first) {
		r.t.first = e.Time
	}
	if e.Time.After(r.t.last) {
		r.t.last = e.Time
	}
	r.cur.events = append(r.cur.events, e)
	r.cur.bytes += eventSize + len(rec.Raw) + len(e.AttrsJSON)
	r.send()
}

// Reject implements Emitter.
func (r *emitter) Reject(rec Record, reason string) {
	if !r.shift(&rec) {
		return
	}
	r.reject(rec, reason)
}

// reject counts a record seen that became a reject; rec is in the stream's coordinates.
func (r *emitter) reject(rec Record, reason string) {
	r.account(rec)
	r.t.records++
	r.t.rejects++
	rej := r.f.rejectOf(rec, reason)
	r.cur.rejects = append(r.cur.rejects, rej)
	r.cur.bytes += rejectSize + len(rej.Snippet) + len(rej.Reason)
	r.send()
}

// Note implements Emitter.
func (r *emitter) Note(msg string) {
	r.t.note(normalize.CleanString(msg))
}

// rejectOf makes the stored reject of rec, with its snippet and reason redacted.
func (f *fileInfo) rejectOf(rec Record, reason string) normalize.Reject {
	snippet := rec.Raw
	if len(snippet) > normalize.SnippetLen {
		snippet = snippet[:normalize.SnippetLen]
	}
	snip, _ := f.key.Redact(normalize.CleanString(string(snippet)))
	why, _ := f.key.Redact(normalize.CleanString(reason))
	return normalize.Reject{
		EvidenceSHA256: f.sha256, EvidencePath: f.path,
		Offset: rec.Offset, Length: rec.Length, Line: rec.Line,
		Reason: why, Snippet: snip,
	}
}
