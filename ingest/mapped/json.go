package mapped

import (
	"context"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/internal/jsonrec"
	"github.com/breachline/breachline/normalize"
)

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
