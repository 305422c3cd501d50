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
	out                                  formatFlag
	since, until                         string
	sources, categories                  []string
	principal, ip, credential, secretRef string
	contains                             string
	limit                                int
	filter                               timeline.Filter
}

func (c *timelineCmd) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.since, "since", "", "events at or after this time")
	fs.StringVar(&c.until, "until", "", "events before this time")
	fs.StringSliceVar(&c.sources, "source", nil, "only these sources (aws-cloudtrail, access-log, …)")
	fs.StringSliceVar(&c.categories, "category", nil, "only these categories (secret_read, auth, …)")
	fs.StringVar(&c.principal, "principal", "", "only this principal (exact)")
	fs.StringVar(&c.ip, "ip", "", "only this source IP or CIDR prefix")
	fs.StringVar(&c.credential, "credential", "", "only this credential handle (scheme:value)")
	fs.StringVar(&c.secretRef, "secret", "", "only this secret reference (e.g. aws-sm:prod/db)")
	fs.StringVar(&c.contains, "contains", "", "case-insensitive text in action, principal, resource, user agent, secret, request id or attrs")
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
	f := timeline.Filter{Principal: c.principal, IP: c.ip, Credential: c.credential, SecretRef: c.secretRef,
		Contains: c.contains, Sources: c.sources, Categories: c.categories}
	var err error
	if f.Since, err = parseWhen("--since", c.since); err != nil {
		return err
	}
	if f.Until, err = parseWhen("--until", c.until); err != nil {
		return err
	}
	for _, cat := range c.categories {
		if !normalize.Category(cat).Valid() {
			return usagef("--category: unknown category %q (known: %s)", cat, categoryNames())
		}
	}
	if c.credential != "" {
		if err := normalize.CheckHandle(c.credential); err != nil {
			return usagef("--credential: %v (handles look like aws-key-id:AKIA… or case-hmac:<64 hex>; a sha256:<64 hex> of the raw value is turned into the case's handle)", err)
		}
	}
	c.filter = f
	return nil
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
	if err := checkSources(ctx, cs, c.sources); err != nil {
		return err
	}
	f := c.filter
	// A sha256 of the raw value (from a platform's records, say) names the same credential as
	// the case's keyed handle of it.
	f.Credential = e.key.Keyed(f.Credential)
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
