package normalize

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The handle of a raw value is HMAC-SHA256(key, SHA-256(value)); the expected values were
// computed independently (Python's hmac and hashlib) for the test key.
func TestKeyedHandleKnownAnswer(t *testing.T) {
	k := testKey(t)
	want := "case-hmac:a63ce8b4386515260c4ecb7673eb4664475ee5ea0997c0f3c774225baf3ba503"
	require.Equal(t, want, k.Token("hf_exampleTOKEN"))
	require.Equal(t, want, k.Keyed("sha256:6990039a7aa494325664888e8045c1cac5b527b73f67d2b332d4977ceea52131"),
		"a plain sha256 of the value maps onto the same handle")
	require.Equal(t, want, k.Keyed(want), "a keyed handle stays as it is")
	require.Equal(t, "aws-key-id:AKIAIOSFODNN7EXAMPLE", k.Keyed("aws-key-id:AKIAIOSFODNN7EXAMPLE"))
	require.Equal(t, "sha256:abc", k.Keyed("sha256:abc"), "not a sha256: left for CheckHandle to refuse")
	require.NoError(t, CheckHandle(want))
	require.Error(t, CheckHandle("case-hmac:ABC"))

	other, err := GenerateHandleKey()
	require.NoError(t, err)
	require.NotEqual(t, k.Token("hunter2"), other.Token("hunter2"), "another case, another handle")
	require.NotEqual(t, k.ID(), other.ID())
	require.NotContains(t, k.ID(), k.String()[:16], "the id reveals nothing of the key")

	again, err := ParseHandleKey(" " + k.String() + "\n")
	require.NoError(t, err)
	require.Equal(t, k.Token("x"), again.Token("x"))
	_, err = ParseHandleKey(strings.Repeat("ab", 16))
	require.ErrorContains(t, err, "32 bytes")
}

func TestKeyedRedact(t *testing.T) {
	k := testKey(t)
	v, ok := k.RedactValue("Bearer abc123")
	require.True(t, ok)
	out, hs := k.Redact("Authorization: Bearer abc123")
	require.Equal(t, "Authorization: "+v, out, "an authorization attribute gets the handle the header gets in text")
	require.Equal(t, []string{k.Token("abc123")}, hs)
	out, hs = k.Redact("GET /x?access_token=hf_exampleTOKEN HTTP/1.1")
	require.Equal(t, []string{k.Token("hf_exampleTOKEN")}, hs)
	require.NotContains(t, out, "hf_exampleTOKEN")
	again, more := k.Redact(out)
	require.Equal(t, out, again, "a keyed handle is not redacted again")
	require.Empty(t, more)
}
