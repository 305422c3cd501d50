package ingest

import (
	"slices"
	"strings"

	"github.com/breachline/breachline/normalize"
)

// sanitize makes an event safe to store: every string becomes valid UTF-8 (odd bytes kept as \xNN),
// and every credential value in a free-text field or attribute is replaced by its handle. It is
// the single guard that keeps raw secrets out of the case, whatever an ingester copied. The
// handles found are listed in attrs.credentials_seen, but never become the event's credential:
// a token in a user agent, an error message or a command line is not necessarily the one the
// request presented, and only the ingester knows which field is (access-log takes the query's).
func sanitize(e *normalize.Event, hk *normalize.HandleKey) error {
	var handles, redacted []string
	text := func(field string, p *string) {
		s := normalize.CleanString(*p)
		if out, hs := hk.Redact(s); len(hs) > 0 {
			s = out
			handles = append(handles, hs...)
			redacted = append(redacted, field)
		}
		*p = s
	}

	// Every stored text field, even those that should never hold a secret: an ingester that
	// copies the wrong field, or a log that puts a token where its format says an id goes, must
	// not get one into the case. Redact leaves names of secrets (secret_ref's ARNs and paths)
	// as they are.
	text("time_raw", &e.TimeRaw)
	text("tz_basis", &e.TZBasis)
	text("action", &e.Action)
	text("principal", &e.Principal)
	text("principal_type", &e.PrincipalType)
	text("src_ip", &e.SrcIP)
	text("user_agent", &e.UserAgent)
	// The ingester set a handle; one of the unkeyed sha256 scheme becomes the case's keyed one.
	e.Credential = hk.Keyed(normalize.CleanString(e.Credential))
	text("resource", &e.Resource)
	text("resource_type", &e.ResourceType)
	text("secret_ref", &e.SecretRef)
	text("request_id", &e.RequestID)

	attrs := e.Attrs
	if len(attrs) > 0 {
		var changed map[string]any
		type hit struct {
			k  string
			hs []string
		}
		var hits []hit // sorted by name below: map order is random and the output must not be
		for k, v := range attrs {
			nv, hs, did := cleanValue(hk, k, v)
			if !did {
				continue
			}
			if changed == nil {
				changed = make(map[string]any, len(attrs)+1)
			}
			changed[k] = nv
			if len(hs) > 0 {
				hits = append(hits, hit{k, hs})
			}
		}
		slices.SortFunc(hits, func(a, b hit) int { return strings.Compare(a.k, b.k) })
		for _, h := range hits {
			handles = append(handles, h.hs...)
			redacted = append(redacted, "attrs."+h.k)
		}
		if changed != nil {
			merged := make(map[string]any, len(attrs)+1)
			for k, v := range attrs {
				merged[k] = v
			}
			for k, v := range changed {
				merged[k] = v
			}
			attrs = merged
		}
	}
	if len(redacted) > 0 {
		copied := make(map[string]any, len(attrs)+2)
		for k, v := range attrs {
			copied[k] = v
		}
		copied[normalize.AttrRedacted] = redacted
		copied[normalize.AttrCredentialsSeen] = dedupe(handles)
		attrs = copied
	}
	b, err := normalize.MarshalAttrs(attrs)
	if err != nil {
		return err
	}
	e.AttrsJSON = b
	e.Attrs = nil
	return nil
}

// cleanValue sanitizes one attribute value; did is false when nothing had to change.
func cleanValue(hk *normalize.HandleKey, key string, v any) (out any, handles []string, did bool) {
	switch x := v.(type) {
	case string:
		s := normalize.CleanString(x)
		if normalize.IsCredentialName(key) {
			if h, ok := hk.RedactValue(s); ok {
				return h, []string{h}, true
			}
		} else if r, hs := hk.Redact(s); len(hs) > 0 {
			return r, hs, true
		}
		return s, nil, s != x
	case []string:
		var cp []string
		for i, s := range x {
			nv, hs, d := cleanValue(hk, key, s)
			if d {
				if cp == nil {
					cp = append([]string(nil), x...)
				}
				cp[i] = nv.(string)
				handles = append(handles, hs...)
			}
		}
		if cp == nil {
			return x, nil, false
		}
		return cp, handles, true
	case []any:
		var cp []any
		for i, el := range x {
			nv, hs, d := cleanValue(hk, key, el)
			if d {
				if cp == nil {
					cp = append([]any(nil), x...)
				}
				cp[i] = nv
				handles = append(handles, hs...)
			}
		}
		if cp == nil {
			return x, nil, false
		}
		return cp, handles, true
	case map[string]any:
		var cp map[string]any
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			el := x[k]
			nv, hs, d := cleanValue(hk, k, el)
			if d {
				if cp == nil {
					cp = make(map[string]any, len(x))
					for kk, vv := range x {
						cp[kk] = vv
					}
				}
				cp[k] = nv
				handles = append(handles, hs...)
			}
		}
		if cp == nil {
			return x, nil, false
		}
		return cp, handles, true
	}
	return v, nil, false
}

func dedupe(xs []string) []string {
	seen := make(map[string]bool, len(xs))
	out := xs[:0:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
