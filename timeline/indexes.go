package timeline

import (
	"context"
	"fmt"
)

// eventIndexes serve the timeline filters and the correlator's set-based joins. They are dropped
// before a large ingest and rebuilt after it: building an index once over sorted input costs far
// less than maintaining it row by row. Partial indexes skip the many events without a value.
var eventIndexes = []struct{ name, sql string }{
	{"events_eid", "CREATE UNIQUE INDEX IF NOT EXISTS events_eid ON events(eid)"},
	{"events_time_ns", "CREATE INDEX IF NOT EXISTS events_time_ns ON events(time_ns)"},
	{"events_credential_sid", "CREATE INDEX IF NOT EXISTS events_credential_sid ON events(credential_sid, time_ns) WHERE credential_sid IS NOT NULL"},
	{"events_secret_ref_sid", "CREATE INDEX IF NOT EXISTS events_secret_ref_sid ON events(secret_ref_sid, time_ns) WHERE secret_ref_sid IS NOT NULL"},
	{"events_src_ip_sid", "CREATE INDEX IF NOT EXISTS events_src_ip_sid ON events(src_ip_sid, time_ns) WHERE src_ip_sid IS NOT NULL"},
	{"events_principal_sid", "CREATE INDEX IF NOT EXISTS events_principal_sid ON events(principal_sid, time_ns) WHERE principal_sid IS NOT NULL"},
	// Only the categories the correlator starts from (seeded ids 1 to keyCategories): a query
	// uses it when it says category_sid <= 4 beside its own condition.
	{"events_key_category", fmt.Sprintf("CREATE INDEX IF NOT EXISTS events_key_category ON events(category_sid, time_ns) WHERE category_sid <= %d", keyCategories)},
}

// droppedIndexes names indexes of earlier versions that are no longer kept.
var droppedIndexes = []string{"events_evidence", "events_time", "events_id", "events_time_only", "events_credential",
	"events_secret_ref", "events_src_ip", "events_principal", "events_category"}

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
