// Package awsalb ingests AWS Application Load Balancer access logs: one request per line, fields
// separated by spaces with the free-text ones in double quotes, as Elastic Load Balancing writes
// them to S3 (gzipped, one file per load balancer node every 5 minutes) or as they are after
// gunzip. Older logs that end before the newer fields, and newer logs with fields appended after
// conn_trace_id, are both read.
package awsalb

import (
	"bytes"
	"context"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/internal/linerec"
	"github.com/breachline/breachline/normalize"
)

// Name is the source name of ALB access-log events.
const Name = "aws-alb"

// Ingester reads ALB access logs.
type Ingester struct{}

// New returns the ALB access-log ingester.
func New() Ingester { return Ingester{} }

// Name implements ingest.Ingester.
func (Ingester) Name() string { return Name }

// Version implements ingest.Ingester.
func (Ingester) Version() string { return "1.0.0" }

// Describe implements ingest.Ingester.
func (Ingester) Describe() string {
	return "AWS Application Load Balancer access logs (space-separated, quoted fields, gzip)"
}

// detectLines is how many of the first non-blank lines Detect reads.
const detectLines = 4

// Detect implements ingest.Ingester: of the first few complete non-blank lines of head, all but
// one are ALB lines (a known request type, an RFC 3339 time, an "app/…" load balancer id and
// the fields after them), and at least two are, or the only one is. One bad line is allowed
// because evidence may start mid-line. The "app/" id keeps Classic and Network load balancer
// logs, and every other space-separated format, out.
func (Ingester) Detect(head []byte) bool {
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) == 0 || t[0] == '{' || t[0] == '[' || t[0] == '#' {
		return false
	}
	var p parser
	return linerec.HeadMatches(head, detectLines, func(line []byte) bool { return p.split(string(line)) == "" && p.looksALB() })
}

// SplitLines implements ingest.LineSplitter: every line is a request of its own, read without
// anything from the lines before it, so a file may be cut before any line.
func (Ingester) SplitLines([]byte) func(line []byte) bool {
	return func([]byte) bool { return true }
}

// Ingest implements ingest.Ingester.
func (Ingester) Ingest(ctx context.Context, src *ingest.Source, emit ingest.Emitter) error {
	sc := linerec.New(src, src.MaxRecord)
	p := parser{key: src.Key}
	// The core copies what it keeps of an event before Event returns, so one attrs map serves
	// every line.
	attrs := make(map[string]any, 32)
	var ev normalize.Event
	for sc.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := sc.Record()
		if why := sc.Bad(); why != "" {
			emit.Reject(rec, why)
			continue
		}
		if why := p.split(string(rec.Raw)); why != "" {
			emit.Reject(rec, why)
			continue
		}
		clear(attrs)
		ev = normalize.Event{Attrs: attrs}
		if why := p.toEvent(&ev); why != "" {
			emit.Reject(rec, why)
			continue
		}
		emit.Event(rec, &ev)
	}
	return sc.Err()
}
