package normalize

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPercentDecode(t *testing.T) {
	for in, want := range map[string]string{
		"/a":                "/a",
		"/a%20b":            "/a b",
		"/r%C3%A9sum%C3%A9": "/résumé",
		"/a+b":              "/a+b",
		"/%zz%4":            "/%zz%4",
		"/%":                "/%",
		"/%2e%2E/%2F":       "/../" + "/",
		"/%00":              "/\x00",
		"/%e9":              "/\xe9",
	} {
		require.Equal(t, want, PercentDecode(in), in)
	}
}
