package timeline

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestBulkLoadLeavesReadersIn starts a bulk load that drops the indexes while a reader is in the
// middle of a read transaction, stores a file and ends the load: the load neither waits for the
// reader nor fails because of it (a switch to the rollback journal did both, after the 10 s busy
// timeout), and a reader opened during the load reads the case and closes at once (its closing
// checkpoint used to wait out the busy timeout for the other reader).
func TestBulkLoadLeavesReadersIn(t *testing.T) {
	ctx := context.Background()
	c := newCase(t)
	run(t, c, c.Sink(ctx, Actor{Examiner: "x"}), writeFile(t, "a.json", oneRecord))

	r, err := OpenReadOnly(ctx, c.Path())
	require.NoError(t, err)
	defer r.Close()
	tx, err := r.DB().BeginTx(ctx, nil)
	require.NoError(t, err)
	defer tx.Rollback()
	var n int
	require.NoError(t, tx.QueryRowContext(ctx, "SELECT count(*) FROM events").Scan(&n)) // the read transaction holds its snapshot
	require.Equal(t, 1, n)

	start := time.Now()
	bulk, err := c.BeginBulk(ctx, 64<<20) // large enough to drop the indexes
	require.NoError(t, err)
	require.True(t, bulk.dropped)
	run(t, c, c.Sink(ctx, Actor{Examiner: "x"}), writeFile(t, "b.json", `{"Records":[{"eventVersion":"1.09","eventTime":"2026-03-02T11:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}]}`))

	during, err := OpenReadOnly(ctx, c.Path())
	require.NoError(t, err)
	got, err := during.EventCount(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(2), got)
	require.NoError(t, during.Close())

	require.NoError(t, bulk.End(ctx))
	require.Less(t, time.Since(start), 5*time.Second, "the bulk load waited for the reader")
	require.NoError(t, tx.QueryRowContext(ctx, "SELECT count(*) FROM events").Scan(&n))
	require.Equal(t, 1, n, "the reader's snapshot changed under it")
}
