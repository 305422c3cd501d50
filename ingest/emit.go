package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/breachline/breachline/normalize"
)

const batchSize = 1024

// batchBytes bounds the record bytes a batch carries for hashing: with four batches in flight,
// at most 32 MiB whatever the record sizes.
const batchBytes = 8 << 20

type batch struct {
	events  []normalize.Event
	rejects []normalize.Reject
	// raw holds the events' record bytes back to back (rawEnd[i] is where event i's end), so the
	// writer goroutine can hash them: the parsing goroutine is the busier one.
	raw    []byte
	rawEnd []int
}

// hash fills each event's raw_sha256 and id, on the writer goroutine.
func (b *batch) hash() {
	start := 0
	for i := range b.events {
		e := &b.events[i]
		sum := sha256.Sum256(b.raw[start:b.rawEnd[i]])
		e.RawSHA256 = hex.EncodeToString(sum[:])
		e.ID = normalize.EventID(e.EvidenceSHA256, e.Offset, e.RecordIndex)
		start = b.rawEnd[i]
	}
}

func (b *batch) reset() {
	b.events, b.rejects, b.raw, b.rawEnd = b.events[:0], b.rejects[:0], b.raw[:0], b.rawEnd[:0]
}

// fileRun is the Emitter for one file. The ingester runs on its own goroutine and hands full
// batches to the goroutine that writes them, so parsing and storing use both cores; a small
// fixed pool of batches bounds the memory in flight.
type fileRun struct {
	ev       *normalize.Evidence
	key      *normalize.HandleKey
	ing      Ingester
	fw       FileWriter
	progress Progress
	parser   string

	cur     *batch
	out     chan *batch
	free    chan *batch
	cancel  context.CancelFunc
	sinkErr error
	end     int64 // end offset of the furthest record accounted for
}

func newFileRun(ev *normalize.Evidence, key *normalize.HandleKey, ing Ingester, fw FileWriter, p Progress) *fileRun {
	r := &fileRun{ev: ev, key: key, ing: ing, fw: fw, progress: p, free: make(chan *batch, 4)}
	if ing != nil {
		r.parser = ing.Name() + "@" + ing.Version()
	}
	for i := 0; i < cap(r.free); i++ {
		r.free <- &batch{events: make([]normalize.Event, 0, batchSize)}
	}
	r.cur = <-r.free
	return r
}

// ingest runs the ingester on one goroutine and the writer on this one.
func (r *fileRun) ingest(ctx context.Context, src *Source) error {
	ctx, r.cancel = context.WithCancel(ctx)
	defer r.cancel()
	r.out = make(chan *batch, cap(r.free)-1)
	done := make(chan error, 1)
	go func() {
		err := r.ing.Ingest(ctx, src, r)
		if r.cur != nil && (len(r.cur.events) > 0 || len(r.cur.rejects) > 0) {
			r.out <- r.cur
			r.cur = nil
		}
		close(r.out)
		done <- err
	}()
	for b := range r.out {
		if r.sinkErr == nil {
			b.hash()
			if err := r.fw.Write(b.events, b.rejects); err != nil {
				r.sinkErr = err
				r.cancel() // the ingester stops at its next ctx check; keep draining meanwhile
			} else if r.progress != nil {
				r.progress.EventsStored(len(b.events))
			}
		}
		b.reset()
		r.free <- b
	}
	err := <-done
	r.out = nil
	r.cur = <-r.free
	return err
}

// flush writes what is pending after the ingester finished (the break reject).
func (r *fileRun) flush() error {
	if r.cur == nil || (len(r.cur.events) == 0 && len(r.cur.rejects) == 0) {
		return nil
	}
	r.cur.hash()
	err := r.fw.Write(r.cur.events, r.cur.rejects)
	r.cur.reset()
	return err
}

func (r *fileRun) send() {
	if (len(r.cur.events)+len(r.cur.rejects) < batchSize && len(r.cur.raw) < batchBytes) || r.out == nil {
		return
	}
	r.out <- r.cur
	r.cur = <-r.free
}

// account notes how far the records handed over reach, for the break reject.
func (r *fileRun) account(rec Record) {
	if e := rec.Offset + rec.Length; e > r.end {
		r.end = e
	}
}

// Event implements Emitter.
func (r *fileRun) Event(rec Record, in *normalize.Event) {
	e := *in
	e.Source, e.Parser = r.ing.Name(), r.parser
	e.EvidenceSHA256, e.EvidencePath = r.ev.SHA256, r.ev.Path
	e.Offset, e.Length, e.Line, e.RecordIndex = rec.Offset, rec.Length, rec.Line, rec.Index
	if e.Outcome == "" {
		e.Outcome = normalize.Unknown
	}
	if err := e.Check(); err != nil {
		r.Reject(rec, err.Error())
		return
	}
	if err := sanitize(&e, r.key); err != nil {
		r.Reject(rec, err.Error())
		return
	}
	e.Time = e.Time.UTC()

	r.account(rec)
	r.ev.Records++
	r.ev.Events++
	if r.ev.FirstEvent.IsZero() || e.Time.Before(r.ev.FirstEvent) {
		r.ev.FirstEvent = e.Time
	}
	if e.Time.After(r.ev.LastEvent) {
		r.ev.LastEvent = e.Time
	}
	r.cur.events = append(r.cur.events, e)
	r.cur.raw = append(r.cur.raw, rec.Raw...)
	r.cur.rawEnd = append(r.cur.rawEnd, len(r.cur.raw))
	r.send()
}

// Reject implements Emitter.
func (r *fileRun) Reject(rec Record, reason string) {
	r.account(rec)
	r.rejectAt(rec, reason)
}

// rejectAt counts a record seen that became a reject. The break reject of a file that broke off
// comes here directly: it stands for the unreadable rest, so records seen = events + rejects holds.
func (r *fileRun) rejectAt(rec Record, reason string) {
	r.ev.Records++
	r.ev.Rejects++
	snippet := rec.Raw
	if len(snippet) > normalize.SnippetLen {
		snippet = snippet[:normalize.SnippetLen]
	}
	snip, _ := r.key.Redact(normalize.CleanString(string(snippet)))
	why, _ := r.key.Redact(normalize.CleanString(reason))
	r.cur.rejects = append(r.cur.rejects, normalize.Reject{
		EvidenceSHA256: r.ev.SHA256, EvidencePath: r.ev.Path,
		Offset: rec.Offset, Length: rec.Length, Line: rec.Line,
		Reason: why, Snippet: snip,
	})
	r.send()
}

// Note implements Emitter.
func (r *fileRun) Note(msg string) {
	r.ev.Notes = append(r.ev.Notes, normalize.CleanString(msg))
}
