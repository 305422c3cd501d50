// Package cloudtrail ingests AWS CloudTrail records in every container they reach an examiner in:
// the S3 delivery file {"Records":[…]} (pretty or not, gzipped or not), a bare JSON array, JSON
// lines (with or without a shipper's @timestamp), `aws cloudtrail lookup-events` output (each
// event a JSON string in CloudTrailEvent), and the EventBridge envelope (the record in "detail").
// Digest files are recognised and skipped with a note.
package cloudtrail

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/internal/jsondec"
	"github.com/breachline/breachline/ingest/internal/jsonrec"
	"github.com/breachline/breachline/normalize"
)

// Name is the source name of CloudTrail events.
const Name = "aws-cloudtrail"

// wrappers are the container keys: the S3 delivery file's Records, lookup-events output's Events,
// CloudTrail Lake query results' QueryResultRows.
var wrappers = []string{"Records", "Events", "QueryResultRows"}

// metadata are the members of those containers that are not records: lookup-events' and Lake's
// pagination token, Lake's query status, statistics and error. Any other member is read (an
// array's elements as records) or rejected, never skipped unseen.
var metadata = []string{"NextToken", "QueryStatus", "QueryStatistics", "ErrorMessage"}

// Ingester reads CloudTrail.
type Ingester struct{}

// New returns the CloudTrail ingester.
func New() Ingester { return Ingester{} }

// Name implements ingest.Ingester.
func (Ingester) Name() string { return Name }

// Version implements ingest.Ingester.
func (Ingester) Version() string { return "1.1.0" }

// Detect implements ingest.Ingester: a CloudTrail record always has eventVersion and eventSource;
// lookup-events output has CloudTrailEvent; a digest file has its own keys.
func (Ingester) Detect(head []byte) bool {
	head = bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	if len(head) == 0 || (head[0] != '{' && head[0] != '[') {
		return false
	}
	return (bytes.Contains(head, []byte(`"eventVersion"`)) && bytes.Contains(head, []byte(`"eventSource"`))) ||
		bytes.Contains(head, []byte(`"CloudTrailEvent"`)) ||
		(bytes.Contains(head, []byte(`"QueryResultRows"`)) && bytes.Contains(head, []byte(`"eventtime"`))) ||
		bytes.Contains(head, []byte(`"digestPublicKeyFingerprint"`))
}

// Ingest implements ingest.Ingester.
func (Ingester) Ingest(ctx context.Context, src *ingest.Source, emit ingest.Emitter) error {
	sc := jsonrec.New(src, src.MaxRecord, wrappers...).Metadata(metadata...)
	first := true
	noted := map[string]bool{}
	var ev normalize.Event
	// One attrs map for every record: the core copies what it keeps before Event returns.
	attrs := make(map[string]any, 16)
	for sc.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := sc.Record()
		if m := sc.Member(); m != "" && !slices.Contains(wrappers, m) && !noted[m] {
			noted[m] = true
			emit.Note(fmt.Sprintf("records read from the array in member %q of a container object, which is not a CloudTrail container key", m))
		}
		if why := sc.Bad(); why != "" {
			emit.Reject(rec, why)
			continue
		}
		if first && rec.Index == normalize.NoIndex && bytes.Contains(rec.Raw, []byte(`"digestPublicKeyFingerprint"`)) {
			emit.Note("CloudTrail digest file (log file hashes and signature, not events): skipped")
			return nil
		}
		first = false
		r, err := decode(rec.Raw)
		if err != nil {
			emit.Reject(rec, err.Error())
			continue
		}
		clear(attrs)
		ev = normalize.Event{Attrs: attrs}
		if err := r.toEvent(&ev); err != nil {
			emit.Reject(rec, err.Error())
			continue
		}
		emit.Event(rec, &ev)
	}
	return sc.Err()
}

// decode reads one record in any of the envelopes into the CloudTrail record it holds.
func decode(raw []byte) (*record, error) {
	var r record
	if isLakeRow(raw) {
		return decodeLakeRow(raw)
	}
	if bytes.Contains(raw, []byte(`"CloudTrailEvent"`)) {
		var l lookupEvent
		if err := jsondec.Unmarshal(raw, &l); err != nil {
			return nil, fmt.Errorf("not a lookup-events record: %v", err)
		}
		if l.CloudTrailEvent == "" {
			return nil, fmt.Errorf("lookup-events record without CloudTrailEvent")
		}
		if err := jsondec.Unmarshal([]byte(l.CloudTrailEvent), &r); err != nil {
			return nil, fmt.Errorf("CloudTrailEvent is not a CloudTrail record: %v", err)
		}
		if r.EventTime == "" {
			r.EventTime = l.EventTime
		}
		return &r, nil
	}
	if err := jsondec.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("not a CloudTrail record: %v", err)
	}
	if len(r.Detail) > 0 && r.DetailType != "" {
		// EventBridge: {"detail-type":"AWS API Call via CloudTrail", "detail": {record}}.
		var d record
		if err := jsondec.Unmarshal(r.Detail, &d); err != nil {
			return nil, fmt.Errorf("EventBridge detail is not a CloudTrail record: %v", err)
		}
		if d.EventTime == "" {
			d.EventTime = r.Time
		}
		if d.AWSRegion == "" {
			d.AWSRegion = r.Region
		}
		return &d, nil
	}
	return &r, nil
}

// Describe implements ingest.Ingester.
func (Ingester) Describe() string {
	return "AWS CloudTrail: S3 delivery files, arrays, JSON lines, lookup-events output, EventBridge"
}
