package render

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// visible makes control characters (other than the newlines keep says to keep) and invalid
// UTF-8 visible as \n, \t, \xNN or \u{…}: a log string must not move the reader's terminal, page
// or PDF text around.
func visible(s string, keepNewlines bool) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' && keepNewlines:
			b.WriteByte('\n')
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || r == 0x2028 || r == 0x2029:
			// C1 controls, bidi overrides and other format characters can reorder what a reader sees.
			fmt.Fprintf(&b, `\u{%04x}`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// basisNote is the marker a field's basis shows in every format.
func basisNote(basis string, fact string) string {
	switch basis {
	case "entered":
		return "entered"
	case "evidence":
		if fact != "" {
			return "evidence: " + fact
		}
		return "evidence"
	case "computed":
		return "computed"
	case "open":
		return "open item"
	}
	return basis
}
