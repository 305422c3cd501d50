package timeline

import (
	"context"
	"fmt"
	"runtime"
)

// bulkThreshold is the input size above which an ingest drops the event indexes and rebuilds them
// afterwards, when the input is also larger than what the case already holds: keeping seven
// indexes up to date row by row costs several times a rebuild once the input is a few MiB.
const bulkThreshold = 8 << 20

// Bulk is an ingest in progress; End restores what BeginBulk changed.
type Bulk struct {
	c       *Case
	dropped bool
}

// BeginBulk prepares the case for storing about inputBytes of evidence. For a large ingest into
// a case that is small by comparison the event indexes are dropped, to be rebuilt once at the end.
//
// The case stays in write-ahead logging. A rollback journal writes appended pages once instead of
// twice (to the WAL, then to the file at a checkpoint), but its writer locks readers out whenever
// it spills its cache or commits: during a 1M-event ingest a timeline waited 10.3 s, at the edge
// of its 10 s busy timeout, past which it fails; and the switch itself fails while a reader has
// the case open. WAL costs 3 to 12 % of a 1M-event ingest here (docs/performance.md), and readers work
// through the whole ingest.
func (c *Case) BeginBulk(ctx context.Context, inputBytes int64) (*Bulk, error) {
	b := &Bulk{c: c}
	// A page cache of 64 MiB holds the b-trees' hot pages while rows are appended, and lets the
	// index builds at the end sort in memory rather than through temporary files.
	if _, err := c.db.ExecContext(ctx, "PRAGMA cache_size = -65536"); err != nil {
		return nil, err
	}
	if inputBytes > bulkThreshold {
		n, err := c.EventCount(ctx)
		if err != nil {
			return nil, err
		}
		// About 1 KiB of log per event: drop when the ingest at least doubles the case.
		if n < inputBytes/1024 {
			if err := c.DropIndexes(ctx); err != nil {
				return nil, err
			}
			b.dropped = true
		}
	}
	return b, nil
}

// End rebuilds dropped indexes and refreshes statistics.
func (b *Bulk) End(ctx context.Context) error {
	if b.dropped {
		// Index builds sort; SQLite's sorter can use a thread per core. Each sorting thread
		// keeps up to a page cache's worth of keys in memory, so the cache shrinks for the builds:
		// memory stays bounded (about 3 x 24 MiB on two cores) whatever the size of the case.
		if _, err := b.c.db.ExecContext(ctx, fmt.Sprintf("PRAGMA threads = %d; PRAGMA cache_size = -24576", runtime.NumCPU())); err != nil {
			return err
		}
		if err := b.c.EnsureIndexes(ctx); err != nil {
			return err
		}
		return b.c.Analyze(ctx)
	}
	_, err := b.c.db.ExecContext(ctx, "PRAGMA optimize")
	return err
}
