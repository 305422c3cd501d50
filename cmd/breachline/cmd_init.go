package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/timeline"
)

var initCommand = &command{
	name:    "init",
	summary: "Create an empty case file",
	usage:   "[--case PATH] [--name NAME]",
	example: "breachline init --case acme-2026-03.db --name \"ACME Spaces secrets breach\" --examiner j.doe",
	about: `Creates the case file (SQLite, write-ahead log) with the current schema and a first custody
entry. ingest creates the case too when it does not exist; init lets you name it first.`,
	new: func() runner { return &initCmd{} },
}

type initCmd struct{ name string }

func (c *initCmd) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.name, "name", "", "a name for the case, kept in its metadata")
}

func (c *initCmd) check(args []string) error {
	if len(args) > 0 {
		return usagef("init takes no arguments")
	}
	return nil
}

func (c *initCmd) run(ctx context.Context, e *env, _ []string) error {
	if _, err := os.Stat(e.casePath); err == nil {
		e.note("%s is already a case; nothing changed", e.casePath)
		return nil
	}
	cs, err := createCase(ctx, e, c.name)
	if err != nil {
		return err
	}
	defer cs.Close()
	fmt.Fprintf(e.stdout, "created case %s\n", e.casePath)
	return nil
}

// createCase creates the case file at e.casePath with its init custody entry.
func createCase(ctx context.Context, e *env, name string) (*timeline.Case, error) {
	cs, err := timeline.Create(ctx, e.casePath)
	if err != nil {
		return nil, err
	}
	if err := cs.Init(ctx, e.actor(), name, version()); err != nil {
		cs.Close()
		return nil, err
	}
	return cs, nil
}
