//go:build unix

package ingest_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/cloudtrail"
	"github.com/breachline/breachline/ingest/ingesttest"
)

func TestExpandReportsFilesThatAreNotRegular(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.json"), record)
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644))
	require.NoError(t, os.Symlink(filepath.Join(dir, "pipe"), filepath.Join(dir, "pipe-link")))
	// A socket path must be short; the listener makes one in the tree.
	sock := filepath.Join(dir, "s")
	l, err := net.Listen("unix", sock)
	if err == nil {
		defer l.Close()
	}

	in := ingest.Expand([]string{dir})
	require.Equal(t, []string{filepath.Join(dir, "a.json")}, in.Files)
	want := map[string]string{
		filepath.Join(dir, "pipe"):      filepath.Join(dir, "pipe") + ": skipped: named pipe (FIFO), not a regular file",
		filepath.Join(dir, "pipe-link"): filepath.Join(dir, "pipe-link") + ": skipped: symbolic link to a named pipe (FIFO) (" + filepath.Join(dir, "pipe") + "), not a regular file",
	}
	if err == nil {
		want[sock] = sock + ": skipped: socket, not a regular file"
	}
	require.Equal(t, want, bad(in))

	if _, err := os.Stat("/dev/null"); err == nil {
		in = ingest.Expand([]string{"/dev/null"})
		require.Empty(t, in.Files)
		require.Equal(t, map[string]string{"/dev/null": "/dev/null: skipped: character device, not a regular file"}, bad(in))
	}
}

// TestFIFOArgumentDoesNotBlock: a named pipe named on the command line is reported, not opened
// (opening it would wait for a writer forever), and the other inputs are ingested.
func TestFIFOArgumentDoesNotBlock(t *testing.T) {
	dir := t.TempDir()
	pipe := filepath.Join(dir, "pipe")
	require.NoError(t, syscall.Mkfifo(pipe, 0o644))
	write(t, filepath.Join(dir, "a.json"), record)

	type outcome struct {
		res []ingest.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		cfg := ingest.Config{Force: cloudtrail.New()}
		res, err := ingest.Run(context.Background(), cfg, []string{pipe, filepath.Join(dir, "a.json")}, &ingesttest.Memory{})
		done <- outcome{res, err}
	}()
	var got outcome
	select {
	case got = <-done:
	case <-time.After(10 * time.Second):
		// Unblock the reader so the test process can end, then fail.
		if f, err := os.OpenFile(pipe, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		t.Fatal("ingest blocked on a named pipe")
	}
	require.NoError(t, got.err)
	require.Len(t, got.res, 2)
	require.EqualError(t, got.res[0].Err, pipe+": skipped: named pipe (FIFO), not a regular file")
	require.NoError(t, got.res[1].Err)
	require.True(t, ingest.Partial(got.res))

	// Inputs built by hand are checked again before a file is opened.
	res, err := ingest.RunInputs(context.Background(), ingest.Config{Force: cloudtrail.New()}, ingest.Inputs{Files: []string{pipe}}, &ingesttest.Memory{})
	require.NoError(t, err)
	require.EqualError(t, res[0].Err, pipe+": skipped: named pipe (FIFO), not a regular file")
}
