package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// crashRuns is how many times each command is killed: BREACHLINE_CRASH_RUNS, or a number that
// keeps the three tests under a minute together.
func crashRuns(t *testing.T) int {
	if testing.Short() {
		t.Skip("kills processes")
	}
	if v := os.Getenv("BREACHLINE_CRASH_RUNS"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err)
		return n
	}
	return 6
}

// killAfter starts breachline with args in dir, SIGKILLs it after delay (unless it ended
// before) and reports whether it was killed.
func killAfter(t *testing.T, dir string, delay time.Duration, args ...string) (killed bool) {
	t.Helper()
	cmd := blProc(dir, args...)
	var e bytes.Buffer
	cmd.Stderr = &e
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		require.NoError(t, err, "breachline %v ended before the kill: %s", args, e.String())
		return false
	case <-time.After(delay):
		_ = cmd.Process.Kill() // SIGKILL: no deferred function, no signal handler runs
		<-done
		return true
	}
}

// timed runs breachline to its end and returns how long it took.
func timed(t *testing.T, dir string, args ...string) time.Duration {
	t.Helper()
	start := time.Now()
	blOK(t, dir, args...)
	return time.Since(start)
}

// caseState is what an ingest leaves in a case, independent of the clock and of the case's
// handle key: every evidence row's counts and every event's and reject's identity.
func caseState(t *testing.T, casePath string) string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+casePath+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	var b strings.Builder
	for _, q := range []string{
		"SELECT sha256 || ' ' || path || ' ' || records || ' ' || events || ' ' || rejects || ' ' || complete || ' ' || ifnull(superseded_by, '-') FROM evidence ORDER BY sha256, version",
		"SELECT hex(eid) || ' ' || evidence_id || ' ' || offset FROM events ORDER BY eid",
		"SELECT evidence_id || ' ' || offset || ' ' || reason FROM rejects ORDER BY evidence_id, offset",
	} {
		rows, err := db.Query(q)
		require.NoError(t, err)
		h := sha256.New()
		n := 0
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			fmt.Fprintln(h, s)
			if n < 20 {
				b.WriteString(s + "\n")
			}
			n++
		}
		require.NoError(t, rows.Err())
		rows.Close()
		fmt.Fprintf(&b, "%d rows, sha256 %x\n", n, h.Sum(nil))
	}
	return b.String()
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(to, b, 0o644))
}

func fileSHA(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestKilledIngest kills ingest at random points, N times: the case is intact after every kill
// (integrity check, custody chain and rows verified, no evidence file half recorded), and
// running the same ingest again gives the case one uninterrupted ingest gives.
func TestKilledIngest(t *testing.T) {
	killIngest(t, crashRuns(t), 3000)
}

// TestKilledBulkIngest is TestKilledIngest on evidence larger than the bulk threshold (8 MiB):
// the ingest drops the event indexes and rebuilds them at the end, so kills land in a load
// without indexes and in the rebuild too. It runs half as many times (each run is longer).
func TestKilledBulkIngest(t *testing.T) {
	killIngest(t, max(2, crashRuns(t)/2), 16000)
}

func killIngest(t *testing.T, n, records int) {
	dir := t.TempDir()
	paths := writeSynthEvidence(t, dir, 1, records, 3)
	var size int64
	for _, p := range paths {
		info, err := os.Stat(p)
		require.NoError(t, err)
		size += info.Size()
	}
	t.Logf("%d records per file, %d bytes of evidence", records, size)
	args := func(casePath string) []string {
		return append([]string{"ingest", "-q", "--workers", "2", "--case", casePath}, paths...)
	}
	ref := filepath.Join(dir, "ref.db")
	d := timed(t, dir, args(ref)...)
	want := caseState(t, ref)
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	killed := 0
	for i := range n {
		casePath := filepath.Join(dir, fmt.Sprintf("kill-%d.db", i))
		delay := time.Duration(rng.Int64N(int64(d) * 4 / 5))
		if killAfter(t, dir, delay, args(casePath)...) {
			killed++
		}
		if info, err := os.Stat(casePath); err == nil {
			require.NotZero(t, info.Size(), "run %d (killed after %v): an empty file is left under the case's name", i, delay)
			caseIntact(t, dir, casePath)
		}
		blOK(t, dir, args(casePath)...)
		caseIntact(t, dir, casePath)
		require.Equal(t, want, caseState(t, casePath), "run %d, killed after %v", i, delay)
	}
	t.Logf("ingest: %d runs, %d killed mid-way (uninterrupted run %v)", n, killed, d.Round(time.Millisecond))
	require.Positive(t, killed, "no run was killed: the kill points miss the command")
}

// incidentBase builds the correlated base case of the kill tests from the sample incident.
func incidentBase(t *testing.T, dir string, correlate bool) string {
	t.Helper()
	base := filepath.Join(dir, "base.db")
	samples, err := filepath.Abs("../../samples/incident")
	require.NoError(t, err)
	blOK(t, dir, "ingest", "-q", "--case", base, filepath.Join(samples, "logs"))
	blOK(t, dir, "inventory", "import", "-q", "--case", base, filepath.Join(samples, "inventory.csv"))
	blOK(t, dir, "ioc", "import", "-q", "--case", base, filepath.Join(samples, "iocs.csv"))
	if correlate {
		blOK(t, dir, "correlate", "-q", "--case", base)
	}
	return base
}

// TestKilledCorrelate kills correlate at random points: the case stays intact and a re-run gives
// the findings and credentials of an uninterrupted run.
func TestKilledCorrelate(t *testing.T) {
	n := crashRuns(t)
	dir := t.TempDir()
	base := incidentBase(t, dir, false)
	ref := filepath.Join(dir, "ref.db")
	copyFile(t, base, ref)
	d := timed(t, dir, "correlate", "-q", "--case", ref)
	results := func(casePath string) string {
		return blOK(t, dir, "findings", "--format", "jsonl", "--case", casePath) +
			blOK(t, dir, "credentials", "--format", "jsonl", "--case", casePath)
	}
	want := results(ref)
	require.NotEmpty(t, want)
	rng := rand.New(rand.NewPCG(2, uint64(time.Now().UnixNano())))
	killed := 0
	for i := range n {
		casePath := filepath.Join(dir, fmt.Sprintf("kill-%d.db", i))
		copyFile(t, base, casePath)
		delay := time.Duration(rng.Int64N(int64(d) * 4 / 5))
		if killAfter(t, dir, delay, "correlate", "-q", "--case", casePath) {
			killed++
		}
		caseIntact(t, dir, casePath)
		blOK(t, dir, "correlate", "-q", "--case", casePath)
		caseIntact(t, dir, casePath)
		require.Equal(t, want, results(casePath), "run %d, killed after %v", i, delay)
	}
	require.Positive(t, killed, "no run was killed: the kill points miss the command")
	t.Logf("correlate: %d runs, %d killed mid-way (uninterrupted run %v)", n, killed, d.Round(time.Millisecond))
}

// completeExport checks that a file under an export's final name is whole: CSV and JSON lines
// equal the uninterrupted run's bytes (they carry no as-of time); Parquet has its footer magic;
// an xlsx is a zip whose every part reads.
func completeExport(t *testing.T, to, path, want string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	switch to {
	case "csv", "jsonl":
		require.Equal(t, want, fileSHA(t, path), "%s is not the complete export", path)
	case "parquet":
		require.True(t, len(b) > 8 && string(b[:4]) == "PAR1" && string(b[len(b)-4:]) == "PAR1", "%s is a cut Parquet file", path)
	case "xlsx":
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		require.NoError(t, err, "%s is a cut workbook", path)
		for _, f := range zr.File {
			rc, err := f.Open()
			require.NoError(t, err)
			_, err = io.Copy(io.Discard, rc)
			require.NoError(t, err, "%s: part %s", path, f.Name)
			rc.Close()
		}
	}
}

// TestKilledExport kills export at random points, in turn to each file format: no file is left
// under the final name unless it is complete, the case stays intact, and a re-run (with --force,
// as a script that exports again would) writes the complete file.
func TestKilledExport(t *testing.T) {
	n := crashRuns(t)
	dir := t.TempDir()
	base := incidentBase(t, dir, true)
	formats := []string{"csv", "parquet", "xlsx", "jsonl"}
	durations := map[string]time.Duration{}
	want := map[string]string{}
	for _, to := range formats {
		ref := filepath.Join(dir, "ref-"+to+".db")
		copyFile(t, base, ref)
		out := filepath.Join(dir, "ref."+to)
		durations[to] = timed(t, dir, "export", "-q", "--case", ref, "--to", to, "--out", out)
		want[to] = fileSHA(t, out)
	}
	rng := rand.New(rand.NewPCG(3, uint64(time.Now().UnixNano())))
	killed := 0
	for i := range n {
		to := formats[i%len(formats)]
		casePath := filepath.Join(dir, fmt.Sprintf("kill-%d.db", i))
		copyFile(t, base, casePath)
		out := filepath.Join(dir, fmt.Sprintf("kill-%d.%s", i, to))
		args := []string{"export", "-q", "--case", casePath, "--to", to, "--force", "--out", out}
		delay := time.Duration(rng.Int64N(int64(durations[to]) * 4 / 5))
		if killAfter(t, dir, delay, args...) {
			killed++
		}
		if _, err := os.Stat(out); err == nil {
			completeExport(t, to, out, want[to])
		}
		caseIntact(t, dir, casePath)
		blOK(t, dir, args...)
		completeExport(t, to, out, want[to])
		caseIntact(t, dir, casePath)
	}
	require.Positive(t, killed, "no run was killed: the kill points miss the command")
	t.Logf("export: %d runs, %d killed mid-way (uninterrupted runs %v)", n, killed, durations)
}

// bagFile reads the file rel (a path under the bag's root, such as data/timeline/events.jsonl)
// from a bag folder or zip.
func bagFile(t *testing.T, bag, rel string) []byte {
	t.Helper()
	if !strings.HasSuffix(bag, ".zip") {
		b, err := os.ReadFile(filepath.Join(bag, filepath.FromSlash(rel)))
		require.NoError(t, err)
		return b
	}
	zr, err := zip.OpenReader(bag)
	require.NoError(t, err)
	defer zr.Close()
	name := strings.TrimSuffix(filepath.Base(bag), ".zip") + "/" + rel
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			require.NoError(t, err)
			defer rc.Close()
			b, err := io.ReadAll(rc)
			require.NoError(t, err)
			return b
		}
	}
	t.Fatalf("%s holds no %s", bag, name)
	return nil
}

// TestKilledBundle kills bundle at random points, a folder and a zip in turn: nothing is left
// under the bag's name unless it verifies (manifests, signature, custody), the case stays
// intact, and bundling again gives a bag that verifies, with the timeline and findings of an
// uninterrupted run byte for byte.
func TestKilledBundle(t *testing.T) {
	n := crashRuns(t)
	dir := t.TempDir()
	base := incidentBase(t, dir, true)
	key := filepath.Join(dir, "signer.key")
	blOK(t, dir, "keygen", "--out", key)
	payload := []string{"data/timeline/events.jsonl", "data/findings/findings.jsonl", "data/findings/credentials.jsonl", "data/timeline/rejects.jsonl", "data/timeline/coverage.json"}
	outs := []string{"bag", "bag.zip"}
	durations := map[string]time.Duration{}
	want := map[string][]byte{}
	for _, o := range outs {
		ref := filepath.Join(dir, "ref-"+o+".db")
		copyFile(t, base, ref)
		bag := filepath.Join(dir, "ref-"+o)
		durations[o] = timed(t, dir, "bundle", "-q", "--case", ref, "--key", key, "--out", bag)
		for _, rel := range payload {
			want[rel] = bagFile(t, bag, rel)
		}
	}
	verified := func(bag string) {
		t.Helper()
		blOK(t, dir, "verify", "--no-reproduce", "--pubkey", key+".pub", bag)
		for _, rel := range payload {
			require.Equal(t, want[rel], bagFile(t, bag, rel), "%s: %s differs from an uninterrupted run's", bag, rel)
		}
	}
	rng := rand.New(rand.NewPCG(4, uint64(time.Now().UnixNano())))
	killed := 0
	for i := range n {
		o := outs[i%len(outs)]
		casePath := filepath.Join(dir, fmt.Sprintf("kill-%d.db", i))
		copyFile(t, base, casePath)
		bag := filepath.Join(dir, fmt.Sprintf("kill-%d-%s", i, o))
		args := []string{"bundle", "-q", "--case", casePath, "--key", key}
		delay := time.Duration(rng.Int64N(int64(durations[o]) * 4 / 5))
		if killAfter(t, dir, delay, append(args, "--out", bag)...) {
			killed++
		}
		if _, err := os.Stat(bag); err == nil {
			verified(bag)
			bag = filepath.Join(dir, fmt.Sprintf("again-%d-%s", i, o)) // a bag is never overwritten
		}
		caseIntact(t, dir, casePath)
		blOK(t, dir, append(args, "--out", bag)...)
		verified(bag)
		caseIntact(t, dir, casePath)
	}
	require.Positive(t, killed, "no run was killed: the kill points miss the command")
	t.Logf("bundle: %d runs, %d killed mid-way (uninterrupted runs %v)", n, killed, durations)
}
