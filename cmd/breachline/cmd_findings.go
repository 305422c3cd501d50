package main

import (
	"context"
	"strings"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/report"
	"github.com/breachline/breachline/timeline/correlate"
)

var findingsCommand = &command{
	name:    "findings",
	summary: "List the correlator's findings, most severe first, each citing its events",
	usage:   "[--rule NAME] [--min-severity S] [--credential H] [--format table|jsonl|csv]",
	about: `Each finding names its rule as name@version. A possibly exposed credential used in a new way
that nothing ties to the intrusion (a travelling owner, a moved CI runner) gets a medium
novel-use-possible-exposure finding, citing the reads that made it possibly exposed and the
uses, for the examiner to promote or dismiss; only exposed-credential-used-novel reports misuse.`,
	example: `breachline findings --case acme.db
breachline findings --case acme.db --min-severity high --format jsonl
breachline explain --case acme.db <finding-id>`,
	new: func() runner { return &findingsCmd{} },
}

type findingsCmd struct {
	out    formatFlag
	filter correlate.FindingFilter
}

func (c *findingsCmd) AddFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&c.filter.Rules, "rule", nil, "only these rules ("+ruleNames()+")")
	fs.StringVar(&c.filter.MinSeverity, "min-severity", "", "only findings at least this severe (critical, high, medium, low, info)")
	fs.StringVar(&c.filter.Credential, "credential", "", "only findings about this credential handle")
	c.out.AddFlags(fs)
}

func (c *findingsCmd) check(args []string) error {
	if len(args) > 0 {
		return usagef("findings takes no arguments")
	}
	return c.out.check()
}

func (c *findingsCmd) run(ctx context.Context, e *env, _ []string) error {
	cs, err := e.openCase(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	out := report.NewRecords(e.stdout, c.out.get(),
		[]string{"SEVERITY", "RULE", "TIME", "SUMMARY", "ID"},
		[]string{"id", "rule", "severity", "time", "summary", "credential", "secret_ref", "owner", "src_ip", "events"})
	if t := out.Table(); t != nil {
		t.MaxCell = 110
	}
	out.FreeText(3) // the summary; the finding id stays whole
	n := 0
	err = correlate.Findings(ctx, cs.DB(), c.filter, func(x *correlate.Finding) error {
		n++
		return out.Write(
			[]string{strings.ToUpper(x.Severity), x.Rule, shortTime(x.Time), x.Summary, x.ID},
			[]string{x.ID, x.Rule, x.Severity, x.Time, x.Summary, deref(x.Credential), deref(x.SecretRef), deref(x.Owner),
				deref(x.SrcIP), strings.Join(x.Events, ";")},
			x)
	})
	if err != nil {
		return err
	}
	err = out.Close()
	if n == 0 {
		e.note("no findings (has breachline correlate run on this case?)")
	}
	return err
}

// ruleNames lists the correlator's rules, for the --rule flag's help.
func ruleNames() string {
	names := make([]string, len(correlate.Rules))
	for i, r := range correlate.Rules {
		names[i] = r.Name
	}
	return strings.Join(names, ", ")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
