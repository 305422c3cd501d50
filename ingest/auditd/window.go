package auditd

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/breachline/breachline/normalize"
)

// window reads the stream line by line and keeps every byte from the oldest record still waiting
// to be emitted up to the read position. An audit event is assembled from lines that may lie far
// apart, and every one of them must still be in memory when the event is complete, to be read
// and to give the event its record's bytes. linerec cannot do this: it forgets a line once the next
// one is read. Apart from that the lines are linerec's: terminators (\n, \r\n) are not part of a
// line, blank lines are skipped, and a line over the limit is reported, not kept.
type window struct {
	r      io.Reader
	buf    []byte
	base   int64 // stream offset of buf[0]
	end    int   // buf[:end] holds data
	pos    int   // start of the next line
	scan   int   // where the search for the next newline resumes (pos <= scan <= end)
	lineNo int64 // number of the line starting at pos
	max    int   // longest line accepted
	limit  int   // most bytes held before the caller must let waiting records go
	eof    bool
	err    error

	cur  line   // the line next returned
	snip []byte // beginning of the over-long line being skipped
}

// line is one line of the stream. raw is valid until the next call to next and must not be kept:
// the reassembler keeps offsets and asks the window for the bytes when it emits.
type line struct {
	off int64
	n   int64
	no  int64
	raw []byte
	bad string // why the line was not kept (too long), or ""
}

// step is what next found.
type step int

const (
	stepLine step = iota // w.cur holds a line
	stepRoom             // the window is full of bytes of waiting records: emit some, then call again
	stepEnd              // end of input, or a read error (w.err)
)

// chunk is the first buffer size; the buffer grows as events wait.
const chunk = 64 << 10

func newWindow(r io.Reader, max, limit int) *window {
	if limit < 4*max+chunk {
		limit = 4*max + chunk
	}
	return &window{r: r, buf: make([]byte, chunk), max: max, limit: limit, lineNo: 1}
}

// next advances to the next non-blank line. keep is the stream offset of the first byte a
// waiting record still needs; bytes before it may be dropped.
func (w *window) next(keep int64) step {
	for {
		if i := bytes.IndexByte(w.buf[w.scan:w.end], '\n'); i >= 0 {
			nl := w.scan + i
			raw := w.buf[w.pos:nl]
			if len(raw) > 0 && raw[len(raw)-1] == '\r' {
				raw = raw[:len(raw)-1]
			}
			start, no := w.pos, w.lineNo
			w.pos, w.scan = nl+1, nl+1
			w.lineNo++
			if blank(raw) {
				continue
			}
			w.setLine(start, no, raw)
			return stepLine
		}
		w.scan = w.end
		if w.end-w.pos > w.max && keep >= w.base+int64(w.pos) {
			return w.skipLong()
		}
		ok, room := w.fill(keep)
		if room {
			return stepRoom
		}
		if !ok {
			if w.err != nil || w.pos == w.end {
				return stepEnd
			}
			// The last line has no terminator.
			start, no := w.pos, w.lineNo
			raw := w.buf[w.pos:w.end]
			w.pos, w.scan = w.end, w.end
			w.lineNo++
			if blank(raw) {
				return stepEnd
			}
			w.setLine(start, no, raw)
			return stepLine
		}
	}
}

// setLine makes buf[start:] the current line, marking it bad when it is over the limit.
func (w *window) setLine(start int, no int64, raw []byte) {
	w.cur = line{off: w.base + int64(start), n: int64(len(raw)), no: no, raw: raw}
	if len(raw) > w.max {
		w.cur.raw = raw[:min(len(raw), normalize.SnippetLen)]
		w.cur.bad = tooLong(w.cur.n, w.max)
	}
}

// skipLong reads past an over-long line that nothing before it is waiting for, keeping only its
// beginning, so one huge line never needs memory of its size.
func (w *window) skipLong() step {
	start, no := w.base+int64(w.pos), w.lineNo
	w.snip = append(w.snip[:0], w.buf[w.pos:w.pos+min(normalize.SnippetLen, w.end-w.pos)]...)
	var n int64
	var last byte
	for {
		if i := bytes.IndexByte(w.buf[w.scan:w.end], '\n'); i >= 0 {
			nl := w.scan + i
			n += int64(nl - w.pos)
			if nl > w.pos {
				last = w.buf[nl-1]
			}
			if last == '\r' {
				n--
			}
			w.pos, w.scan = nl+1, nl+1
			w.lineNo++
			break
		}
		n += int64(w.end - w.pos)
		if w.end > w.pos {
			last = w.buf[w.end-1]
		}
		w.pos, w.scan = w.end, w.end
		if ok, _ := w.fill(w.base + int64(w.pos)); !ok {
			if w.err != nil {
				return stepEnd // the core reports the break, this partial line included
			}
			break
		}
	}
	w.cur = line{off: start, n: n, no: no, raw: w.snip, bad: tooLong(n, w.max)}
	return stepLine
}

func tooLong(n int64, max int) string {
	return fmt.Sprintf("line of %d bytes exceeds the %d-byte limit (--max-record)", n, max)
}

// fill reads more input. It drops the bytes before keep and before the current line when that
// frees a good share of the buffer, grows the buffer up to the limit otherwise, and reports room
// when the bytes of waiting records fill the buffer at its limit.
func (w *window) fill(keep int64) (ok, room bool) {
	if w.eof || w.err != nil {
		return false, false
	}
	if w.end == len(w.buf) {
		drop := w.pos
		if k := keep - w.base; k < int64(drop) {
			drop = int(max(k, 0))
		}
		switch {
		case drop > 0 && drop >= len(w.buf)/4:
			n := copy(w.buf, w.buf[drop:w.end])
			w.base += int64(drop)
			w.end, w.pos, w.scan = n, w.pos-drop, w.scan-drop
		case len(w.buf) < w.limit:
			nb := make([]byte, min(2*len(w.buf), w.limit))
			copy(nb, w.buf[:w.end])
			w.buf = nb
		default:
			return false, true
		}
	}
	for {
		n, err := w.r.Read(w.buf[w.end:])
		w.end += n
		if err != nil {
			if errors.Is(err, io.EOF) {
				w.eof = true
			} else {
				w.err = err
			}
			return n > 0, false
		}
		if n > 0 {
			return true, false
		}
	}
}

// bytes returns the stream's bytes [off, off+n), which must still be in the window.
func (w *window) bytes(off, n int64) []byte {
	i := off - w.base
	return w.buf[i : i+n]
}

func blank(b []byte) bool { return len(bytes.TrimSpace(b)) == 0 }
