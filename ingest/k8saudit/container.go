package k8saudit

import (
	"bufio"
	"bytes"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/internal/jsonrec"
)

// scanner returns a record scanner over src that looks for wrapper keys only when the stream's
// head names one before an array ("records": [). Looking for a wrapper key costs the scanner a
// second pass over every top-level record, so JSON lines, the common case, are scanned without.
func scanner(src *ingest.Source, wrappers []string) *jsonrec.Scanner {
	br := bufio.NewReaderSize(src, ingest.HeadSize)
	head, _ := br.Peek(ingest.HeadSize)
	if !namesWrapper(head, wrappers) {
		wrappers = nil
	}
	return jsonrec.New(br, src.MaxRecord, wrappers...)
}

// namesWrapper reports whether head holds "<key>" : [ for one of the keys.
func namesWrapper(head []byte, keys []string) bool {
	for _, k := range keys {
		q := []byte(`"` + k + `"`)
		for rest := head; ; {
			i := bytes.Index(rest, q)
			if i < 0 {
				break
			}
			rest = bytes.TrimLeft(rest[i+len(q):], " \t\r\n")
			if len(rest) > 0 && rest[0] == ':' {
				if v := bytes.TrimLeft(rest[1:], " \t\r\n"); len(v) > 0 && v[0] == '[' {
					return true
				}
			}
		}
	}
	return false
}

// firstValue returns the first JSON value of head (the first element of a top-level array), all
// of head's rest when it does not end within head, or nil when head does not start with JSON.
// Format detection looks at it alone, so that one file's later records cannot claim it.
func firstValue(head []byte) []byte {
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
