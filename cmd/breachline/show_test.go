package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestShowReverifiesTheEvidence: show prints the original record's exact bytes, and refuses when
// the evidence file no longer has the hash the case recorded.
func TestShowReverifiesTheEvidence(t *testing.T) {
	dir := t.TempDir()
	evidence := filepath.Join(dir, "ct.jsonl")
	record := `{"eventVersion":"1.09","eventTime":"2026-03-02T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","sourceIPAddress":"203.0.113.7","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"}}`
	require.NoError(t, os.WriteFile(evidence, []byte("\n"+record+"\n"), 0o644))
	casePath := filepath.Join(dir, "case.db")
	run := func(args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		code := Main(context.Background(), append(args, "--case", casePath), &out, &errb)
		return out.String(), errb.String(), code
	}
	_, stderr, code := run("ingest", evidence)
	require.Zero(t, code, stderr)
	out, _, code := run("timeline", "--format", "jsonl")
	require.Zero(t, code)
	var ev struct{ ID string }
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(out)), &ev))

	raw, stderr, code := run("show", "--raw", ev.ID)
	require.Zero(t, code, stderr)
	require.Equal(t, record, raw, "the exact bytes of the record")

	human, _, code := run("show", ev.ID)
	require.Zero(t, code)
	require.Contains(t, human, "(verified)")
	require.Contains(t, human, "original record (credentials replaced by handles")

	require.NoError(t, os.WriteFile(evidence, []byte("\n"+strings.Replace(record, "203.0.113.7", "203.0.113.8", 1)+"\n"), 0o644))
	_, stderr, code = run("show", ev.ID)
	require.Equal(t, exitError, code)
	require.Contains(t, stderr, "has changed since it was ingested")

	_, stderr, code = run("show", "0123")
	require.Equal(t, exitError, code)
	require.Contains(t, stderr, `no event with id "0123"`)
}
