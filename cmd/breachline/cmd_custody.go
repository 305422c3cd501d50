package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/report"
	"github.com/breachline/breachline/timeline"
)

var custodyCommand = &command{
	name:    "custody",
	summary: "Print the case's custody log and verify its hash chain",
	usage:   "[--format table|jsonl|csv]",
	example: "breachline custody --case acme.db\nbreachline custody --case acme.db --format jsonl > custody.jsonl",
	about: `Every change to the case appends an entry: sequence number, UTC time, examiner, action,
the command line, hashes of what was touched, and a hash over all of it and the previous entry's
hash. The chain is verified every time it is printed; a broken chain exits 1 naming the first
broken entry.`,
	new: func() runner { return &custodyCmd{} },
}

type custodyCmd struct{ out formatFlag }

func (c *custodyCmd) AddFlags(fs *pflag.FlagSet) { c.out.AddFlags(fs) }

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
	out := report.NewRecords(e.stdout, c.out.get(),
		[]string{"SEQ", "TIME", "EXAMINER", "ACTION", "OBJECTS", "HASH"},
		[]string{"seq", "time", "examiner", "action", "args", "objects", "prev_hash", "hash"})
	if t := out.Table(); t != nil {
		t.MaxCell = 90
	}
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
