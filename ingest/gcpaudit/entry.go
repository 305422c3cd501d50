package gcpaudit

import (
	"bytes"
	"encoding/json"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/breachline/breachline/ingest/internal/jsondec"
	"github.com/breachline/breachline/normalize"
)

// Bounds on what a non-audit entry puts in attrs: application logs can carry megabytes of text
// or hundreds of Kubernetes pod labels, and the record stays in the evidence for `show`.
const (
	maxMessage    = 2048 // bytes of attrs.message
	maxLabels     = 32   // entries of attrs.labels and attrs.resource_labels each
	maxLabelValue = 256  // bytes of one label value
)

// toEntryEvent fills ev from an entry that is not an audit log: a request log (httpRequest) is
// an http_request event, anything else (application, container, node and Kubernetes event logs)
// an other event whose action is the log's id.
func (e *logEntry) toEntryEvent(assume *time.Location, ev *normalize.Event) error {
	ev.Attrs = make(map[string]any, 24)
	if err := e.stamp(assume, ev); err != nil {
		return err
	}
	e.envelope(ev)
	if r := e.Resource; r != nil && len(r.Labels) > 0 {
		ev.SetAttr("resource_labels", boundLabels(r.Labels, "resource_labels", ev))
	}
	if len(e.Labels) > 0 {
		ev.SetAttr("labels", boundLabels(e.Labels, "labels", ev))
	}
	_, id := logID(e.LogName)
	ev.SetAttr("log_id", id)
	ev.SetAttr("trace", e.Trace)
	ev.SetAttr("span_id", e.SpanID)
	p := e.payload()
	ev.SetAttr("payload", p.kind)
	ev.SetAttr("payload_type", p.typ)
	ev.SetAttr("payload_column", e.payloadColumn)
	if len(p.message) > maxMessage {
		ev.SetAttr("message_length", len(p.message))
		p.message = truncate(p.message, maxMessage)
	}
	ev.SetAttr("message", p.message)
	ev.Outcome = normalize.Unknown
	if h := e.HTTPRequest; h != nil {
		ev.SetAttr("status_details", p.statusDetails)
		request(h, ev)
		return nil
	}
	ev.Category = normalize.Other
	ev.Action = id
	return nil
}

// request sets the fields of a request log. The outcome follows the status as access-log's does
// (ECS's convention): 1xx-3xx success, 4xx-5xx failure, anything else (0: no response was sent)
// unknown.
func request(h *httpRequest, ev *normalize.Event) {
	ev.Category = normalize.HTTPRequest
	ev.Action = h.RequestMethod
	ev.Resource = h.RequestURL
	ip, host := normalize.SplitAddress(h.RemoteIP)
	ev.SrcIP = ip
	ev.SetAttr(normalize.AttrSourceHost, host)
	ev.UserAgent = h.UserAgent
	if code, ok := h.Status.int(); ok {
		ev.SetAttr("status", code)
		switch {
		case code >= 100 && code < 400:
			ev.Outcome = normalize.Success
		case code >= 400 && code < 600:
			ev.Outcome = normalize.Failure
		}
	} else {
		ev.SetAttr("status", string(h.Status))
	}
	if n, ok := h.ResponseSize.int(); ok {
		ev.SetAttr("bytes", n)
	}
	if n, ok := h.RequestSize.int(); ok {
		ev.SetAttr("request_bytes", n)
	}
	if ip, host := normalize.SplitAddress(h.ServerIP); ip != "" {
		ev.SetAttr("server_ip", ip)
	} else {
		ev.SetAttr("server_ip", host)
	}
	ev.SetAttr("referrer", h.Referer)
	ev.SetAttr("latency", string(h.Latency))
	ev.SetAttr("protocol", h.Protocol)
	if h.CacheHit {
		ev.SetAttr("cache_hit", true)
	}
}

// payloadInfo is what attrs say of an entry's payload.
type payloadInfo struct {
	kind          string // text, json, proto; empty when the entry has none
	typ           string // the payload's @type, when it names one
	message       string
	statusDetails string // a load balancer's jsonPayload.statusDetails
}

// payload reads the entry's payload: textPayload as it is; a jsonPayload's message member when it
// is a string (GKE's structured logging, Kubernetes events), else the payload as compact JSON; a
// protoPayload of another type than AuditLog as compact JSON.
func (e *logEntry) payload() payloadInfo {
	switch {
	case e.TextPayload != nil:
		return payloadInfo{kind: "text", message: *e.TextPayload}
	case present(e.JSONPayload):
		var m struct {
			Type          jsondec.RawMessage `json:"@type"`
			Message       jsondec.RawMessage `json:"message"`
			StatusDetails jsondec.RawMessage `json:"statusDetails"`
		}
		_ = jsondec.Unmarshal(e.JSONPayload, &m) // a payload that is not an object is rendered whole
		p := payloadInfo{kind: "json", typ: str(m.Type), message: str(m.Message), statusDetails: str(m.StatusDetails)}
		if p.message == "" {
			p.message = compact(e.JSONPayload)
		}
		return p
	case present(e.proto):
		var m struct {
			Type jsondec.RawMessage `json:"@type"`
		}
		_ = jsondec.Unmarshal(e.proto, &m)
		return payloadInfo{kind: "proto", typ: str(m.Type), message: compact(e.proto)}
	}
	return payloadInfo{}
}

// present reports whether a raw member was there and not null.
func present(raw jsondec.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
}

// str returns raw as a string when it is a JSON string, else "".
func str(raw jsondec.RawMessage) string {
	var s string
	if len(raw) == 0 || raw[0] != '"' || jsondec.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// compact renders a JSON value on one line; a value it cannot read is kept as it is.
func compact(raw []byte) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// boundLabels copies labels into the attrs' map type, keeping the first maxLabels keys in sorted
// order and maxLabelValue bytes of each value; attrs.<name>_bounded says that something was cut.
func boundLabels(labels map[string]string, name string, ev *normalize.Event) map[string]any {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	cut := false
	if len(keys) > maxLabels {
		sort.Strings(keys)
		keys, cut = keys[:maxLabels], true
	}
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		v := labels[k]
		if len(v) > maxLabelValue {
			v, cut = truncate(v, maxLabelValue), true
		}
		out[k] = v
	}
	if cut {
		ev.SetAttr(name+"_bounded", true)
	}
	return out
}
