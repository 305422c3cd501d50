package vaultaudit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/normalize"
)

// hmacOf mirrors how the fixtures were made: a stand-in for Vault's salted HMAC of label.
func hmacOf(label string) string {
	sum := sha256.Sum256([]byte("salt:" + label))
	return hex.EncodeToString(sum[:])
}

// withAttrs decodes each stored event's attrs (the core keeps them as canonical JSON) so tests
// can read them.
func withAttrs(t *testing.T, events []normalize.Event) []normalize.Event {
	t.Helper()
	out := make([]normalize.Event, len(events))
	for i, e := range events {
		e.Attrs = nil
		if len(e.AttrsJSON) > 0 {
			require.NoError(t, json.Unmarshal(e.AttrsJSON, &e.Attrs))
		}
		out[i] = e
	}
	return out
}
