// Package vaultaudit ingests HashiCorp Vault audit logs written by the file audit device (and
// the same JSON shipped by the socket and syslog devices once the syslog header is stripped): one
// JSON object per line, or objects pretty-printed and concatenated, as some shippers and
// `jq .` leave them. Every entry, request or response, becomes one event; the two halves of a
// call share request_id and are never merged.
package vaultaudit

import (
	"bytes"
	"context"
	"fmt"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/internal/jsondec"
	"github.com/breachline/breachline/ingest/internal/jsonrec"
	"github.com/breachline/breachline/ingest/internal/linerec"
	"github.com/breachline/breachline/normalize"
)

// Name is the source name of Vault audit events.
const Name = "vault-audit"

// Ingester reads Vault audit logs.
type Ingester struct{}

// New returns the Vault audit ingester.
func New() Ingester { return Ingester{} }

// Name implements ingest.Ingester.
func (Ingester) Name() string { return Name }

// Version implements ingest.Ingester.
func (Ingester) Version() string { return "1.1.0" }

// Detect implements ingest.Ingester: a Vault audit entry is a JSON object with a request object
// carrying an operation and a top-level type of request or response. Other JSON logs have a
// "type" key too (a GCP resource type, say), so its value is checked.
func (Ingester) Detect(head []byte) bool {
	head = bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	if len(head) == 0 || (head[0] != '{' && head[0] != '[') {
		return false
	}
	return bytes.Contains(head, []byte(`"request"`)) && bytes.Contains(head, []byte(`"operation"`)) &&
		hasEntryType(head)
}

// hasEntryType reports whether some "type" key in b has the value request or response (or their
// kmip- forms).
func hasEntryType(b []byte) bool {
	key := []byte(`"type"`)
	for {
		i := bytes.Index(b, key)
		if i < 0 {
			return false
		}
		b = b[i+len(key):]
		v := bytes.TrimLeft(b, " \t\r\n")
		if len(v) == 0 || v[0] != ':' {
			continue
		}
		v = bytes.TrimLeft(v[1:], " \t\r\n")
		for _, want := range []string{`"request"`, `"response"`, `"kmip-request"`, `"kmip-response"`} {
			if bytes.HasPrefix(v, []byte(want)) {
				return true
			}
		}
	}
}

// Ingest implements ingest.Ingester.
func (Ingester) Ingest(ctx context.Context, src *ingest.Source, emit ingest.Emitter) error {
	sc := jsonrec.New(src, src.MaxRecord)
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
		r := record{raw: rec.Raw, key: src.Key}
		if err := jsondec.Unmarshal(rec.Raw, &r); err != nil {
			emit.Reject(rec, fmt.Sprintf("not a Vault audit entry: %v", err))
			continue
		}
		ev = normalize.Event{Attrs: make(map[string]any, 24)}
		if err := r.toEvent(&ev, src.AssumeTZ); err != nil {
			emit.Reject(rec, err.Error())
			continue
		}
		emit.Event(rec, &ev)
	}
	return sc.Err()
}

// SplitLines implements ingest.LineSplitter: an entry depends on no other, so a file of JSON lines
// may be cut before any line that is one whole entry.
func (Ingester) SplitLines(head []byte) func(line []byte) bool {
	return linerec.JSONLines(head)
}

// Describe implements ingest.Ingester.
func (Ingester) Describe() string {
	return "HashiCorp Vault file audit device: JSON lines or pretty records, request and response"
}
