// Package jsonrec splits a stream of JSON into records without decoding them, keeping each
// record's byte offset, length, start line and array position. It understands the containers log
// exporters use: JSON lines, concatenated (pretty-printed) objects, a bare array, and a wrapper
// object with a key that holds the array ({"Records":[…]}, {"value":[…]}, or {"QueryStatus":…,
// "QueryResultRows":[…]}). Nothing in a container vanishes: the members of a wrapper object
// other than its record array are either metadata the format declares (a NextToken) or records
// too (another array) or a bad record of their own, and a container the input ends inside is
// reported as truncated. Memory is bounded by the record size limit, not the file size: a 50 MB
// single-line Records file is walked one record at a time.
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
	inWrap  bool // walking the members of a wrapper object (between them, or in one's array)
	// sawRecord is set once a top-level object turned out to be a record: from then on the
	// stream is mostly records (JSON lines, concatenated objects), and an object is probed for a
	// wrapper key only when one of the keys appears in its first bytes, so that records do not
	// pay for a second pass each.
	sawRecord bool
	quoted    [][]byte // the wrapper keys as "key", for that quick look
	metadata  []string // members of a wrapper object that are container syntax, not records
	index     int64
	arrayKey  string // the key of the wrapper member whose array is being walked
	rec       ingest.Record
	bad       string
	oversize  bool // the current record is over the limit: Raw holds its beginning only
	snippet   []byte
}

// New returns a scanner over r. max bounds one record in bytes; wrappers are the keys that, as
// a key of a top-level object holding an array (found within the object's first 64 KiB), make
// that object a container: the elements of its arrays are the records; its other members are
// skipped when Metadata names them and are bad records otherwise.
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

// Metadata names the members of a wrapper object that are the container's own syntax, such as
// a pagination token ("NextToken") or query statistics: they are skipped. Any other member of a
// wrapper object is read: an array's elements are records, whatever its key, and another value
// is a bad record, so that nothing the container holds vanishes unseen. It returns s.
func (s *Scanner) Metadata(keys ...string) *Scanner {
	s.metadata = append(s.metadata, keys...)
	return s
}

// ErrTruncated is wrapped by the error of a stream that ends inside a record or a container: the
// evidence was cut off (a copy of a log being written, an interrupted transfer). Err returns it
// as an *ingest.ReadError at the end of the input, so the core records the break and marks the
// evidence incomplete, as it does for a truncated gzip member.
var ErrTruncated = errors.New("truncated")

// Record returns the current record.
func (s *Scanner) Record() ingest.Record { return s.rec }

// Member returns the key of the wrapper object's member whose array holds the current record
// ("Records"), or "" for a record that is not in a wrapper object. A key the format does not
// know as a container is worth telling the examiner about.
func (s *Scanner) Member() string {
	if s.rec.Index == normalize.NoIndex {
		return ""
	}
	return s.arrayKey
}

// Bad returns why the current record is not a JSON value, or "".
func (s *Scanner) Bad() string { return s.bad }

// Err returns the read error that ended the scan, an *ingest.ReadError wrapping ErrTruncated
// when the input ended inside a record or container, or nil at a clean end of input.
func (s *Scanner) Err() error { return s.err }

// Next advances to the next record and reports whether there is one.
func (s *Scanner) Next() bool {
	s.bad = ""
	for {
		if s.inArray {
			c, ok := s.skipSpace(true)
			if !ok {
				return s.truncate("JSON array not closed at the end of input")
			}
			if c == ']' {
				s.consume(1)
				s.inArray = false
				continue
			}
			if !s.scanValue(false, s.index, 0) {
				return false
			}
			s.index++
			return true
		}
		if s.inWrap {
			c, ok := s.skipSpace(true)
			if !ok {
				return s.truncate("container object not closed at the end of input")
			}
			switch c {
			case '}':
				s.consume(1)
				s.inWrap = false
				continue
			case '"':
				if s.member() {
					return true
				}
				if s.err != nil {
					return false
				}
				continue
			default:
				return s.scanRest("container object is not well-formed JSON here: its rest is not read")
			}
		}
		c, ok := s.skipSpace(true)
		if !ok {
			return false
		}
		switch {
		case c == '[':
			s.consume(1)
			s.inArray, s.index, s.arrayKey = true, 0, ""
			continue
		case c == '{':
			if !s.sawRecord || s.mentionsWrapper() {
				if n := s.wrapperPrefix(); n > 0 {
					s.consume(1)
					s.inWrap = true
					continue
				}
			}
			s.sawRecord = true
			return s.scanValue(true, normalize.NoIndex, 0)
		default:
			return s.scanGarbage()
		}
	}
}

// truncate ends the scan at the end of input inside a record or container.
func (s *Scanner) truncate(why string) bool {
	if s.err == nil {
		s.err = &ingest.ReadError{Offset: s.base + int64(s.end), Err: fmt.Errorf("%s (%w)", why, ErrTruncated)}
	}
	return false
}

// member reads the member of a wrapper object that starts at buf[start] (with its key's quote).
// An array is entered: its elements are the next records. Metadata is skipped. Anything else is
// yielded as a bad record spanning the whole member, and member reports true.
func (s *Scanner) member() bool {
	var key string
	n := 0
	for {
		k, m, status := memberPrefix(s.buf[s.start:s.end])
		if status == prefixOK {
			key, n = k, m
			break
		}
		if status == prefixBad || s.end-s.start > wrapperProbe {
			return s.scanRest("container object is not well-formed JSON here: its rest is not read")
		}
		if !s.fill(s.start) {
			if s.err != nil {
				return false
			}
			return s.truncate("container object not closed at the end of input")
		}
	}
	meta := slices.Contains(s.metadata, key)
	switch v := s.buf[s.start+n]; {
	case v == '[' && !meta:
		s.consume(n + 1)
		s.inArray, s.index, s.arrayKey = true, 0, key
		return false
	case v == ',' || v == '}' || v == ']':
		return s.scanRest(fmt.Sprintf("container member %q has no value: the rest of the container object is not read", key))
	}
	if !s.scanValue(false, normalize.NoIndex, n) {
		return false
	}
	switch {
	case meta && (s.bad == "" || s.oversize):
		// The container's own syntax: not a record, nothing lost.
		s.bad = ""
		return false
	case meta:
		s.bad = fmt.Sprintf("container member %q: %s", key, s.bad)
	case s.bad != "":
		s.bad = fmt.Sprintf("unexpected member %q of the container object, not read: %s", key, s.bad)
	default:
		s.bad = fmt.Sprintf("unexpected member %q of the container object, not read (not a record array of this format)", key)
	}
	return true
}

// Outcomes of memberPrefix.
const (
	prefixOK   = iota // the key, the colon and the value's first byte are in view
	prefixMore        // more input is needed to tell
	prefixBad         // not `"key" :` followed by a value
)

// memberPrefix reads `"key" : ` at the start of b and returns the key (as written, escapes
// undecoded: wrapper and metadata keys hold none) and the index of the value's first byte.
func memberPrefix(b []byte) (key string, n int, status int) {
	i := 1
	for ; i < len(b); i++ {
		if b[i] == '\\' {
			i++
			continue
		}
		if b[i] == '"' || b[i] == '\n' {
			break
		}
	}
	if i >= len(b) {
		return "", 0, prefixMore
	}
	if b[i] != '"' {
		return "", 0, prefixBad
	}
	key = string(b[1:i])
	i++
	ws := func() bool {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
			i++
		}
		return i < len(b)
	}
	if !ws() {
		return "", 0, prefixMore
	}
	if b[i] != ':' {
		return "", 0, prefixBad
	}
	i++
	if !ws() {
		return "", 0, prefixMore
	}
	return key, i, prefixOK
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
	depth := 0
	var str strState
	for ; i < len(b); i++ {
		c := b[i]
		if str.step(c) {
			if !str.in && depth == 0 { // the closing quote of a string value
				return i + 1, true
			}
			continue
		}
		switch {
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

// scanRest takes the rest of the wrapper object from buf[start] up to and including its closing
// brace as one bad record, for content that cannot be walked member by member: the scan goes on
// after the object.
func (s *Scanner) scanRest(reason string) bool {
	s.rec = ingest.Record{Offset: s.base + int64(s.start), Line: s.line, Index: normalize.NoIndex}
	s.snippet = s.snippet[:0]
	s.oversize = false
	var skipped int64
	depth := 1
	var str strState
	i := s.start
	for depth > 0 {
		if i >= s.end {
			if !s.oversize && i-s.start > s.max {
				s.oversize = true
				s.snippet = append(s.snippet, s.buf[s.start:s.start+min(normalize.SnippetLen, s.max+1)]...)
			}
			if s.oversize {
				s.line += int64(bytes.Count(s.buf[s.start:i], []byte{'\n'}))
				skipped += int64(i - s.start)
				s.start = i
			}
			rel := i - s.start
			ok := s.fill(s.start)
			i = s.start + rel
			if !ok {
				if s.err != nil {
					return false
				}
				return s.truncate("container object not closed at the end of input")
			}
			continue
		}
		c := s.buf[i]
		i++
		if str.step(c) {
			continue
		}
		switch c {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
	}
	s.inWrap = false
	s.rec.Length = skipped + int64(i-s.start)
	if !s.oversize && i-s.start > s.max {
		s.oversize = true
		s.snippet = append(s.snippet, s.buf[s.start:s.start+min(normalize.SnippetLen, s.max+1)]...)
	}
	if s.oversize {
		s.rec.Raw = s.snippet
		s.bad = fmt.Sprintf("%s; %d bytes, over the %d-byte limit (--max-record)", reason, s.rec.Length, s.max)
	} else {
		s.rec.Raw = s.buf[s.start:i]
		s.bad = reason
	}
	s.line += int64(bytes.Count(s.buf[s.start:i], []byte{'\n'}))
	s.start = i
	return true
}

// scanValue reads one JSON value starting at buf[start]. A top-level record also ends, as a bad
// one, at a raw newline inside a string or at a newline followed by '{' or '[' in column 0: JSON
// lines and pretty-printed records both start in column 0, so one broken line costs one record.
// The value starts skip bytes into the record (after a member's key). It returns false when a
// read error or the end of input cut the record short: the core reports that break, so the
// partial record is not yielded.
func (s *Scanner) scanValue(topLevel bool, index int64, skip int) bool {
	s.rec = ingest.Record{Offset: s.base + int64(s.start), Line: s.line, Index: index}
	s.snippet = s.snippet[:0]
	oversize := false
	var skipped int64 // bytes dropped from the buffer in oversize mode
	depth, inStr, esc := 0, false, false
	i := s.start + skip
	scalar := s.buf[i] != '{' && s.buf[i] != '['
	lines := int64(bytes.Count(s.buf[s.start:i], []byte{'\n'})) // in a member's key and colon
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
				return s.truncate("JSON record cut off by the end of input")
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
	if i == s.start+skip && !oversize {
		// A closer where an element should start ("[1, }]"): take it as a bad record of its
		// own so that scanning advances instead of yielding empty records forever.
		i++
		reason = "unexpected character where a JSON value should start"
	}
	length := skipped + int64(i-s.start)
	s.rec.Length = length
	s.oversize = oversize
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
