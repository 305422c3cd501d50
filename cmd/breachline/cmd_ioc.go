package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/timeline/correlate"
)

var iocCommand = &command{
	name:    "ioc",
	summary: "Import indicators of compromise (attacker addresses, networks, principals, user agents)",
	usage:   "import FILE...",
	example: "breachline ioc import --case acme.db indicators.csv",
	about: `Indicators are CSV with the header type,value,note; type is ip, cidr, principal or
user_agent (a substring). Reads and uses that match one are suspicious whatever else is known.
Importing replaces the indicators; the custody log records each file's sha256.`,
	new: func() runner { return &iocCmd{} },
}

type iocCmd struct{}

func (c *iocCmd) AddFlags(*pflag.FlagSet) {}

func (c *iocCmd) check(args []string) error {
	if len(args) < 2 || args[0] != "import" {
		return usagef("say ioc import FILE...")
	}
	return nil
}

func (c *iocCmd) run(ctx context.Context, e *env, args []string) error {
	cs, err := e.openCaseForWriting(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	n, err := correlate.ImportIndicators(ctx, cs, e.actor(), args[1:])
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "imported %d indicators from %s\n", n, strings.Join(args[1:], ", "))
	return nil
}
