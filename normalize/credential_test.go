package normalize

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func testKey(t *testing.T) *HandleKey {
	k, err := ParseHandleKey(strings.Repeat("0123456789abcdef", 4))
	require.NoError(t, err)
	return k
}

func TestRawHandlesAndMask(t *testing.T) {
	k := testKey(t)
	raw := "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"
	hs := k.RawHandles(raw)
	require.Equal(t, []string{k.Token(raw), "github-hashed-token:" + "nWBg4h741drsnP5KRLGxvJeSJGv60oIQ7aqheCqKZ2o="}, hs)
	require.Equal(t, []string{k.Token("n0tebook-DB-pa55word-2026")}, k.RawHandles("n0tebook-DB-pa55word-2026"),
		"only GitHub tokens get GitHub's unkeyed hashed_token form")
	require.Equal(t, "ghp_…", Mask(raw))
	require.Equal(t, "hf_…", Mask("hf_aaaaaaaaaaaaaaaaaaaaaaaaaaac3d9"))
	require.Equal(t, "AKIA…", Mask("AKIAIOSFODNN7EXAMPLE"))
	require.Equal(t, "…", Mask("n0tebook-DB-pa55word-2026"), "a password shows nothing of itself")
	require.Equal(t, "github_pat_…", Mask("github_pat_11ABCDEFG0123456789abcdefghijklmnopqrstuvwxyz"))
	require.Equal(t, "…", Mask("hunt2"))
	for _, h := range hs {
		require.NoError(t, CheckHandle(h))
	}
}
