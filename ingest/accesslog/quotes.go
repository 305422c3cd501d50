package accesslog

import (
	"fmt"
	"net/netip"
	"strings"
)

// markQuoted records that the field name held quotes the server did not escape, once.
func (f *fields) markQuoted(name string) {
	for _, n := range f.unescapedQuotes {
		if n == name {
			return
		}
	}
	f.unescapedQuotes = append(f.unescapedQuotes, name)
}

// Bounds on the search for the ends of a referrer and a user agent that hold unescaped quotes:
// each candidate costs a scan of the rest of the line, and a hostile line must not cost the
// square of its length.
const (
	maxFieldQuotes  = 64 // unescaped quotes after the byte count
	maxReferrerEnds = 32 // places the referrer could end
)

// holdsQuote reports whether the field between the quotes s[open] and s[close] holds an
// unescaped quote.
func holdsQuote(s string, open, close int) bool {
	for j := open + 1; j < close; j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return true
		}
	}
	return false
}

// reading is one way to split the quoted fields after the byte count: the referrer is
// s[r0+1:r1], the user agent s[u0+1:u1], and the extra fields follow u1.
type reading struct{ r1, u0, u1 int }

// unescapedCombined reads the referrer and the user agent, starting with the quote at s[r0], when
// one of them holds quotes the server did not escape (as an attacker's Shellshock or Log4Shell
// user agent makes a server without escaping write). Their boundaries come from the structure:
//
//   - the referrer ends at a quote followed by spaces and the quote that opens the user agent;
//   - the user agent ends at the first quote followed only by fields a server logs after it
//     (known trailing fields: a request time, upstream timings and addresses, a quoted
//     X-Forwarded-For), or, when there is none, at the last quote of the line, when nothing
//     follows it.
//
// A referrer without quotes ends at its first quote, as the plain reading has it; when that
// reading works (only the user agent holds quotes) it is the one. Otherwise the referrer holds
// quotes, and of the places where it could end the one whose user agent holds none is taken
// (the fewest fields repaired). When two places are as good (both fields hold quotes, and a
// `" "` in either could be the boundary), the line is ambiguous and refused; when no place
// gives a reading, it is refused with reason, the plain reading's. A kept line says which
// fields held quotes.
func (p *parser) unescapedCombined(s string, r0 int, reason string) string {
	f := &p.f
	q := p.quots[:0]
	for k := r0 + 1; k < len(s); k++ {
		switch s[k] {
		case '\\':
			k++ // an escaped byte, a \" included, belongs to the value
		case '"':
			if len(q) == maxFieldQuotes {
				p.quots = q
				return fmt.Sprintf("more than %d unescaped quotes in the referrer and user agent: ambiguous", maxFieldQuotes)
			}
			q = append(q, k)
		}
	}
	p.quots = q

	// Readings, in order of the referrer's end; best is the one taken, tie says another is as
	// good.
	var best reading
	bestN, tie, n, ends := 3, false, 0, 0
	for a, r1 := range q {
		u0, ok := spaces(s, r1+1)
		if u0 == r1+1 || !ok || s[u0] != '"' {
			continue
		}
		if ends++; ends > maxReferrerEnds {
			return fmt.Sprintf("the referrer holds unescaped quotes and more than %d places where it could end: ambiguous", maxReferrerEnds)
		}
		u1 := p.userAgentEnd(s, q[a+1:], u0)
		if u1 < 0 {
			continue
		}
		n++
		if a == 0 {
			// A referrer without quotes: only the user agent holds them.
			best, bestN = reading{r1, u0, u1}, 0
			break
		}
		// The referrer holds quotes; the fewer fields that do, the better.
		k := 1
		if holdsQuote(s, u0, u1) {
			k = 2
		}
		switch {
		case k < bestN:
			best, bestN, tie = reading{r1, u0, u1}, k, false
		case k == bestN:
			tie = true
		}
	}
	switch {
	case n == 0:
		return reason
	case tie:
		return fmt.Sprintf("the referrer and the user agent hold unescaped quotes and the boundary between them could be at more than one place (from byte %d of the line): ambiguous", best.r1)
	}
	r := best
	ref, ua := s[r0+1:r.r1], s[r.u0+1:r.u1]
	p.items = p.items[:0]
	if why := p.trailingFields(s, r.u1+1); why != "" {
		return reason // userAgentEnd checked them; kept for safety
	}
	f.combined = true
	f.referrer, f.userAgent = ref, ua
	if strings.IndexByte(ref, '\\') >= 0 {
		f.referrer = unescape(ref)
	}
	if strings.IndexByte(ua, '\\') >= 0 {
		f.userAgent = unescape(ua)
	}
	f.trailing = append(f.trailing[:0], p.items...)
	if holdsQuote(s, r0, r.r1) {
		f.markQuoted(attrReferrer)
	}
	if holdsQuote(s, r.u0, r.u1) {
		f.markQuoted("user_agent")
	}
	return ""
}

// userAgentEnd returns where the user agent that opens at s[u0] ends, of the quotes q after it:
// the first quote followed by known trailing fields, or, when no quote is, the last quote of the
// line when only spaces follow it; -1 when no quote ends it. The first such quote, as the plain
// reading ends a user agent at its first quote: a later one would make the user agent end in
// text that has the shape of the fields after it.
func (p *parser) userAgentEnd(s string, q []int, u0 int) int {
	last := -1
	for _, k := range q {
		if k <= u0 {
			continue
		}
		if rest, _ := spaces(s, k+1); rest == len(s) {
			last = k
			continue
		}
		if k+1 < len(s) && s[k+1] == ' ' && p.knownTrailing(s, k+1) {
			return k
		}
	}
	return last
}

// trailEnd memoizes knownTrailing for one line: the request-end search may ask the same
// question for every request end it tries.
type trailEnd struct {
	at int
	ok bool
}

// knownTrailing reports whether s[i:] (from a space) is one or more fields of the kinds servers
// log after the user agent: numbers and "-" ($request_time, %D), addresses and ports
// ($upstream_addr), name=value pairs whose value is such a word or a quoted list of them
// (rt=0.012 uct="0.001"), words without quotes ($upstream_cache_status, $ssl_protocol,
// [pool]), and quoted lists of addresses, numbers or "-" ("$http_x_forwarded_for"). Free text
// in quotes is not one: it is what the user agent itself is made of.
func (p *parser) knownTrailing(s string, i int) bool {
	for _, t := range p.trail {
		if t.at == i {
			return t.ok
		}
	}
	ok := knownTrailing(s, i)
	p.trail = append(p.trail, trailEnd{i, ok})
	return ok
}

func knownTrailing(s string, i int) bool {
	n := 0
	for {
		var ok bool
		if i, ok = spaces(s, i); !ok {
			return n > 0
		}
		n++
		if s[i] == '"' {
			v, next, esc, closed := quoted(s, i)
			if !closed || esc || (next < len(s) && s[next] != ' ') || !knownQuotedValue(v) {
				return false
			}
			i = next
			continue
		}
		start := i
		for i < len(s) && s[i] != ' ' {
			c := s[i]
			switch {
			case c == '"':
				v, next, esc, closed := quoted(s, i)
				if !closed || esc || !knownQuotedValue(v) {
					return false
				}
				i = next
				continue
			case isAlnum(c) || strings.IndexByte("._:,-/=[]%+@", c) >= 0:
			default:
				return false
			}
			i++
		}
		if i == start {
			return false
		}
	}
}

// knownQuotedValue reports whether v, the inside of a quoted trailing field, is "-", empty, or a
// list (commas, spaces, nginx's " : " between upstream groups) of numbers, IP addresses with or
// without a port, "unknown" and "-".
func knownQuotedValue(v string) bool {
	for _, item := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
		switch {
		case item == "-" || item == ":" || item == "unknown" || isDecimalText(item):
		case isAddr(item):
		default:
			return false
		}
	}
	return true
}

// isDecimalText reports whether s is digits with at most one '.' inside.
func isDecimalText(s string) bool {
	whole, frac, dot := strings.Cut(s, ".")
	return allDigits(whole) && (!dot || allDigits(frac))
}

// isAddr reports whether s is an IP address, with or without a port ([v6]:port).
func isAddr(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	_, err := netip.ParseAddrPort(s)
	return err == nil
}

// trailingFields reads the extra fields from s[i] into p.items, as extras reads them after a
// plain user agent.
func (p *parser) trailingFields(s string, i int) (reason string) {
	for {
		var ok bool
		if i, ok = spaces(s, i); !ok {
			return ""
		}
		if s[i] == '"' {
			v, next, esc, closed := quoted(s, i)
			if !closed || (next < len(s) && s[next] != ' ') {
				return "unclosed quote in an extra field"
			}
			if esc {
				v = unescape(v)
			}
			p.items = append(p.items, v)
			i = next
			continue
		}
		start := i
		if i, ok = unquotedField(s, i); !ok {
			return "unclosed quote in an extra field"
		}
		p.items = append(p.items, unescape(s[start:i]))
	}
}
