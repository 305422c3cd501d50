// Package accesslog ingests web server access logs in the NCSA family: Apache's common,
// combined, vhost_common and vhost_combined formats and nginx's combined and main formats, with
// or without a leading vhost ("host:443 client …" or "host client …"), with extra fields after
// the user agent kept in order, plain or gzipped, LF or CRLF. One line is one request.
package accesslog

import (
	"bytes"
	"context"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/internal/linerec"
	"github.com/breachline/breachline/normalize"
)

// Name is the source name of access-log events.
const Name = "access-log"

// Ingester reads access logs.
type Ingester struct{}

// New returns the access-log ingester.
func New() Ingester { return Ingester{} }

// Name implements ingest.Ingester.
func (Ingester) Name() string { return Name }

// Version implements ingest.Ingester.
func (Ingester) Version() string { return "1.4.0" }

// detectLines is how many of the first non-blank lines Detect reads.
const detectLines = 4

// Detect implements ingest.Ingester: of the first few complete non-blank lines of head, all but
// one parse as access-log lines, and at least two do (or the only one does). One bad line is
// allowed because evidence often starts mid-line (a rotated or carved file). JSON is never
// claimed: a shipper's JSON wrapping an access-log line belongs to that shipper's ingester.
func (Ingester) Detect(head []byte) bool {
	head = bytes.TrimPrefix(head, bom)
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) == 0 || t[0] == '{' {
		return false
	}
	if t[0] == '[' { // a JSON array, unless it is a bracketed IPv6 vhost
		first, _, _ := bytes.Cut(t, []byte{' '})
		if !isBracketAddr(string(first)) {
			return false
		}
	}
	var p parser
	return linerec.HeadMatches(head, detectLines, func(line []byte) bool { return p.parse(string(line)) == "" })
}

var bom = []byte("\xef\xbb\xbf")

// SplitLines implements ingest.LineSplitter: every line is a request of its own, parsed without
// anything from the lines before it. A piece must not start with a byte-order mark, which Ingest
// drops only at the start of the stream.
func (Ingester) SplitLines([]byte) func(line []byte) bool {
	return func(line []byte) bool { return !bytes.HasPrefix(line, bom) }
}

// Ingest implements ingest.Ingester. With Options.LogFormat every line is read by that
// format's plan instead of the built-in grammar.
func (Ingester) Ingest(ctx context.Context, src *ingest.Source, emit ingest.Emitter) error {
	var lf *LogFormat
	if src.LogFormat != "" {
		var err error
		if lf, err = cachedPlan(src.LogFormat); err != nil {
			return err
		}
	}
	sc := linerec.New(src, src.MaxRecord)
	p := parser{key: src.Key}
	var ev normalize.Event
	// The core copies what it keeps of an event before Event returns, so one attrs map serves
	// every line.
	attrs := make(map[string]any, 12)
	noted := map[layoutKind]bool{}
	for sc.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := sc.Record()
		if why := sc.Bad(); why != "" {
			emit.Reject(rec, why)
			continue
		}
		raw := rec.Raw
		if rec.Offset == 0 {
			raw = bytes.TrimPrefix(raw, bom)
		}
		var why string
		if lf != nil {
			why = p.parseWith(lf, string(raw))
		} else {
			why = p.parse(string(raw))
		}
		if why != "" {
			emit.Reject(rec, why)
			continue
		}
		clear(attrs)
		ev = normalize.Event{Attrs: attrs}
		if why := p.toEvent(&ev, src.AssumeTZ); why != "" {
			emit.Reject(rec, why)
			continue
		}
		for _, a := range p.extra {
			ev.SetAttr(a.key, a.val)
		}
		for _, k := range p.f.layout {
			if !noted[k] {
				noted[k] = true
				emit.Note(layoutNotes[k])
			}
		}
		emit.Event(rec, &ev)
	}
	return sc.Err()
}

// Describe implements ingest.Ingester.
func (Ingester) Describe() string {
	return "nginx/Apache access logs: common, combined, vhost_combined, extra fields"
}
