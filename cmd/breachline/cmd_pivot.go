package main

import (
	"context"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report"
	"github.com/breachline/breachline/timeline/correlate"
)

var pivotCommand = &command{
	name:    "pivot",
	summary: "Print the cross-source timeline around an address, credential, principal or secret",
	usage:   "--ip A | --credential H | --principal P | --secret REF [--format table|jsonl|csv] [--limit N]",
	example: `breachline pivot --case acme.db --ip 203.0.113.66
breachline pivot --case acme.db --credential aws-key-id:AKIAHUBEXAMPLEBOB001 --format jsonl
breachline pivot --case acme.db --secret k8s:spaces-acme/chatbot`,
	about: `--ip: every event from the address (or CIDR prefix). --principal: everything it did.
--credential: every event presenting any handle of the credential or a credential derived from
it, the reads of the secrets that hold it, and its revocations. --secret: its reads and every use
of the credentials it holds. Credential and secret pivots use the correlator's results: run
breachline correlate first.`,
	new: func() runner { return &pivotCmd{} },
}

type pivotCmd struct {
	out                               formatFlag
	ip, credential, principal, secret string
	limit                             int
	kind                              correlate.PivotKind
	value                             string
}

func (c *pivotCmd) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.ip, "ip", "", "an address or CIDR prefix")
	fs.StringVar(&c.credential, "credential", "", "a credential handle (scheme:value)")
	fs.StringVar(&c.principal, "principal", "", "a principal, exactly as in the events")
	fs.StringVar(&c.secret, "secret", "", "a secret reference, e.g. vault:spaces/acme/chatbot/HF_TOKEN")
	fs.IntVar(&c.limit, "limit", -1, "at most this many events (default: 100 for table, all for jsonl/csv)")
	c.out.AddFlags(fs)
}

func (c *pivotCmd) check(args []string) error {
	if len(args) > 0 {
		return usagef("pivot takes no arguments (use one of --ip, --credential, --principal, --secret)")
	}
	n := 0
	for kind, v := range map[correlate.PivotKind]string{correlate.PivotIP: c.ip, correlate.PivotCredential: c.credential,
		correlate.PivotPrincipal: c.principal, correlate.PivotSecret: c.secret} {
		if v != "" {
			n++
			c.kind, c.value = kind, v
		}
	}
	if n != 1 {
		return usagef("give exactly one of --ip, --credential, --principal, --secret")
	}
	if _, _, err := correlate.PivotCondition(c.kind, c.value); err != nil {
		return usageError{err}
	}
	return c.out.check()
}

func (c *pivotCmd) run(ctx context.Context, e *env, _ []string) error {
	cs, err := e.openCase(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	value := c.value
	if c.kind == correlate.PivotCredential {
		value = e.key.Keyed(value)
	}
	cond, args, _ := correlate.PivotCondition(c.kind, value)
	format := c.out.get()
	limit := c.limit
	if limit < 0 {
		limit = 0
		if format == report.Table {
			limit = 100
		}
	}
	w := report.NewEventWriter(e.stdout, format)
	n := 0
	if err := cs.EventsWhere(ctx, cond, args, limit, func(ev *normalize.Event) error { n++; return w.Write(ev) }); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if n == 0 {
		e.note("no events around %s %s", c.kind, c.value)
	} else if format == report.Table && n == limit {
		e.note("showing the first %d events; use --limit 0 or --format jsonl for all", n)
	}
	return nil
}
