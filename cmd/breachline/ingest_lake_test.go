package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/lake"
)

// lakeFlags parses ingest's lake flags from args and checks them as ingest does.
func lakeFlags(t *testing.T, reparse bool, args ...string) (*lakeIngestFlags, error) {
	t.Helper()
	var l lakeIngestFlags
	fs := pflag.NewFlagSet("ingest", pflag.ContinueOnError)
	l.AddFlags(fs)
	require.NoError(t, fs.Parse(args))
	return &l, l.check(reparse)
}

// TestIngestToLakeFlags: the flags that make no sense together are usage errors, found before
// anything is read.
func TestIngestToLakeFlags(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "bad.key")
	require.NoError(t, os.WriteFile(keyFile, []byte("not a key\n"), 0o600))
	for _, tc := range []struct {
		args    []string
		reparse bool
		want    string
	}{
		{[]string{"--handle-key", keyFile}, false, "--handle-key is for --to-lake"},
		{[]string{"--to-lake", filepath.Join(dir, "lake")}, true, "--reparse parses again files a case holds"},
		{[]string{"--to-lake", dir}, false, "--to-lake " + dir + " exists: a lake is written into a new folder"},
		{[]string{"--to-lake", filepath.Join(dir, "missing", "lake")}, false, "does not exist"},
		{[]string{"--to-lake", filepath.Join(dir, "lake"), "--handle-key", keyFile}, false, "--handle-key: " + keyFile + ": handle key is not hex"},
	} {
		_, err := lakeFlags(t, tc.reparse, tc.args...)
		require.ErrorContains(t, err, tc.want, strings.Join(tc.args, " "))
		require.ErrorAs(t, err, new(usageError))
	}
	l, err := lakeFlags(t, false)
	require.NoError(t, err)
	require.Empty(t, l.dir, "without --to-lake, ingest goes to the case")
}

// TestIngestToLake runs ingest --to-lake's code on the sample incident: the same summary as an
// ingest into a case, a new key written with mode 0600, or the examiner's key used as given.
func TestIngestToLake(t *testing.T) {
	ctx := context.Background()
	samples, err := filepath.Abs("../../samples/incident/logs")
	require.NoError(t, err)
	run := func(args ...string) (string, string, *lakeIngestFlags) {
		l, err := lakeFlags(t, false, args...)
		require.NoError(t, err)
		var stdout, stderr bytes.Buffer
		e := newEnv(&globals{examiner: "tester"}, &stdout, &stderr, append([]string{"breachline", "ingest"}, args...))
		cfg := ingest.Config{Ingesters: all.Ingesters(), Options: ingest.Options{MaxRecord: ingest.DefaultMaxRecord}}
		require.NoError(t, l.run(ctx, e, cfg, ingest.Expand([]string{samples})))
		return stdout.String(), stderr.String(), l
	}

	out := filepath.Join(t.TempDir(), "lake")
	stdout, stderr, _ := run("--to-lake", out)
	require.Contains(t, stdout, "vault/audit.log")
	require.Contains(t, stdout, "vault-audit")
	require.Contains(t, stderr, "132 events and 0 rejects stored in "+out)
	require.Contains(t, stderr, "its handle key is "+filepath.Join(out, lake.KeyFileName)+" (mode 0600")
	info, err := os.Stat(filepath.Join(out, lake.KeyFileName))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	d, err := lake.ReadDescriptor(out)
	require.NoError(t, err)
	require.Equal(t, "tester", d.Examiner)
	require.Equal(t, "ingest", d.MadeBy)
	require.Equal(t, int64(132), d.Tables[lake.TableEvents].Rows)

	keyFile := filepath.Join(t.TempDir(), "case.key")
	require.NoError(t, os.WriteFile(keyFile, []byte(ingesttest.Key.String()+"\n"), 0o600))
	out2 := filepath.Join(t.TempDir(), "lake")
	_, stderr, _ = run("--to-lake", out2, "--handle-key", keyFile)
	require.NotContains(t, stderr, "its handle key is")
	require.NoFileExists(t, filepath.Join(out2, lake.KeyFileName))
	d, err = lake.ReadDescriptor(out2)
	require.NoError(t, err)
	require.Equal(t, ingesttest.Key.ID(), d.HandleKeyID)
}
