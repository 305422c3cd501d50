package bundle

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	"github.com/breachline/breachline/timeline"
)

// snapshot writes a consistent copy of the case to path with VACUUM INTO: SQLite reads the whole
// database inside one read transaction, so the copy is the case as of one commit even while
// another command writes (a file copy of a write-ahead-logged database can miss or tear the
// pages still in the log). The copy is then switched to the rollback journal, so that opening
// it read-only, in the bag or after extraction, never leaves -wal or -shm files beside it.
func snapshot(ctx context.Context, c *timeline.Case, path string) error {
	if _, err := c.DB().ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("copying the case to %s: %w", path, err)
	}
	db, err := sql.Open("sqlite3", "file:"+url.PathEscape(path)+"?mode=rw")
	if err != nil {
		return err
	}
	defer db.Close()
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode = DELETE").Scan(&mode); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if mode != "delete" {
		return fmt.Errorf("%s: journal mode stays %s", path, mode)
	}
	return db.Close()
}
