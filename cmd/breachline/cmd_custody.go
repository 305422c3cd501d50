package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report"
	"github.com/breachline/breachline/timeline"
)

var custodyCommand = &command{
	name:    "custody",
	summary: "Print the case's custody log and verify its hash chain",
	usage:   "[--format table|jsonl|csv] [--deep] [--head]",
	example: "breachline custody --case acme.db --deep\nbreachline custody --case acme.db --format jsonl > custody.jsonl\nbreachline custody --case acme.db --head   # the chain's head hash, to keep outside the case",
	about: `Every change to the case appends an entry: sequence number, UTC time, examiner, action,
the command line, hashes of what was touched, and a hash over all of it and the previous entry's
hash. The chain is verified every time it is printed; a broken chain exits 1 naming the first
broken entry.

Each ingest entry records rows_sha256, the content hash of the events and rejects it stored.
--deep recomputes it for every evidence file from the rows the case holds now, so a row updated,
deleted or added after the ingest is found (exit 1, naming the evidence file). --head prints only
the head hash: written down, sent to counsel or signed in a bundle, it anchors the chain outside
the case file, since whoever can rewrite the file can rewrite a whole chain.`,
	new: func() runner { return &custodyCmd{} },
}

type custodyCmd struct {
	out        formatFlag
	deep, head bool
}

func (c *custodyCmd) AddFlags(fs *pflag.FlagSet) {
	c.out.AddFlags(fs)
	fs.BoolVar(&c.deep, "deep", false, "also recompute every evidence file's rows_sha256 from the stored rows")
	fs.BoolVar(&c.head, "head", false, "print only the verified chain's head hash")
}

func (c *custodyCmd) check(args []string) error {
	if len(args) > 0 {
		return usagef("custody takes no arguments")
	}
	return c.out.check()
}

func (c *custodyCmd) run(ctx context.Context, e *env, _ []string) error {
	cs, err := e.openCase(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	entries, err := cs.Custody(ctx)
	if err != nil {
		return err
	}
	if c.head {
		if err := timeline.VerifyChain(entries); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, head(entries))
		return c.verifyRows(ctx, e, cs)
	}
	out := report.NewRecords(e.stdout, c.out.get(),
		[]string{"SEQ", "TIME", "EXAMINER", "ACTION", "OBJECTS", "HASH"},
		[]string{"seq", "time", "examiner", "action", "args", "objects", "prev_hash", "hash"})
	if t := out.Table(); t != nil {
		t.MaxCell = 90
	}
	out.FreeText(4) // the objects shorten to fit a terminal; hashes and times stay whole
	for _, en := range entries {
		args, _ := json.Marshal(en.Args)
		objs, _ := json.Marshal(en.Objects)
		seq := strconv.FormatInt(en.Seq, 10)
		if err := out.Write(
			[]string{seq, en.Time, en.Examiner, en.Action, summarize(en.Objects), en.Hash[:16]},
			[]string{seq, en.Time, en.Examiner, en.Action, string(args), string(objs), en.PrevHash, en.Hash},
			en); err != nil {
			return err
		}
	}
	if err := out.Close(); err != nil {
		return err
	}
	if err := timeline.VerifyChain(entries); err != nil {
		return err
	}
	e.note("custody chain verified: %d entries, head %s", len(entries), head(entries))
	return c.verifyRows(ctx, e, cs)
}

// verifyRows is --deep: every evidence file's rows against the content hash its custody entry
// recorded.
func (c *custodyCmd) verifyRows(ctx context.Context, e *env, cs *timeline.Case) error {
	if !c.deep {
		return nil
	}
	checks, err := cs.VerifyRows(ctx)
	if err != nil {
		return err
	}
	var events, rejects int64
	bad := 0
	for _, rc := range checks {
		events += rc.Events
		rejects += rc.Rejects
		if rc.Problem == "" {
			continue
		}
		bad++
		if rc.EvidenceID == 0 {
			fmt.Fprintf(e.stderr, "rows: %s\n", rc.Problem)
			continue
		}
		fmt.Fprintf(e.stderr, "rows of %s (sha256 %s, version %d): %s\n", normalize.Printable(rc.Path), rc.SHA256, rc.Version, rc.Problem)
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d evidence files' rows do not match their custody entries", bad, len(checks))
	}
	e.note("rows verified: %d evidence files, %d events, %d rejects match the content hashes recorded at ingest", len(checks), events, rejects)
	return nil
}

func head(entries []timeline.CustodyEntry) string {
	if len(entries) == 0 {
		return "(empty)"
	}
	return entries[len(entries)-1].Hash
}

func summarize(objects map[string]string) string {
	keys := make([]string, 0, len(objects))
	for k := range objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		v := objects[k]
		if len(v) == 64 {
			v = v[:12]
		}
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, " ")
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
