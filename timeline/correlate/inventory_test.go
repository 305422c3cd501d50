package correlate

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest/ingesttest"
)

func TestInventoryErrorsNameTheLineButNeverTheValue(t *testing.T) {
	dir := t.TempDir()
	for body, want := range map[string]string{
		"secret_ref,credential\naws-sm:a,hf_notAHandleButATokenValue1234567890\n": "inv.csv:2: credential must be a handle",
		"secret_ref,credential\n,raw:x\n":                                         "inv.csv:2: secret_ref is empty",
		"secret_ref,credential,colour\naws-sm:a,raw:x,red\n":                      `inv.csv:2: unknown column "colour"`,
		"secret_ref,credential,revoked_at\naws-sm:a,raw:x,yesterday\n":            "inv.csv:2: revoked_at",
		`{"secret_ref":"aws-sm:a","credential":"raw:hf_secretValue` + "\n":        "inv.csv:1: not a JSON object",
	} {
		p := filepath.Join(dir, "inv.csv")
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		_, _, err := ReadInventory(p, ingesttest.Key)
		require.ErrorContains(t, err, want)
		require.NotContains(t, err.Error(), "notAHandleButATokenValue")
		require.NotContains(t, err.Error(), "secretValue")
	}
}

func TestInventoryRawValuesBecomeHandles(t *testing.T) {
	p := filepath.Join(t.TempDir(), "inv.jsonl")
	require.NoError(t, os.WriteFile(p, []byte(`{"secret_ref":"k8s:ns/app","credential":"raw:ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789","consumers":["a","b"]}`+"\n"), 0o644))
	rows, sum, err := ReadInventory(p, ingesttest.Key)
	require.NoError(t, err)
	require.Len(t, sum, 64)
	require.Len(t, rows, 1)
	require.Equal(t, "ghp_…", rows[0].Display, "the vendor prefix, nothing of the value")
	require.Equal(t, []string{"a", "b"}, rows[0].Consumers)
	require.Len(t, rows[0].Handles, 2)
	for _, h := range rows[0].Handles {
		require.NotContains(t, h, "aBcDeF")
	}
}
