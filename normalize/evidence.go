package normalize

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// Evidence describes one input file as it entered a case.
type Evidence struct {
	Path        string // as the examiner gave it
	SHA256      string // of the file's bytes as stored (compressed, when it is)
	Size        int64  // bytes on disk
	Compression string // "gzip" or ""
	// DecompressedSize is the length of the stream offsets count in; equal to Size when uncompressed.
	DecompressedSize int64
	Format           string // the ingester's name, or "" when none recognised the file
	Parser           string // name@version
	FirstEvent       time.Time
	LastEvent        time.Time
	Records          int64 // records seen = Events + Rejects
	Events           int64
	Rejects          int64
	Complete         bool     // false when the input broke off (a truncated gzip, a read error)
	Notes            []string // what the ingester or the core want the examiner to know

	// AbsPath is the absolute path the file was read from, beside Path as the examiner gave it.
	AbsPath string
	// Settings are the examiner's options that shaped the parse (a forced format, the assumed
	// time zone, secret paths, the record bound), so a reparse with other settings is visible.
	Settings map[string]string
	// Version counts the parses of these bytes in the case: 1, then one more for each
	// `ingest --reparse`. The case store sets it.
	Version int64
	// RowsSHA256 is the content hash of the events and rejects stored from this version (see
	// the case store's custody documentation). The case store sets it.
	RowsSHA256 string
}

// Reject stands in for a record that could not become an event: where it is and why.
type Reject struct {
	EvidenceSHA256 string
	EvidencePath   string
	Offset         int64
	Length         int64
	Line           int64
	Reason         string
	// Snippet is at most the first SnippetLen bytes of the record, secrets redacted and invalid
	// UTF-8 escaped, so the examiner can see what was refused without opening the evidence.
	Snippet string
}

// SnippetLen bounds the record text a reject keeps.
const SnippetLen = 512

// EventID returns the deterministic id of the event read from the record at offset (and array
// position index, NoIndex when none) of the evidence file with the given sha256: the first 32 hex
// digits of sha256("<evidence_sha256>:<offset>:<index>"), index written as "-" when there is none.
// Any machine that reads the same bytes derives the same id.
func EventID(evidenceSHA256 string, offset, index int64) string {
	buf := make([]byte, 0, 96)
	buf = append(buf, evidenceSHA256...)
	buf = append(buf, ':')
	buf = strconv.AppendInt(buf, offset, 10)
	buf = append(buf, ':')
	if index < 0 {
		buf = append(buf, '-')
	} else {
		buf = strconv.AppendInt(buf, index, 10)
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:16])
}
