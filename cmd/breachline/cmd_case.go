package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/report"
	"github.com/breachline/breachline/report/breach"
)

var caseCommand = &command{
	name:    "case",
	summary: "Enter, import or show the case profile: what only a person can say about the breach",
	usage:   "set KEY=VALUE... | import PROFILE.yaml | show [--format table|jsonl|csv]",
	example: `breachline case set --case acme.db controller_name="ACME Spaces GmbH" awareness_time=2026-03-04T07:30:00Z
breachline case import --case acme.db samples/incident/profile.yaml
breachline case show --case acme.db`,
	about: `The case profile holds what the evidence cannot show and a report must say: the controller,
the authority, the contact point, the time of awareness and its basis, the narrative, the likely
consequences, the measures, the advice to individuals, the report stage. Reports never fill
these in: a missing one reads "TO BE COMPLETED: …" and is listed under "Open items before
filing". Keys:
` + profileKeyList() + `
set takes KEY=VALUE pairs (an empty VALUE removes the key); import reads a YAML mapping of the
same keys (keys not in the file are left as they are). Each set or import is one custody entry
recording the sha256 of every value entered. show lists the profile and, for each regime, what
is still missing. See docs/reporting.md.`,
	new: func() runner { return &caseCmd{} },
}

func profileKeyList() string {
	var b strings.Builder
	for _, k := range breach.ProfileKeys {
		fmt.Fprintf(&b, "  %-25s %s\n", k.Name, k.What)
	}
	return b.String()
}

type caseCmd struct {
	out    formatFlag
	values map[string]string
}

func (c *caseCmd) AddFlags(fs *pflag.FlagSet) { c.out.AddFlags(fs) }

func (c *caseCmd) check(args []string) error {
	if len(args) == 0 {
		return usagef("say set KEY=VALUE..., import FILE or show")
	}
	switch args[0] {
	case "set":
		if len(args) < 2 {
			return usagef("case set needs at least one KEY=VALUE")
		}
		c.values = map[string]string{}
		for _, a := range args[1:] {
			k, v, ok := strings.Cut(a, "=")
			if !ok {
				return usagef("%q: say KEY=VALUE (an empty VALUE removes the key)", a)
			}
			if _, dup := c.values[k]; dup {
				return usagef("%s given twice", k)
			}
			v = strings.TrimSpace(v)
			if err := breach.CheckValue(k, v); err != nil {
				return usageError{err}
			}
			c.values[k] = v
		}
	case "import":
		if len(args) != 2 {
			return usagef("case import takes one profile file")
		}
	case "show":
		if len(args) > 1 {
			return usagef("case show takes no arguments")
		}
	default:
		return usagef("unknown case action %q (set, import, show)", args[0])
	}
	return c.out.check()
}

func (c *caseCmd) run(ctx context.Context, e *env, args []string) error {
	switch args[0] {
	case "set":
		return c.store(ctx, e, "case-set", c.values, nil)
	case "import":
		b, err := os.ReadFile(args[1])
		if err != nil {
			return err
		}
		values, err := breach.ParseProfileYAML(b)
		if err != nil {
			return usagef("%s: %v", args[1], err)
		}
		if len(values) == 0 {
			return usagef("%s: no profile key in the file", args[1])
		}
		sum := sha256.Sum256(b)
		return c.store(ctx, e, "case-import", values, map[string]string{"file " + args[1]: hex.EncodeToString(sum[:])})
	}
	return c.show(ctx, e)
}

func (c *caseCmd) store(ctx context.Context, e *env, action string, values, objects map[string]string) error {
	cs, err := e.openCaseForWriting(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	entry, err := cs.SetProfile(ctx, e.actor(), action, values, objects)
	if err != nil {
		return err
	}
	var set, removed []string
	for _, k := range breach.SortedKeys(values) {
		if values[k] == "" {
			removed = append(removed, k)
		} else {
			set = append(set, k)
		}
	}
	if len(set) > 0 {
		fmt.Fprintf(e.stdout, "set %s\n", strings.Join(set, ", "))
	}
	if len(removed) > 0 {
		fmt.Fprintf(e.stdout, "removed %s\n", strings.Join(removed, ", "))
	}
	e.note("custody entry %d", entry.Seq)
	return nil
}

// regimeStages are the reports case show says what is missing for.
var regimeStages = [][2]string{{"gdpr-art33", ""}, {"gdpr-art34", ""}, {"nis2", "early-warning"}, {"nis2", "notification"}, {"nis2", "final"}}

func regimeName(rs [2]string) string {
	if rs[1] == "" {
		return rs[0]
	}
	return rs[0] + "/" + rs[1]
}

func (c *caseCmd) show(ctx context.Context, e *env) error {
	cs, err := e.openCase(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	profile, err := cs.Profile(ctx)
	if err != nil {
		return err
	}
	entries, err := cs.Custody(ctx)
	if err != nil {
		return err
	}
	asOf, _ := breach.AsOf(entries)
	missing := map[string][]string{}
	for _, rs := range regimeStages {
		d := breach.DeadlineOf(profile, rs[0], rs[1], asOf)
		missing[regimeName(rs)] = breach.Missing(profile, rs[0], rs[1], d != nil && d.Status == "late")
	}
	type row struct {
		Key        string   `json:"key"`
		Value      *string  `json:"value"`
		MissingFor []string `json:"missing_for"`
	}
	out := report.NewRecords(e.stdout, c.out.get(), []string{"KEY", "VALUE", "MISSING FOR"}, []string{"key", "value", "missing_for"})
	out.FreeText(1)
	if t := out.Table(); t != nil {
		t.MaxCell = 0 // the regimes a key is missing for are not cut; a long value is, to the terminal's width
	}
	for _, k := range breach.KeyNames() {
		r := row{Key: k, MissingFor: []string{}}
		shown := "-"
		if v, ok := profile[k]; ok {
			r.Value = &v
			shown = strings.Join(strings.Fields(v), " ")
		}
		for _, rs := range regimeStages {
			if slices.Contains(missing[regimeName(rs)], k) {
				r.MissingFor = append(r.MissingFor, regimeName(rs))
			}
		}
		csvValue := ""
		if r.Value != nil {
			csvValue = *r.Value
		}
		if err := out.Write([]string{k, shown, strings.Join(r.MissingFor, " ")},
			[]string{k, csvValue, strings.Join(r.MissingFor, ";")}, r); err != nil {
			return err
		}
	}
	if err := out.Close(); err != nil {
		return err
	}
	if c.out.get() == report.Table {
		fmt.Fprintln(e.stdout)
		for _, rs := range regimeStages {
			m := missing[regimeName(rs)]
			if len(m) == 0 {
				fmt.Fprintf(e.stdout, "%-18s complete\n", regimeName(rs))
			} else {
				fmt.Fprintf(e.stdout, "%-18s %d missing: %s\n", regimeName(rs), len(m), strings.Join(m, ", "))
			}
		}
	}
	return nil
}
