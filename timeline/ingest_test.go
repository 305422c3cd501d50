package timeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/cloudtrail"
	"github.com/breachline/breachline/normalize"
)

const oneRecord = `{"Records":[{"eventVersion":"1.09","eventTime":"2026-03-02T10:00:00Z","eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue","sourceIPAddress":"203.0.113.7","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIAEXAMPLE000000001"},"requestParameters":{"secretId":"prod/db"}}]}`

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o444))
	return p
}

func run(t *testing.T, c *Case, sink ingest.Sink, paths ...string) []ingest.Result {
	t.Helper()
	res, err := ingest.Run(context.Background(), ingest.Config{Ingesters: []ingest.Ingester{cloudtrail.New()}}, paths, sink)
	require.NoError(t, err)
	return res
}

func TestIngestStoresAndQueriesEvents(t *testing.T) {
	ctx := context.Background()
	c := newCase(t)
	p := writeFile(t, "ct.json", oneRecord)
	res := run(t, c, c.Sink(ctx, Actor{Examiner: "x"}), p)
	require.NoError(t, res[0].Err)

	var got []*normalize.Event
	require.NoError(t, c.Events(ctx, Filter{Categories: []string{"secret_read"}}, func(e *normalize.Event) error {
		got = append(got, e)
		return nil
	}))
	require.Len(t, got, 1)
	e := got[0]
	require.Equal(t, "aws-sm:prod/db", e.SecretRef)
	require.Equal(t, "aws-key-id:AKIAEXAMPLE000000001", e.Credential)
	require.Equal(t, normalize.EventID(e.EvidenceSHA256, e.Offset, e.RecordIndex), e.ID)

	byID, err := c.Event(ctx, e.ID)
	require.NoError(t, err)
	require.Equal(t, string(e.AppendJSON(nil)), string(byID.AppendJSON(nil)))

	n, err := c.CountEvents(ctx, Filter{IP: "203.0.113.0/24"})
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	n, err = c.CountEvents(ctx, Filter{IP: "198.51.100.0/24"})
	require.NoError(t, err)
	require.Zero(t, n)

	// The same bytes again are a no-op that says so.
	res = run(t, c, c.Sink(ctx, Actor{Examiner: "x"}), writeFile(t, "copy.json", oneRecord))
	require.Equal(t, p, res[0].DuplicateOf)
	total, err := c.EventCount(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(1), total)

	entries, err := c.Custody(ctx)
	require.NoError(t, err)
	require.Len(t, entries, 1, "one custody entry for the one evidence file; the duplicate changed nothing")
	require.Equal(t, e.EvidenceSHA256, entries[0].Objects["evidence_sha256"])
}

// failingSink fails after the first batch, as a full disk would.
type failingSink struct{ ingest.Sink }

func (f failingSink) Begin(ev *normalize.Evidence) (ingest.FileWriter, error) {
	w, err := f.Sink.Begin(ev)
	return failingWriter{w}, err
}

type failingWriter struct{ ingest.FileWriter }

func (failingWriter) Commit(*normalize.Evidence) error { return os.ErrDeadlineExceeded }

func TestAFailedFileLeavesNothingBehind(t *testing.T) {
	ctx := context.Background()
	c := newCase(t)
	_, err := ingest.Run(ctx, ingest.Config{Ingesters: []ingest.Ingester{cloudtrail.New()}},
		[]string{writeFile(t, "ct.json", oneRecord)}, failingSink{c.Sink(ctx, Actor{Examiner: "x"})})
	require.Error(t, err)
	n, err := c.EventCount(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	ev, err := c.Evidence(ctx)
	require.NoError(t, err)
	require.Empty(t, ev)
	entries, err := c.Custody(ctx)
	require.NoError(t, err)
	require.Empty(t, entries)

	// A re-run completes it.
	res := run(t, c, c.Sink(ctx, Actor{Examiner: "x"}), writeFile(t, "ct.json", oneRecord))
	require.NoError(t, res[0].Err)
	n, _ = c.EventCount(ctx)
	require.Equal(t, int64(1), n)
}

func TestReadOnlyOpenCannotWrite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	c, err := Create(ctx, path)
	require.NoError(t, err)
	require.NoError(t, c.Close())
	ro, err := OpenReadOnly(ctx, path)
	require.NoError(t, err)
	defer ro.Close()
	_, err = ro.Record(ctx, Actor{Examiner: "x"}, "init", nil)
	require.Error(t, err)
	_, err = OpenReadOnly(ctx, filepath.Join(t.TempDir(), "missing.db"))
	require.ErrorIs(t, err, ErrNoCase)
}
