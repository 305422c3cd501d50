package timeline

import (
	"context"
	"fmt"
)

// eventIndexes serve the timeline filters and the correlator's set-based joins. They are dropped
// before a large ingest and rebuilt after it: building an index once over sorted input costs far
// less than maintaining it row by row. Partial indexes skip the many events without a value.
var eventIndexes = []struct{ name, sql string }{
	{"events_id", "CREATE UNIQUE INDEX IF NOT EXISTS events_id ON events(id)"},
	{"events_time_only", "CREATE INDEX IF NOT EXISTS events_time_only ON events(time)"},
	{"events_credential", "CREATE INDEX IF NOT EXISTS events_credential ON events(credential, time) WHERE credential IS NOT NULL"},
	{"events_secret_ref", "CREATE INDEX IF NOT EXISTS events_secret_ref ON events(secret_ref, time) WHERE secret_ref IS NOT NULL"},
	{"events_src_ip", "CREATE INDEX IF NOT EXISTS events_src_ip ON events(src_ip, time) WHERE src_ip IS NOT NULL"},
	{"events_principal", "CREATE INDEX IF NOT EXISTS events_principal ON events(principal, time) WHERE principal IS NOT NULL"},
	{"events_category", "CREATE INDEX IF NOT EXISTS events_category ON events(category, time)"},
}

// droppedIndexes names indexes of earlier versions that are no longer kept.
var droppedIndexes = []string{"events_evidence", "events_time"}

// EnsureIndexes creates any missing event index. An ingest that was interrupted after dropping
// them leaves them missing; the next open puts them back.
func (c *Case) EnsureIndexes(ctx context.Context) error {
	for _, ix := range eventIndexes {
		if _, err := c.db.ExecContext(ctx, ix.sql); err != nil {
			return fmt.Errorf("index %s: %w", ix.name, err)
		}
	}
	for _, name := range droppedIndexes {
		if _, err := c.db.ExecContext(ctx, "DROP INDEX IF EXISTS "+name); err != nil {
			return err
		}
	}
	return nil
}

// Analyze refreshes the query planner's statistics after a bulk change.
func (c *Case) Analyze(ctx context.Context) error {
	// A sample is enough for the planner's choices and keeps ANALYZE fast on large cases.
	_, err := c.db.ExecContext(ctx, "PRAGMA analysis_limit = 1000; ANALYZE")
	return err
}

// DropIndexes removes the event indexes before a bulk load.
func (c *Case) DropIndexes(ctx context.Context) error {
	for _, ix := range eventIndexes {
		if _, err := c.db.ExecContext(ctx, "DROP INDEX IF EXISTS "+ix.name); err != nil {
			return err
		}
	}
	return nil
}

// EventCount returns the number of events in the case.
func (c *Case) EventCount(ctx context.Context) (int64, error) {
	var n int64
	err := c.db.QueryRowContext(ctx, "SELECT count(*) FROM events").Scan(&n)
	return n, err
}
