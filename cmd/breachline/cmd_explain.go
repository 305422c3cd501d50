package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report"
	"github.com/breachline/breachline/timeline"
	"github.com/breachline/breachline/timeline/correlate"
)

var explainCommand = &command{
	name:    "explain",
	summary: "Show a finding as a small timeline of its cited events, each with its original record",
	usage:   "[--evidence-root DIR] [--no-records] FINDING-ID",
	example: `breachline findings --case acme.db
breachline explain --case acme.db 044faf883270be66d39eda14191dd05c`,
	about: `The cited events (the read, the uses, the revocation…) are listed in time order; below the
list, each event's original record is read back from its evidence file after re-verifying the
file's sha256, as breachline show does.`,
	new: func() runner { return &explainCmd{} },
}

type explainCmd struct {
	root      string
	noRecords bool
}

func (c *explainCmd) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.root, "evidence-root", "", "directory that relative evidence paths are under")
	fs.BoolVar(&c.noRecords, "no-records", false, "list the events without their original records")
}

func (c *explainCmd) check(args []string) error {
	if len(args) != 1 {
		return usagef("name one finding id")
	}
	return nil
}

func (c *explainCmd) run(ctx context.Context, e *env, args []string) error {
	cs, err := e.openCase(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	f, err := correlate.FindingByID(ctx, cs.DB(), args[0])
	if err != nil {
		return err
	}
	w := e.stdout
	fmt.Fprintf(w, "%s  %s  %s\n%s\n", strings.ToUpper(f.Severity), f.Rule, f.Time, normalize.Printable(f.Summary))
	for _, kv := range [][2]string{{"credential", deref(f.Credential)}, {"secret", deref(f.SecretRef)}, {"owner", deref(f.Owner)}, {"address", deref(f.SrcIP)}} {
		if kv[1] != "" {
			fmt.Fprintf(w, "  %-11s %s\n", kv[0]+":", normalize.Printable(kv[1]))
		}
	}
	if len(f.Events) == 0 {
		fmt.Fprintln(w, "\nThis finding cites no events: it is about what the evidence does not contain.")
		return nil
	}
	var events []*normalize.Event
	if err := cs.Events(ctx, timeline.Filter{IDs: f.Events}, func(ev *normalize.Event) error {
		events = append(events, ev)
		return nil
	}); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%d cited events:\n", len(events))
	ew := report.NewEventWriter(w, report.Table)
	for _, ev := range events {
		if err := ew.Write(ev); err != nil {
			return err
		}
	}
	if err := ew.Close(); err != nil {
		return err
	}
	if c.noRecords {
		return nil
	}
	for _, ev := range events {
		fmt.Fprintf(w, "\n== %s %s %s %s (%s@%d)\n", normalize.FormatTime(ev.Time), ev.Source, ev.Action, ev.ID,
			normalize.Printable(ev.EvidencePath), ev.Offset)
		path := ev.EvidencePath
		if c.root != "" && !filepath.IsAbs(path) {
			path = filepath.Join(c.root, path)
		}
		rec, err := ingest.Original(path, ev.EvidenceSHA256, ev.Offset, ev.Length)
		if err != nil {
			fmt.Fprintf(w, "(original record not shown: %v)\n", err)
			continue
		}
		if sha256Hex(rec) != ev.RawSHA256 {
			fmt.Fprintf(w, "(original record not shown: the bytes at the offset no longer hash to the event's raw_sha256)\n")
			continue
		}
		fmt.Fprintln(w, normalize.PrintableText(normalize.CleanString(string(rec))))
	}
	return nil
}
