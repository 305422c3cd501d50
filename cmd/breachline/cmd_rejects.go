package main

import (
	"context"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report"
)

var rejectsCommand = &command{
	name:    "rejects",
	summary: "List records that could not become events, with their position and reason",
	usage:   "[--evidence PATH|SHA256] [--limit N] [--format table|jsonl|csv]",
	example: "breachline rejects --case acme.db\nbreachline rejects --case acme.db --evidence logs/access.log --format jsonl",
	new:     func() runner { return &rejectsCmd{} },
}

type rejectsCmd struct {
	out      formatFlag
	evidence string
	limit    int
}

func (c *rejectsCmd) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.evidence, "evidence", "", "only rejects of this evidence file (path as ingested, or sha256)")
	fs.IntVar(&c.limit, "limit", 0, "at most this many rejects (0: all)")
	c.out.AddFlags(fs)
}

func (c *rejectsCmd) check(args []string) error {
	if len(args) > 0 {
		return usagef("rejects takes no arguments (use --evidence)")
	}
	return c.out.check()
}

type rejectJSON struct {
	EvidenceSHA256 string `json:"evidence_sha256"`
	EvidencePath   string `json:"evidence_path"`
	Offset         int64  `json:"offset"`
	Length         int64  `json:"length"`
	Line           int64  `json:"line,omitempty"`
	Reason         string `json:"reason"`
	Snippet        string `json:"snippet"`
}

func (c *rejectsCmd) run(ctx context.Context, e *env, _ []string) error {
	cs, err := e.openCase(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	out := report.NewRecords(e.stdout, c.out.get(),
		[]string{"EVIDENCE", "LINE", "OFFSET", "LENGTH", "REASON", "SNIPPET"},
		[]string{"evidence_sha256", "evidence_path", "offset", "length", "line", "reason", "snippet"})
	out.FreeText(4, 5) // reason, snippet; the path stays whole, it is what --evidence takes
	err = cs.Rejects(ctx, c.evidence, c.limit, func(r *normalize.Reject) error {
		line := ""
		if r.Line > 0 {
			line = strconv.FormatInt(r.Line, 10)
		}
		off, n := strconv.FormatInt(r.Offset, 10), strconv.FormatInt(r.Length, 10)
		return out.Write(
			[]string{r.EvidencePath, line, off, n, r.Reason, r.Snippet},
			[]string{r.EvidenceSHA256, r.EvidencePath, off, n, line, r.Reason, r.Snippet},
			rejectJSON{r.EvidenceSHA256, r.EvidencePath, r.Offset, r.Length, r.Line, r.Reason, r.Snippet})
	})
	if err != nil {
		return err
	}
	return out.Close()
}
