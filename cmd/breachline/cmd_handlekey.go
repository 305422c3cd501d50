package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"
)

var handleKeyCommand = &command{
	name:    "handle-key",
	summary: "Print the case's handle key, to build another case whose handles compare with this one's",
	usage:   "[--id]",
	example: `breachline handle-key --case acme.db > acme.key        # keep it as secret as the logs
breachline init --case acme-2.db --handle-key acme.key   # same key, comparable handles
breachline handle-key --case acme-2.db --id               # the public fingerprint, to compare`,
	about: `Raw credential values become case-hmac:<hex> handles, a keyed hash under the case's own
random key, so that a case shared with the other side cannot be reversed by hashing a
dictionary of passwords. Two cases give the same value the same handle only when they share the
key. The key is a secret: whoever holds it can test guesses against the handles. It is printed
only when asked, with a warning; --id prints a fingerprint that reveals nothing of it.`,
	new: func() runner { return &handleKeyCmd{} },
}

type handleKeyCmd struct{ id bool }

func (c *handleKeyCmd) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&c.id, "id", false, "print only the key's public fingerprint")
}

func (c *handleKeyCmd) check(args []string) error {
	if len(args) > 0 {
		return usagef("handle-key takes no arguments")
	}
	return nil
}

func (c *handleKeyCmd) run(ctx context.Context, e *env, _ []string) error {
	cs, err := e.openCase(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	key, err := cs.HandleKey(ctx)
	if err != nil {
		return err
	}
	if c.id {
		fmt.Fprintln(e.stdout, key.ID())
		return nil
	}
	fmt.Fprintln(e.stderr, "warning: this is the case's secret handle key; whoever holds it can test guesses against the case's credential handles")
	fmt.Fprintln(e.stdout, key.String())
	return nil
}
