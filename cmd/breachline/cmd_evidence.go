package main

import (
	"context"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report"
	"github.com/breachline/breachline/timeline"
)

var evidenceCommand = &command{
	name:    "evidence",
	summary: "List the case's evidence files with hashes, counts, time span and rejects",
	usage:   "[--format table|jsonl|csv]",
	example: "breachline evidence --case acme.db\nbreachline evidence --case acme.db --format jsonl",
	new:     func() runner { return &evidenceCmd{} },
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
}

func toEvidenceJSON(r *timeline.EvidenceRow) evidenceJSON {
	j := evidenceJSON{Path: r.Path, SHA256: r.SHA256, Size: r.Size, Compression: r.Compression,
		DecompressedSize: r.DecompressedSize, Format: r.Format, Parser: r.Parser, Records: r.Records,
		Events: r.Events, Rejects: r.Rejects, Complete: r.Complete, Notes: r.Notes,
		IngestedAt: r.IngestedAt, Examiner: r.Examiner}
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
		[]string{"PATH", "FORMAT", "SHA256", "SIZE", "EVENTS", "REJECTS", "FIRST EVENT", "LAST EVENT", "COMPLETE"},
		[]string{"path", "sha256", "size", "compression", "format", "parser", "first_event", "last_event", "records",
			"events", "rejects", "complete"})
	if t := out.Table(); t != nil {
		t.MaxCell = 0
	}
	for i := range rows {
		j := toEvidenceJSON(&rows[i])
		size, events, rejects := strconv.FormatInt(j.Size, 10), strconv.FormatInt(j.Events, 10), strconv.FormatInt(j.Rejects, 10)
		err := out.Write(
			[]string{j.Path, j.Format, j.SHA256[:12], size, events, rejects, shortTime(j.FirstEvent), shortTime(j.LastEvent), yesNo(j.Complete)},
			[]string{j.Path, j.SHA256, size, j.Compression, j.Format, j.Parser, j.FirstEvent, j.LastEvent,
				strconv.FormatInt(j.Records, 10), events, rejects, strconv.FormatBool(j.Complete)},
			j)
		if err != nil {
			return err
		}
	}
	return out.Close()
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
