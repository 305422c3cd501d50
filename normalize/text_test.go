package normalize

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPrintableEscapesControlsAndBidi(t *testing.T) {
	require.Equal(t, `a\x1b[31mb\u202ec\nd`, Printable("a\x1b[31mb\u202ec\nd"))
	require.Equal(t, "line one\n\tx\\x1b\nthree", PrintableText("line one\r\n\tx\x1b\nthree"))
	require.Equal(t, `ok \xff\xfe`, CleanString("ok \xff\xfe"))
	require.Equal(t, "plain", Printable("plain"))
}
