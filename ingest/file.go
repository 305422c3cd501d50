package ingest

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"github.com/breachline/breachline/normalize"
)

// HeadSize is how much of the decompressed stream format detection sees.
const HeadSize = 64 << 10

// ReadError is a failure to read the evidence stream (a truncated or corrupt gzip member, an I/O
// error) after Offset bytes of the decompressed stream were read.
type ReadError struct {
	Offset int64
	Err    error
}

func (e *ReadError) Error() string {
	return fmt.Sprintf("read failed after %d bytes: %v", e.Offset, e.Err)
}

func (e *ReadError) Unwrap() error { return e.Err }

// ingestFile reads one file. The returned error is fatal to the run (the sink failed); problems
// with the file itself go into the Result.
func ingestFile(ctx context.Context, cfg Config, path string, sink Sink) (Result, error) {
	res := Result{Path: path}
	// Evidence is opened read-only and never written; O_RDONLY is os.Open's mode.
	f, err := os.Open(path)
	if err != nil {
		res.Err = fmt.Errorf("cannot read %s: %w", path, unwrapPath(err))
		return res, nil
	}
	defer f.Close()

	// The hash is taken first, in its own pass, because event ids derive from it and must be
	// known before the first event is stored; the parsing pass hashes again and the two must
	// agree, so the bytes parsed are provably the bytes hashed.
	sum, size, err := hashFile(f)
	if err != nil {
		res.Err = fmt.Errorf("cannot read %s: %w", path, unwrapPath(err))
		return res, nil
	}
	res.SHA256 = sum
	if prev, ok, err := sink.Known(sum); err != nil {
		return res, err
	} else if ok && !cfg.Reparse {
		res.DuplicateOf = prev
		return res, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		res.Err = fmt.Errorf("cannot read %s: %w", path, err)
		return res, nil
	}
	if cfg.Progress != nil {
		cfg.Progress.StartFile(path, size)
	}

	verify := sha256.New()
	raw := &rawReader{r: f, h: verify, progress: cfg.Progress}
	rawBuf := bufio.NewReaderSize(raw, HeadSize)
	ev := &normalize.Evidence{Path: path, SHA256: sum, Size: size, Complete: true, Settings: cfg.settings()}
	if abs, err := filepath.Abs(path); err == nil {
		ev.AbsPath = abs
	}

	var stream io.Reader = rawBuf
	if magic, _ := rawBuf.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(rawBuf)
		if err != nil {
			res.Err = fmt.Errorf("%s: corrupt gzip header: %w", path, err)
			return res, nil
		}
		ev.Compression = "gzip"
		stream = zr
	}
	counted := &offsetReader{r: stream}
	body := bufio.NewReaderSize(counted, HeadSize)
	head, _ := body.Peek(HeadSize) // a short or failed peek still shows what there is

	ing := cfg.Force
	if ing == nil && len(head) > 0 {
		ing = Detect(cfg.Ingesters, head)
		if ing == nil {
			res.Err = fmt.Errorf("%s: %w: no ingester recognised its first %d bytes (see `breachline formats`; force one with --format)",
				path, ErrUnknownFormat, len(head))
			return res, nil
		}
	}
	if ing != nil {
		ev.Format = ing.Name()
		ev.Parser = ing.Name() + "@" + ing.Version()
	}

	fw, err := sink.Begin(ev)
	if err != nil {
		return res, err
	}
	opts := cfg.Options
	opts.Key = sink.HandleKey()
	run := newFileRun(ev, opts.Key, ing, fw, cfg.Progress)
	var ingestErr error
	if ing != nil {
		ingestErr = run.ingest(ctx, &Source{Reader: body, Path: path, Options: opts})
	} else {
		ev.Notes = append(ev.Notes, "empty file: no records")
	}
	if run.sinkErr != nil {
		_ = fw.Rollback()
		return res, run.sinkErr
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		_ = fw.Rollback()
		return res, ctxErr
	}
	if ingestErr != nil {
		// The input broke off (or the ingester gave up): what was read stays, the rest is one
		// reject at the break, and the evidence is marked incomplete.
		var re *ReadError
		at := counted.n
		if errors.As(ingestErr, &re) {
			at = re.Offset
		}
		reason := fmt.Sprintf("input broke off at byte %d: %v; the %d bytes after the last complete record are lost",
			at, unwrapRead(ingestErr), max(0, at-run.end))
		run.rejectAt(Record{Offset: run.end, Length: max(0, at-run.end), Index: normalize.NoIndex}, reason)
		if err := run.flush(); err != nil {
			_ = fw.Rollback()
			return res, err
		}
		ev.Complete = false
		ev.Notes = append(ev.Notes, reason)
	}
	// Hash whatever the parse did not read, then compare with the first pass.
	if _, err := io.Copy(io.Discard, raw); err != nil {
		_ = fw.Rollback()
		res.Err = fmt.Errorf("cannot read %s: %w", path, err)
		return res, nil
	}
	if got := hex.EncodeToString(verify.Sum(nil)); got != sum {
		_ = fw.Rollback()
		res.Err = fmt.Errorf("%s changed while it was being read (sha256 %s, then %s); nothing was stored", path, sum, got)
		return res, nil
	}
	ev.DecompressedSize = counted.n
	if ev.Compression == "" {
		ev.DecompressedSize = size
	}
	if err := fw.Commit(ev); err != nil {
		_ = fw.Rollback()
		return res, err
	}
	res.Evidence = ev
	return res, nil
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

// rawReader hashes and counts the file's bytes as the parse reads them.
type rawReader struct {
	r        io.Reader
	h        hash.Hash
	progress Progress
}

func (r *rawReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.h.Write(p[:n])
		if r.progress != nil {
			r.progress.ReadBytes(n)
		}
	}
	return n, err
}

// offsetReader counts the decompressed stream and turns read failures into *ReadError.
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
