package ingest

import (
	"bytes"
	"cmp"
	"errors"
	"io"
	"slices"
)

// chunkSize is about how much of the decompressed stream one piece of a split file holds: big
// enough that starting a parse costs nothing next to it, small enough that the pieces in flight
// (two or so per worker) and their output stay a few tens of MiB. A variable so that tests can
// make small files split.
var chunkSize = 1 << 20

// piecesBudget bounds the bytes of the pieces in flight, all workers together, so that many
// workers get smaller pieces rather than more memory; minChunk keeps a piece worth its parse.
const (
	piecesBudget = 16 << 20
	minChunk     = 128 << 10
)

// pieceSize is the size of the pieces of a split file with w workers.
func pieceSize(w int) int {
	return min(chunkSize, max(minChunk, piecesBudget/(2*w+1)))
}

// piece is a stretch of a split file's decompressed stream, cut at a line start and parsed on its
// own.
type piece struct {
	base  int64 // offset of its first byte in the stream
	lines int64 // newlines before it
	data  []byte
	last  bool
	// cause is why the stream ended after data when that was not its end (a truncated gzip);
	// the last piece only.
	cause error
	// uncut is set when data could not be cut at a line start (a line longer than a piece may
	// grow): it and the rest of the file are parsed in one piece, and it has no parse of its own.
	uncut bool
	token bool   // holds a runner token
	parse *parse // nil when uncut, or when the file was read on in one piece before it was read
}

// reader returns p's bytes followed by the end of the stream or p.cause.
func (p *piece) reader() io.Reader {
	if p.cause == nil {
		return bytes.NewReader(p.data)
	}
	return io.MultiReader(bytes.NewReader(p.data), failing{p.cause})
}

type failing struct{ err error }

func (f failing) Read([]byte) (int, error) { return 0, f.err }

// split reads the decompressed stream of a file whose ingester allows it in pieces of about
// r.chunk bytes cut before lines cut accepts, and starts a parse of each as soon as it is read. The
// pieces go to the writer in order on j.pieces; j.room and the runner's tokens bound how many are
// in flight.
func (r *runner) split(j *fileJob, f *fileInfo, opts Options, body io.Reader, cut func([]byte) bool) {
	var base, lines int64
	var carry []byte
	uncut := false
	// A piece grows past r.chunk until a cut is found, by as much as a record may be long and
	// then some; a longer line is over the limit anyway, and past it the file is not cut.
	maxPiece := 2*r.chunk + opts.MaxRecord
	for {
		token, ok := j.acquirePiece(r)
		if !ok {
			return
		}
		p := &piece{base: base, lines: lines, token: token}
		buf := append(make([]byte, 0, r.chunk+len(carry)), carry...)
		carry = nil
		buf, p.cause = fill(body, buf, r.chunk)
		uncut = uncut || j.split.Err() != nil
		for p.cause == nil && !uncut {
			if k := lastCut(buf, cut); k > 0 {
				buf, carry = buf[:k:k], slices.Clone(buf[k:])
				break
			}
			if len(buf) >= maxPiece {
				uncut = true
				break
			}
			buf, p.cause = fill(body, buf, len(buf)+r.chunk)
		}
		if p.cause != nil {
			p.last = true
			if errors.Is(p.cause, io.EOF) { // as the scanners take it
				p.cause = nil
			}
		}
		p.data, p.uncut = buf, uncut
		base += int64(len(buf))
		lines += int64(bytes.Count(buf, []byte{'\n'}))
		if !uncut {
			p.parse = newParse(pieceDepth, r, nil)
			j.wg.Add(1)
			go func() {
				defer j.wg.Done()
				p.parse.run(j.split, f, opts, p.reader(), p.base, p.lines, 0)
			}()
		}
		select {
		case j.pieces <- p: // never waits long: room bounds the pieces in flight
		case <-j.ctx.Done():
			return
		}
		if p.last {
			return
		}
	}
}

// fill reads from r until buf holds n bytes. The error is io.EOF at the end of the stream.
func fill(r io.Reader, buf []byte, n int) ([]byte, error) {
	buf = slices.Grow(buf, max(0, n-len(buf)))
	for len(buf) < n {
		m, err := r.Read(buf[len(buf):n])
		buf = buf[:len(buf)+m]
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// lastCut returns where in buf the last line cut accepts starts, or -1. The line must be whole
// in buf (a newline ends it), so that cut judges all of it, and must not be the first: a piece
// is never empty.
func lastCut(buf []byte, cut func([]byte) bool) int {
	end := bytes.LastIndexByte(buf, '\n')
	for end > 0 {
		start := bytes.LastIndexByte(buf[:end], '\n')
		if start < 0 {
			return -1
		}
		if cut(bytes.TrimSuffix(buf[start+1:end], []byte{'\r'})) {
			return start + 1
		}
		end = start
	}
	return -1
}

// readOn parses the rest of a split file in one piece, from the start of from: a piece whose
// parse broke off although it is not the last was cut inside a record, and an uncut piece
// cannot be parsed alone. The first skip records are those from's own parse delivered already.
func (r *runner) readOn(j *fileJob, h *fileHead, from *piece, skip int64) *parse {
	j.stopSplit()
	p := newParse(wholeDepth, r, nil)
	rd := &pieceReader{r: r, j: j, cur: from}
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		p.run(j.ctx, h.info, h.opts, rd, from.base, from.lines, skip)
		rd.close()
	}()
	return p
}

// pieceReader reads the pieces of a split file one after the other, from the current one on.
type pieceReader struct {
	r   *runner
	j   *fileJob
	cur *piece
	off int
	err error // after the last piece: io.EOF or its cause
}

func (pr *pieceReader) Read(b []byte) (int, error) {
	for {
		if pr.cur == nil {
			return 0, pr.err
		}
		if pr.off < len(pr.cur.data) {
			n := copy(b, pr.cur.data[pr.off:])
			pr.off += n
			return n, nil
		}
		p := pr.cur
		pr.j.releasePiece(pr.r, p)
		pr.cur, pr.off = nil, 0
		if p.last {
			pr.err = io.EOF
			if p.cause != nil {
				pr.err = p.cause
			}
			continue
		}
		select {
		case next, ok := <-pr.j.pieces:
			if !ok { // the reader stopped early, which it does only when cancelled
				pr.err = cmp.Or(pr.j.ctx.Err(), io.ErrUnexpectedEOF)
				continue
			}
			pr.cur = next
		case <-pr.j.ctx.Done():
			pr.err = pr.j.ctx.Err()
		}
	}
}

// close frees the piece it was reading when the parse stopped early.
func (pr *pieceReader) close() {
	if pr.cur != nil {
		pr.j.releasePiece(pr.r, pr.cur)
		pr.cur = nil
	}
}
