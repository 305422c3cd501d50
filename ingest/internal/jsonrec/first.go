package jsonrec

import "bytes"

// FirstValue returns the first JSON value of head (the first element of a top-level array), all
// of head's rest when it does not end within head, or nil when head does not start with JSON.
// Format detection can look at it alone, so that one stray record later in a file cannot decide
// the file's format.
func FirstValue(head []byte) []byte {
	head = bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	if len(head) > 0 && head[0] == '[' {
		head = bytes.TrimLeft(head[1:], " \t\r\n")
	}
	if len(head) == 0 || head[0] != '{' {
		return nil
	}
	depth, inStr, esc := 0, false, false
	for i, c := range head {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth--; depth == 0 {
				return head[:i+1]
			}
		}
	}
	return head
}
