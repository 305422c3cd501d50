package main

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/report"
	"github.com/breachline/breachline/timeline/correlate"
)

var credentialsCommand = &command{
	name:    "credentials",
	summary: "Summarise every inventory credential: misused, exposed, possibly misused, possibly exposed or not",
	usage:   "[--status S] [--format table|jsonl|csv]",
	example: `breachline credentials --case acme.db
breachline credentials --case acme.db --status misused --format jsonl`,
	about: `Status, the first that applies: misused when a use in a new way (an address or client not
its owner's, or an indicator) went through after a proven exposure, or was tied to the intrusion
(an indicator, the address or client of a suspicious read, an ip-pivot address); exposed when a
secret holding it was read suspiciously; possibly-misused when a secret holding it was read in
the window only by its consumers and a use in a new way that nothing ties to the intrusion went
through (a travelling owner looks like this: rule novel-use-possible-exposure); possibly-exposed
when a secret holding it was read in the window; not-exposed otherwise. misused and exposed are
the proven bound; the misuse columns count misuse only, never possible misuse. Credentials are
shown masked; breachline explain on a finding about one says why it has its status.`,
	new: func() runner { return &credentialsCmd{} },
}

type credentialsCmd struct {
	out    formatFlag
	status string
}

func (c *credentialsCmd) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.status, "status", "", "only this status ("+strings.Join(correlate.Statuses, ", ")+")")
	c.out.AddFlags(fs)
}

func (c *credentialsCmd) check(args []string) error {
	if len(args) > 0 {
		return usagef("credentials takes no arguments")
	}
	if c.status != "" && !slices.Contains(correlate.Statuses, c.status) {
		return usagef("--status %q: use one of %s", c.status, strings.Join(correlate.Statuses, ", "))
	}
	return c.out.check()
}

func (c *credentialsCmd) run(ctx context.Context, e *env, _ []string) error {
	cs, err := e.openCase(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	out := report.NewRecords(e.stdout, c.out.get(),
		[]string{"STATUS", "CREDENTIAL", "OWNER", "FIRST EXPOSURE", "FIRST MISUSE", "MISUSES", "NOVEL IPS", "REVOKED", "SECRETS"},
		[]string{"credential", "display", "owner", "secret_refs", "status", "first_exposure", "first_misuse",
			"last_misuse", "misuse_count", "novel_ips", "revoked_at", "derived"})
	out.FreeText(2, 8) // owner, secrets
	err = correlate.Credentials(ctx, cs.DB(), c.status, func(x *correlate.CredentialStatus) error {
		return out.Write(
			[]string{x.Status, x.Display, deref(x.Owner), shortTime(deref(x.FirstExposure)), shortTime(deref(x.FirstMisuse)),
				strconv.FormatInt(x.MisuseCount, 10), strings.Join(x.NovelIPs, " "), shortTime(deref(x.RevokedAt)),
				strings.Join(x.SecretRefs, " ")},
			[]string{x.Credential, x.Display, deref(x.Owner), strings.Join(x.SecretRefs, ";"), x.Status, deref(x.FirstExposure),
				deref(x.FirstMisuse), deref(x.LastMisuse), strconv.FormatInt(x.MisuseCount, 10), strings.Join(x.NovelIPs, ";"),
				deref(x.RevokedAt), strings.Join(x.Derived, ";")},
			x)
	})
	if err != nil {
		return err
	}
	return out.Close()
}
