package timeline

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/breachline/breachline/normalize"
)

// metaHandleKey is the case_meta key of the case's handle key (hex).
const metaHandleKey = "handle_key"

// HandleKey returns the case's handle key: every raw credential value in the case is stored as
// its handle under this key (see normalize.HandleKey).
func (c *Case) HandleKey(ctx context.Context) (*normalize.HandleKey, error) {
	if c.key != nil {
		return c.key, nil
	}
	var s string
	err := c.db.QueryRowContext(ctx, "SELECT value FROM case_meta WHERE key = ?", metaHandleKey).Scan(&s)
	if err == sql.ErrNoRows {
		return nil, fmt.Errorf("%s: the case has no handle key", c.path)
	}
	if err != nil {
		return nil, err
	}
	k, err := normalize.ParseHandleKey(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.path, err)
	}
	c.key = k
	return k, nil
}

// storeHandleKey gives a case without one its key: the one the examiner passed to Create (to
// compare handles with another case), or a new random one.
func (c *Case) storeHandleKey(ctx context.Context, tx *sql.Tx) (*normalize.HandleKey, error) {
	k := c.presetKey
	if k == nil {
		var err error
		if k, err = normalize.GenerateHandleKey(); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO case_meta(key, value) VALUES(?, ?)", metaHandleKey, k.String()); err != nil {
		return nil, err
	}
	c.key = k
	return k, nil
}
