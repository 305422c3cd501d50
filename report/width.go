package report

import (
	"io"
	"os"
	"strconv"

	"golang.org/x/term"
)

// TerminalWidth returns the width in columns of the terminal w writes to, or 0 when w is not a
// terminal: output into a file or a pipe keeps its full rows. When the terminal does not say,
// the COLUMNS variable the shell sets is used.
func TerminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
		return width
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 0
}
