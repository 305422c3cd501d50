package ingest

import (
	"context"
	"fmt"

	"github.com/breachline/breachline/normalize"
)

// store is the writer's part of one file: the authoritative duplicate check, Begin, the file's
// batches in stream order, the break reject of a stream that broke off, then Commit or Rollback.
// The returned error is fatal to the run (the sink failed, the context ended); problems with the
// file itself go into the Result.
func (r *runner) store(ctx context.Context, j *fileJob) (Result, error) {
	h, err := j.awaitHead(ctx)
	if err != nil {
		return Result{Path: j.path}, err
	}
	res := h.res
	if res.SHA256 == "" {
		return res, nil // not read: res.Err says why
	}
	if prev, ok, err := r.sink.Known(res.SHA256); err != nil {
		return res, err
	} else if ok && !r.cfg.Reparse {
		res.DuplicateOf = prev
		return res, nil
	}
	if h.stopped {
		// The reader saw these bytes in the case, which holds them no longer: read them again.
		j = r.newJob(ctx, j.path)
		r.rerun(j)
		defer j.finish(r)
		if h, err = j.awaitHead(ctx); err != nil {
			return res, err
		}
		res = h.res
	}
	if res.Err != nil {
		return res, nil
	}

	ev := h.ev
	if r.cfg.Progress != nil {
		r.cfg.Progress.StartFile(j.path, ev.Size)
	}
	fw, err := r.sink.Begin(ev)
	if err != nil {
		return res, err
	}
	close(j.stored)
	t, last, err := r.writeParses(ctx, j, &h, fw)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		_ = fw.Rollback()
		return res, err
	}
	var end fileEnd
	select {
	case end = <-j.end:
	case <-ctx.Done():
		_ = fw.Rollback()
		return res, ctx.Err()
	}
	ev.Notes = append(ev.Notes, t.notes...)
	if h.empty {
		ev.Notes = append(ev.Notes, "empty file: no records")
	}
	if last != nil && last.err != nil {
		// The input broke off (or the ingester gave up): what was read stays, the rest is one
		// reject at the break, and the evidence is marked incomplete.
		at := last.at
		reason := fmt.Sprintf("input broke off at byte %d: %v; the %d bytes after the last complete record are lost",
			at, unwrapRead(last.err), max(0, at-t.end))
		rej := h.info.rejectOf(Record{Offset: t.end, Length: max(0, at-t.end), Index: normalize.NoIndex}, reason)
		t.records++
		t.rejects++
		if err := fw.Write(nil, []normalize.Reject{rej}); err != nil {
			_ = fw.Rollback()
			return res, err
		}
		ev.Complete = false
		ev.Notes = append(ev.Notes, reason)
	}
	if end.err != nil {
		_ = fw.Rollback()
		res.Err = end.err
		return res, nil
	}
	ev.DecompressedSize = end.decompressed
	ev.Records, ev.Events, ev.Rejects = t.records, t.events, t.rejects
	ev.FirstEvent, ev.LastEvent = t.first, t.last
	if err := fw.Commit(ev); err != nil {
		_ = fw.Rollback()
		return res, err
	}
	res.Evidence = ev
	return res, nil
}

// awaitHead waits for what j's reader found before the records.
func (j *fileJob) awaitHead(ctx context.Context) (fileHead, error) {
	select {
	case h := <-j.head:
		return h, nil
	case <-ctx.Done():
		return fileHead{}, ctx.Err()
	}
}

// writeParses stores the parses of a file in stream order. It returns their tally and the last
// parse, whose error, if any, is where the stream broke off.
func (r *runner) writeParses(ctx context.Context, j *fileJob, h *fileHead, fw FileWriter) (tally, *parse, error) {
	var t tally
	write := func(p *parse) error {
		if err := r.write(ctx, p, fw); err != nil {
			return err
		}
		t.add(&p.t)
		return nil
	}
	switch {
	case h.whole != nil:
		return t, h.whole, write(h.whole)
	case !h.split:
		return t, nil, nil
	}
	for {
		var p *piece
		select {
		case p = <-j.pieces:
		case <-ctx.Done():
			return t, nil, ctx.Err()
		}
		if p == nil { // closed early: the reader was cancelled
			return t, nil, ctx.Err()
		}
		if p.uncut {
			seq := r.readOn(j, h, p, 0)
			return t, seq, write(seq)
		}
		if err := write(p.parse); err != nil {
			return t, nil, err
		}
		if p.parse.err != nil && !p.last && ctx.Err() == nil {
			// Cut inside a record: what this piece gave before the break is the whole file's
			// too, as the contract of LineSplitter says; the rest is read in one piece.
			seq := r.readOn(j, h, p, p.parse.calls)
			return t, seq, write(seq)
		}
		j.releasePiece(r, p)
		if p.last {
			return t, p.parse, nil
		}
	}
}

// write stores the batches of one parse as they come, and waits for its end.
func (r *runner) write(ctx context.Context, p *parse, fw FileWriter) error {
	for {
		select {
		case b, ok := <-p.batches:
			if !ok {
				<-p.done
				return nil
			}
			err := fw.Write(b.events, b.rejects)
			if err == nil && r.cfg.Progress != nil {
				r.cfg.Progress.EventsStored(len(b.events))
			}
			p.release(b)
			b.recycle()
			if err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
