// Package linerec splits a stream into line records with their byte offsets and line numbers.
// Unlike bufio.Scanner it does not stop at an over-long line: the line is skipped, reported, and
// scanning goes on, so one bad line never hides the rest of a log.
package linerec

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/normalize"
)

const chunk = 256 << 10

// Scanner yields the non-blank lines of a stream. Line terminators (\n or \r\n) are not part of
// a record.
type Scanner struct {
	r     io.Reader
	max   int
	buf   []byte
	start int
	end   int
	base  int64
	line  int64 // number of the line at buf[start]
	eof   bool
	err   error
	rec   ingest.Record
	bad   string
	snip  []byte
}

// New returns a scanner over r; max bounds one line in bytes.
func New(r io.Reader, max int) *Scanner {
	if max <= 0 {
		max = ingest.DefaultMaxRecord
	}
	return &Scanner{r: r, max: max, buf: make([]byte, chunk), line: 1}
}

// Record returns the current line.
func (s *Scanner) Record() ingest.Record { return s.rec }

// Bad returns why the current line cannot be parsed (it was too long), or "".
func (s *Scanner) Bad() string { return s.bad }

// Err returns the read error that ended the scan, or nil at a clean end of input.
func (s *Scanner) Err() error { return s.err }

// Next advances to the next non-blank line.
func (s *Scanner) Next() bool {
	s.bad = ""
	for {
		rec, ok := s.next()
		if !ok {
			return false
		}
		if s.bad == "" && len(bytes.TrimSpace(rec.Raw)) == 0 {
			continue
		}
		s.rec = rec
		return true
	}
}

func (s *Scanner) next() (ingest.Record, bool) {
	rec := ingest.Record{Offset: s.base + int64(s.start), Line: s.line, Index: normalize.NoIndex}
	var skipped int64
	scanned := s.start
	for {
		if j := bytes.IndexByte(s.buf[scanned:s.end], '\n'); j >= 0 {
			nl := scanned + j
			raw := s.buf[s.start:nl]
			if len(raw) > 0 && raw[len(raw)-1] == '\r' {
				raw = raw[:len(raw)-1]
			}
			rec.Length = skipped + int64(len(raw))
			rec.Raw = raw
			s.checkLength(&rec, raw, skipped)
			s.start = nl + 1
			s.line++
			return rec, true
		}
		if s.end-s.start > s.max { // too long to keep: remember its start, drop the rest
			if skipped == 0 {
				s.snip = append(s.snip[:0], s.buf[s.start:s.start+min(s.end-s.start, normalize.SnippetLen)]...)
			}
			skipped += int64(s.end - s.start)
			s.start = s.end
		}
		scanned = s.end
		rel := scanned - s.start
		if !s.fill() {
			if s.err != nil {
				return rec, false // the core reports the break, this partial line included
			}
			if s.start == s.end && skipped == 0 {
				return rec, false
			}
			raw := s.buf[s.start:s.end]
			rec.Length = skipped + int64(len(raw))
			rec.Raw = raw
			s.checkLength(&rec, raw, skipped)
			s.start = s.end
			return rec, true
		}
		scanned = s.start + rel
	}
}

// checkLength marks rec bad when the line is over the limit, keeping only its beginning.
func (s *Scanner) checkLength(rec *ingest.Record, raw []byte, skipped int64) {
	if skipped == 0 && len(raw) <= s.max {
		return
	}
	if skipped == 0 {
		rec.Raw = raw[:min(len(raw), normalize.SnippetLen)]
	} else {
		rec.Raw = s.snip
	}
	s.bad = fmt.Sprintf("line of %d bytes exceeds the %d-byte limit (--max-record)", rec.Length, s.max)
}

func (s *Scanner) fill() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.start > 0 {
		n := copy(s.buf, s.buf[s.start:s.end])
		s.base += int64(s.start)
		s.end = n
		s.start = 0
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
