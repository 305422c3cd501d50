// Package cloudfront ingests Amazon CloudFront standard access logs (legacy standard logging,
// and v2 standard logging in its W3C output): a "#Version:" line and a "#Fields:" line naming
// the columns, then one tab-separated request per line, plain or gzipped as CloudFront delivers
// them to S3. Columns are mapped by the names the #Fields line gives, so a file with a different
// field selection or order is read the same way.
package cloudfront

import (
	"bytes"
	"context"
	"strings"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/internal/linerec"
	"github.com/breachline/breachline/normalize"
)

// Name is the source name of CloudFront access-log events.
const Name = "aws-cloudfront"

// Ingester reads CloudFront standard logs.
type Ingester struct{}

// New returns the CloudFront standard-log ingester.
func New() Ingester { return Ingester{} }

// Name implements ingest.Ingester.
func (Ingester) Name() string { return Name }

// Version implements ingest.Ingester.
func (Ingester) Version() string { return "1.0.0" }

// Describe implements ingest.Ingester.
func (Ingester) Describe() string {
	return "Amazon CloudFront standard access logs (W3C #Fields header, tab-separated, gzip)"
}

var bom = []byte("\xef\xbb\xbf")

// Detect implements ingest.Ingester: the file starts with W3C directives (#Version: or
// #Fields:), and a #Fields line among the first directives names a CloudFront column
// (x-edge-location or x-edge-request-id), which no other W3C log (IIS, say) has.
func (Ingester) Detect(head []byte) bool {
	head = bytes.TrimLeft(bytes.TrimPrefix(head, bom), " \t\r\n")
	if !bytes.HasPrefix(head, []byte("#Version:")) && !bytes.HasPrefix(head, []byte("#Fields:")) {
		return false
	}
	for i := 0; i < 8 && len(head) > 0 && head[0] == '#'; i++ {
		line, rest, ok := bytes.Cut(head, []byte{'\n'})
		if !ok && len(head) >= ingest.HeadSize {
			return false // a cut line is not judged
		}
		if after, ok := bytes.CutPrefix(line, []byte("#Fields:")); ok {
			for _, name := range strings.Fields(string(after)) {
				if name == "x-edge-location" || name == "x-edge-request-id" {
					return true
				}
			}
			return false
		}
		head = rest
	}
	return false
}

// Ingest implements ingest.Ingester. CloudFront is not an ingest.LineSplitter: the #Fields line
// names the columns of every line after it.
func (Ingester) Ingest(ctx context.Context, src *ingest.Source, emit ingest.Emitter) error {
	sc := linerec.New(src, src.MaxRecord)
	p := parser{key: src.Key}
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
		raw := rec.Raw
		if rec.Offset == 0 {
			raw = bytes.TrimPrefix(raw, bom)
		}
		line := strings.TrimRight(string(raw), " \r")
		if strings.HasPrefix(line, "#") {
			// A directive: not a record. A #Fields line sets the columns; one that cannot be
			// used is a reject, and so is every line it would have named.
			if after, ok := strings.CutPrefix(line, "#Fields:"); ok {
				if why := p.header(after); why != "" {
					emit.Reject(rec, why)
				}
			}
			continue
		}
		clear(attrs)
		ev = normalize.Event{Attrs: attrs}
		if why := p.toEvent(&ev, line); why != "" {
			emit.Reject(rec, why)
			continue
		}
		emit.Event(rec, &ev)
	}
	return sc.Err()
}
