package ingest

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// Original returns the bytes [offset, offset+length) of the decompressed evidence file at path,
// after checking that the file still hashes to wantSHA256: an examiner (or the other side's
// expert) can see the record exactly as logged, and knows it comes from the file the case was
// built from. The file is opened read-only and read in one pass.
func Original(path, wantSHA256 string, offset, length int64) ([]byte, error) {
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
	if _, err := io.CopyN(io.Discard, stream, offset); err != nil {
		return nil, fmt.Errorf("evidence %s: cannot reach offset %d: %w", path, offset, err)
	}
	rec := make([]byte, length)
	n, err := io.ReadFull(stream, rec)
	if err != nil {
		return nil, fmt.Errorf("evidence %s: record at offset %d: read %d of %d bytes: %w", path, offset, n, length, err)
	}
	_, _ = io.Copy(io.Discard, stream) // a truncated gzip ends in an error here; the hash still covers the file
	_, _ = io.Copy(io.Discard, br)
	if got := hex.EncodeToString(h.Sum(nil)); got != wantSHA256 {
		return nil, fmt.Errorf("evidence %s has changed since it was ingested: sha256 is now %s, the case recorded %s", path, got, wantSHA256)
	}
	return rec, nil
}
