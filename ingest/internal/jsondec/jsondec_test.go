package jsondec

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInvalidUTF8IsKeptEscaped(t *testing.T) {
	var v struct{ UA string }
	require.NoError(t, Unmarshal([]byte("{\"UA\":\"odd \xff\xfe ok é\"}"), &v))
	require.Equal(t, `odd \xff\xfe ok é`, v.UA)
}
