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
	depth := 0
	var str strState
	for i, c := range head {
		if str.step(c) {
			continue
		}
		switch c {
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return head[:i+1]
			}
		}
	}
	return head
}
