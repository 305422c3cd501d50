package main

import (
	"context"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/report"
	"github.com/breachline/breachline/timeline/correlate"
)

var credentialsCommand = &command{
	name:    "credentials",
	summary: "Summarise every inventory credential: misused, exposed, possibly exposed or not",
	usage:   "[--status S] [--format table|jsonl|csv]",
	example: `breachline credentials --case acme.db
breachline credentials --case acme.db --status misused --format jsonl`,
	about: `Status: misused when a use in a new way (address, client or indicator) went through after
exposure; exposed when a secret holding it was read suspiciously; possibly-exposed when a secret
holding it was read in the window; not-exposed otherwise. Credentials are shown masked.`,
	new: func() runner { return &credentialsCmd{} },
}

type credentialsCmd struct {
	out    formatFlag
	status string
}

func (c *credentialsCmd) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.status, "status", "", "only this status (misused, exposed, possibly-exposed, not-exposed)")
	c.out.AddFlags(fs)
}

func (c *credentialsCmd) check(args []string) error {
	if len(args) > 0 {
		return usagef("credentials takes no arguments")
	}
	switch c.status {
	case "", "misused", "exposed", "possibly-exposed", "not-exposed":
	default:
		return usagef("--status %q: use misused, exposed, possibly-exposed or not-exposed", c.status)
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
