package main

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report"
	"github.com/breachline/breachline/timeline"
)

var timelineCommand = &command{
	name:    "timeline",
	summary: "Print events in time order, filtered",
	usage:   "[filters] [--format table|jsonl|csv] [--limit N]",
	example: `breachline timeline --case acme.db --category secret_read --since 2026-03-02
breachline timeline --case acme.db --ip 203.0.113.0/24 --format jsonl > attacker.jsonl
breachline timeline --case acme.db --credential aws-key-id:AKIAEXAMPLEDEPLOY001 --format csv`,
	about: `Times are UTC. --since is inclusive, --until exclusive; both take RFC 3339
(2026-03-02T10:00:00Z, 2026-03-02T12:00:00+02:00) or a UTC date or minute (2026-03-02,
2026-03-02T10:00). Filters combine with AND; --source and --category take several values.

The table shows the first 100 events unless --limit says otherwise; jsonl and csv print every
matching event unless --limit is given.`,
	new: func() runner { return &timelineCmd{} },
}

type timelineCmd struct {
	out     formatFlag
	filters filterFlags
	limit   int
	filter  timeline.Filter
}

func (c *timelineCmd) AddFlags(fs *pflag.FlagSet) {
	c.filters.AddFlags(fs)
	fs.IntVar(&c.limit, "limit", -1, "at most this many events (default: 100 for table, all for jsonl/csv)")
	c.out.AddFlags(fs)
}

func (c *timelineCmd) check(args []string) error {
	if len(args) > 0 {
		return usagef("timeline takes no arguments (filters are flags)")
	}
	if err := c.out.check(); err != nil {
		return err
	}
	var err error
	c.filter, err = c.filters.filter()
	return err
}

func categoryNames() string {
	names := make([]string, len(normalize.Categories))
	for i, c := range normalize.Categories {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// checkSources refuses a --source that names no source: a typo would otherwise print an empty
// timeline that reads as "nothing happened". The known sources are the formats breachline reads
// and those of the case's evidence, which include the names of mapping files (ingest --mapping).
func checkSources(ctx context.Context, cs *timeline.Case, sources []string) error {
	if len(sources) == 0 {
		return nil
	}
	known := map[string]bool{}
	for _, ing := range all.Ingesters() {
		known[ing.Name()] = true
	}
	caseRead := false
	for _, s := range sources {
		if known[s] {
			continue
		}
		if !caseRead { // a mapping's own source name is known from the evidence it read
			rows, err := cs.Evidence(ctx)
			if err != nil {
				return err
			}
			for _, r := range rows {
				if r.Format != "" {
					known[r.Format] = true
				}
			}
			caseRead = true
		}
		if !known[s] {
			return usagef("--source: unknown source %q (known: %s)", s, strings.Join(slices.Sorted(maps.Keys(known)), ", "))
		}
	}
	return nil
}

// parseWhen reads a --since/--until value.
func parseWhen(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, usagef("%s %q: use RFC 3339 (2026-03-02T10:00:00Z) or a UTC date (2026-03-02)", flag, s)
}

func (c *timelineCmd) run(ctx context.Context, e *env, _ []string) error {
	cs, err := e.openCase(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	f, err := c.filters.forCase(ctx, e, cs, c.filter)
	if err != nil {
		return err
	}
	format := c.out.get()
	f.Limit = c.limit
	if f.Limit < 0 {
		f.Limit = 0
		if format == report.Table {
			f.Limit = 100
		}
	}
	w := report.NewEventWriter(e.stdout, format)
	shown := 0
	if err := cs.Events(ctx, f, func(ev *normalize.Event) error { shown++; return w.Write(ev) }); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if format == report.Table && f.Limit > 0 && shown == f.Limit {
		if n, err := cs.CountEvents(ctx, f); err == nil && n > int64(shown) {
			e.note("showing %d of %d events; use --limit 0 or --format jsonl for all", shown, n)
		}
	}
	if shown == 0 {
		e.note("no events match")
	}
	return nil
}
