package main

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	about: `A finding about an inventory credential first says why the credential has its status: the
read its exposure rests on (proven by a suspicious read, or possible through consumers' reads
only) and what ties its novel uses to the intrusion, or that nothing does; so whether it is in
the proven bound (misused, exposed) or only in the upper one (possibly-misused,
possibly-exposed).

The cited events (the read, the uses, the revocation…) are listed in time order; below the
list, each event's original record is read back from its evidence file after re-verifying the
file's sha256, as breachline show does, with every credential value replaced by its handle.
Each evidence file is read once, however many of its events are cited.

Exits 1, after printing all it can, when a cited event is no longer in the case or an original
record cannot be shown (evidence moved, changed or truncated).`,
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
	if f.Credential != nil {
		b, err := correlate.CredentialBound(ctx, cs.DB(), *f.Credential)
		if err != nil {
			return err
		}
		if b != nil {
			fmt.Fprintf(w, "\nWhy %s:\n", b.Status)
			for _, why := range b.Why {
				fmt.Fprintf(w, "  - %s\n", normalize.Printable(why))
			}
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
	fmt.Fprintf(w, "\n%d cited events:\n", len(f.Events))
	ew := report.NewEventWriter(w, report.Table)
	for _, ev := range events {
		if err := ew.Write(ev); err != nil {
			return err
		}
	}
	if err := ew.Close(); err != nil {
		return err
	}
	missing := missingEvents(f.Events, events)
	for _, id := range missing {
		fmt.Fprintf(w, "cited event %s is missing from the case (deleted or altered after correlation)\n", normalize.Printable(id))
	}
	if len(f.Events) >= citationCap {
		fmt.Fprintf(w, "\nThe correlator cites at most the first %d events of each kind, and this finding cites %d:\n"+
			"later ones may be left out (breachline pivot lists them all).\n", citationCap, len(f.Events))
	}
	unshown := 0
	if !c.noRecords {
		unshown = c.printRecords(e, w, events)
	}
	var problems []string
	if n := len(missing); n > 0 {
		problems = append(problems, plural(n, "cited event is", "cited events are")+" missing from the case")
	}
	if unshown > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d original records could not be shown", unshown, len(events)))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// citationCap is how many events of one kind a finding cites at most: the LIMIT in the
// correlator's rules (timeline/correlate/rules/05_findings.sql). A finding whose list was cut
// says so at the end of its summary ("cites the first 500 of N uses"), which explain prints
// first; the findings table has no column for it, so reaching the cap is also noted here.
const citationCap = 500

// printRecords prints each event's original record, redacted, below a heading naming where it
// is, and returns how many could not be shown. Each evidence file is read and its hash verified
// once, for all the events cited from it.
func (c *explainCmd) printRecords(e *env, w io.Writer, events []*normalize.Event) (unshown int) {
	type file struct{ path, sha256 string }
	byFile := map[file][]int{}
	var files []file
	for i, ev := range events {
		k := file{evidenceFile(c.root, ev.EvidencePath), ev.EvidenceSHA256}
		if _, ok := byFile[k]; !ok {
			files = append(files, k)
		}
		byFile[k] = append(byFile[k], i)
	}
	recs := make([][]byte, len(events))
	why := make([]string, len(events))
	for _, k := range files {
		idx := byFile[k]
		spans := make([]ingest.Span, len(idx))
		for j, i := range idx {
			spans[j] = ingest.Span{Offset: events[i].Offset, Length: events[i].Length}
		}
		got, err := ingest.Originals(k.path, k.sha256, spans)
		for j, i := range idx {
			switch {
			case got == nil:
				why[i] = err.Error()
			case got[j] == nil:
				why[i] = fmt.Sprintf("evidence %s ends before the record at offset %d", k.path, spans[j].Offset)
			case sha256Hex(got[j]) != events[i].RawSHA256:
				why[i] = "the bytes at the offset no longer hash to the event's raw_sha256"
			default:
				recs[i] = got[j]
			}
		}
	}
	for i, ev := range events {
		fmt.Fprintf(w, "\n== %s %s %s %s (%s@%d)\n", normalize.FormatTime(ev.Time), ev.Source, normalize.Printable(ev.Action), ev.ID,
			normalize.Printable(ev.EvidencePath), ev.Offset)
		if recs[i] == nil {
			fmt.Fprintf(w, "(original record not shown: %s)\n", normalize.Printable(why[i]))
			unshown++
			continue
		}
		fmt.Fprintln(w, normalize.PrintableText(e.redactedRecord(recs[i])))
	}
	return unshown
}

// missingEvents returns the cited ids that no event in the case has, in citation order.
func missingEvents(cited []string, found []*normalize.Event) []string {
	have := make(map[string]bool, len(found))
	for _, ev := range found {
		have[ev.ID] = true
	}
	var missing []string
	for _, id := range cited {
		if !have[id] {
			missing = append(missing, id)
		}
	}
	return missing
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
