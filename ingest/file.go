package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/breachline/breachline/normalize"
)

// HeadSize is how much of the decompressed stream format detection sees.
const HeadSize = 64 << 10

// ReadError is a failure to read the evidence stream (a truncated or corrupt gzip member, an I/O
// error) after Offset bytes of the stream the ingester was given (Source) were read.
type ReadError struct {
	Offset int64
	Err    error
}

func (e *ReadError) Error() string {
	return fmt.Sprintf("read failed after %d bytes: %v", e.Offset, e.Err)
}

func (e *ReadError) Unwrap() error { return e.Err }

// produce reads one file for the writer: it opens and hashes it, detects its format and parses
// it, in one piece or in pieces (LineSplitter), and sends what it finds on j's channels. With
// early set it stops at a hash the case already holds, so that a file ingested before costs one
// read. Problems with the file go into the head's Result; only the writer decides what is
// stored.
func (r *runner) produce(j *fileJob, early bool) {
	defer close(j.pieces)
	path := j.path
	res := Result{Path: path}
	if bad := regularFile(path); bad != nil {
		j.head <- fileHead{res: *bad}
		return
	}
	// Evidence is opened read-only and never written; O_RDONLY is os.Open's mode.
	f, err := os.Open(path)
	if err != nil {
		res.Err = fmt.Errorf("cannot read %s: %w", path, unwrapPath(err))
		j.head <- fileHead{res: res}
		return
	}
	defer f.Close()
	in, err := r.hashed(f)
	if err != nil {
		res.Err = fmt.Errorf("cannot read %s: %w", path, unwrapPath(err))
		j.head <- fileHead{res: res}
		return
	}
	res.SHA256 = in.sum
	if early && !r.cfg.Reparse {
		// An error here is the writer's to report: it asks again.
		if _, ok, err := r.sink.Known(in.sum); err == nil && ok {
			j.head <- fileHead{res: res, stopped: true}
			return
		}
	}
	st, err := openStream(in.raw, r.inflateLimit(in.size))
	if err != nil {
		res.Err = fmt.Errorf("%s: corrupt gzip header: %w", path, err)
		j.head <- fileHead{res: res}
		return
	}
	ing := r.cfg.Force
	if ing == nil && len(st.head) > 0 {
		if ing = Detect(r.cfg.Ingesters, st.head); ing == nil {
			res.Err = fmt.Errorf("%s: %w: no ingester recognised its first %d bytes%s (see `breachline formats`; force one with --format)",
				path, ErrUnknownFormat, len(st.head), encodingHint(st.head))
			j.head <- fileHead{res: res}
			return
		}
	}
	ev := r.evidence(path, in, st, ing)
	h := fileHead{res: res, ev: ev, opts: r.cfg.Options}
	h.opts.Key = r.sink.HandleKey()
	if ing != nil {
		h.info = &fileInfo{ing: ing, parser: ev.Parser, sha256: in.sum, path: path, key: h.opts.Key}
	}
	r.parseFile(j, h, st)
	if j.ctx.Err() != nil {
		return // the writer is not waiting for the end
	}
	// Hash whatever the parse did not read, then compare with the first pass.
	end := fileEnd{decompressed: st.counted.n}
	if ev.Compression == "" {
		end.decompressed = in.size
	}
	if _, err := io.Copy(io.Discard, in.raw); err != nil {
		end.err = fmt.Errorf("cannot read %s: %w", path, err)
	} else if in.verify != nil {
		if got := hex.EncodeToString(in.verify.Sum(nil)); got != in.sum {
			end.err = fmt.Errorf("%s changed while it was being read (sha256 %s, then %s); nothing was stored", path, in.sum, got)
		}
	}
	j.end <- end
}

// parseFile sends h to the writer and parses the stream: in one piece on this goroutine, or, for
// an ingester that allows it in this file and with workers to spare, in pieces.
func (r *runner) parseFile(j *fileJob, h fileHead, st *stream) {
	var cut func([]byte) bool
	if ls, ok := h.info.ingester().(LineSplitter); ok && r.cfg.Workers > 1 {
		cut = ls.SplitLines(st.head)
	}
	switch {
	case h.info == nil:
		h.empty = true
		j.head <- h
	case cut == nil:
		h.whole = newParse(wholeDepth, r, j)
		j.head <- h
		h.whole.run(j.ctx, h.info, h.opts, st.body, 0, 0, 0)
	default:
		h.split = true
		j.head <- h
		r.split(j, h.info, h.opts, st.body, cut)
	}
}

// evidence is the evidence row of a file about to be parsed by ing (nil for an empty file).
func (r *runner) evidence(path string, in *evidenceBytes, st *stream, ing Ingester) *normalize.Evidence {
	ev := &normalize.Evidence{Path: path, SHA256: in.sum, Size: in.size, Complete: true, Settings: r.cfg.settings()}
	if abs, err := filepath.Abs(path); err == nil {
		ev.AbsPath = abs
	}
	if st.gzip {
		ev.Compression = "gzip"
	}
	if ing != nil {
		ev.Format = ing.Name()
		ev.Parser = ing.Name() + "@" + ing.Version()
	}
	return ev
}

// stream is an evidence file's decompressed stream, with its start for detection.
type stream struct {
	body    *bufio.Reader
	counted *countReader
	head    []byte // the first HeadSize bytes, or all there is
	gzip    bool
}

// inflateLimit is how far the gzip stream of a file of size bytes may inflate; 0 means no bound.
func (r *runner) inflateLimit(size int64) int64 {
	if r.cfg.MaxInflateRatio < 0 {
		return 0
	}
	limit := size * int64(r.cfg.MaxInflateRatio)
	if limit/int64(r.cfg.MaxInflateRatio) != size { // overflow: no practical bound
		return 0
	}
	return max(limit, r.cfg.InflateAllowance)
}

// openStream decompresses raw when it is gzipped, stopping at limit decompressed bytes (0: no
// bound), and peeks at its start. Every member of a concatenated gzip is read, as gunzip does.
func openStream(raw io.Reader, limit int64) (*stream, error) {
	rawBuf := bufio.NewReaderSize(raw, HeadSize)
	st := &stream{}
	var dec io.Reader = rawBuf
	if magic, _ := rawBuf.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(rawBuf)
		if err != nil {
			return nil, err
		}
		st.gzip, dec = true, zr
		if limit > 0 {
			dec = &inflateLimiter{r: zr, left: limit, limit: limit}
		}
	}
	st.counted = &countReader{r: dec}
	st.body = bufio.NewReaderSize(st.counted, HeadSize)
	st.head, _ = st.body.Peek(HeadSize) // a short or failed peek still shows what there is
	return st, nil
}

// evidenceBytes is an opened evidence file with its hash, and the reader its parse reads from.
type evidenceBytes struct {
	sum  string
	size int64
	raw  io.Reader // counts what is read for the progress bar
	// verify hashes what the parse reads again, on the two-pass path; nil when the file was read
	// into memory once, where the bytes parsed are the bytes hashed by construction.
	verify hash.Hash
}

// hashed hashes f. A file up to r.maxWhole bytes is read into memory once, hashed, and parsed
// from that buffer. A larger one is hashed in a first pass, because event ids derive from the
// hash and must be known before the first event is stored, then parsed in a second pass that
// hashes again: the two must agree, so the bytes parsed are provably the bytes hashed.
func (r *runner) hashed(f *os.File) (*evidenceBytes, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.Size() <= r.maxWhole {
		data, err := readWhole(f, info.Size(), r.maxWhole)
		if err != nil {
			return nil, err
		}
		if data != nil {
			sum := sha256.Sum256(data)
			return &evidenceBytes{sum: hex.EncodeToString(sum[:]), size: int64(len(data)),
				raw: &rawReader{r: bytes.NewReader(data), progress: r.cfg.Progress}}, nil
		}
		// It grew past the bound while being read: two passes after all.
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
	}
	sum, size, err := hashFile(f)
	if err != nil {
		return nil, err
	}
	if afterHash != nil {
		afterHash(f.Name())
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	verify := sha256.New()
	return &evidenceBytes{sum: sum, size: size, raw: &rawReader{r: f, h: verify, progress: r.cfg.Progress}, verify: verify}, nil
}

// afterHash, when set by a test, runs between the two passes.
var afterHash func(path string)

// readWhole reads f, of size bytes when it was looked at, to its end; nil without an error when
// it turns out longer than limit.
func readWhole(f *os.File, size, limit int64) ([]byte, error) {
	buf := make([]byte, 0, size+1) // one byte more, to see the end without growing
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > limit {
				return nil, nil
			}
			buf = slices.Grow(buf, 64<<10)
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if int64(len(buf)) > limit {
				return nil, nil
			}
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// encodingHint says why a file no ingester recognised may be text all the same: logs are read
// as UTF-8, and a UTF-16 file (Windows exports) shows as a byte-order mark and NUL bytes.
func encodingHint(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}), bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return "; it starts with a UTF-16 byte-order mark: convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8)"
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return "; it is gzip inside gzip: gunzip it once first"
	}
	return ""
}

// Detect returns the first ingester in order that recognises head, or nil.
func Detect(ingesters []Ingester, head []byte) Ingester {
	for _, ing := range ingesters {
		if ing.Detect(head) {
			return ing
		}
	}
	return nil
}

func hashFile(f *os.File) (string, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

func unwrapRead(err error) error {
	var re *ReadError
	if errors.As(err, &re) {
		if errors.Is(re.Err, io.ErrUnexpectedEOF) {
			return errors.New("unexpected end of file (truncated)")
		}
		return re.Err
	}
	return err
}

// rawReader counts the file's bytes as the parse reads them, and hashes them on the two-pass
// path.
type rawReader struct {
	r        io.Reader
	h        hash.Hash // nil when the file was read into memory once
	progress Progress
}

func (r *rawReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		if r.h != nil {
			r.h.Write(p[:n])
		}
		if r.progress != nil {
			r.progress.ReadBytes(n)
		}
	}
	return n, err
}

// inflateLimiter stops a decompressed stream at limit bytes, with ErrInflateLimit.
type inflateLimiter struct {
	r           io.Reader
	left, limit int64
}

func (l *inflateLimiter) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more tells a stream that ends exactly at the limit from one that goes on.
		var one [1]byte
		if n, err := l.r.Read(one[:]); n == 0 && err != nil {
			return 0, err
		}
		return 0, fmt.Errorf("%w: it decompresses to more than %d bytes (a gzip bomb?); reading stopped there (--max-inflate-ratio)", ErrInflateLimit, l.limit)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// countReader counts the decompressed stream.
type countReader struct {
	r io.Reader
	n int64
}

func (r *countReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.n += int64(n)
	return n, err
}

// offsetReader counts the stretch of the stream a parse reads and turns read failures into
// *ReadError, with the offset in that stretch.
type offsetReader struct {
	r io.Reader
	n int64
}

func (r *offsetReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.n += int64(n)
	if err != nil && err != io.EOF {
		return n, &ReadError{Offset: r.n, Err: err}
	}
	return n, err
}
