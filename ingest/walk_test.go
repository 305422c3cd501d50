package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/cloudtrail"
	"github.com/breachline/breachline/ingest/ingesttest"
)

// record is one CloudTrail record, so that a file of it is ingested with one event.
const record = `{"eventVersion":"1.09","eventTime":"2026-03-02T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"}}` + "\n"

func write(t *testing.T, path, data string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
}

// bad lists the paths and messages of the passed-over inputs.
func bad(in ingest.Inputs) map[string]string {
	out := map[string]string{}
	for _, r := range in.Bad {
		out[r.Path] = r.Err.Error()
	}
	return out
}

func TestExpandReportsLinksItDoesNotFollow(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "logs")
	write(t, filepath.Join(root, "a.json"), record)
	write(t, filepath.Join(root, "sub", "b.json"), record)
	write(t, filepath.Join(dir, "elsewhere", "c.json"), record)
	require.NoError(t, os.Symlink(filepath.Join(dir, "elsewhere"), filepath.Join(root, "linked-dir")))
	require.NoError(t, os.Symlink(filepath.Join(dir, "gone.json"), filepath.Join(root, "broken.json")))
	require.NoError(t, os.Symlink(filepath.Join(root, "a.json"), filepath.Join(root, "z-link.json")))

	in := ingest.Expand([]string{root})
	require.Equal(t, []string{
		filepath.Join(root, "a.json"), filepath.Join(root, "sub", "b.json"), filepath.Join(root, "z-link.json"),
	}, in.Files, "regular files and links to them, in lexical order")
	require.Equal(t, int64(3*len(record)), in.Bytes)
	require.Equal(t, map[string]string{
		filepath.Join(root, "broken.json"): filepath.Join(root, "broken.json") + ": skipped: broken symbolic link (to " + filepath.Join(dir, "gone.json") + ")",
		filepath.Join(root, "linked-dir"): filepath.Join(root, "linked-dir") + ": skipped: symbolic link to a directory (" +
			filepath.Join(dir, "elsewhere") + ") is not followed (name the target to ingest it)",
	}, bad(in))
	require.Equal(t, filepath.Join(root, "broken.json"), in.Bad[0].Path, "in walk order")

	// Named by the examiner, the link to the directory is followed and the broken link named.
	in = ingest.Expand([]string{filepath.Join(root, "linked-dir"), filepath.Join(root, "broken.json")})
	require.Equal(t, []string{filepath.Join(root, "linked-dir", "c.json")}, in.Files)
	require.Equal(t, map[string]string{
		filepath.Join(root, "broken.json"): filepath.Join(root, "broken.json") + ": skipped: broken symbolic link (to " + filepath.Join(dir, "gone.json") + ")",
	}, bad(in))
}

// TestPassedOverInputsMakeTheRunPartial: every path passed over is a Result with its error, so
// the command exits 3 and names it.
func TestPassedOverInputsMakeTheRunPartial(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.json"), record)
	require.NoError(t, os.Symlink(filepath.Join(dir, "gone"), filepath.Join(dir, "broken")))
	mem := &ingesttest.Memory{}
	res, err := ingest.Run(context.Background(), ingest.Config{Force: cloudtrail.New()}, []string{dir}, mem)
	require.NoError(t, err)
	require.Len(t, res, 2)
	require.Equal(t, filepath.Join(dir, "broken"), res[0].Path)
	require.ErrorContains(t, res[0].Err, "broken symbolic link")
	require.NoError(t, res[1].Err)
	require.True(t, ingest.Partial(res))
	require.Len(t, mem.Events, 1)
}
