package linerec

import "bytes"

// JSONLines is SplitLines (ingest.LineSplitter) for the JSON formats read with jsonrec: a file is
// cut only when it is JSON lines, that is when the first non-blank line of head is one whole
// JSON object, and then only before a line that is one too. A pretty-printed file or an array
// is not cut at all. wrappers are the format's container keys: a line that names one may be a
// container, which a scanner that starts fresh at the cut probes for further than one deep in
// a file would (jsonrec looks for the key in a record's first 4 KiB only once it has seen a
// record), so it is never the first line of a piece.
func JSONLines(head []byte, wrappers ...string) (cutBefore func(line []byte) bool) {
	quoted := make([][]byte, len(wrappers))
	for i, w := range wrappers {
		quoted[i] = []byte(`"` + w + `"`)
	}
	record := func(line []byte) bool {
		if !wholeObject(line) {
			return false
		}
		for _, q := range quoted {
			if bytes.Contains(line, q) {
				return false
			}
		}
		return true
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	for len(head) > 0 {
		line, rest, complete := bytes.Cut(head, []byte{'\n'})
		if !complete {
			return nil // the first line does not end within head
		}
		if len(bytes.TrimSpace(line)) > 0 {
			if record(bytes.TrimRight(line, " \t\r")) {
				return record
			}
			return nil
		}
		head = rest
	}
	return nil
}

// wholeObject reports whether line is exactly one JSON object, as jsonrec would delimit it: it
// starts with '{' in its first column and its brackets close at its last byte but for trailing
// blanks.
func wholeObject(line []byte) bool {
	line = bytes.TrimRight(line, " \t\r")
	if len(line) < 2 || line[0] != '{' || line[len(line)-1] != '}' {
		return false
	}
	depth, inStr, esc := 0, false, false
	for i, c := range line {
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i == len(line)-1
			}
		}
	}
	return false
}
