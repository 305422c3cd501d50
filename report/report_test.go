package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTableMakesLogTextSafeForATerminal(t *testing.T) {
	var b bytes.Buffer
	tw := NewTable(&b, "A", "B")
	tw.MaxCell = 10
	tw.Row("evil\x1b[2Jagent\u202e", "")
	tw.Row(strings.Repeat("x", 30), "tab\there")
	require.NoError(t, tw.Flush())
	out := b.String()
	require.NotContains(t, out, "\x1b")
	require.NotContains(t, out, "\u202e")
	require.Contains(t, out, `evil\x1b[…`)
	require.Contains(t, out, "xxxxxxxxx…")
	require.Contains(t, out, "-", "an empty cell shows as -")
}

func TestCSVEscapesControlCharacters(t *testing.T) {
	var b bytes.Buffer
	w := NewCSV(&b, "a", "b")
	w.Row("x\x07y", "q\"uote")
	require.NoError(t, w.Flush())
	require.Equal(t, "a,b\nx\\x07y,\"q\"\"uote\"\n", b.String())
}

func TestRecordsForms(t *testing.T) {
	for f, want := range map[Format]string{
		Table: "NAME\nx\n",
		CSV:   "name\nx\n",
		JSONL: "{\"name\":\"x<\"}\n",
	} {
		var b bytes.Buffer
		r := NewRecords(&b, f, []string{"NAME"}, []string{"name"})
		require.NoError(t, r.Write([]string{"x"}, []string{"x"}, map[string]string{"name": "x<"}))
		require.NoError(t, r.Close())
		require.Equal(t, want, b.String(), f)
	}
	_, err := ParseFormat("xml")
	require.ErrorContains(t, err, "known: table, jsonl, csv")
}
