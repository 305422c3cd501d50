package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/timeline"
)

var migrateCommand = &command{
	name:    "migrate",
	summary: "Bring a case written by an earlier breachline to the current schema",
	usage:   "",
	example: "cp acme.db acme-before-migration.db   # optional: keep the old file\nbreachline migrate --case acme.db",
	about: `Some schema changes rewrite rows, so breachline does not apply them silently when it opens a
case: commands on an older case say to run this. The migration runs in one transaction: it
succeeds whole or leaves the case as it was. Its custody entry records the schema versions and,
for every evidence file, the count and content hash (rows_sha256) of its rows after the
migration, which custody --deep checks from then on.

Schema 4 keys the case's credential handles: a new random handle key is stored in the case and
every sha256:<hex> handle becomes case-hmac:<hex> of the same value, computed from the sha256
alone (see docs/handles.md); inventory displays keep only the vendor prefix.

Schema 5 copies events and rejects into the compact layout (docs/case-file.md) and fails unless
every evidence version's rows hash as before; the custody entry records the row counts and the
combined content hash before and after. The file is then compacted (VACUUM, which changes no
row), which needs free disk space about the size of the case.

Schema 6 lets the credential summary say possibly-misused (docs/correlation.md); it copies the
summary of the last correlate run as it was.`,
	new: func() runner { return &migrateCmd{} },
}

type migrateCmd struct{}

func (c *migrateCmd) AddFlags(*pflag.FlagSet) {}

func (c *migrateCmd) check(args []string) error {
	if len(args) > 0 {
		return usagef("migrate takes no arguments")
	}
	return nil
}

func (c *migrateCmd) run(ctx context.Context, e *env, _ []string) error {
	exists, err := checkCaseFile(ctx, e.casePath)
	if err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("%s: %w", e.casePath, timeline.ErrNoCase)
	}
	cs, err := timeline.OpenForMigration(ctx, e.casePath)
	if err != nil {
		return err
	}
	defer cs.Close()
	entry, err := cs.Migrate(ctx, e.actor())
	if err != nil {
		return err
	}
	if entry == nil {
		e.note("%s is already at schema %d; nothing changed", e.casePath, timeline.SchemaVersion())
		return nil
	}
	fmt.Fprintf(e.stdout, "migrated %s from schema %s to %s (custody entry %d)\n", e.casePath,
		entry.Objects["from_schema"], entry.Objects["to_schema"], entry.Seq)
	return nil
}
