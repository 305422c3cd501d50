package cloudtrail

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/breachline/breachline/ingest/internal/jsondec"
)

// CloudTrail Lake query results (`aws cloudtrail get-query-results`, or the files a query
// delivers to S3) hold rows, each a list of one-column objects with string values:
//
//	[{"eventtime":"2026-03-02 10:00:00.000"},{"useridentity":"{type=IAMUser, arn=…}"}, …]
//
// Column names are the event data store's lower-case field names; struct and map columns come as
// Presto text ({key=value, key={…}}); timestamps carry no zone and are UTC by the Lake schema.
// lakeRecord turns such a row back into a CloudTrail record.

// isLakeRow reports whether raw is a Lake result row rather than a record.
func isLakeRow(raw []byte) bool {
	return len(raw) > 0 && raw[0] == '['
}

func decodeLakeRow(raw []byte) (*record, error) {
	var cells []map[string]*string
	if err := jsondec.Unmarshal(raw, &cells); err != nil {
		return nil, fmt.Errorf("not a CloudTrail Lake result row: %v", err)
	}
	col := make(map[string]string, len(cells))
	for _, c := range cells {
		for k, v := range c {
			if v != nil {
				col[strings.ToLower(k)] = *v
			}
		}
	}
	if col["eventtime"] == "" {
		return nil, fmt.Errorf("CloudTrail Lake row without eventtime (select it to place the event in time)")
	}
	r := &record{
		EventVersion: col["eventversion"], EventTime: col["eventtime"], EventSource: col["eventsource"],
		EventName: col["eventname"], AWSRegion: col["awsregion"], SourceIPAddress: col["sourceipaddress"],
		UserAgent: col["useragent"], ErrorCode: col["errorcode"], ErrorMessage: col["errormessage"],
		RequestID: col["requestid"], EventID: col["eventid"], EventType: col["eventtype"],
		EventCategory: col["eventcategory"], RecipientAccountID: col["recipientaccountid"],
		SharedEventID: col["sharedeventid"], VPCEndpointID: col["vpcendpointid"], lakeTime: true,
	}
	if s := col["useridentity"]; s != "" {
		id := parsePresto(s)
		r.UserIdentity = &identity{
			Type: id.str("type"), PrincipalID: id.str("principalid"), ARN: id.str("arn"),
			AccountID: id.str("accountid"), AccessKeyID: id.str("accesskeyid"), UserName: id.str("username"),
			InvokedBy: id.str("invokedby"), IdentityProvider: id.str("identityprovider"),
		}
		if sc := id.sub("sessioncontext"); sc != nil {
			r.UserIdentity.SessionContext = &sessionContext{SourceIdentity: sc.str("sourceidentity")}
			if si := sc.sub("sessionissuer"); si != nil {
				r.UserIdentity.SessionContext.SessionIssuer = &struct {
					Type     string `json:"type"`
					ARN      string `json:"arn"`
					UserName string `json:"userName"`
				}{si.str("type"), si.str("arn"), si.str("username")}
			}
		}
	}
	// Map columns keep the API's parameter names; re-encode them as JSON objects so the same
	// category rules read them.
	r.RequestParameters = prestoJSON(col["requestparameters"])
	r.ResponseElements = prestoJSON(col["responseelements"])
	return r, nil
}

// presto is a parsed Presto struct or map value.
type presto map[string]any

func (p presto) str(k string) string {
	if s, ok := p[k].(string); ok && s != "null" {
		return s
	}
	return ""
}

func (p presto) sub(k string) presto {
	if m, ok := p[k].(presto); ok {
		return m
	}
	return nil
}

// parsePresto reads {k=v, k2={…}, k3=[…]}. A value runs to the next ", key=" at its own level, so
// commas inside values (user agents, messages) survive; values stay text.
func parsePresto(s string) presto {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return presto{}
	}
	out := presto{}
	body := s[1 : len(s)-1]
	for len(body) > 0 {
		eq := strings.IndexByte(body, '=')
		if eq < 0 {
			break
		}
		key := strings.TrimSpace(body[:eq])
		rest := body[eq+1:]
		end := prestoValueEnd(rest)
		val := strings.TrimSpace(rest[:end])
		if strings.HasPrefix(val, "{") && strings.HasSuffix(val, "}") {
			out[key] = parsePresto(val)
		} else {
			out[key] = val
		}
		body = strings.TrimPrefix(rest[end:], ",")
		body = strings.TrimLeft(body, " ")
	}
	return out
}

// prestoValueEnd returns where the value at the start of s ends: at a ", key=" at depth 0.
func prestoValueEnd(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case ',':
			if depth == 0 && isKeyStart(s[i+1:]) {
				return i
			}
		}
	}
	return len(s)
}

// isKeyStart reports whether s is " key=…".
func isKeyStart(s string) bool {
	s = strings.TrimLeft(s, " ")
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '=':
			return i > 0
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		default:
			return false
		}
	}
	return false
}

// prestoJSON converts a Presto map column to a JSON object of strings (booleans restored), or nil.
func prestoJSON(s string) jsondec.RawMessage {
	if s == "" || s == "null" {
		return nil
	}
	var b bytes.Buffer
	writePrestoJSON(&b, parsePresto(s))
	return b.Bytes()
}

func writePrestoJSON(b *bytes.Buffer, p presto) {
	b.WriteByte('{')
	first := true
	for _, k := range slices.Sorted(maps.Keys(p)) {
		v := p[k]
		if !first {
			b.WriteByte(',')
		}
		first = false
		fmt.Fprintf(b, "%q:", k)
		switch x := v.(type) {
		case presto:
			writePrestoJSON(b, x)
		case string:
			if x == "true" || x == "false" {
				b.WriteString(x)
			} else {
				fmt.Fprintf(b, "%q", x)
			}
		}
	}
	b.WriteByte('}')
}
