package ingest

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// Span is where a record sits in an evidence file's decompressed stream: an event's offset and
// length.
type Span struct {
	Offset, Length int64
}

// Original returns the bytes [offset, offset+length) of the decompressed evidence file at path,
// after checking that the file still hashes to wantSHA256: an examiner (or the other side's
// expert) can see the record exactly as logged, and knows it comes from the file the case was
// built from. The file is opened read-only and read in one pass.
func Original(path, wantSHA256 string, offset, length int64) ([]byte, error) {
	recs, err := Originals(path, wantSHA256, []Span{{offset, length}})
	if recs == nil || recs[0] == nil {
		return nil, err
	}
	return recs[0], nil
}

// Originals is Original for several records of one file: the file is read and hashed once
// however many records are wanted, which matters when a finding cites hundreds of events in one
// multi-gigabyte log. The spans may come in any order and may overlap (events cut from one
// record share its span); the records are returned in the order of spans.
//
// When the file cannot be opened or no longer has the hash the case recorded, no record is
// returned. A span the stream does not reach (a truncated gzip, say) leaves a nil record and is
// named in the error; the others are still returned.
func Originals(path, wantSHA256 string, spans []Span) ([][]byte, error) {
	for _, sp := range spans {
		if sp.Offset < 0 || sp.Length < 0 {
			return nil, fmt.Errorf("evidence %s: no record at offset %d with length %d", path, sp.Offset, sp.Length)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read evidence %s: %w", path, unwrapPath(err))
	}
	defer f.Close()
	h := sha256.New()
	br := bufio.NewReaderSize(io.TeeReader(f, h), HeadSize)
	var stream io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("evidence %s: corrupt gzip header: %w", path, err)
		}
		stream = zr
	}
	recs, spanErr := readSpans(stream, spans)
	_, _ = io.Copy(io.Discard, stream) // a truncated gzip ends in an error here; the hash still covers the file
	_, _ = io.Copy(io.Discard, br)
	if got := hex.EncodeToString(h.Sum(nil)); got != wantSHA256 {
		return nil, fmt.Errorf("evidence %s has changed since it was ingested: sha256 is now %s, the case recorded %s", path, got, wantSHA256)
	}
	if spanErr != nil {
		return recs, fmt.Errorf("evidence %s: %w", path, spanErr)
	}
	return recs, nil
}

// readSpans reads the spans from stream in one forward pass. Spans are visited in offset order
// and overlapping ones merged into one read, so no byte is read twice and none is skipped back
// to.
func readSpans(stream io.Reader, spans []Span) ([][]byte, error) {
	order := make([]int, len(spans))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(spans[a].Offset, spans[b].Offset) })
	recs := make([][]byte, len(spans))
	var errs []error
	var pos int64    // bytes of stream consumed
	var broken error // why the stream gave out, once it has
	for i := 0; i < len(order); {
		// The run order[i:j] is one merged interval [start, end).
		start, end := spans[order[i]].Offset, spans[order[i]].Offset+spans[order[i]].Length
		j := i + 1
		for j < len(order) && spans[order[j]].Offset <= end {
			end = max(end, spans[order[j]].Offset+spans[order[j]].Length)
			j++
		}
		var buf []byte
		var n int
		if broken == nil {
			skipped, err := io.CopyN(io.Discard, stream, start-pos)
			pos += skipped
			if err == nil {
				buf = make([]byte, end-start)
				n, err = io.ReadFull(stream, buf)
				pos += int64(n)
			}
			if err != nil {
				broken = fmt.Errorf("the stream ends at byte %d: %w", pos, err)
			}
		}
		for _, k := range order[i:j] {
			sp := spans[k]
			lo, hi := sp.Offset-start, sp.Offset-start+sp.Length
			if buf != nil && hi <= int64(n) {
				recs[k] = buf[lo:hi:hi] // capped: appending to one record must not overwrite the next
				continue
			}
			cause := broken
			if cause == nil {
				cause = io.ErrUnexpectedEOF
			}
			errs = append(errs, fmt.Errorf("record at offset %d (%d bytes): %w", sp.Offset, sp.Length, cause))
		}
		i = j
	}
	return recs, errors.Join(errs...)
}
