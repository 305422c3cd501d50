package timeline

import (
	"context"
	"database/sql"
)

// Change runs fn in one transaction and appends the custody entry describing it in the same
// transaction: a change to the case and its record commit together or not at all. fn returns the
// hashes and counts of what it touched, for the entry.
func (c *Case) Change(ctx context.Context, actor Actor, action string, fn func(tx *sql.Tx) (map[string]string, error)) (*CustodyEntry, error) {
	var entry *CustodyEntry
	err := c.withTx(ctx, func(tx *sql.Tx) error {
		objects, err := fn(tx)
		if err != nil {
			return err
		}
		entry, err = c.appendCustody(ctx, tx, actor, action, objects)
		return err
	})
	return entry, err
}

// DB gives packages that analyse the case with set-based SQL (the correlator) read access to it.
// Changes go through Change, so that every one is in the custody log.
func (c *Case) DB() *sql.DB { return c.db }
