package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPlantedSecretsAppearNowhere plants known tokens in evidence of every format in
// testdata/secrets, runs the commands an examiner runs, and requires that no token appears in the
// case file or in any output: secrets become handles before anything is stored or printed.
func TestPlantedSecretsAppearNowhere(t *testing.T) {
	raw, err := os.ReadFile("testdata/secrets/tokens.txt")
	require.NoError(t, err)
	tokens := strings.Fields(string(raw))
	require.NotEmpty(t, tokens)

	dir := t.TempDir()
	casePath := filepath.Join(dir, "case.db")
	inputs, err := filepath.Glob("testdata/secrets/*")
	require.NoError(t, err)
	var evidence []string
	for _, in := range inputs {
		if filepath.Base(in) != "tokens.txt" {
			evidence = append(evidence, in)
		}
	}
	ctx := context.Background()
	var out bytes.Buffer
	run := func(args ...string) {
		var stdout, stderr bytes.Buffer
		code := Main(ctx, append(args, "--case", casePath), &stdout, &stderr)
		require.LessOrEqual(t, code, exitPartial, "%v: %s", args, stderr.String())
		out.Write(stdout.Bytes())
		out.Write(stderr.Bytes())
	}
	run(append([]string{"ingest"}, evidence...)...)
	for _, f := range []string{"table", "jsonl", "csv"} {
		run("timeline", "--format", f, "--limit", "0")
		run("evidence", "--format", f)
		run("rejects", "--format", f)
		run("custody", "--format", f)
	}
	require.NotZero(t, out.Len())

	var files []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		files = append(files, filepath.Join(dir, e.Name())) // the case, and a WAL if one is left
	}
	for _, tok := range tokens {
		require.NotContains(t, out.String(), tok, "a planted token reached the output")
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			require.False(t, bytes.Contains(b, []byte(tok)), "planted token %q is in %s", tok, f)
		}
	}
	require.Contains(t, out.String(), "sha256:", "tokens must be replaced by handles, not dropped")
}
