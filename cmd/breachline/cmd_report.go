package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/report"
	"github.com/breachline/breachline/report/breach"
	"github.com/breachline/breachline/report/breach/render"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/timeline"
)

var reportCommand = &command{
	name:    "report",
	summary: "Write a regulator-ready breach report: GDPR Art. 33 or 34, or a NIS2 stage, as Markdown, HTML, PDF or JSON facts",
	usage:   "--regime gdpr-art33|gdpr-art34|nis2 [--stage S] --format md|html|pdf|json --out PATH [--diff-from REPORT-ID] [--force] | --list",
	example: `breachline report --case acme.db --regime gdpr-art33 --format pdf --out art33.pdf
breachline report --case acme.db --regime gdpr-art33 --format json --out art33-facts.json
breachline report --case acme.db --regime nis2 --stage early-warning --format html --out nis2-ew.html
breachline report --case acme.db --regime gdpr-art33 --format pdf --out art33-update.pdf --diff-from 3f2a9c1e
breachline report --case acme.db --list`,
	about: `Every value in a report is either derived from the evidence (each fact in the JSON form names
the findings and events it rests on, the rule or query, and the evidence coverage it depends
on) or entered by a person with breachline case set/import; the report says which. A value
that must be entered and was not reads "TO BE COMPLETED: …" and is listed first under "Open
items before filing". Proven and possible bounds are kept apart: a possibly-misused credential
is never counted as misused.

Regimes: gdpr-art33 (notification to the supervisory authority, Art. 33(3)(a)-(d), the 72-hour
deadline from awareness, the phase of Art. 33(4) from the profile's stage, the Art. 33(5)
record); gdpr-art34 (plain-language notice to the people affected); nis2 with --stage
early-warning (24 h), notification (72 h) or final (one month).

The generation time is the case's last change (its custody entry), never the clock: the same
case gives byte-identical reports. The file is written under a temporary name and renamed into
place; the report is recorded in the case (id, regime, stage, sha256, and its facts) and in
the custody log. --diff-from adds the changes since a recorded report; --list lists them.
See docs/reporting.md.`,
	new: func() runner { return &reportCmd{} },
}

type reportCmd struct {
	regime, stage, format, out, diffFrom string
	force, list                          bool
}

func (c *reportCmd) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.regime, "regime", "", "regime: "+strings.Join(breach.Regimes, ", "))
	fs.StringVar(&c.stage, "stage", "", "NIS2 stage: "+strings.Join(breach.NIS2Stages, ", ")+" (GDPR reports take the profile's stage)")
	fs.StringVar(&c.format, "format", "", "output format: "+strings.Join(render.Formats, ", ")+" (default: from --out's extension)")
	fs.StringVarP(&c.out, "out", "o", "", "output file")
	fs.StringVar(&c.diffFrom, "diff-from", "", "add the changes since this recorded report (an id from --list)")
	fs.BoolVar(&c.force, "force", false, "replace an existing output")
	fs.BoolVar(&c.list, "list", false, "list the reports recorded in the case")
}

func (c *reportCmd) check(args []string) error {
	if len(args) > 0 {
		return usagef("report takes no arguments (say --out PATH)")
	}
	if c.list {
		if c.regime != "" || c.out != "" || c.diffFrom != "" {
			return usagef("--list takes no other flag")
		}
		return nil
	}
	if c.regime == "" {
		return usagef("say which regime with --regime (%s)", strings.Join(breach.Regimes, ", "))
	}
	if !slices.Contains(breach.Regimes, c.regime) {
		return usagef("--regime: unknown regime %q (known: %s)", c.regime, strings.Join(breach.Regimes, ", "))
	}
	switch {
	case c.regime == "nis2" && c.stage == "":
		return usagef("a nis2 report needs --stage (%s)", strings.Join(breach.NIS2Stages, ", "))
	case c.regime == "nis2" && !slices.Contains(breach.NIS2Stages, c.stage):
		return usagef("--stage: unknown NIS2 stage %q (known: %s)", c.stage, strings.Join(breach.NIS2Stages, ", "))
	case c.regime != "nis2" && c.stage != "":
		return usagef("--stage is for nis2; a GDPR report's phase is the profile's stage (breachline case set stage=initial|update|final)")
	}
	if c.out == "" {
		return usagef("say where to write with --out PATH")
	}
	if c.format == "" {
		c.format = strings.TrimPrefix(filepath.Ext(c.out), ".")
		if c.format == "markdown" {
			c.format = "md"
		}
		if !slices.Contains(render.Formats, c.format) {
			return usagef("say which format with --format (%s)", strings.Join(render.Formats, ", "))
		}
	}
	if !slices.Contains(render.Formats, c.format) {
		return usagef("--format: unknown format %q (known: %s)", c.format, strings.Join(render.Formats, ", "))
	}
	if err := export.Check(c.out, c.force); err != nil {
		return usageError{err}
	}
	return nil
}

// reportFile adapts a rendered report to export.Write, which writes it under a temporary name
// and renames it into place.
type reportFile struct {
	format string
	rec    *breach.Record
}

func (f *reportFile) Name() string    { return f.format }
func (f *reportFile) Summary() string { return "breach report" }
func (f *reportFile) Write(_ context.Context, path string, _ *export.Request) error {
	out, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if err := render.Write(out, f.format, f.rec); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func (c *reportCmd) run(ctx context.Context, e *env, _ []string) error {
	if c.list {
		return c.listReports(ctx, e)
	}
	cs, err := e.openCaseForWriting(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	rec, err := breach.Build(ctx, cs, version(), c.regime, c.stage)
	if err != nil {
		return err
	}
	if c.diffFrom != "" {
		prev, err := cs.Report(ctx, c.diffFrom)
		if err != nil {
			return usageError{err}
		}
		rec.Report.DiffFrom = prev.ID
		if rec.Report.Changes, err = breach.Diff(prev.Facts, rec); err != nil {
			return err
		}
	}
	facts, err := rec.JSON()
	if err != nil {
		return err
	}
	res, err := export.Write(ctx, &reportFile{format: c.format, rec: rec}, c.out, c.force, &export.Request{})
	if err != nil {
		if errors.Is(err, export.ErrExists) {
			return usageError{err}
		}
		return err
	}
	sum := sha256.Sum256(facts)
	r := timeline.ReportRecord{ID: res.SHA256[:16], Regime: c.regime, Stage: rec.Report.Stage, Format: c.format, Out: c.out,
		SHA256: res.SHA256, AsOf: rec.Case.AsOf, AsOfSeq: rec.Case.AsOfSeq, DiffFrom: rec.Report.DiffFrom, Facts: facts}
	if _, err := cs.RecordReport(ctx, e.actor(), r, hex.EncodeToString(sum[:])); err != nil {
		return fmt.Errorf("%s was written but recording it in the case failed: %w", c.out, err)
	}
	e.note("wrote %s report %s to %s (sha256 %s); %d open item(s) before filing", c.regime, r.ID, c.out, res.SHA256, len(rec.Report.OpenItems))
	fmt.Fprintln(e.stdout, c.out)
	return nil
}

func (c *reportCmd) listReports(ctx context.Context, e *env) error {
	cs, err := e.openCase(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	reports, err := cs.Reports(ctx)
	if err != nil {
		return err
	}
	t := report.NewTable(e.stdout, "ID", "REGIME", "STAGE", "FORMAT", "AS OF", "CUSTODY", "SHA256", "OUT")
	t.MaxCell = 0 // hashes stay whole
	t.FreeText(7)
	for _, r := range reports {
		t.Row(r.ID, r.Regime, orDash(r.Stage), r.Format, r.AsOf, fmt.Sprint(r.Seq), r.SHA256, r.Out)
	}
	return t.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
