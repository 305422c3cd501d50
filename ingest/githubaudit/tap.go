package githubaudit

import (
	"errors"
	"io"
)

// errRowTooLong stops the CSV reader when one row outgrows the record limit, so that memory
// stays bounded by --max-record and not by the file.
var errRowTooLong = errors.New("CSV row exceeds the record limit")

// tap sits between the evidence stream and encoding/csv and keeps the bytes of the row being
// read, so that each row's raw bytes (which csv.Reader does not expose) can be located by its
// InputOffset and handed to the core for hashing. It also lets reading restart at any kept
// offset after a row too long to keep.
type tap struct {
	r      io.Reader
	buf    []byte // stream bytes [base, base+len(buf))
	base   int64
	served int64 // stream offset up to which bytes were given to the reader
	keep   int64 // bytes before keep may be dropped
	limit  int   // most bytes kept past keep before reads fail
	err    error // the stream's error, returned once its bytes are served
}

func newTap(r io.Reader, limit int) *tap { return &tap{r: r, limit: limit} }

// Read implements io.Reader.
func (t *tap) Read(p []byte) (int, error) {
	if end := t.base + int64(len(t.buf)); t.served < end {
		n := copy(p, t.buf[t.served-t.base:])
		t.served += int64(n)
		return n, nil
	}
	if t.err != nil {
		return 0, t.err
	}
	if t.served-t.keep > int64(t.limit) {
		return 0, errRowTooLong
	}
	t.compact()
	n, err := t.r.Read(p)
	t.buf = append(t.buf, p[:n]...)
	t.served += int64(n)
	if err != nil {
		t.err = err
		if n > 0 {
			err = nil
		}
	}
	return n, err
}

// compact drops kept bytes before keep once they are a large share of the buffer.
func (t *tap) compact() {
	drop := t.keep - t.base
	if drop < 64<<10 || drop < int64(len(t.buf))/2 {
		return
	}
	n := copy(t.buf, t.buf[drop:])
	t.buf = t.buf[:n]
	t.base = t.keep
}

// bytes returns the kept stream bytes [from, to).
func (t *tap) bytes(from, to int64) []byte {
	if from < t.base {
		from = t.base
	}
	if end := t.base + int64(len(t.buf)); to > end {
		to = end
	}
	if from >= to {
		return nil
	}
	return t.buf[from-t.base : to-t.base]
}

// release says the bytes before off will not be asked for again.
func (t *tap) release(off int64) {
	if off > t.keep {
		t.keep = off
	}
}

// rewind makes the next Read serve from off, which must still be kept.
func (t *tap) rewind(off int64) { t.served = off }

// skipLine discards the stream from off through the next newline, reading it as needed, and
// returns where the line's content ends (before "\n" or "\r\n"), the offset just past the
// newline (the stream's end when there is none) and whether a newline was found. At most a chunk
// beyond the kept bytes is held in memory.
func (t *tap) skipLine(off int64) (end, next int64, found bool, err error) {
	t.release(off)
	t.rewind(off)
	var chunk [32 << 10]byte
	var prev byte
	for {
		kept := t.bytes(t.served, t.base+int64(len(t.buf)))
		for i, c := range kept {
			if c == '\n' {
				nl := t.served + int64(i)
				end = nl
				if (i > 0 && kept[i-1] == '\r') || (i == 0 && prev == '\r') {
					end--
				}
				t.release(nl + 1)
				t.rewind(nl + 1)
				return end, nl + 1, true, nil
			}
		}
		if len(kept) > 0 {
			prev = kept[len(kept)-1]
		}
		t.served += int64(len(kept))
		t.release(t.served)
		t.compact()
		if t.err != nil {
			if errors.Is(t.err, io.EOF) {
				return t.served, t.served, false, nil
			}
			return t.served, t.served, false, t.err
		}
		n, rerr := t.r.Read(chunk[:])
		t.buf = append(t.buf, chunk[:n]...)
		if rerr != nil {
			t.err = rerr
		}
	}
}
