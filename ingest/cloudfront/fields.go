package cloudfront

import (
	"strconv"
	"strings"

	"github.com/breachline/breachline/normalize"
)

// Column roles: where a named column goes. Columns without a role of their own go to attrs
// under their snake-cased name (attrKey).
const (
	colAttr = iota // a string kept in attrs
	colDate
	colTime
	colClientIP
	colMethod
	colURIStem
	colStatus
	colUserAgent
	colQuery
	colCookie
	colRequestID
	colInt     // an integer count or port, kept in attrs
	colSeconds // a duration in seconds, kept in attrs
	colDecoded // a URL-encoded string, decoded and kept in attrs
)

// roles are the CloudFront columns breachline reads for more than their text.
var roles = map[string]int{
	"date":               colDate,
	"time":               colTime,
	"c-ip":               colClientIP,
	"cs-method":          colMethod,
	"cs-uri-stem":        colURIStem,
	"sc-status":          colStatus,
	"cs(User-Agent)":     colUserAgent,
	"cs-uri-query":       colQuery,
	"cs(Cookie)":         colCookie,
	"x-edge-request-id":  colRequestID,
	"sc-bytes":           colInt,
	"cs-bytes":           colInt,
	"c-port":             colInt,
	"sc-content-len":     colInt,
	"sc-range-start":     colInt,
	"sc-range-end":       colInt,
	"time-taken":         colSeconds,
	"time-to-first-byte": colSeconds,
	"cs(Referer)":        colDecoded,
	"x-forwarded-for":    colDecoded,
}

// column is one named column of the current #Fields header.
type column struct {
	name, key string
	role      int
}

// parser holds the current header and the buffers reused from line to line.
type parser struct {
	cols []column
	// bad says why the last #Fields line cannot be used; seen says one was read at all.
	bad  string
	seen bool
	vals []string
	key  *normalize.HandleKey
}

// header reads a #Fields line; the reason is non-empty when its columns cannot be used.
func (p *parser) header(fields string) string {
	p.seen, p.bad, p.cols = true, "", p.cols[:0]
	var date, tm bool
	for _, name := range strings.Fields(fields) {
		role := roles[name]
		date = date || role == colDate
		tm = tm || role == colTime
		p.cols = append(p.cols, column{name: name, key: attrKey(name), role: role})
	}
	if !date || !tm {
		p.bad = "the #Fields header names no date and time columns: the lines after it have no time"
	}
	return p.bad
}

// attrKey is the attrs key of a column: its name lowercased, with '-' and '(' as '_' and ')'
// dropped: cs(Host) is cs_host, x-edge-location x_edge_location.
func attrKey(name string) string {
	b := make([]byte, 0, len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '-' || c == '(':
			b = append(b, '_')
		case c == ')':
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// toEvent fills ev from one tab-separated line; the reason is non-empty when it cannot become
// an event.
func (p *parser) toEvent(ev *normalize.Event, line string) (reason string) {
	switch {
	case !p.seen:
		return "record before any #Fields header: its columns cannot be named"
	case p.bad != "":
		return p.bad
	}
	p.vals = p.vals[:0]
	for {
		v, rest, ok := strings.Cut(line, "\t")
		p.vals = append(p.vals, v)
		if !ok {
			break
		}
		line = rest
	}
	if len(p.vals) != len(p.cols) {
		return "line has " + strconv.Itoa(len(p.vals)) + " tab-separated fields; the #Fields header names " + strconv.Itoa(len(p.cols))
	}
	var date, tm string
	for i, c := range p.cols {
		switch c.role {
		case colDate:
			date = p.vals[i]
		case colTime:
			tm = p.vals[i]
		}
	}
	raw := date + " " + tm
	t, err := normalize.ParseInZone("2006-01-02 15:04:05", raw, utc)
	if err != nil {
		return "bad date and time " + strconv.Quote(raw)
	}
	ev.Time, ev.TimeRaw, ev.TZBasis = t, raw, normalize.TZUTCBySpec
	ev.Category = normalize.HTTPRequest
	ev.Outcome = normalize.Unknown
	for i, c := range p.cols {
		v := p.vals[i]
		if v == "-" || v == "" || c.role == colDate || c.role == colTime {
			continue
		}
		switch c.role {
		case colClientIP:
			ip, host := normalize.SplitAddress(v)
			ev.SrcIP = ip
			ev.SetAttr(normalize.AttrSourceHost, host)
		case colMethod:
			ev.Action = v
		case colURIStem:
			ev.Resource, ev.ResourceType = normalize.PercentDecode(v), "url"
		case colStatus:
			if len(v) != 3 || !allDigits(v) {
				return "bad sc-status " + strconv.Quote(v)
			}
			ev.Outcome = outcome(v)
			n, _ := strconv.Atoi(v)
			ev.SetAttr(c.key, n)
		case colUserAgent:
			ev.UserAgent = normalize.PercentDecode(v)
		case colQuery:
			// Kept as logged: the core replaces its credentials by handles. The first handle
			// is the credential the request presented, as access-log takes it.
			ev.SetAttr(c.key, v)
			if _, handles := p.key.Redact(v); len(handles) > 0 {
				ev.Credential = handles[0]
			}
		case colCookie:
			ev.SetAttr(c.key, p.cookies(normalize.PercentDecode(v)))
		case colRequestID:
			ev.RequestID = v
		case colInt:
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return "bad " + c.name + " " + strconv.Quote(v)
			}
			ev.SetAttr(c.key, n)
		case colSeconds:
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return "bad " + c.name + " " + strconv.Quote(v)
			}
			ev.SetAttr(c.key, n)
		case colDecoded:
			ev.SetAttr(c.key, normalize.PercentDecode(v))
		default:
			ev.SetAttr(c.key, v)
		}
	}
	return ""
}

// cookies turns a Cookie header into its cookies, "name=handle", in order. Every value is
// replaced by its keyed handle, whatever the name: a session cookie's name (sid, JSESSIONID,
// anything an application picks) does not say it is a credential, so no value is stored raw.
// The handle still ties the requests that carried the same cookie together.
func (p *parser) cookies(header string) []string {
	var out []string
	for _, c := range strings.Split(header, ";") {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		name, val, ok := strings.Cut(c, "=")
		if !ok {
			out = append(out, name)
			continue
		}
		if h, ok := p.key.RedactValue(val); ok {
			val = h
		}
		out = append(out, name+"="+val)
	}
	return out
}

// outcome maps the status code as access-log does: 1xx-3xx success, 4xx-5xx failure, 000 (the
// viewer closed the connection before CloudFront answered) unknown.
func outcome(status string) normalize.Outcome {
	switch status[0] {
	case '1', '2', '3':
		return normalize.Success
	case '4', '5':
		return normalize.Failure
	}
	return normalize.Unknown
}
