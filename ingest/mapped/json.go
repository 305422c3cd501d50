package mapped

import (
	"context"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/internal/jsonrec"
	"github.com/breachline/breachline/ingest/internal/linerec"
	"github.com/breachline/breachline/normalize"
)

// SplitLines implements ingest.LineSplitter for a JSON mapping: a record is read against the plan
// alone, so a file of JSON lines may be cut before any line that is one whole record (and names
// none of the mapping's wrapper keys). The note every piece gives is the same, and kept once. A
// CSV file is never cut: a quoted field may hold a newline, and rows need the header.
func (m *Ingester) SplitLines(head []byte) func(line []byte) bool {
	if m.p.csv {
		return nil
	}
	return linerec.JSONLines(head, m.p.wrappers...)
}

// ingestJSON reads JSON records in any container jsonrec walks: one event or one reject each.
func (m *Ingester) ingestJSON(ctx context.Context, src *ingest.Source, emit ingest.Emitter) error {
	sc := jsonrec.New(src, src.MaxRecord, m.p.wrappers...)
	js := newJSONScan(m.p.trie, m.p.slots)
	attrs := make(map[string]any, len(m.p.attrs)+1)
	var ev normalize.Event
	for sc.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := sc.Record()
		if why := sc.Bad(); why != "" {
			emit.Reject(rec, why)
			continue
		}
		if err := js.scan(rec.Raw); err != nil {
			emit.Reject(rec, err.Error())
			continue
		}
		if err := m.p.build(js, src.AssumeTZ, src.Key, &ev, attrs); err != nil {
			emit.Reject(rec, err.Error())
			continue
		}
		emit.Event(rec, &ev)
	}
	return sc.Err()
}
