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
	usage:   "[--window-start T] [--window-end T] [--gap DURATION]",
	example: `breachline correlate --case acme.db --window-start 2026-03-03 --window-end 2026-03-05
breachline findings --case acme.db`,
	about: `Runs the correlation rules (docs/correlation.md) over the events, the inventory and the
indicators, and replaces the results: exposures, credential uses, findings, the credential
summary and source coverage. Without a window the whole evidence span is the window and there is
no baseline before it. The custody log records the rule versions, the window and a hash of the
results; the same inputs always give the same results.`,
	new: func() runner { return &correlateCmd{gap: 4 * time.Hour} },
}

type correlateCmd struct {
	start, end string
	gap        time.Duration
	opt        correlate.Options
}

func (c *correlateCmd) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.start, "window-start", "", "start of the incident window (RFC 3339 or UTC date)")
	fs.StringVar(&c.end, "window-end", "", "end of the incident window (exclusive)")
	fs.DurationVar(&c.gap, "gap", c.gap, "report sources silent for longer than this inside the window (at least 1h)")
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
	return nil
}

func (c *correlateCmd) run(ctx context.Context, e *env, _ []string) error {
	cs, err := e.openCaseForWriting(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	res, err := correlate.Run(ctx, cs, e.actor(), c.opt)
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
