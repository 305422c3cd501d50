package lake

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/parquet"
)

// sink is the ingest.Sink of an ingest into a lake: each table is a stream of batches that one
// goroutine of its own writes with report/parquet while the ingest goes on, so that encoding and
// compression run beside the parsing, and memory is bounded by the batches in flight and
// report/parquet's buffer budget, whatever the size of the input.
//
// The core stores one file at a time, in input order, and its records in stream order, on one
// goroutine; each stream keeps that order, so the same inputs give the same files whatever the
// number of workers.
type sink struct {
	key      *normalize.HandleKey
	examiner string

	events   *stream[normalize.Event]
	rejects  *stream[normalize.Reject]
	evidence *stream[normalize.Evidence]

	mu    sync.Mutex
	known map[string]string // sha256 → path of the files committed so far
	// broken is set when a file was rolled back after some of its rows went to the streams: a
	// Parquet file cannot take rows back, so the lake is not to be published.
	broken error
}

// streamDepth is how many batches wait for a table's writer: with the core's batches of at most
// 1024 records or about 1 MiB, a few MiB per table.
const streamDepth = 8

func newSink(ctx context.Context, pf parquet.Format, root string, meta export.Meta, key *normalize.HandleKey, examiner string) *sink {
	s := &sink{key: key, examiner: examiner, known: map[string]string{}}
	s.events = startStream(ctx, pf, root, meta, TableEvents, export.EventColumns, EventPartition,
		func(row export.Row, e *normalize.Event) export.Row { return export.EventRow(row, e) })
	s.rejects = startStream(ctx, pf, root, meta, TableRejects, export.RejectColumns, nil, export.RejectRow)
	s.evidence = startStream(ctx, pf, root, meta, TableEvidence, EvidenceColumns, nil,
		func(row export.Row, ev *normalize.Evidence) export.Row { return evidenceRow(row, ev, nil, examiner) })
	return s
}

// HandleKey implements ingest.Sink.
func (s *sink) HandleKey() *normalize.HandleKey { return s.key }

// Known implements ingest.Sink: a lake starts empty, so only the same bytes given twice in one
// ingest are known (and stored once).
func (s *sink) Known(sum string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path, ok := s.known[sum]
	return path, ok, nil
}

// Begin implements ingest.Sink.
func (s *sink) Begin(ev *normalize.Evidence) (ingest.FileWriter, error) {
	s.mu.Lock()
	broken := s.broken
	s.mu.Unlock()
	if broken != nil {
		return nil, broken
	}
	return &fileWriter{s: s, path: ev.Path}, nil
}

// close ends the streams and waits for their files to be written; it returns what each table
// holds.
func (s *sink) close() (map[string]TableInfo, error) {
	tables := map[string]TableInfo{}
	var errs []error
	for _, st := range []interface {
		finish() (TableInfo, error)
	}{s.events, s.rejects, s.evidence} {
		info, err := st.finish()
		errs = append(errs, err)
		tables[info.Path] = info
	}
	s.mu.Lock()
	errs = append(errs, s.broken)
	s.mu.Unlock()
	return tables, errors.Join(errs...)
}

// fileWriter stores one evidence file.
type fileWriter struct {
	s     *sink
	path  string
	wrote bool // some rows went to the streams
}

// Write implements ingest.FileWriter.
func (f *fileWriter) Write(events []normalize.Event, rejects []normalize.Reject) error {
	f.wrote = f.wrote || len(events) > 0 || len(rejects) > 0
	if err := f.s.events.send(events); err != nil {
		return err
	}
	return f.s.rejects.send(rejects)
}

// Commit implements ingest.FileWriter: the evidence row goes to its table, with the counts that
// make records = events + rejects.
func (f *fileWriter) Commit(ev *normalize.Evidence) error {
	if err := f.s.evidence.send([]normalize.Evidence{*ev}); err != nil {
		return err
	}
	f.s.mu.Lock()
	f.s.known[ev.SHA256] = ev.Path
	f.s.mu.Unlock()
	return nil
}

// Rollback implements ingest.FileWriter. A case drops the file's transaction; the rows a lake
// has handed to Parquet writers stay in their files, so a file given up after some of its rows
// were written (it changed while it was read) stops the ingest, and the lake is not published.
func (f *fileWriter) Rollback() error {
	if !f.wrote {
		return nil
	}
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	if f.s.broken == nil {
		f.s.broken = fmt.Errorf("%s was given up after some of its rows were written, which a lake cannot take back; nothing was written (ingest again, or into a case)", f.path)
	}
	return nil
}

// stream is one table being written: batches of T go to a goroutine that turns them into rows
// for report/parquet.
type stream[T any] struct {
	batches chan []T
	free    chan []T
	mu      sync.Mutex
	err     error // the writer's, once it failed
	done    chan struct{}
	info    TableInfo
}

func startStream[T any](ctx context.Context, pf parquet.Format, root string, meta export.Meta, name string,
	cols []export.Column, partition []string, toRow func(export.Row, *T) export.Row) *stream[T] {
	s := &stream[T]{batches: make(chan []T, streamDepth), free: make(chan []T, streamDepth+2), done: make(chan struct{})}
	table := &export.Table{Name: name, Columns: cols, Rows: func(ctx context.Context, fn func(export.Row) error) error {
		row := make(export.Row, len(cols))
		for b := range s.batches {
			for i := range b {
				if err := fn(toRow(row, &b[i])); err != nil {
					return err
				}
			}
			s.recycle(b)
		}
		return nil
	}}
	go func() {
		defer close(s.done)
		info, err := writeTable(ctx, pf, root, table, meta, partition)
		if err != nil {
			s.mu.Lock()
			s.err = err
			s.mu.Unlock()
		}
		for range s.batches { // the writer stopped early: let the senders see its error
		}
		s.info = info
	}()
	return s
}

// send hands a copy of rows to the writer; the core reuses its slices once Write returns. The
// values are copied shallowly: the strings and attrs an event holds are not changed after it
// is handed over.
func (s *stream[T]) send(rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	s.mu.Lock()
	err := s.err
	s.mu.Unlock()
	if err != nil {
		return err
	}
	var b []T
	select {
	case b = <-s.free:
	default:
		b = make([]T, 0, max(len(rows), 1024))
	}
	s.batches <- append(b[:0], rows...)
	return nil
}

// recycle returns a batch the writer is done with.
func (s *stream[T]) recycle(b []T) {
	clear(b) // drop what its values hold
	select {
	case s.free <- b[:0]:
	default:
	}
}

// finish ends the stream and waits for the table to be written.
func (s *stream[T]) finish() (TableInfo, error) {
	close(s.batches)
	<-s.done
	return s.info, s.err
}
