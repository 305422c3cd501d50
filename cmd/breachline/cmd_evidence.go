package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report"
	"github.com/breachline/breachline/timeline"
	"github.com/breachline/breachline/timeline/correlate"
)

var evidenceCommand = &command{
	name:    "evidence",
	summary: "List the case's evidence files with hashes, counts, time span and rejects",
	usage:   "[--format table|jsonl|csv]",
	example: "breachline evidence --case acme.db\nbreachline evidence --case acme.db --format jsonl",
	about: `Every version of every file is listed: a file parsed again with ingest --reparse has a newer
version, and the older one is marked superseded. Below the list, stderr says when the case holds
fewer or more events or rejects of a file than its ingest stored, and when a finding cites an
event the case no longer holds (breachline custody --deep checks every row).`,
	new: func() runner { return &evidenceCmd{} },
}

type evidenceCmd struct{ out formatFlag }

func (c *evidenceCmd) AddFlags(fs *pflag.FlagSet) { c.out.AddFlags(fs) }

func (c *evidenceCmd) check(args []string) error {
	if len(args) > 0 {
		return usagef("evidence takes no arguments")
	}
	return c.out.check()
}

// evidenceJSON is the machine form of an evidence file.
type evidenceJSON struct {
	Path             string   `json:"path"`
	SHA256           string   `json:"sha256"`
	Size             int64    `json:"size"`
	Compression      string   `json:"compression,omitempty"`
	DecompressedSize int64    `json:"decompressed_size"`
	Format           string   `json:"format"`
	Parser           string   `json:"parser"`
	FirstEvent       string   `json:"first_event,omitempty"`
	LastEvent        string   `json:"last_event,omitempty"`
	Records          int64    `json:"records"`
	Events           int64    `json:"events"`
	Rejects          int64    `json:"rejects"`
	Complete         bool     `json:"complete"`
	Notes            []string `json:"notes,omitempty"`
	IngestedAt       string   `json:"ingested_at"`
	Examiner         string   `json:"examiner"`
	// Added with evidence versions; the keys above are unchanged.
	Version      int64             `json:"version"`
	AbsPath      string            `json:"abs_path,omitempty"`
	Settings     map[string]string `json:"settings,omitempty"`
	RowsSHA256   string            `json:"rows_sha256"`
	SupersededBy int64             `json:"superseded_by,omitempty"`
}

func toEvidenceJSON(r *timeline.EvidenceRow) evidenceJSON {
	j := evidenceJSON{Path: r.Path, SHA256: r.SHA256, Size: r.Size, Compression: r.Compression,
		DecompressedSize: r.DecompressedSize, Format: r.Format, Parser: r.Parser, Records: r.Records,
		Events: r.Events, Rejects: r.Rejects, Complete: r.Complete, Notes: r.Notes,
		IngestedAt: r.IngestedAt, Examiner: r.Examiner, Version: r.Version, AbsPath: r.AbsPath, Settings: r.Settings,
		RowsSHA256: r.RowsSHA256, SupersededBy: r.SupersededBy}
	if !r.FirstEvent.IsZero() {
		j.FirstEvent, j.LastEvent = normalize.FormatTime(r.FirstEvent), normalize.FormatTime(r.LastEvent)
	}
	return j
}

func (c *evidenceCmd) run(ctx context.Context, e *env, _ []string) error {
	cs, err := e.openCase(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	rows, err := cs.Evidence(ctx)
	if err != nil {
		return err
	}
	out := report.NewRecords(e.stdout, c.out.get(),
		[]string{"PATH", "FORMAT", "SHA256", "SIZE", "EVENTS", "REJECTS", "FIRST EVENT", "LAST EVENT", "COMPLETE", "VERSION"},
		[]string{"path", "sha256", "size", "compression", "format", "parser", "first_event", "last_event", "records",
			"events", "rejects", "complete", "version", "superseded_by", "rows_sha256"})
	if t := out.Table(); t != nil {
		t.MaxCell = 0
	}
	for i := range rows {
		j := toEvidenceJSON(&rows[i])
		size, events, rejects := strconv.FormatInt(j.Size, 10), strconv.FormatInt(j.Events, 10), strconv.FormatInt(j.Rejects, 10)
		version := strconv.FormatInt(j.Version, 10)
		if j.SupersededBy != 0 {
			version += " (superseded)"
		}
		err := out.Write(
			[]string{j.Path, j.Format, j.SHA256[:12], size, events, rejects, shortTime(j.FirstEvent), shortTime(j.LastEvent), yesNo(j.Complete), version},
			[]string{j.Path, j.SHA256, size, j.Compression, j.Format, j.Parser, j.FirstEvent, j.LastEvent,
				strconv.FormatInt(j.Records, 10), events, rejects, strconv.FormatBool(j.Complete), strconv.FormatInt(j.Version, 10),
				strconv.FormatInt(j.SupersededBy, 10), j.RowsSHA256},
			j)
		if err != nil {
			return err
		}
	}
	if err := out.Close(); err != nil {
		return err
	}
	return c.warnMissing(ctx, e, cs, rows)
}

// warnMissing says on stderr what the case lacks of what was stored or cited. It is not a
// verification (custody --deep is), but it costs one pass and catches deleted rows.
func (c *evidenceCmd) warnMissing(ctx context.Context, e *env, cs *timeline.Case, rows []timeline.EvidenceRow) error {
	stored, err := cs.StoredCounts(ctx)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.SupersededBy != 0 {
			continue
		}
		if got := stored[r.SHA256]; got[0] != r.Events || got[1] != r.Rejects {
			fmt.Fprintf(e.stderr, "warning: %s: the case holds %d events and %d rejects of it, its ingest stored %d and %d (run breachline custody --deep)\n",
				normalize.Printable(r.Path), got[0], got[1], r.Events, r.Rejects)
		}
	}
	missing, err := correlate.MissingCitations(ctx, cs.DB())
	if err != nil {
		return err
	}
	for _, m := range missing {
		fmt.Fprintf(e.stderr, "warning: finding %s cites event %s, which is missing from the case (deleted, or superseded by a reparse: correlate again)\n", m.Finding, m.Event)
	}
	return nil
}

func shortTime(s string) string {
	if len(s) >= 19 {
		return s[:19] + "Z"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}
