package timeline

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strconv"

	"github.com/breachline/breachline/normalize"
)

// rowHasher computes the content hash of the rows one evidence file stored: the sha256 over its
// events as JSON lines (exactly the lines `timeline --format jsonl` prints) in the order they were
// stored, combined with the sha256 over its rejects as JSON lines in the same order:
//
//	rows_sha256 = sha256("events:" + hex(events_sha256) + "\nrejects:" + hex(rejects_sha256) + "\n")
//
// The ingest's custody entry records it, so a row changed, deleted or added after the ingest
// no longer matches (`custody --deep`, `show`). The JSON form is the event model's contract, not
// the physical table, so the hash survives a change of storage layout.
type rowHasher struct {
	events, rejects hash.Hash
	nEvents         int64
	nRejects        int64
	buf             []byte
}

func newRowHasher() *rowHasher {
	return &rowHasher{events: sha256.New(), rejects: sha256.New(), buf: make([]byte, 0, 2048)}
}

func (h *rowHasher) event(e *normalize.Event) {
	h.buf = append(e.AppendJSON(h.buf[:0]), '\n')
	h.events.Write(h.buf)
	h.nEvents++
}

func (h *rowHasher) reject(r *normalize.Reject) {
	h.buf = appendRejectJSON(h.buf[:0], r)
	h.buf = append(h.buf, '\n')
	h.rejects.Write(h.buf)
	h.nRejects++
}

// sum returns rows_sha256.
func (h *rowHasher) sum() string {
	s := sha256.Sum256([]byte("events:" + hex.EncodeToString(h.events.Sum(nil)) +
		"\nrejects:" + hex.EncodeToString(h.rejects.Sum(nil)) + "\n"))
	return hex.EncodeToString(s[:])
}

// appendRejectJSON is the canonical JSON of a reject: its columns in table order, empty line
// left out.
func appendRejectJSON(dst []byte, r *normalize.Reject) []byte {
	dst = append(dst, `{"evidence_sha256":`...)
	dst = normalize.AppendJSONString(dst, r.EvidenceSHA256)
	dst = append(dst, `,"evidence_path":`...)
	dst = normalize.AppendJSONString(dst, r.EvidencePath)
	dst = append(dst, `,"offset":`...)
	dst = strconv.AppendInt(dst, r.Offset, 10)
	dst = append(dst, `,"length":`...)
	dst = strconv.AppendInt(dst, r.Length, 10)
	if r.Line > 0 {
		dst = append(dst, `,"line":`...)
		dst = strconv.AppendInt(dst, r.Line, 10)
	}
	dst = append(dst, `,"reason":`...)
	dst = normalize.AppendJSONString(dst, r.Reason)
	dst = append(dst, `,"snippet":`...)
	dst = normalize.AppendJSONString(dst, r.Snippet)
	return append(dst, '}')
}
