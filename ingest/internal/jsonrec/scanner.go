// Package jsonrec splits a stream of JSON into records without decoding them, keeping each
// record's byte offset, length, start line and array position. It understands the containers log
// exporters use: JSON lines, concatenated (pretty-printed) objects, a bare array, and a wrapper
// object with a key that holds the array ({"Records":[…]}, {"value":[…]}, or {"QueryStatus":…,
// "QueryResultRows":[…]}). Memory is bounded by
// the record size limit, not the file size: a 50 MB single-line Records file is walked one
// record at a time.
package jsonrec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/normalize"
)

const chunk = 256 << 10

// wrapperProbe bounds how far into a top-level object the scanner looks for a wrapper key before
// taking the object as a record.
const wrapperProbe = 64 << 10

// Scanner yields one record per Next call. A record is either well-formed enough to hand to a
// decoder (Bad returns "") or a stretch of bytes the scanner could not make a record of (Bad says
// why), which the ingester turns into a reject.
type Scanner struct {
	r        io.Reader
	max      int
	wrappers []string

	buf   []byte
	start int   // buf[start:end] is unread
	end   int   //
	base  int64 // stream offset of buf[0]
	line  int64 // line number of buf[start]
	eof   bool
	err   error // a read error other than EOF

	inArray bool // walking the elements of a container array
	inWrap  bool // that array is inside a wrapper object, whose rest must be skipped after it
	// sawRecord is set once a top-level object turned out to be a record: from then on the
	// stream is mostly records (JSON lines, concatenated objects), and an object is probed for a
	// wrapper key only when one of the keys appears in its first bytes, so that records do not
	// pay for a second pass each.
	sawRecord bool
	quoted    [][]byte // the wrapper keys as "key", for that quick look
	index     int64
	rec       ingest.Record
	bad       string
	snippet   []byte
}

// New returns a scanner over r. max bounds one record in bytes; wrappers are the keys that, as
// a key of a top-level object holding an array (found within the object's first 64 KiB), make
// that object a container: its array's elements are the records, its other members are skipped.
func New(r io.Reader, max int, wrappers ...string) *Scanner {
	if max <= 0 {
		max = ingest.DefaultMaxRecord
	}
	quoted := make([][]byte, len(wrappers))
	for i, w := range wrappers {
		quoted[i] = []byte(`"` + w + `"`)
	}
	return &Scanner{r: r, max: max, wrappers: wrappers, quoted: quoted, buf: make([]byte, chunk), line: 1}
}

// Record returns the current record.
func (s *Scanner) Record() ingest.Record { return s.rec }

// Bad returns why the current record is not a JSON value, or "".
func (s *Scanner) Bad() string { return s.bad }

// Err returns the read error that ended the scan, or nil at a clean end of input.
func (s *Scanner) Err() error { return s.err }

// Next advances to the next record and reports whether there is one.
func (s *Scanner) Next() bool {
	s.bad = ""
	for {
		if s.inArray {
			c, ok := s.skipSpace(true)
			if !ok {
				return false // input ended inside the array: nothing pending, nothing lost
			}
			if c == ']' {
				s.consume(1)
				s.inArray = false
				if s.inWrap {
					s.inWrap = false
					s.skipWrapperRest()
				}
				continue
			}
			if !s.scanValue(false, s.index) {
				return false
			}
			s.index++
			return true
		}
		c, ok := s.skipSpace(true)
		if !ok {
			return false
		}
		switch {
		case c == '[':
			s.consume(1)
			s.inArray, s.index = true, 0
			continue
		case c == '{':
			if !s.sawRecord || s.mentionsWrapper() {
				if n := s.wrapperPrefix(); n > 0 {
					s.consume(n)
					s.inArray, s.inWrap, s.index = true, true, 0
					continue
				}
			}
			s.sawRecord = true
			return s.scanValue(true, normalize.NoIndex)
		default:
			return s.scanGarbage()
		}
	}
}

// fill reads more input, keeping buf[keep:end]. It reports false at EOF or on a read error.
func (s *Scanner) fill(keep int) bool {
	if s.eof || s.err != nil {
		return false
	}
	if keep > 0 {
		n := copy(s.buf, s.buf[keep:s.end])
		s.base += int64(keep)
		s.start -= keep
		s.end = n
	}
	if s.end == len(s.buf) {
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			if errors.Is(err, io.EOF) {
				s.eof = true
			} else {
				s.err = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// skipSpace skips white space (and, when commas is set, separating commas) and returns the next
// byte without consuming it.
func (s *Scanner) skipSpace(commas bool) (byte, bool) {
	for {
		for s.start < s.end {
			c := s.buf[s.start]
			switch {
			case c == '\n':
				s.line++
			case c == ' ' || c == '\t' || c == '\r' || (commas && c == ','):
			case c == 0xEF && s.base+int64(s.start) == 0: // a UTF-8 byte order mark
				if s.end-s.start < 3 && s.fill(s.start) {
					continue
				}
				if bytes.HasPrefix(s.buf[s.start:s.end], []byte{0xEF, 0xBB, 0xBF}) {
					s.start += 3
					continue
				}
				return c, true
			default:
				return c, true
			}
			s.start++
		}
		if !s.fill(s.start) {
			return 0, false
		}
	}
}

func (s *Scanner) consume(n int) {
	s.line += int64(bytes.Count(s.buf[s.start:s.start+n], []byte{'\n'}))
	s.start += n
}

// mentionsWrapper reports whether a wrapper key, quoted, occurs in the first 4 KiB of the object
// at buf[start] (as far as it is buffered, and not past the start of the next top-level value).
func (s *Scanner) mentionsWrapper() bool {
	for s.end-s.start < 4096 && s.fill(s.start) {
	}
	head := s.buf[s.start:min(s.end, s.start+4096)]
	// Only this record's bytes: up to where the next top-level value would start.
	for _, next := range [][]byte{[]byte("\n{"), []byte("\n[")} {
		if j := bytes.Index(head, next); j >= 0 {
			head = head[:j]
		}
	}
	for _, q := range s.quoted {
		if bytes.Contains(head, q) {
			return true
		}
	}
	return false
}

// wrapperPrefix returns the length of `{ … "Key" : [` at buf[start] when Key is a wrapper key,
// else 0.
func (s *Scanner) wrapperPrefix() int {
	if len(s.wrappers) == 0 {
		return 0
	}
	for {
		n, complete := matchWrapper(s.buf[s.start:s.end], s.wrappers)
		if complete || s.end-s.start > wrapperProbe {
			return n
		}
		if !s.fill(s.start) {
			n, _ = matchWrapper(s.buf[s.start:s.end], s.wrappers)
			return n
		}
	}
}

// matchWrapper inspects b (starting with '{') for a member whose key is a wrapper key and whose
// value is an array; other members before it (QueryStatus, QueryStatistics…) are skipped. It
// returns the length up to and including that array's '['. complete is false when b ends before
// a decision.
func matchWrapper(b []byte, wrappers []string) (n int, complete bool) {
	i := 1
	ws := func() bool {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
			i++
		}
		return i < len(b)
	}
	for {
		if !ws() {
			return 0, false
		}
		if b[i] != '"' {
			return 0, true // '}' (no wrapper key) or not JSON: a record either way
		}
		j := bytes.IndexByte(b[i+1:], '"')
		if j < 0 {
			return 0, false
		}
		key := b[i+1 : i+1+j]
		i += j + 2
		if !ws() {
			return 0, false
		}
		if b[i] != ':' {
			return 0, true
		}
		i++
		if !ws() {
			return 0, false
		}
		if b[i] == '[' && slices.ContainsFunc(wrappers, func(w string) bool { return w == string(key) }) {
			return i + 1, true
		}
		end, ok := skipValue(b, i)
		if !ok {
			return 0, false
		}
		i = end
		if !ws() {
			return 0, false
		}
		switch b[i] {
		case ',':
			i++
		default:
			return 0, true
		}
	}
}

// skipValue returns the index just after the JSON value starting at b[i], or ok=false when b
// ends first.
func skipValue(b []byte, i int) (int, bool) {
	depth, inStr, esc := 0, false, false
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case inStr:
			if esc {
				esc = false
			} else if c == '\\' {
				esc = true
			} else if c == '"' {
				inStr = false
				if depth == 0 {
					return i + 1, true
				}
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth <= 0 {
				return i + 1, true
			}
		case depth == 0 && (c == ',' || c == ' ' || c == '\n' || c == '\t' || c == '\r'):
			return i, true
		}
	}
	return 0, false
}

// skipWrapperRest skips what follows the container array inside its wrapper object, up to and
// including the wrapper's closing brace: keys such as NextToken are not records.
func (s *Scanner) skipWrapperRest() {
	depth, inStr, esc := 1, false, false
	for {
		for s.start < s.end {
			c := s.buf[s.start]
			s.start++
			switch {
			case c == '\n':
				s.line++
			case inStr:
				if esc {
					esc = false
				} else if c == '\\' {
					esc = true
				} else if c == '"' {
					inStr = false
				}
			case c == '"':
				inStr = true
			case c == '{' || c == '[':
				depth++
			case c == '}' || c == ']':
				depth--
				if depth == 0 {
					return
				}
			}
		}
		if !s.fill(s.start) {
			return
		}
	}
}

// scanValue reads one JSON value starting at buf[start]. A top-level record also ends, as a bad
// one, at a raw newline inside a string or at a newline followed by '{' or '[' in column 0: JSON
// lines and pretty-printed records both start in column 0, so one broken line costs one record.
// It returns false when a read error cut the record short: the core reports that break, so the
// partial record is not yielded.
func (s *Scanner) scanValue(topLevel bool, index int64) bool {
	s.rec = ingest.Record{Offset: s.base + int64(s.start), Line: s.line, Index: index}
	s.snippet = s.snippet[:0]
	oversize := false
	var skipped int64 // bytes dropped from the buffer in oversize mode
	depth, inStr, esc := 0, false, false
	scalar := s.buf[s.start] != '{' && s.buf[s.start] != '['
	i := s.start
	lines := int64(0)
	reason := ""
	for {
		// Checked before a refill, so that where the buffer ends cannot change the verdict.
		if !oversize && i-s.start > s.max {
			oversize = true
			// The same prefix whatever the reads delivered: at least max+1 bytes are buffered now.
			s.snippet = append(s.snippet, s.buf[s.start:s.start+min(normalize.SnippetLen, s.max+1)]...)
		}
		if i >= s.end {
			if oversize {
				skipped += int64(i - s.start)
				s.start = i
			}
			rel := i - s.start
			ok := s.fill(s.start)
			i = s.start + rel // fill moves the buffer
			if !ok {
				if s.err != nil {
					return false
				}
				if scalar && !inStr {
					break
				}
				reason = "JSON record cut off by the end of input"
				break
			}
			continue
		}
		if inStr && !esc {
			// Most of a log record is string content: jump to the next byte that matters
			// (a quote, a backslash or a raw newline) with IndexByte, which scans wide.
			seg := s.buf[i:s.end]
			lim := len(seg)
			if q := bytes.IndexByte(seg, '"'); q >= 0 {
				lim = q
			}
			if b := bytes.IndexByte(seg[:lim], '\\'); b >= 0 {
				lim = b
			}
			if n := bytes.IndexByte(seg[:lim], '\n'); n >= 0 {
				lim = n
			}
			i += lim
			if i >= s.end {
				continue
			}
		}
		c := s.buf[i]
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
				if scalar && depth == 0 {
					i++
					goto done
				}
			case c == '\n':
				if topLevel || scalar {
					reason = "JSON string not terminated before end of line"
					goto done
				}
				lines++
			}
			i++
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			depth++
		case '}', ']':
			if scalar {
				goto done
			}
			depth--
			if depth == 0 {
				i++
				goto done
			}
		case ',':
			if scalar {
				goto done
			}
		case ' ', '\t', '\r':
			if scalar && depth == 0 {
				goto done
			}
		case '\n':
			if scalar && depth == 0 {
				goto done
			}
			if topLevel {
				if i+1 >= s.end {
					rel := i - s.start
					ok := s.fill(s.start)
					i = s.start + rel
					if ok {
						continue // re-examine this newline with the next byte in view
					}
					if s.err != nil {
						return false
					}
				}
				if i+1 < s.end && (s.buf[i+1] == '{' || s.buf[i+1] == '[') {
					reason = "JSON record not closed before the next record starts"
					goto done
				}
			}
			lines++
		}
		i++
	}
done:
	if !oversize && i-s.start > s.max {
		// The record ended within one jump past the limit: it is over the limit all the same.
		oversize = true
		s.snippet = append(s.snippet, s.buf[s.start:s.start+min(normalize.SnippetLen, s.max+1)]...)
	}
	if i == s.start && !oversize {
		// A closer where an element should start ("[1, }]"): take it as a bad record of its
		// own so that scanning advances instead of yielding empty records forever.
		i++
		reason = "unexpected character where a JSON value should start"
	}
	length := skipped + int64(i-s.start)
	s.rec.Length = length
	if oversize {
		s.rec.Raw = s.snippet
		s.bad = fmt.Sprintf("record of %d bytes exceeds the %d-byte limit (--max-record)", length, s.max)
	} else {
		s.rec.Raw = s.buf[s.start:i]
		if reason != "" {
			s.bad = reason
		}
	}
	// lines was counted on the bytes scanned; recount exactly when the buffer still holds them.
	if !oversize {
		lines = int64(bytes.Count(s.buf[s.start:i], []byte{'\n'}))
	}
	s.line += lines
	s.start = i
	return true
}

// scanGarbage takes the rest of the line at buf[start] as a bad record. Like scanValue it returns
// false when a read error cut the line short.
func (s *Scanner) scanGarbage() bool {
	s.rec = ingest.Record{Offset: s.base + int64(s.start), Line: s.line, Index: normalize.NoIndex}
	s.snippet = s.snippet[:0]
	var skipped int64
	for {
		if j := bytes.IndexByte(s.buf[s.start:s.end], '\n'); j >= 0 {
			n := j
			if n > 0 && s.buf[s.start+n-1] == '\r' {
				n--
			}
			s.rec.Length = skipped + int64(n)
			switch {
			case skipped > 0:
				s.rec.Raw = s.snippet
			case n > s.max: // the same prefix as when the line arrives in pieces
				s.rec.Raw = s.buf[s.start : s.start+min(normalize.SnippetLen, s.max+1)]
			default:
				s.rec.Raw = s.buf[s.start : s.start+n]
			}
			s.start += j // the newline itself is left for skipSpace, which counts it
			s.bad = "not a JSON record"
			return true
		}
		if s.end-s.start > s.max {
			if len(s.snippet) == 0 {
				s.snippet = append(s.snippet, s.buf[s.start:s.start+min(normalize.SnippetLen, s.max+1)]...)
			}
			skipped += int64(s.end - s.start)
			s.start = s.end
		}
		if !s.fill(s.start) {
			if s.err != nil {
				return false
			}
			s.rec.Length = skipped + int64(s.end-s.start)
			if skipped == 0 {
				s.rec.Raw = s.buf[s.start:s.end]
			} else {
				s.rec.Raw = s.snippet
			}
			s.start = s.end
			s.bad = "not a JSON record"
			return true
		}
	}
}
