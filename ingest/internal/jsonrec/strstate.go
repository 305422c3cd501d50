package jsonrec

// strState follows JSON strings byte by byte, for the scans that only need to know which bytes
// are structure: between quotes, a backslash escapes the byte after it.
type strState struct{ in, esc bool }

// step advances over c and reports whether c belongs to a string (its quotes included); only the
// bytes for which it returns false are structure. After the closing quote, in is false again.
func (s *strState) step(c byte) bool {
	switch {
	case s.esc:
		s.esc = false
	case s.in && c == '\\':
		s.esc = true
	case c == '"':
		s.in = !s.in
	default:
		return s.in
	}
	return true
}
