package ingest_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/cloudtrail"
	"github.com/breachline/breachline/ingest/ingesttest"
)

// TestAllRejectedFileFails: a file whose every record is a reject is stored (rejects are
// evidence) but reported failed, so the run is partial; an empty file is not a failure.
func TestAllRejectedFileFails(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a-good.json"), record)
	write(t, filepath.Join(dir, "b-junk.json"), "not cloudtrail\nnor this\n")
	write(t, filepath.Join(dir, "c-one.json"), "junk\n")
	write(t, filepath.Join(dir, "d-empty.json"), "")

	mem := &ingesttest.Memory{}
	res, err := ingest.Run(context.Background(), ingest.Config{Force: cloudtrail.New()}, []string{dir}, mem)
	require.NoError(t, err)
	require.Len(t, res, 4)
	var failed []string
	for _, r := range res {
		require.NoError(t, r.Err, r.Path)
		require.NotNil(t, r.Evidence, "%s is stored", r.Path)
		failed = append(failed, r.Failed)
	}
	require.Equal(t, []string{"", "no events: all 2 records were rejected", "no events: its one record was rejected", ""}, failed)
	require.True(t, ingest.Partial(res))
	require.Len(t, mem.Rejects, 3, "the rejects of the failed files are kept")
	require.False(t, ingest.Partial(res[:1]))
	require.False(t, ingest.Partial(res[3:]), "an empty file is not a failure")
}
