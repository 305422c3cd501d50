package lake

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/parquet"
)

// TestRollbackStopsTheLake: a file given up after some of its rows were written cannot be taken
// out of the Parquet files, so the next file is refused and the ingest fails; a file given up
// before any row was written leaves nothing to take back.
func TestRollbackStopsTheLake(t *testing.T) {
	root := filepath.Join(t.TempDir(), "lake")
	require.NoError(t, folder{write: func(ctx context.Context, root string) error {
		s := newSink(ctx, parquet.Format{}, root, export.Meta{}, ingesttest.Key, "test")
		fw, err := s.Begin(&normalize.Evidence{Path: "early.log"})
		require.NoError(t, err)
		require.NoError(t, fw.Rollback())

		fw, err = s.Begin(&normalize.Evidence{Path: "changed.log"})
		require.NoError(t, err)
		ev := normalize.Event{ID: "00", Time: time.Unix(0, 0).UTC(), Source: "access-log", Parser: "access-log@1",
			Category: normalize.HTTPRequest, Outcome: normalize.Unknown, EvidenceSHA256: "aa", EvidencePath: "changed.log",
			RecordIndex: normalize.NoIndex, RawSHA256: "bb"}
		require.NoError(t, fw.Write([]normalize.Event{ev}, nil))
		require.NoError(t, fw.Rollback())

		_, err = s.Begin(&normalize.Evidence{Path: "next.log"})
		require.ErrorContains(t, err, "changed.log was given up after some of its rows were written")
		_, err = s.close()
		require.ErrorContains(t, err, "changed.log")
		return nil
	}}.Write(context.Background(), root, nil))
}
