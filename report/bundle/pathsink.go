package bundle

import (
	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/normalize"
)

// pathSink stores a file under the path the original case recorded for it, so that the events'
// evidence_path is the same as the bag's although the bag holds the file under another name.
type pathSink struct {
	ingest.Sink
	path, abs string
}

func (s *pathSink) Begin(ev *normalize.Evidence) (ingest.FileWriter, error) {
	ev.Path, ev.AbsPath = s.path, s.abs
	fw, err := s.Sink.Begin(ev)
	if err != nil {
		return nil, err
	}
	return &pathWriter{FileWriter: fw, s: s}, nil
}

type pathWriter struct {
	ingest.FileWriter
	s *pathSink
}

func (w *pathWriter) Write(events []normalize.Event, rejects []normalize.Reject) error {
	for i := range events {
		events[i].EvidencePath = w.s.path
	}
	for i := range rejects {
		rejects[i].EvidencePath = w.s.path
	}
	return w.FileWriter.Write(events, rejects)
}

func (w *pathWriter) Commit(ev *normalize.Evidence) error {
	ev.Path, ev.AbsPath = w.s.path, w.s.abs
	return w.FileWriter.Commit(ev)
}
