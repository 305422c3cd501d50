package bundle

import (
	"bufio"
	"context"
	"io"
	"os"
	"sort"

	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/jsonlout"
	"github.com/breachline/breachline/timeline"
)

// WriteEvents writes the case's current events to w as JSON lines, the event model's keys
// (normalize.Event.AppendJSON), in the bundle's canonical order: time, then id. The case reads
// them in timeline order (time, evidence file, offset), so only the events of one instant are
// held at once, to be sorted by id. It returns the number of events.
func WriteEvents(ctx context.Context, c *timeline.Case, w io.Writer) (int64, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	type line struct {
		id   string
		json []byte
	}
	var group []line
	var groupNS int64
	var n int64
	flush := func() error {
		sort.Slice(group, func(i, j int) bool { return group[i].id < group[j].id })
		for _, l := range group {
			if _, err := bw.Write(l.json); err != nil {
				return err
			}
		}
		group = group[:0]
		return nil
	}
	err := c.EventsWhere(ctx, "1", nil, 0, func(e *normalize.Event) error {
		ns := e.Time.UnixNano()
		if len(group) > 0 && ns != groupNS {
			if err := flush(); err != nil {
				return err
			}
		}
		groupNS = ns
		group = append(group, line{e.ID, append(e.AppendJSON(nil), '\n')})
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	if err := flush(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// writeEventsFile is WriteEvents into a new file.
func writeEventsFile(ctx context.Context, c *timeline.Case, path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, err
	}
	n, err := WriteEvents(ctx, c, f)
	if err != nil {
		f.Close()
		return n, err
	}
	return n, f.Close()
}

// writeTable writes one of the export tables (findings, credentials, rejects) to path as the
// JSON lines `breachline export --to jsonl` writes, so that a bag's file and an export agree
// byte for byte.
func writeTable(ctx context.Context, c *timeline.Case, name, path string) error {
	t, err := export.CaseTables(c, timeline.Filter{})(name)
	if err != nil {
		return err
	}
	return jsonlout.Format{}.Write(ctx, path, &export.Request{Table: t})
}
