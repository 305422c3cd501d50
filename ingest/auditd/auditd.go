// Package auditd ingests Linux audit logs as auditd writes them (/var/log/audit/audit.log, raw
// or ENRICHED log_format, with or without node= prefixes) and as the realtime/plugin interface
// emits them (with end-of-event records), gzipped or not. The records of one audit event,
// interleaved or out of order, are joined by node, time and serial into one event; a read of a
// file the examiner marks with --secret-path is a secret_read.
package auditd

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/breachline/breachline/ingest"
)

// Name is the source name of audit events.
const Name = "auditd"

// Ingester reads Linux audit logs.
type Ingester struct{}

// New returns the auditd ingester.
func New() Ingester { return Ingester{} }

// Name implements ingest.Ingester.
func (Ingester) Name() string { return Name }

// Version implements ingest.Ingester.
func (Ingester) Version() string { return "1.2.0" }

// Describe implements ingest.Ingester.
func (Ingester) Describe() string {
	return "Linux audit: audit.log (raw or enriched, node= prefixes), the realtime stream with EOE; events joined by serial"
}

// Detect implements ingest.Ingester: most of the first lines that are not comments or ausearch
// separators are audit records, "[node=… ]type=… msg=audit(<digits>". A line cut at the end of
// head still shows that much; other formats that carry audit text (syslog, the kernel's
// "audit: type=1400 audit(…)", JSON from laurel or auoms) start their lines differently.
func (Ingester) Detect(head []byte) bool {
	seen, audit := 0, 0
	for len(head) > 0 && seen < 16 {
		l, rest, _ := bytes.Cut(head, []byte{'\n'})
		head = rest
		l = bytes.TrimSpace(l)
		if len(l) == 0 || l[0] == '#' || bytes.HasPrefix(l, []byte("----")) || bytes.HasPrefix(l, []byte("time->")) {
			continue
		}
		seen++
		if looksLikeRecord(l) {
			audit++
		}
	}
	return audit > 0 && 2*audit > seen
}

// looksLikeRecord checks the start of an audit record line up to the first digit of its time.
func looksLikeRecord(l []byte) bool {
	if bytes.HasPrefix(l, prefixNode) {
		i := wordEnd(l)
		l = l[skipSpaces(l, i):]
	}
	if !bytes.HasPrefix(l, prefixType) {
		return false
	}
	l = l[skipSpaces(l, wordEnd(l)):]
	if !bytes.HasPrefix(l, prefixMsg) {
		return false
	}
	// Raw time: digits up to '.' or ':' (ausearch -i writes "03/02/2026 09:00:00.123:1241").
	l = l[len(prefixMsg):]
	i := 0
	for i < len(l) && l[i] >= '0' && l[i] <= '9' {
		i++
	}
	return i > 0 && (i == len(l) || l[i] == '.' || l[i] == ':')
}

// errStuck guards against a window that asks for room while nothing waits: a bug, reported
// instead of looping.
var errStuck = errors.New("auditd: reassembly window full with no event waiting")

// Ingest implements ingest.Ingester. One audit event (all the records that share node, time and
// serial) is one record of the evidence: it becomes one event, or one reject; a line that is not
// an audit record is a reject of its own.
func (Ingester) Ingest(ctx context.Context, src *ingest.Source, emit ingest.Emitter) error {
	return ingestWith(ctx, src, emit, limits{})
}

// limits overrides the reassembly bounds in tests; zero fields keep the defaults.
type limits struct {
	window, waiting, members, bytes int
}

func ingestWith(ctx context.Context, src *ingest.Source, emit ingest.Emitter, lim limits) error {
	max := src.MaxRecord
	if max <= 0 {
		max = ingest.DefaultMaxRecord
	}
	wbytes := windowBytes
	if lim.bytes > 0 {
		wbytes = lim.bytes
	}
	w := newWindow(src, max, wbytes)
	secrets := newSecretPaths(src.SecretPaths)
	for _, p := range secrets.bad {
		emit.Note(fmt.Sprintf("--secret-path %q is not a valid glob and was ignored", p))
	}
	a := newAssembler(emit, w, builder{secrets: secrets})
	if lim.window > 0 {
		a.window, a.recent = lim.window, lim.window
	}
	if lim.waiting > 0 {
		a.waiting = lim.waiting
	}
	if lim.members > 0 {
		a.members = lim.members
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		switch w.next(a.keep()) {
		case stepLine:
			a.add(w.cur)
		case stepRoom:
			if !a.closeOldest() {
				return errStuck
			}
		case stepEnd:
			a.finish()
			return w.err
		}
	}
}
