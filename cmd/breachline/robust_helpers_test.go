package main

import (
	"bytes"
	"compress/gzip"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/internal/synth"
)

// blProc runs the breachline command as a separate process: testscript.Main put the test binary
// on $PATH under that name, so the tests that need a real process (to run two at once, or to kill
// one) need no build of their own.
func blProc(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("breachline", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TZ=UTC")
	return cmd
}

// blRun runs breachline in dir to its end and returns its output and exit code.
func blRun(t testing.TB, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := blProc(dir, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("breachline %v: %v", args, err)
	}
	return o.String(), e.String(), code
}

// blOK is blRun requiring exit 0.
func blOK(t testing.TB, dir string, args ...string) string {
	t.Helper()
	o, e, code := blRun(t, dir, args...)
	require.Equal(t, 0, code, "breachline %v: %s", args, e)
	return o
}

// writeSynthEvidence writes n CloudTrail records and n access-log lines per file, files files
// of each, into dir/evidence, and returns the evidence paths.
func writeSynthEvidence(t testing.TB, dir string, files, n int, seed int64) []string {
	t.Helper()
	ev := filepath.Join(dir, "evidence")
	require.NoError(t, os.MkdirAll(ev, 0o755))
	var paths []string
	for i := range files {
		var ct, al bytes.Buffer
		require.NoError(t, synth.CloudTrail(&ct, n, seed+int64(i)))
		require.NoError(t, synth.AccessLog(&al, n, seed+int64(i)))
		for name, b := range map[string][]byte{"trail-%d.json": ct.Bytes(), "access-%d.log": al.Bytes()} {
			p := filepath.Join(ev, strings.Replace(name, "%d", string(rune('a'+i)), 1))
			require.NoError(t, os.WriteFile(p, b, 0o644))
			paths = append(paths, p)
		}
	}
	return paths
}

// caseIntact checks what must hold of a case whatever happened to the commands that wrote it:
// SQLite's integrity check passes, the custody chain and every evidence file's rows verify, and
// every evidence row is complete (its counts match the rows stored for it).
func caseIntact(t testing.TB, dir, casePath string) {
	t.Helper()
	// A reading command first: after a kill in a bulk load it rolls back the journal the killed
	// writer left, as any SQLite client that may write would (a read-only one may not).
	_, e, code := blRun(t, dir, "custody", "--case", casePath, "--deep", "-q")
	require.Equal(t, 0, code, "custody --deep: %s", e)
	db, err := sql.Open("sqlite3", "file:"+casePath+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	var ic string
	require.NoError(t, db.QueryRow("PRAGMA integrity_check").Scan(&ic))
	require.Equal(t, "ok", ic)
	var half int64
	require.NoError(t, db.QueryRow(`SELECT
		(SELECT count(*) FROM evidence e WHERE e.superseded_by IS NULL AND (
			e.events != (SELECT count(*) FROM events WHERE evidence_id = e.id) OR
			e.rejects != (SELECT count(*) FROM rejects WHERE evidence_id = e.id)))
		+ (SELECT count(*) FROM events WHERE evidence_id NOT IN (SELECT id FROM evidence))
		+ (SELECT count(*) FROM rejects WHERE evidence_id NOT IN (SELECT id FROM evidence))`).Scan(&half))
	require.Zero(t, half, "an evidence file is half-recorded")
}

// sqlInt returns the one integer q selects from the case file.
func sqlInt(t testing.TB, casePath, q string) int64 {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+casePath+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	var n int64
	require.NoError(t, db.QueryRow(q).Scan(&n))
	return n
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return out.Bytes()
}
