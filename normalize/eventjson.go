package normalize

import (
	"encoding/json"
	"math"
	"slices"

	"fmt"
	gojson "github.com/goccy/go-json"
	"strconv"
	"time"
	"unicode/utf8"
)

// MarshalJSON renders the event with exactly the contract's keys, in a fixed order, leaving out
// empty values. offset and length are always present (0 is a real offset); line is left out when
// the format has no lines and record_index when the record is not an array element.
func (e *Event) MarshalJSON() ([]byte, error) { return e.AppendJSON(make([]byte, 0, 1024)), nil }

// AppendJSON appends the event's JSON form to dst; it is MarshalJSON without the allocation.
func (e *Event) AppendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	dst = appendField(dst, "id", e.ID, true)
	if !e.Time.IsZero() {
		dst = append(dst, `,"time":"`...)
		dst = append(e.Time.UTC().AppendFormat(dst, TimeLayout), '"')
	}
	dst = appendField(dst, "time_raw", e.TimeRaw, false)
	dst = appendField(dst, "tz_basis", e.TZBasis, false)
	dst = appendField(dst, "source", e.Source, false)
	dst = appendField(dst, "parser", e.Parser, false)
	dst = appendField(dst, "category", string(e.Category), false)
	dst = appendField(dst, "action", e.Action, false)
	dst = appendField(dst, "outcome", string(e.Outcome), false)
	dst = appendField(dst, "principal", e.Principal, false)
	dst = appendField(dst, "principal_type", e.PrincipalType, false)
	dst = appendField(dst, "src_ip", e.SrcIP, false)
	dst = appendField(dst, "user_agent", e.UserAgent, false)
	dst = appendField(dst, "credential", e.Credential, false)
	dst = appendField(dst, "resource", e.Resource, false)
	dst = appendField(dst, "resource_type", e.ResourceType, false)
	dst = appendField(dst, "secret_ref", e.SecretRef, false)
	dst = appendField(dst, "request_id", e.RequestID, false)
	dst = appendField(dst, "evidence_sha256", e.EvidenceSHA256, false)
	dst = appendField(dst, "evidence_path", e.EvidencePath, false)
	dst = appendInt(dst, "offset", e.Offset)
	dst = appendInt(dst, "length", e.Length)
	if e.Line > 0 {
		dst = appendInt(dst, "line", e.Line)
	}
	if e.RecordIndex >= 0 {
		dst = appendInt(dst, "record_index", e.RecordIndex)
	}
	dst = appendField(dst, "raw_sha256", e.RawSHA256, false)
	if attrs := e.attrsJSON(); len(attrs) > 2 {
		dst = append(dst, `,"attrs":`...)
		dst = append(dst, attrs...)
	}
	if len(dst) > 1 && dst[1] == ',' { // the id was empty: drop the leading comma
		dst = append(dst[:1], dst[2:]...)
	}
	return append(dst, '}')
}

func (e *Event) attrsJSON() []byte {
	if e.AttrsJSON != nil {
		return e.AttrsJSON
	}
	if len(e.Attrs) == 0 {
		return nil
	}
	b, err := MarshalAttrs(e.Attrs)
	if err != nil {
		return nil
	}
	return b
}

// MarshalAttrs encodes attrs canonically: keys sorted, no HTML escaping, so that the same extras
// always give the same bytes. It is on the hot path of every ingest, so the value types ingesters
// use (strings, integers, booleans, floats, and slices and maps of them) are encoded without
// reflection; anything else falls back to goccy/go-json.
func MarshalAttrs(attrs map[string]any) ([]byte, error) {
	if len(attrs) == 0 {
		return nil, nil
	}
	return appendMap(make([]byte, 0, 64*len(attrs)), attrs)
}

func appendMap(dst []byte, m map[string]any) ([]byte, error) {
	var stack [24]string
	keys := stack[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	var err error
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendJSONString(dst, k)
		dst = append(dst, ':')
		if dst, err = appendAny(dst, m[k]); err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

func appendAny(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return AppendJSONString(dst, x), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case uint64:
		return strconv.AppendUint(dst, x, 10), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case float64:
		return appendFloat(dst, x)
	case []string:
		dst = append(dst, '[')
		for i, s := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendJSONString(dst, s)
		}
		return append(dst, ']'), nil
	case []any:
		dst = append(dst, '[')
		var err error
		for i, el := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = appendAny(dst, el); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case map[string]any:
		return appendMap(dst, x)
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, s := range x {
			m[k] = s
		}
		return appendMap(dst, m)
	}
	b, err := gojson.MarshalWithOption(v, gojson.DisableHTMLEscape())
	if err != nil {
		return nil, fmt.Errorf("encode attrs: %w", err)
	}
	return append(dst, b...), nil
}

// appendFloat formats like encoding/json: plain notation between 1e-6 and 1e21, exponent otherwise.
func appendFloat(dst []byte, x float64) ([]byte, error) {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return nil, fmt.Errorf("encode attrs: unsupported number %v", x)
	}
	format := byte('f')
	if abs := math.Abs(x); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, x, format, -1, 64)
	if format == 'e' {
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, nil
}

func appendField(dst []byte, key, val string, first bool) []byte {
	if val == "" {
		return dst
	}
	if !first {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, key...)
	dst = append(dst, '"', ':')
	return AppendJSONString(dst, val)
}

func appendInt(dst []byte, key string, v int64) []byte {
	dst = append(dst, ',', '"')
	dst = append(dst, key...)
	dst = append(dst, '"', ':')
	return strconv.AppendInt(dst, v, 10)
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string literal. Control characters are escaped, HTML
// characters are not, and invalid UTF-8 (which CleanString should already have removed) becomes
// U+FFFD rather than an invalid document.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// eventJSON mirrors the contract keys for decoding.
type eventJSON struct {
	ID             string          `json:"id"`
	Time           string          `json:"time"`
	TimeRaw        string          `json:"time_raw"`
	TZBasis        string          `json:"tz_basis"`
	Source         string          `json:"source"`
	Parser         string          `json:"parser"`
	Category       Category        `json:"category"`
	Action         string          `json:"action"`
	Outcome        Outcome         `json:"outcome"`
	Principal      string          `json:"principal"`
	PrincipalType  string          `json:"principal_type"`
	SrcIP          string          `json:"src_ip"`
	UserAgent      string          `json:"user_agent"`
	Credential     string          `json:"credential"`
	Resource       string          `json:"resource"`
	ResourceType   string          `json:"resource_type"`
	SecretRef      string          `json:"secret_ref"`
	RequestID      string          `json:"request_id"`
	EvidenceSHA256 string          `json:"evidence_sha256"`
	EvidencePath   string          `json:"evidence_path"`
	Offset         int64           `json:"offset"`
	Length         int64           `json:"length"`
	Line           int64           `json:"line"`
	RecordIndex    *int64          `json:"record_index"`
	RawSHA256      string          `json:"raw_sha256"`
	Attrs          json.RawMessage `json:"attrs"`
}

// UnmarshalJSON reads the contract form back, so that tools and tests can round-trip events.
func (e *Event) UnmarshalJSON(b []byte) error {
	var j eventJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*e = Event{
		ID: j.ID, TimeRaw: j.TimeRaw, TZBasis: j.TZBasis, Source: j.Source, Parser: j.Parser,
		Category: j.Category, Action: j.Action, Outcome: j.Outcome, Principal: j.Principal,
		PrincipalType: j.PrincipalType, SrcIP: j.SrcIP, UserAgent: j.UserAgent,
		Credential: j.Credential, Resource: j.Resource, ResourceType: j.ResourceType,
		SecretRef: j.SecretRef, RequestID: j.RequestID, EvidenceSHA256: j.EvidenceSHA256,
		EvidencePath: j.EvidencePath, Offset: j.Offset, Length: j.Length, Line: j.Line,
		RecordIndex: NoIndex, RawSHA256: j.RawSHA256,
	}
	if j.RecordIndex != nil {
		e.RecordIndex = *j.RecordIndex
	}
	if j.Time != "" {
		t, err := time.Parse(time.RFC3339Nano, j.Time)
		if err != nil {
			return fmt.Errorf("event %s: time: %w", j.ID, err)
		}
		e.Time = t.UTC()
	}
	if len(j.Attrs) > 0 && string(j.Attrs) != "null" {
		e.AttrsJSON = []byte(j.Attrs)
		if err := json.Unmarshal(j.Attrs, &e.Attrs); err != nil {
			return fmt.Errorf("event %s: attrs: %w", j.ID, err)
		}
	}
	return nil
}
