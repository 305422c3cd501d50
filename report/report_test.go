package report

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

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

// TestCSVNeutralisesFormulas: a cell a spreadsheet would run as a formula gets a leading quote;
// plain numbers, negative ones included, stay numbers.
func TestCSVNeutralisesFormulas(t *testing.T) {
	var b bytes.Buffer
	w := NewCSV(&b, "cell")
	for _, cell := range []string{
		"=HYPERLINK(\"http://x\",\"y\")", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "-", "--flag", "-Inf", "1e",
		"-1", "+3.5", "-0.25e-3", "42", ".5", "", "a=b", "203.0.113.7",
	} {
		w.Row(cell)
	}
	require.NoError(t, w.Flush())
	require.Equal(t, strings.Join([]string{"cell",
		`"'=HYPERLINK(""http://x"",""y"")"`, "'+cmd", "'-2+3", "'@SUM(A1)", `\tx`, `\rx`, "'-", "'--flag", "'-Inf", "1e",
		"-1", "+3.5", "-0.25e-3", "42", ".5", "", "a=b", "203.0.113.7",
	}, "\n")+"\n", b.String())
	require.Equal(t, "'\tx", neutralise("\tx"), "a raw tab or CR (Printable escapes them first) is neutralised too")
	require.Equal(t, "'\rx", neutralise("\rx"))
}

// TestTableFitsWidth: at a fixed width the free-text columns are shortened, the widest first,
// and the id column stays whole; without a width the rows are as wide as their cells.
func TestTableFitsWidth(t *testing.T) {
	id := "9d1910dafaa249c520aeac79aa33cf5c"
	rows := [][]string{
		{"high", strings.Repeat("a very long summary ", 5), "short note", id},
		{"low", "brief", "another long note that goes on", id},
	}
	render := func(width int) []string {
		var b bytes.Buffer
		tw := NewTable(&b, "SEV", "SUMMARY", "NOTE", "ID")
		tw.MaxCell = 0
		tw.Width = width
		tw.FreeText(1, 2)
		for _, r := range rows {
			tw.Row(r...)
		}
		require.NoError(t, tw.Flush())
		return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	}

	lines := render(80)
	for _, line := range lines {
		require.LessOrEqual(t, utf8.RuneCountInString(line), 80, line)
	}
	require.Equal(t, []string{
		"SEV   SUMMARY              NOTE                 ID",
		"high  a very long summar…  short note           9d1910dafaa249c520aeac79aa33cf5c",
		"low   brief                another long note …  9d1910dafaa249c520aeac79aa33cf5c",
	}, lines)

	wide := render(0)
	require.Contains(t, wide[1], strings.TrimSpace(rows[0][1]), "no width: nothing is cut")
	require.Equal(t, wide, render(1000), "a row that fits is left alone")

	narrow := render(20)
	require.Contains(t, narrow[1], id, "ids are never cut, even when the row cannot fit")
	require.Contains(t, narrow[1], "a very long…", "free text stops at its floor")
}
