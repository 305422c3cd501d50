package normalize

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRawHandlesAndMask(t *testing.T) {
	raw := "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"
	hs := RawHandles(raw)
	require.Equal(t, TokenHandle(raw), hs[0])
	require.Equal(t, "github-hashed-token:"+"nWBg4h741drsnP5KRLGxvJeSJGv60oIQ7aqheCqKZ2o=", hs[1])
	require.Equal(t, "ghp_…6789", Mask(raw))
	require.Equal(t, "hf_…c3d9", Mask("hf_aaaaaaaaaaaaaaaaaaaaaaaaaaac3d9"))
	require.Equal(t, "AKIA…MPLE", Mask("AKIAIOSFODNN7EXAMPLE"))
	require.Equal(t, "…2026", Mask("n0tebook-DB-pa55word-2026"), "a password shows no prefix")
	require.Equal(t, "github_pat_…wxyz", Mask("github_pat_11ABCDEFG0123456789abcdefghijklmnopqrstuvwxyz"))
	require.Equal(t, "(5 characters)", Mask("hunt2"))
	for _, h := range hs {
		require.NoError(t, CheckHandle(h))
	}
}
