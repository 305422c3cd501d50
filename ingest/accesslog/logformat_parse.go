package accesslog

import (
	"strconv"
	"strings"
)

// extraAttr is an attribute a format's own field gives, stored after the event's mapping.
type extraAttr struct {
	key string
	val any
}

// parseWith splits one line into p.f (and p.extra) by the plan of lf; the reason names the
// field where the line stopped fitting.
func (p *parser) parseWith(lf *LogFormat, s string) (reason string) {
	if n := leadingNULs(s); n > 0 {
		return p.parse(s) // the same reason as the built-in grammar gives
	}
	reason = p.walk(lf, s)
	if reason != "" && !isText(s) {
		reason = "binary data (control bytes or invalid UTF-8): " + reason
	}
	return reason
}

func (p *parser) walk(lf *LogFormat, s string) (reason string) {
	p.begin()
	i := 0
	for k := range lf.steps {
		var why string
		if i, why = p.step(lf, s, k, i, -1); why != "" {
			if strings.IndexByte(s, '"') >= 0 && lf.quotedSteps() > 0 {
				return p.walkUnescaped(lf, s, why)
			}
			return why
		}
	}
	if s[i:] != lf.tail {
		reason = "expected " + strconv.Quote(lf.tail) + " at the end of the line, found " + quote(s[i:])
		if strings.IndexByte(s, '"') >= 0 && lf.quotedSteps() > 0 {
			return p.walkUnescaped(lf, s, reason)
		}
		return reason
	}
	return ""
}

// begin resets p.f and p.extra for a line read by a plan.
func (p *parser) begin() {
	f := &p.f
	*f = fields{trailing: f.trailing[:0], ident: "-", user: "-", request: "-", status: "-", size: "-",
		referrer: "-", userAgent: "-", combined: true, unescapedQuotes: f.unescapedQuotes[:0]}
	p.extra = p.extra[:0]
}

// step reads the field of lf.steps[k] from s[i], after its literal, and returns where the line
// goes on. A quoted field ends at its first unescaped closing quote, or, when close >= 0, at the
// quote s[close] (the search for a field holding unescaped quotes, walkUnescaped).
func (p *parser) step(lf *LogFormat, s string, k, i, close int) (int, string) {
	st := &lf.steps[k]
	if !strings.HasPrefix(s[i:], st.lit) {
		return i, "expected " + strconv.Quote(st.lit) + " before " + st.directive + ", found " + quote(s[i:])
	}
	i += len(st.lit)
	next := lf.tail
	if k+1 < len(lf.steps) {
		next = lf.steps[k+1].lit
	}
	var v string
	if st.quoted {
		if i >= len(s) || s[i] != '"' {
			return i, "expected '\"' to open " + st.directive + ", found " + quote(s[i:])
		}
		var (
			val string
			end int
			esc bool
		)
		if close < 0 {
			var ok bool
			if val, end, esc, ok = quoted(s, i); !ok {
				return i, "unterminated quoted " + st.directive + ": no closing '\"' before the end of the line"
			}
		} else {
			val, end = s[i+1:close], close+1
			esc = strings.IndexByte(val, '\\') >= 0
		}
		if end == len(s) && next != "" {
			return i, "line ends after " + st.directive + ": expected " + strconv.Quote(next)
		}
		if !strings.HasPrefix(s[end:], next) || (k+1 == len(lf.steps) && end+len(next) != len(s)) {
			return i, "text right after the closing quote of " + st.directive + " (" + quote(s[end:]) + "): an unescaped quote inside it, or not this format"
		}
		v, i = val, end
		if esc {
			v = unescape(v)
		}
	} else {
		end := len(s)
		if next != "" {
			j := strings.Index(s[i:], next)
			if j < 0 {
				return i, "no " + strconv.Quote(next) + " after " + st.directive + ": the line ends inside it"
			}
			end = i + j
		}
		v, i = s[i:end], end
		if st.role != roleUser && st.role != roleIdent && strings.IndexByte(v, '\\') >= 0 {
			v = unescape(v)
		}
	}
	if why := p.store(st, v); why != "" {
		return i, st.directive + ": " + why
	}
	return i, ""
}

// store checks v against what st holds and keeps it.
func (p *parser) store(st *step, v string) (reason string) {
	f := &p.f
	if st.integer && v != "-" && (!allDigits(v) || len(v) > 18) {
		return quote(v) + " is not a number"
	}
	switch st.role {
	case roleClient:
		if !isHostText(v, false) {
			return "client " + quote(v) + " is not a host name or address"
		}
		f.client = v
	case roleIdent:
		f.ident = v
	case roleUser:
		if v == "" {
			v = "-"
		}
		f.user = v
	case roleTime:
		f.timeRaw = v
		var why string
		if f.stamp, why = parseStamp(v); why != "" {
			return why
		}
	case roleRequest:
		f.request = v
	case roleStatus:
		if v != "-" && (!allDigits(v) || len(v) > 3) {
			return "status " + quote(v) + " is not an HTTP status code"
		}
		f.status = v
	case roleBytes:
		if v != "-" && (!allDigits(v) || len(v) > 18) {
			return "byte count " + quote(v) + " is not a number"
		}
		f.size = v
	case roleReferrer:
		f.referrer = v
	case roleUserAgent:
		f.userAgent = v
	case roleVhost:
		if v != "-" {
			if !isHostText(v, true) {
				return "vhost " + quote(v) + " is not a host name or address"
			}
			f.vhost = v
		}
	default: // roleVhostPort, roleAttr
		if v == "-" || v == "" {
			return ""
		}
		key := st.attr
		if st.role == roleVhostPort {
			key = attrVhostPort
		}
		if st.integer {
			n, _ := strconv.ParseInt(v, 10, 64)
			p.extra = append(p.extra, extraAttr{key, boxInt64(n)})
		} else {
			p.extra = append(p.extra, extraAttr{key, v})
		}
	}
	return ""
}

func boxInt64(n int64) any {
	if n < int64(len(boxedInts)) {
		return boxInt(int(n))
	}
	return n
}
