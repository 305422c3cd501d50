// Package githubaudit ingests GitHub organization and enterprise audit logs in the forms an
// examiner receives them: the JSON export and the REST API's responses (a JSON array), the
// streaming format (JSON lines, as delivered to S3, Azure Blob or Splunk, gzipped or not), and
// the CSV export from the audit log page.
package githubaudit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/internal/jsondec"
	"github.com/breachline/breachline/ingest/internal/jsonrec"
	"github.com/breachline/breachline/ingest/internal/linerec"
	"github.com/breachline/breachline/normalize"
)

// Name is the source name of GitHub audit log events.
const Name = "github-audit"

// Ingester reads GitHub audit logs.
type Ingester struct{}

// New returns the GitHub audit log ingester.
func New() Ingester { return Ingester{} }

// Name implements ingest.Ingester.
func (Ingester) Name() string { return Name }

// Version implements ingest.Ingester.
func (Ingester) Version() string { return "1.1.0" }

// Detect implements ingest.Ingester. JSON: an object with action and actor (or a timestamp)
// whose first action is dotted (repo.create), and a key only GitHub's audit log uses together
// with those; other audit logs (Slack's, say) have action and actor too. CSV: a header naming
// action, actor and @timestamp or created_at.
func (Ingester) Detect(head []byte) bool {
	head = bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	if len(head) == 0 {
		return false
	}
	if head[0] == '{' || head[0] == '[' {
		return detectJSON(head)
	}
	return detectCSV(head)
}

// detectJSON is Detect for heads that start with { or [.
func detectJSON(head []byte) bool {
	if !bytes.Contains(head, []byte(`"action"`)) || !dottedAction(head) {
		return false
	}
	if !containsAny(head, `"actor"`, `"@timestamp"`, `"created_at"`) {
		return false
	}
	return containsAny(head, `"_document_id"`, `"actor_location"`, `"org"`, `"repo"`, `"repository"`,
		`"business"`, `"operation_type"`, `"programmatic_access_type"`, `"hashed_token"`, `"actor_id"`)
}

// dottedAction reports whether the first "action" key's value is a dotted GitHub action name.
func dottedAction(b []byte) bool {
	i := bytes.Index(b, []byte(`"action"`))
	v := bytes.TrimLeft(b[i+len(`"action"`):], " \t\r\n")
	if len(v) == 0 || v[0] != ':' {
		return false
	}
	v = bytes.TrimLeft(v[1:], " \t\r\n")
	if len(v) == 0 || v[0] != '"' {
		return false
	}
	end := bytes.IndexByte(v[1:], '"')
	if end <= 0 {
		return false
	}
	name := v[1 : 1+end]
	dot := bytes.IndexByte(name, '.')
	return dot > 0 && dot < len(name)-1
}

// containsAny reports whether b contains one of keys.
func containsAny(b []byte, keys ...string) bool {
	for _, k := range keys {
		if bytes.Contains(b, []byte(k)) {
			return true
		}
	}
	return false
}

// detectCSV is Detect for other heads: the first line must be a GitHub export's header.
func detectCSV(head []byte) bool {
	line, _, _ := bytes.Cut(head, []byte{'\n'})
	fields, err := csv.NewReader(bytes.NewReader(line)).Read()
	if err != nil {
		return false
	}
	seen := map[string]bool{}
	for _, f := range fields {
		seen[f] = true
	}
	return seen["action"] && seen["actor"] && (seen["@timestamp"] || seen["created_at"])
}

// Ingest implements ingest.Ingester: JSON when the first character is { or [, CSV otherwise.
func (Ingester) Ingest(ctx context.Context, src *ingest.Source, emit ingest.Emitter) error {
	br := bufio.NewReaderSize(src, 64<<10)
	peek, _ := br.Peek(4096) // a short peek shows what there is; a read error recurs below
	peek = bytes.TrimLeft(peek, " \t\r\n\xef\xbb\xbf")
	if len(peek) > 0 && peek[0] != '{' && peek[0] != '[' {
		return ingestCSV(ctx, br, src, emit)
	}
	return ingestJSON(ctx, br, src, emit)
}

// ingestJSON reads the JSON forms: lines, concatenated objects, an array.
func ingestJSON(ctx context.Context, r *bufio.Reader, src *ingest.Source, emit ingest.Emitter) error {
	sc := jsonrec.New(r, src.MaxRecord)
	for sc.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := sc.Record()
		if why := sc.Bad(); why != "" {
			emit.Reject(rec, why)
			continue
		}
		var r record
		if err := jsondec.Unmarshal(rec.Raw, &r); err != nil {
			emit.Reject(rec, fmt.Sprintf("not a GitHub audit log event: %v", err))
			continue
		}
		ev := normalize.Event{}
		if err := r.toEvent(&ev, src.AssumeTZ); err != nil {
			emit.Reject(rec, err.Error())
			continue
		}
		emit.Event(rec, &ev)
	}
	return sc.Err()
}

// SplitLines implements ingest.LineSplitter for the streaming format: a JSON-lines file may be cut
// before any line that is one whole event, where Ingest, seeing '{' first, reads JSON again.
// The CSV export is never cut: a quoted field may hold a newline, and rows need the header.
func (Ingester) SplitLines(head []byte) func(line []byte) bool {
	return linerec.JSONLines(head)
}

// Describe implements ingest.Ingester.
func (Ingester) Describe() string {
	return "GitHub organization/enterprise audit log: JSON array, JSON lines (streaming), CSV export"
}
