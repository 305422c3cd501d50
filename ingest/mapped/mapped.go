// Package mapped ingests logs that have no parser of their own — a model hub's audit export, an
// internal secrets service's log — by a mapping file: YAML (or JSON) that says, for each event
// field, where in the record its value is and how to transform it, and how to recognise the log.
// It reads JSON lines, JSON arrays, concatenated (pretty) JSON and wrapper objects through
// jsonrec, and CSV through encoding/csv. A mapping is compiled once into a plan; records are
// read against the plan. The mapping format is documented in docs/mapping.md; the mappings
// shipped with breachline are in builtin/ and listed by Builtins.
package mapped

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"github.com/breachline/breachline/ingest"
)

// Ingester reads the log one mapping describes. It implements ingest.Ingester; its Name is the
// mapping's name, written as the source of every event, and its Version the mapping's version.
// It holds no per-file state, so one Ingester may read many files at once.
type Ingester struct {
	name, version, description string
	origin                     string // where the mapping came from, for the evidence notes
	sum                        string // sha256 of the mapping file's bytes
	p                          *plan
}

// Load reads and compiles the mapping file at path. Faults are *MappingError values naming
// the file, the line and the field; all of them are returned, joined.
func Load(path string) (*Ingester, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &MappingError{File: path, Err: err}
	}
	ing, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	ing.origin = path
	return ing, nil
}

// Parse compiles a mapping from data; name is what messages call the file (its path, or
// "hub-audit.yaml" for a built-in).
func Parse(name string, data []byte) (*Ingester, error) {
	sp, faults, err := decode(name, data)
	if err != nil {
		return nil, err
	}
	p, more := compile(name, sp)
	if faults = append(faults, more...); len(faults) > 0 {
		sortByLine(faults)
		return nil, errors.Join(faults...)
	}
	sum := sha256.Sum256(data)
	return &Ingester{
		name: sp.name.v, version: sp.version.v, description: sp.description.v,
		origin: name, sum: hex.EncodeToString(sum[:]), p: p,
	}, nil
}

// Name implements ingest.Ingester: the mapping's name, the source of its events.
func (m *Ingester) Name() string { return m.name }

// Version implements ingest.Ingester: the mapping's version.
func (m *Ingester) Version() string { return m.version }

// Description is the mapping's one-line description, for `breachline formats`.
func (m *Ingester) Description() string { return m.description }

// Describe implements ingest.Ingester: the mapping's description, marked as a mapping.
func (m *Ingester) Describe() string { return "mapping: " + m.description }

// Container is "json" or "csv", for `breachline formats`.
func (m *Ingester) Container() string {
	if m.p.csv {
		return "csv"
	}
	return "json"
}

// SHA256 is the hash of the mapping file's bytes. It is noted on every evidence file the mapping
// reads, so that anyone checking the case can tell exactly which mapping produced its events.
func (m *Ingester) SHA256() string { return m.sum }

// Ingest implements ingest.Ingester.
func (m *Ingester) Ingest(ctx context.Context, src *ingest.Source, emit ingest.Emitter) error {
	emit.Note(fmt.Sprintf("read with mapping %s %s from %s (sha256 %s)", m.name, m.version, m.origin, m.sum))
	if m.p.csv {
		return m.ingestCSV(ctx, src, emit)
	}
	return m.ingestJSON(ctx, src, emit)
}
