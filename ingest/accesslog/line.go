package accesslog

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/breachline/breachline/normalize"
)

// fields are one line's parts, as substrings of the line with the servers' escapes still in
// place (decoding allocates, so it is done only for the parts an event keeps and only when a
// backslash is present).
type fields struct {
	vhost     string // %v[:%p] or nginx $host, when the line starts with one
	client    string // %h, $remote_addr
	ident     string // %l
	user      string // %u, $remote_user
	stamp     stamp
	timeRaw   string // between the brackets, exactly as logged
	request   string // between the quotes
	status    string // %>s, $status: digits or "-"
	size      string // %b, %O, $body_bytes_sent: digits or "-"
	referrer  string
	userAgent string
	combined  bool // referrer and user agent are present
	trailing  []string
	// unescapedQuotes lists the fields that held quotes the server did not escape, whose ends
	// were found from the line's structure (attrs.unescaped_quotes_in): request, referrer,
	// user_agent, or a --log-format field's attribute name.
	unescapedQuotes []string
	forwardedFor    string // a proxy's "(addresses)" after the client
	preRequest      string // a quoted word before the request
	// layout lists the extensions of the common grammar the line has, for the evidence notes.
	layout []layoutKind
}

// maxPreFields bounds the fields before the timestamp (a user name with spaces, a proxy list).
const maxPreFields = 12

// layoutKind is an extension of the common grammar a line was read with.
type layoutKind int

const (
	layoutUserSpaces layoutKind = iota
	layoutForwarded
	layoutPreRequest
)

// layoutNotes are the evidence notes of the layouts: the same text from every line and every
// piece of a file, so the core keeps each once.
var layoutNotes = map[layoutKind]string{
	layoutUserSpaces: "access log: some lines have a user name with spaces (client ident user name [time]): read as one user name",
	layoutForwarded:  "access log: some lines have a proxy's address list in parentheses after the client (client (addresses) ident user [time]): kept in attrs.forwarded_for",
	layoutPreRequest: "access log: some lines have a quoted word before the request ([time] \"word\" \"request\"): kept in attrs.pre_request",
}

// looksLikeRequest reports whether v starts as an HTTP request line: a method of capital letters
// and a space.
func looksLikeRequest(v string) bool {
	sp := strings.IndexByte(v, ' ')
	if sp < 3 || sp > 10 {
		return false
	}
	for i := 0; i < sp; i++ {
		if v[i] < 'A' || v[i] > 'Z' {
			return false
		}
	}
	return true
}

// parser holds the buffers reused from line to line.
type parser struct {
	f     fields
	items []string
	extra []extraAttr          // a --log-format's own fields, in format order
	key   *normalize.HandleKey // the case's, for the handle of the credential a query presents
	trail []trailEnd           // the line's known-trailing answers (quotes.go), reset per line
	// plainTail: tail does not look for unescaped quotes in the referrer and user agent.
	plainTail bool
	quots     []int // the quote positions unescapedCombined reads
}

// parse splits one line into p.f. The grammar is the one Apache's common, combined,
// vhost_common and vhost_combined formats and nginx's combined and main formats share:
//
//	[vhost[:port]] client ident user [time] "request" status bytes ["referrer" "user-agent"] [extra…]
//
// Fields are separated by spaces. Anything that does not fit is refused with the reason, not
// repaired: a quote the server should have escaped means the boundaries between fields can no
// longer be known, and guessing them would put an attacker's text in the wrong column.
func (p *parser) parse(s string) (reason string) {
	if n := leadingNULs(s); n > 0 {
		return fmt.Sprintf("line starts with %d NUL byte(s) (a zero-filled gap, as a crash or a preallocated file leaves)", n)
	}
	reason = p.split(s)
	if reason != "" && !isText(s) {
		reason = "binary data (control bytes or invalid UTF-8): " + reason
	}
	return reason
}

// split does the work of parse for a line that does not start with NULs.
func (p *parser) split(s string) (reason string) {
	f := &p.f
	*f = fields{trailing: f.trailing[:0], layout: f.layout[:0], unescapedQuotes: f.unescapedQuotes[:0]}
	p.trail = p.trail[:0]

	// The fields before the timestamp: three (client ident user), or four with a vhost first;
	// the extensions real servers add are read where only one reading is possible (preFields).
	type field struct {
		text       string
		start, end int
	}
	var pre [maxPreFields]field
	n, i := 0, 0
	for {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			return "no [timestamp] field"
		}
		j := strings.IndexByte(s[i:], ' ')
		if j < 0 {
			j = len(s)
		} else {
			j += i
		}
		if s[i] == '[' && !isBracketAddr(s[i:j]) {
			break
		}
		if n == len(pre) {
			return fmt.Sprintf("more than %d fields before the [timestamp]: not an access log this parser knows", len(pre))
		}
		pre[n] = field{s[i:j], i, j}
		n++
		i = j
	}
	// span is the text of pre[from] … pre[to-1] as logged, spaces included.
	span := func(from, to int) string { return s[pre[from].start:pre[to-1].end] }
	switch {
	case n >= 3 && strings.HasPrefix(pre[1].text, "("):
		// client (forwarded-for, …) ident user: a proxy's list of addresses after the client.
		k := 1
		for k < n && !strings.HasSuffix(pre[k].text, ")") {
			k++
		}
		if k >= n-2 {
			return "a '(' after the client opens a group that does not close before ident and user"
		}
		f.client, f.forwardedFor = pre[0].text, strings.TrimSpace(span(1, k+1)[1:len(span(1, k+1))-1])
		f.ident, f.user = pre[k+1].text, span(k+2, n)
		f.layout = append(f.layout, layoutForwarded)
		if n-(k+2) > 1 {
			f.layout = append(f.layout, layoutUserSpaces)
		}
	case n == 3:
		f.client, f.ident, f.user = pre[0].text, pre[1].text, pre[2].text
	case n >= 4 && pre[1].text == "-":
		// A vhost line has the client address second, and an address is never "-": this is
		// "client - user name" with spaces in the name.
		f.client, f.ident, f.user = pre[0].text, "-", span(2, n)
		f.layout = append(f.layout, layoutUserSpaces)
	case n == 4:
		f.vhost, f.client, f.ident, f.user = pre[0].text, pre[1].text, pre[2].text, pre[3].text
		if !isHostText(f.vhost, true) {
			return "vhost " + quote(f.vhost) + " is not a host name or address"
		}
	case n >= 5 && pre[2].text == "-" && isHostText(pre[0].text, true) && isHostText(pre[1].text, false):
		f.vhost, f.client, f.ident, f.user = pre[0].text, pre[1].text, "-", span(3, n)
		f.layout = append(f.layout, layoutUserSpaces)
	default:
		return fmt.Sprintf("%d fields before the [timestamp]; expected client ident user, optionally after a vhost", n)
	}
	if !isHostText(f.client, false) {
		return "client " + quote(f.client) + " is not a host name or address"
	}

	end := strings.IndexByte(s[i:], ']')
	if end < 0 {
		return "timestamp has no closing ']'"
	}
	f.timeRaw = s[i+1 : i+end]
	if f.stamp, reason = parseStamp(f.timeRaw); reason != "" {
		return reason
	}
	i += end + 1

	// "request"
	i, ok := spaces(s, i)
	if !ok {
		return "line ends after the timestamp: no \"request\" field"
	}
	if s[i] != '"' {
		return "expected the quoted request after the timestamp, found " + quote(s[i:])
	}
	// "extra" "request": a server that logs one quoted word (a host, "-") before the request.
	// Only a word without spaces followed by a quoted request line is read so: an attacker's
	// request with quotes in it has spaces.
	if v, next, _, ok := quoted(s, i); ok && !strings.ContainsRune(v, ' ') && next+1 < len(s) && s[next] == ' ' && s[next+1] == '"' {
		if req, _, _, ok := quoted(s, next+1); ok && looksLikeRequest(req) && !statusAndSize(s, next) {
			f.preRequest = v
			f.layout = append(f.layout, layoutPreRequest)
			i = next + 1
		}
	}
	req, next, esc, ok := quoted(s, i)
	if !ok {
		return "unterminated quoted request: no closing '\"' before the end of the line"
	}
	if next < len(s) && s[next] != ' ' {
		// The server did not escape a quote inside the request, as injection attempts make it
		// write: find where the request ends from the line's structure, first with the
		// referrer and user agent as they read plainly, then with quotes in them too.
		reason = "text right after the closing quote of the request (" + quote(s[next:]) + "): an unescaped quote inside it"
		p.plainTail = true
		byRequest := p.unescapedRequest(s, i, reason)
		p.plainTail = false
		if byRequest == "" {
			return ""
		}
		if both := p.unescapedRequest(s, i, reason); both == "" || byRequest == reason {
			return both
		}
		return byRequest
	}
	f.request = req
	if esc {
		f.request = unescape(req)
	}
	// The plain reading, then the repairs in order of what they assume: quotes in the request
	// alone (whose end the status and byte count pin down), then in the referrer or user agent.
	p.plainTail = true
	reason = p.tail(s, next)
	if reason == "" || strings.IndexByte(s[next:], '"') < 0 {
		p.plainTail = false
		return reason
	}
	byRequest := p.unescapedRequest(s, i, reason)
	p.plainTail = false
	if byRequest == "" {
		return ""
	}
	// unescapedRequest left f as the plain reading did; only the extra fields are appended.
	f.trailing = f.trailing[:0]
	byFields := p.tail(s, next)
	if byFields == "" {
		return ""
	}
	if p.unescapedRequest(s, i, reason) == "" {
		return ""
	}
	switch {
	case byRequest != reason:
		return byRequest // the request's ends are ambiguous
	case byFields != reason:
		return byFields // the referrer's and user agent's are
	}
	return reason
}

// unescapedRequest parses the line whose quoted request starts at s[i] and holds quotes the
// server left unescaped. The request ends at a quote followed by a space, a status and a byte
// count after which the rest of the line parses; when exactly one quote of the line does that,
// it is the end, and the event says so (attrs.unescaped_quotes). When none does, the line is
// refused with reason; when several do, the line is ambiguous (an attacker can write " 200 5 "
// inside a request) and refused, naming how many readings there are.
func (p *parser) unescapedRequest(s string, i int, reason string) string {
	f := &p.f
	head := *f
	var found []int
	tried := 0
	for j := i + 1; j < len(s) && len(found) < 2; j++ {
		if s[j] != '"' || j+1 >= len(s) || s[j+1] != ' ' || !statusAndSize(s, j+1) {
			continue
		}
		// Each try parses the rest of the line: a bound keeps a hostile line from costing the
		// square of its length.
		if tried++; tried > maxRequestEnds {
			*f = head
			return fmt.Sprintf("the request holds unescaped quotes and more than %d places where it could end: ambiguous", maxRequestEnds)
		}
		*f = head
		f.trailing = f.trailing[:0]
		if p.tail(s, j+1) == "" {
			found = append(found, j)
		}
	}
	switch len(found) {
	case 0:
		*f = head
		return reason
	case 1:
	default:
		*f = head
		return fmt.Sprintf("the request holds unescaped quotes and could end at more than one place (bytes %d and %d of the line): ambiguous",
			found[0], found[1])
	}
	j := found[0]
	*f = head
	f.trailing = f.trailing[:0]
	_ = p.tail(s, j+1)
	f.request = s[i+1 : j]
	if strings.IndexByte(f.request, '\\') >= 0 {
		f.request = unescape(f.request)
	}
	// The request comes first in the line, and in the list.
	f.unescapedQuotes = append([]string{attrRequest}, f.unescapedQuotes...)
	return ""
}

// maxRequestEnds bounds the places unescapedRequest tries as the end of a request.
const maxRequestEnds = 32

// statusAndSize reports whether s[i:] is spaces, a status (three digits or "-"), spaces and a
// byte count (digits or "-"), followed by the end of the line or a space.
func statusAndSize(s string, i int) bool {
	i, ok := spaces(s, i)
	if !ok {
		return false
	}
	st, i := word(s, i)
	if st != "-" && (!allDigits(st) || len(st) != 3) {
		return false
	}
	if i, ok = spaces(s, i); !ok {
		return false
	}
	sz, i := word(s, i)
	return (sz == "-" || (allDigits(sz) && len(sz) <= 18)) && (i == len(s) || s[i] == ' ')
}

// tail parses what follows the quoted request, from s[i]: status, byte count, and the fields
// after them.
func (p *parser) tail(s string, i int) (reason string) {
	f := &p.f
	var ok bool
	// status bytes
	if i, ok = spaces(s, i); !ok {
		return "line ends after the request: no status"
	}
	f.status, i = word(s, i)
	if f.status != "-" && (!allDigits(f.status) || len(f.status) > 3) {
		return "status " + quote(f.status) + " is not an HTTP status code"
	}
	if i, ok = spaces(s, i); !ok {
		return "line ends after the status: no byte count"
	}
	f.size, i = word(s, i)
	if f.size != "-" && (!allDigits(f.size) || len(f.size) > 18) {
		return "byte count " + quote(f.size) + " is not a number"
	}

	// Whatever follows: "referrer" "user-agent" in the combined formats, then any extra fields.
	// A referrer or user agent with quotes the server did not escape is read by the line's
	// structure (quotes.go) when the plain reading fails.
	reason = p.extras(s, i)
	if reason == "" {
		return ""
	}
	if j, ok := spaces(s, i); ok && s[j] == '"' && !p.plainTail {
		return p.unescapedCombined(s, j, reason)
	}
	return reason
}

// extras reads the fields after the byte count from s[i]: "referrer" "user-agent" in the
// combined formats, then any extra fields.
func (p *parser) extras(s string, i int) (reason string) {
	f := &p.f
	var ok bool
	p.items = p.items[:0]
	firstTwoQuoted := 0
	for k := 0; ; k++ {
		if i, ok = spaces(s, i); !ok {
			break
		}
		var v string
		if s[i] == '"' {
			val, next, esc, ok := quoted(s, i)
			if !ok {
				return fmt.Sprintf("unterminated quoted %s: no closing '\"' before the end of the line", trailingName(k, firstTwoQuoted))
			}
			if next < len(s) && s[next] != ' ' {
				return fmt.Sprintf("text right after the closing quote of the %s (%s): an unescaped quote inside it",
					trailingName(k, firstTwoQuoted), quote(s[next:]))
			}
			if k < 2 && firstTwoQuoted == k {
				firstTwoQuoted++
			}
			v, i = val, next
			if esc {
				v = unescape(v)
			}
		} else {
			// An unquoted field may hold quoted parts, as nginx's documented
			// uct="$upstream_connect_time" does; each must close before the field ends.
			start := i
			if i, ok = unquotedField(s, i); !ok {
				return "unclosed quote in unquoted field " + quote(s[start:]) + ": an unescaped quote broke the field boundaries"
			}
			v = unescape(s[start:i])
		}
		p.items = append(p.items, v)
	}
	rest := p.items
	if firstTwoQuoted == 2 {
		f.combined = true
		f.referrer, f.userAgent = rest[0], rest[1]
		rest = rest[2:]
	}
	f.trailing = append(f.trailing, rest...)
	return ""
}

// trailingName names the k-th field after the byte count for messages.
func trailingName(k, quotedSoFar int) string {
	switch {
	case k == 0:
		return "referrer"
	case k == 1 && quotedSoFar == 1:
		return "user agent"
	}
	return fmt.Sprintf("extra field %d", k+1)
}

// unquotedField returns the end of the field at s[i]: the next space outside quotes. ok is false
// when a quote inside it is not closed.
func unquotedField(s string, i int) (end int, ok bool) {
	for i < len(s) && s[i] != ' ' {
		if s[i] == '"' {
			_, next, _, closed := quoted(s, i)
			if !closed {
				return len(s), false
			}
			i = next
			continue
		}
		i++
	}
	return i, true
}

// spaces skips the spaces at s[i:]; ok is false when nothing follows them.
func spaces(s string, i int) (int, bool) {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i, i < len(s)
}

// word returns the text from s[i] to the next space.
func word(s string, i int) (string, int) {
	j := strings.IndexByte(s[i:], ' ')
	if j < 0 {
		return s[i:], len(s)
	}
	return s[i : i+j], i + j
}

// isHostText reports whether s can be a client address or host name as the servers log them:
// an IPv4 or IPv6 address (with a zone), a DNS name (Apache with HostnameLookups), nginx's
// "unix:" for a Unix-socket peer, and for a vhost also [v6] and a :port.
func isHostText(s string, vhost bool) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) {
			continue
		}
		switch c {
		case '.', '-', '_', ':', '%':
			continue
		case '[', ']':
			if vhost {
				continue
			}
		}
		return false
	}
	return true
}

// isBracketAddr reports whether tok is a bracketed IPv6 vhost ("[2001:db8::1]" or
// "[2001:db8::1]:443") rather than the start of the timestamp, which is "[dd/…".
func isBracketAddr(tok string) bool {
	end := strings.IndexByte(tok, ']')
	if end < 2 || (end+1 < len(tok) && tok[end+1] != ':') {
		return false
	}
	for i := 1; i < end; i++ {
		if c := tok[i]; !isHex(c) && c != ':' && c != '.' && c != '%' {
			return false
		}
	}
	return strings.IndexByte(tok[1:end], ':') >= 0
}

// isText reports whether s is valid UTF-8 without control bytes other than tab. Both servers
// escape control bytes, so a line holding them was not written by either as it stands.
func isText(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || (r < 0x20 && r != '\t') || r == 0x7f {
			return false
		}
	}
	return true
}

func leadingNULs(s string) int {
	n := 0
	for n < len(s) && s[n] == 0 {
		n++
	}
	return n
}

// quote renders a piece of a bad line for a reject reason, cut short: the reject keeps the
// line's beginning as its snippet, so the reason only has to point at the problem.
func quote(s string) string {
	const max = 48
	if len(s) > max {
		return fmt.Sprintf("%q…", s[:max])
	}
	return fmt.Sprintf("%q", s)
}
