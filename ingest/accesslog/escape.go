package accesslog

import "strings"

// quoted reads the "…" field that starts at s[i] (a '"'). It returns the text between the quotes
// as logged, the index just after the closing quote, whether the text holds backslash escapes,
// and ok=false when no closing quote comes before the end of the line. A '"' preceded by a
// backslash is part of the value: that is how Apache writes a quote inside a field (nginx writes
// \x22 instead, so a bare '"' in an nginx log always closes the field).
func quoted(s string, i int) (val string, next int, esc, ok bool) {
	start := i + 1
	j := strings.IndexByte(s[start:], '"')
	if j < 0 {
		return "", len(s), false, false
	}
	end := start + j
	if strings.IndexByte(s[start:end], '\\') < 0 {
		return s[start:end], end + 1, false, true
	}
	for k := start; k < len(s); k++ {
		switch s[k] {
		case '\\':
			k++ // the escaped byte, whatever it is, belongs to the value
		case '"':
			return s[start:k], k + 1, true, true
		}
	}
	return "", len(s), true, false
}

// unescape decodes the escapes the servers write into logged values, so that a user agent or a
// path reads as the client sent it and compares equal with other sources: Apache (since 2.0.46)
// writes \" \\ \b \n \r \t \v and \xhh for other non-printable bytes; nginx (since 1.1.6) writes
// \xXX for '"', '\', control bytes and bytes 0x7F-0xFF. A backslash followed by anything else
// is not an escape either server writes and is kept as logged.
func unescape(s string) string {
	i := strings.IndexByte(s, '\\')
	if i < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b = append(b, c)
			continue
		}
		switch n := s[i+1]; n {
		case '"', '\\':
			b = append(b, n)
			i++
		case 'b':
			b = append(b, '\b')
			i++
		case 'n':
			b = append(b, '\n')
			i++
		case 'r':
			b = append(b, '\r')
			i++
		case 't':
			b = append(b, '\t')
			i++
		case 'v':
			b = append(b, '\v')
			i++
		case 'x', 'X':
			if i+3 < len(s) && isHex(s[i+2]) && isHex(s[i+3]) {
				b = append(b, unhex(s[i+2])<<4|unhex(s[i+3]))
				i += 3
			} else {
				b = append(b, c)
			}
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// allDigits reports whether s is a non-empty run of ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
