package cloudtrail

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/normalize"
)

// layout is what of a CloudTrail input is not records: the containers' syntax and metadata, and
// a digest file, which the ingester notes and skips whole.
var layout = ingesttest.Layout{Syntax: func(stream []byte, off int64, gap []byte) bool {
	digest := off == 0 && bytes.HasPrefix(gap, []byte("{")) && bytes.Contains(gap, []byte(`"digestPublicKeyFingerprint"`))
	return digest || ingesttest.JSONContainer(metadata...)(stream, off, gap)
}}

func TestGolden(t *testing.T) {
	ingesttest.Golden(t, New(), "testdata", ingest.Options{}, layout)
}

func TestDetect(t *testing.T) {
	for _, name := range []string{"records.json", "delivery.json.gz", "array.json", "lines.jsonl", "lookup.jsonl",
		"lookup-output.json", "eventbridge.json", "digest.json"} {
		require.True(t, ingesttest.Detects(t, New(), filepath.Join("testdata", name)), name)
	}
	require.False(t, New().Detect([]byte(`127.0.0.1 - - [02/Mar/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1`)))
	require.False(t, New().Detect([]byte(`{"kind":"Event","apiVersion":"audit.k8s.io/v1"}`)))
}

func TestConformance(t *testing.T) {
	mem := ingesttest.Conformance(t, New(), "cloudtrail", ingest.Options{})
	require.NotEmpty(t, mem.Events)
	for _, e := range mem.Events {
		require.NotEmpty(t, e.Action, "%s@%d", e.EvidencePath, e.Offset)
	}
}

// TestDecoderMatchesEncodingJSON holds the fast decoder to encoding/json's results on every
// fixture record.
func TestDecoderMatchesEncodingJSON(t *testing.T) {
	ingesttest.DecoderMatches(t, "testdata", 21, []string{"Records", "Events"}, ingesttest.Plain[record])
}

func TestCategories(t *testing.T) {
	mem := ingesttest.Ingest(t, New(), "testdata/records.json", ingest.Options{})
	got := map[string]normalize.Category{}
	for _, e := range mem.Events {
		got[e.Action] = e.Category
	}
	require.Equal(t, normalize.SecretRead, got["GetSecretValue"])
	require.Equal(t, normalize.SecretRead, got["BatchGetSecretValue"])
	require.Equal(t, normalize.SecretRead, got["GetParameter"])
	require.Equal(t, normalize.APICall, got["GetParameters"], "without decryption")
	require.Equal(t, normalize.CredentialIssue, got["AssumeRole"])
	require.Equal(t, normalize.CredentialRevoke, got["DeleteAccessKey"])
	require.Equal(t, normalize.CredentialRevoke, got["UpdateAccessKey"])
	require.Equal(t, normalize.Auth, got["ConsoleLogin"])
}

// TestCorpusCoverage: events and rejects account for every byte of the shared corpus's files
// but their container syntax.
func TestCorpusCoverage(t *testing.T) {
	ingesttest.CorpusCoverage(t, New(), "cloudtrail", ingest.Options{}, layout)
}

func FuzzIngest(f *testing.F) {
	ingesttest.Fuzz(f, New(), "testdata")
}
