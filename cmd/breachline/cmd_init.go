package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/timeline"
)

var initCommand = &command{
	name:    "init",
	summary: "Create an empty case file",
	usage:   "[--case PATH] [--name NAME] [--handle-key FILE]",
	example: `breachline init --case acme-2026-03.db --name "ACME Spaces secrets breach" --examiner j.doe
breachline handle-key --case acme-2026-03.db > acme.key
breachline init --case acme-eu.db --handle-key acme.key   # handles comparable with the first case`,
	about: `Creates the case file (SQLite, write-ahead log) with the current schema and a first custody
entry. ingest creates the case too when it does not exist; init lets you name it first. An
existing case is left as it is; a path that holds anything else (a directory, a text file,
another database) is refused and left untouched.

A new case gets a random handle key (docs/handles.md); --handle-key gives it the key of another
case instead (as printed by breachline handle-key), so the two give a credential the same handle.`,
	new: func() runner { return &initCmd{} },
}

type initCmd struct {
	name    string
	keyFile string
	key     *normalize.HandleKey
}

func (c *initCmd) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.name, "name", "", "a name for the case, kept in its metadata")
	fs.StringVar(&c.keyFile, "handle-key", "", "file holding the handle key of another case, to share it")
}

func (c *initCmd) check(args []string) error {
	if len(args) > 0 {
		return usagef("init takes no arguments")
	}
	if c.keyFile != "" {
		b, err := os.ReadFile(c.keyFile)
		if err != nil {
			return usagef("--handle-key: %v", err)
		}
		if c.key, err = normalize.ParseHandleKey(string(b)); err != nil {
			return usagef("--handle-key %s: %v", c.keyFile, err)
		}
	}
	return nil
}

func (c *initCmd) run(ctx context.Context, e *env, _ []string) error {
	exists, err := checkCaseFile(ctx, e.casePath)
	if err != nil {
		return err
	}
	if exists {
		e.note("%s is already a case; nothing changed", e.casePath)
		return nil
	}
	cs, err := createCase(ctx, e, c.name, c.key)
	if err != nil {
		return err
	}
	defer cs.Close()
	fmt.Fprintf(e.stdout, "created case %s\n", e.casePath)
	return nil
}

// createCase creates the case file at e.casePath with its init custody entry, with the given
// handle key or, when it is nil, a new one.
func createCase(ctx context.Context, e *env, name string, key *normalize.HandleKey) (*timeline.Case, error) {
	create := timeline.Create
	if key != nil {
		create = func(ctx context.Context, path string) (*timeline.Case, error) {
			return timeline.CreateWithKey(ctx, path, key)
		}
	}
	cs, err := e.withKey(create(ctx, e.casePath))
	if err != nil {
		return nil, err
	}
	if err := cs.Init(ctx, e.actor(), name, version()); err != nil {
		cs.Close()
		return nil, err
	}
	return cs, nil
}
