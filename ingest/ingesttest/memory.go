// Package ingesttest runs ingesters the way the core does and checks them: golden files, the
// accounting invariant, conformance over the shared corpus, and fuzzing. Every format package's
// tests use it, so they all hold ingesters to the same rules.
package ingesttest

import (
	"sync"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/normalize"
)

// Memory is an ingest.Sink that keeps everything in memory.
type Memory struct {
	mu       sync.Mutex
	Evidence []*normalize.Evidence
	Events   []normalize.Event
	Rejects  []normalize.Reject
	byHash   map[string]string
}

// Known implements ingest.Sink.
func (m *Memory) Known(sum string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.byHash[sum]
	return p, ok, nil
}

// Begin implements ingest.Sink.
func (m *Memory) Begin(*normalize.Evidence) (ingest.FileWriter, error) {
	return &memFile{m: m}, nil
}

type memFile struct {
	m       *Memory
	events  []normalize.Event
	rejects []normalize.Reject
}

func (f *memFile) Write(events []normalize.Event, rejects []normalize.Reject) error {
	f.events = append(f.events, events...)
	f.rejects = append(f.rejects, rejects...)
	return nil
}

func (f *memFile) Commit(ev *normalize.Evidence) error {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if f.m.byHash == nil {
		f.m.byHash = map[string]string{}
	}
	f.m.byHash[ev.SHA256] = ev.Path
	f.m.Evidence = append(f.m.Evidence, ev)
	f.m.Events = append(f.m.Events, f.events...)
	f.m.Rejects = append(f.m.Rejects, f.rejects...)
	return nil
}

func (f *memFile) Rollback() error { f.events, f.rejects = nil, nil; return nil }
