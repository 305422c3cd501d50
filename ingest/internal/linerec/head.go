package linerec

import (
	"bytes"

	"github.com/breachline/breachline/ingest"
)

// HeadMatches is the detection rule of line formats: of the first n non-blank lines of head (the
// start of a file as Detect sees it), all but one match, and at least two; or the file has one
// line and it matches. One line may fail so that a junk line or a line a rotation cut does not
// hide a log, two are needed so that one lucky line does not claim a file. The last line of head
// is judged only when head is the whole file: otherwise it may be cut.
func HeadMatches(head []byte, n int, match func(line []byte) bool) bool {
	complete := len(head) < ingest.HeadSize
	seen, ok := 0, 0
	for len(head) > 0 && seen < n {
		nl := bytes.IndexByte(head, '\n')
		var line []byte
		if nl < 0 {
			if !complete {
				break
			}
			line, head = head, nil
		} else {
			line, head = head[:nl], head[nl+1:]
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		seen++
		if match(line) {
			ok++
		}
	}
	return (ok >= 2 && ok >= seen-1) || (seen == 1 && ok == 1)
}
