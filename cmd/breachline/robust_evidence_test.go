package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// evidenceStamp is what must not change about an evidence file: its bytes, size, mode and
// modification time.
type evidenceStamp struct {
	sha256 string
	size   int64
	mode   fs.FileMode
	mtime  time.Time
}

func stampEvidence(t *testing.T, dir string) map[string]evidenceStamp {
	t.Helper()
	stamps := map[string]evidenceStamp{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := os.Lstat(p)
		require.NoError(t, err)
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		sum := sha256.Sum256(b)
		stamps[p] = evidenceStamp{hex.EncodeToString(sum[:]), info.Size(), info.Mode(), info.ModTime()}
		return nil
	}))
	return stamps
}

// TestEvidenceIsNeverModified runs every command on a case built from an evidence folder (plain,
// gzipped and damaged files), checking after each that every evidence file has the bytes, size,
// mode and modification time it had: evidence is opened read-only and never written, whatever
// the command.
func TestEvidenceIsNeverModified(t *testing.T) {
	dir := t.TempDir()
	ev := filepath.Join(dir, "evidence")
	require.NoError(t, os.Mkdir(ev, 0o755))
	for _, name := range []string{"access.log", "cloudtrail.jsonl"} {
		b, err := os.ReadFile(filepath.Join("testdata/secrets/evidence", name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(ev, name), b, 0o444))
	}
	require.NoError(t, os.WriteFile(filepath.Join(ev, "hostile name \"x\"\n.jsonl"), []byte(hostileTrail), 0o644))
	var gz bytes.Buffer
	gz.Write(gzipBytes(t, []byte(hostileTrail)))
	require.NoError(t, os.WriteFile(filepath.Join(ev, "trail.jsonl.gz"), gz.Bytes(), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(ev, "cut.jsonl.gz"), gz.Bytes()[:gz.Len()-10], 0o644))
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	require.NoError(t, filepath.WalkDir(ev, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			err = os.Chtimes(p, old, old)
		}
		return err
	}))
	want := stampEvidence(t, ev)
	casePath := filepath.Join(dir, "case.db")
	run := func(args ...string) string {
		t.Helper()
		var o, e bytes.Buffer
		code := Main(context.Background(), append(args, "--case", casePath), &o, &e)
		require.Contains(t, []int{exitOK, exitPartial}, code, "%v: %s", args, e.String())
		require.Equal(t, want, stampEvidence(t, ev), "evidence changed by %v", args)
		return o.String()
	}
	run("ingest", ev)
	run("ingest", ev) // already in the case
	run("ingest", "--reparse", "--assume-tz", "UTC", ev)
	run("inventory", "import", "testdata/secrets/inventory.csv")
	run("ioc", "import", "testdata/secrets/iocs.csv")
	run("correlate")
	for _, f := range []string{"table", "jsonl", "csv"} {
		for _, c := range [][]string{{"timeline"}, {"evidence"}, {"rejects"}, {"custody", "--deep"}, {"findings"},
			{"credentials"}, {"inventory", "list"}, {"pivot", "--ip", "203.0.113.7"}} {
			run(append(c, "--format", f)...)
		}
	}
	for _, id := range ids(t, run("timeline", "--format", "jsonl")) {
		run("show", id)
		run("show", "--raw", id)
	}
	for _, id := range ids(t, run("findings", "--format", "jsonl")) {
		run("explain", id)
	}
	out := filepath.Join(dir, "out")
	require.NoError(t, os.Mkdir(out, 0o755))
	for _, f := range []string{"arrow", "parquet", "xlsx", "csv", "jsonl", "timesketch"} {
		run("export", "--to", f, "--out", filepath.Join(out, "events."+f))
	}
	run("export", "--to", "parquet", "--partition", "day,source", "--out", filepath.Join(out, "lake"))
	run("lake", "export", "--out", filepath.Join(out, "case-lake"))
	run("case", "set", "controller_name=Example Hosting", "contact=dpo@example.com")
	run("case", "import", "../../samples/incident/profile.yaml")
	run("case", "show")
	for _, f := range []string{"md", "html", "pdf", "json"} {
		run("report", "--regime", "gdpr-art33", "--format", f, "--out", filepath.Join(out, "report."+f))
	}
	run("report", "--list")
	run("handle-key")
	run("migrate")
	run("custody", "--head")
	// The commands that take no case: keygen, bundle's verification, a lake ingest.
	bare := func(args ...string) {
		t.Helper()
		var o, e bytes.Buffer
		code := Main(context.Background(), args, &o, &e)
		require.Contains(t, []int{exitOK, exitPartial}, code, "%v: %s", args, e.String())
		require.Equal(t, want, stampEvidence(t, ev), "evidence changed by %v", args)
	}
	key := filepath.Join(out, "signer.key")
	bare("keygen", "--out", key)
	bag, zipped := filepath.Join(out, "bag"), filepath.Join(out, "bag.zip")
	run("bundle", "--key", key, "--tsq", "--out", bag)
	run("bundle", "--key", key, "--no-originals", "--out", zipped)
	// verify reads the bag and changes it no more than the evidence.
	bagStamp := stampEvidence(t, bag)
	bare("verify", "--pubkey", key+".pub", bag)
	require.Equal(t, bagStamp, stampEvidence(t, bag), "verify changed the bag")
	bare("verify", "--pubkey", key+".pub", "--no-reproduce", zipped) // bagged without originals
	bare("ingest", "-q", "--to-lake", filepath.Join(out, "lake-direct"), ev)
	var names []string
	for p := range want {
		names = append(names, filepath.Base(p))
	}
	require.Len(t, names, 5, strings.Join(names, ", "))
}
