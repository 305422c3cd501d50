// Package ingest turns evidence files into normalized events. It defines the Ingester interface
// every log format implements and the core that owns the files: it opens them read-only, hashes
// them, decompresses them, detects their format, hands the record stream to an ingester and
// passes the results to a Sink (the case store, or a test's memory).
package ingest

import (
	"context"
	"io"
	"time"

	"github.com/breachline/breachline/normalize"
)

// Ingester reads one log format. Implementations live one per package under ingest/ and are
// listed in ingest/all. An Ingester holds no per-file state: Ingest may be called for many files,
// several at once on goroutines of their own (Config.Workers).
type Ingester interface {
	// Name is the stable source name written to every event (aws-cloudtrail, access-log, …).
	Name() string
	// Version is the parser version; events record name@version so a changed parser is visible.
	Version() string
	// Describe says in one line what the ingester reads, for `breachline formats`.
	Describe() string
	// Detect reports whether head, the first 64 KiB of the decompressed file (possibly cut in
	// the middle of a record), looks like this format. It must be cheap and must not panic.
	Detect(head []byte) bool
	// Ingest reads records from src until EOF, calling emit for each one: Event for a record that
	// became an event, Reject for one that did not. It returns nil at the end of input, the
	// reader's error if reading failed, or ctx.Err() when cancelled.
	Ingest(ctx context.Context, src *Source, emit Emitter) error
}

// LineSplitter is implemented by an ingester whose records are lines that stand alone, in some
// files or in all: the core may then cut a large file into pieces at line starts and parse the
// pieces on several cores at once (with more than one worker), storing what they give in stream
// order, so that the case is the same as from one parse of the whole file.
//
// SplitLines is called once per file with head, the start of the decompressed stream as Detect sees
// it. It returns nil when this file must be parsed in one piece, or cutBefore, which says whether
// the file may be cut just before line (a whole line, without its terminator). For every such cut
// the ingester promises that a fresh Ingest over a run of whole lines starting there, at byte
// offset O and after L lines, emits exactly the calls the parse of the whole file makes for those
// lines, in the same order, with offsets counted from O and lines from L: no state crosses a cut, a
// cut is never where the ingester treats the start of its stream apart (a byte-order mark), and a
// note is the same from every piece that gives it (the core keeps it once; a count over the file
// would differ). Nothing may depend on where the run ends, except that a record the end cuts short
// ends the parse in an error; the core relies on that: when a piece that is not the file's last
// ends in an error, the cut after it was inside a record, and the file is parsed on from that
// piece's start in one piece.
type LineSplitter interface {
	SplitLines(head []byte) (cutBefore func(line []byte) bool)
}

// Source is one evidence file's record stream as an ingester sees it.
type Source struct {
	// Reader yields the decompressed bytes, or a piece of them (LineSplitter); record offsets
	// count from its first byte, and the core shifts them to the file's.
	io.Reader
	// Path is the evidence path as the examiner gave it, for messages.
	Path string
	Options
}

// Options are the examiner's settings that reach the ingesters.
type Options struct {
	// MaxRecord bounds one record in bytes (a line, in line-oriented formats); a longer record is
	// rejected and scanning goes on.
	MaxRecord int
	// AssumeTZ is the zone for timestamps that carry none; nil means such timestamps are rejected
	// rather than guessed.
	AssumeTZ *time.Location
	// SecretPaths are glob patterns of files that hold secrets (auditd: a read of one is a
	// secret_read).
	SecretPaths []string
	// LogFormat is the access log's own definition (an Apache LogFormat string or an nginx
	// log_format body) for access-log to read every line by; empty means its built-in grammar.
	LogFormat string
	// Key is the case's handle key, set by the core from the Sink: every raw credential value
	// becomes its keyed handle, and an ingester that derives a handle itself uses it.
	Key *normalize.HandleKey
}

// DefaultMaxRecord is the default bound on one record: 1 MiB.
const DefaultMaxRecord = 1 << 20

// Record locates one record in the decompressed stream.
type Record struct {
	Offset int64 // of the first byte
	Length int64 // in bytes, without a line terminator
	Line   int64 // 1-based line of the first byte; 0 where the format has no lines
	Index  int64 // position inside a container array (Records[i]); normalize.NoIndex when none
	// Raw holds the record's bytes, valid until the next record is read. For a record too long to
	// keep it holds only the beginning.
	Raw []byte
}

// Emitter receives what an ingester reads. Methods do not return errors: when the sink fails the
// core cancels the context, which the ingester checks between records.
type Emitter interface {
	// Event hands over ev, read from rec. The core fills ev's identity and provenance, checks it,
	// redacts secrets from it and copies it: the ingester may reuse ev and its Attrs afterwards.
	Event(rec Record, ev *normalize.Event)
	// Reject records that rec could not become an event, and why.
	Reject(rec Record, reason string)
	// Note tells the examiner something about the whole file (e.g. "CloudTrail digest file").
	Note(msg string)
}
