package main

import (
	"context"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/report"
	"github.com/breachline/breachline/timeline/correlate"
)

var correlateCommand = &command{
	name:    "correlate",
	summary: "Find exposed secrets, misused and derived credentials, failed revocations and evidence gaps",
	usage:   "[--window-start T] [--window-end T] [--gap DURATION] [--engine sqlite|duckdb --lake DIR]",
	example: `breachline correlate --case acme.db --window-start 2026-03-03 --window-end 2026-03-05
breachline findings --case acme.db
breachline lake export --case acme.db --out acme-lake && breachline correlate --case acme.db --engine duckdb --lake acme-lake`,
	about: `Runs the correlation rules (docs/correlation.md) over the events, the inventory and the
indicators, and replaces the results: exposures, credential uses, findings, the credential
summary and source coverage. Without a window the whole evidence span is the window and there is
no baseline before it. The custody log records the rule versions, the window and a hash of the
results; the same inputs always give the same results.

--engine duckdb runs the same rules on DuckDB over the case's lake (breachline lake export; the
lake must show the case as it is now) and stores the results in the case, so findings,
credentials and explain work as after SQLite: the same lake gives the same results sha256 on
both engines. It is in the binary built with "make build TAGS=duckdb" (docs/scale.md).`,
	new: func() runner { return &correlateCmd{gap: 4 * time.Hour} },
}

type correlateCmd struct {
	start, end   string
	gap          time.Duration
	engine, lake string
	opt          correlate.Options
}

func (c *correlateCmd) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.start, "window-start", "", "start of the incident window (RFC 3339 or UTC date)")
	fs.StringVar(&c.end, "window-end", "", "end of the incident window (exclusive)")
	fs.DurationVar(&c.gap, "gap", c.gap, "report sources silent for longer than this inside the window (at least 1h)")
	fs.StringVar(&c.engine, "engine", "sqlite", "where the rules run: sqlite (in the case) or duckdb (over --lake)")
	fs.StringVar(&c.lake, "lake", "", "with --engine duckdb: the case's lake (breachline lake export)")
}

func (c *correlateCmd) check(args []string) error {
	if len(args) > 0 {
		return usagef("correlate takes no arguments")
	}
	var err error
	if c.opt.WindowStart, err = parseWhen("--window-start", c.start); err != nil {
		return err
	}
	if c.opt.WindowEnd, err = parseWhen("--window-end", c.end); err != nil {
		return err
	}
	if !c.opt.WindowStart.IsZero() && !c.opt.WindowEnd.IsZero() && !c.opt.WindowStart.Before(c.opt.WindowEnd) {
		return usagef("--window-end must be after --window-start")
	}
	if c.gap < time.Hour {
		return usagef("--gap must be at least 1h")
	}
	c.opt.Gap = c.gap
	switch c.engine {
	case "sqlite":
		if c.lake != "" {
			return usagef("--lake is for --engine duckdb")
		}
	case "duckdb":
		if !duckdbBuilt {
			return usagef("this breachline was built without the DuckDB engine: build one with make build TAGS=duckdb (docs/scale.md)")
		}
		if c.lake == "" {
			return usagef("--engine duckdb needs --lake DIR (make one with breachline lake export)")
		}
	default:
		return usagef("--engine must be sqlite or duckdb, not %q", c.engine)
	}
	return nil
}

func (c *correlateCmd) run(ctx context.Context, e *env, _ []string) error {
	cs, err := e.openCaseForWriting(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	var res *correlate.Result
	if c.engine == "duckdb" {
		res, err = correlateOnLake(ctx, cs, e.actor(), c.opt, c.lake)
	} else {
		res, err = correlate.Run(ctx, cs, e.actor(), c.opt)
	}
	if err != nil {
		return err
	}
	t := report.NewTable(e.stdout, "RESULT", "COUNT")
	t.MaxCell = 80
	t.FreeText(0)
	t.Row("window", res.Window[0]+" – "+res.Window[1])
	t.Row("secret reads of inventory secrets", strconv.FormatInt(res.Exposures, 10))
	t.Row("uses of exposed credentials", strconv.FormatInt(res.Uses, 10))
	t.Row("findings", strconv.FormatInt(res.Findings, 10))
	t.Row("duplicate records counted once", strconv.FormatInt(res.Duplicates, 10))
	for _, s := range correlate.Statuses {
		t.Row("credentials "+s, strconv.FormatInt(res.Credentials[s], 10))
	}
	t.Row("results sha256", res.ResultsHash)
	if err := t.Flush(); err != nil {
		return err
	}
	e.note("see breachline findings and breachline credentials")
	return nil
}
