package accesslog

import (
	"fmt"
	"strings"
)

// maxPlanTries bounds the closing quotes walkUnescaped tries, over all the quoted fields of a
// line: each try reads the rest of the line.
const maxPlanTries = 64

// quotedSteps returns how many of the plan's fields are quoted.
func (lf *LogFormat) quotedSteps() int {
	n := 0
	for k := range lf.steps {
		if lf.steps[k].quoted {
			n++
		}
	}
	return n
}

// span is where a quoted field opens and closes: s[open] and s[close] are its quotes.
type span struct{ open, close int }

// planSearch is the state of one line's search for the ends of quoted fields.
type planSearch struct {
	lf    *LogFormat
	s     string
	tries int
	path  []span   // the quotes of each quoted field so far
	found [][]span // the readings: the quotes of each quoted field
	over  bool     // more than maxPlanTries
}

// walkUnescaped reads a line by the plan when a quoted field holds quotes the server did not
// escape, as the built-in grammar does for the request, referrer and user agent: a quoted field
// may end at any unescaped quote that is followed by the literal the format puts after it, and a
// reading is a choice of such ends for which the whole rest of the line fits the plan (each next
// field as its directive wants it: a status is three digits, a time a time, the last literal the
// end of the line). Of the readings the one in which the fewest fields hold quotes is taken, and
// between readings as good one whose referrer holds none (best). When one reading is left the
// line is kept, and attrs.unescaped_quotes_in names the fields that held quotes; when more are,
// the line is ambiguous and refused; when none, it is refused with the plain walk's reason.
func (p *parser) walkUnescaped(lf *LogFormat, s, reason string) string {
	ps := &planSearch{lf: lf, s: s}
	p.begin()
	p.search(ps, 0, 0)
	switch {
	case ps.over:
		return fmt.Sprintf("quoted fields hold unescaped quotes and there are more than %d places where they could end: ambiguous", maxPlanTries)
	case len(ps.found) == 0:
		return reason
	}
	ends, tie := ps.best()
	if tie {
		a, b := ps.found[0], ps.found[1]
		d := 0
		for d < len(a)-1 && a[d] == b[d] {
			d++
		}
		return fmt.Sprintf("quoted fields hold unescaped quotes and the line reads more than one way (%s could end at byte %d or %d): ambiguous",
			ps.quotedDirective(d), a[d].close, b[d].close)
	}
	p.begin()
	i, q := 0, 0
	for k := range lf.steps {
		close := -1
		if lf.steps[k].quoted {
			close = ends[q].close
			if ps.holdsQuote(ends[q]) {
				p.f.markQuoted(lf.steps[k].quotedName())
			}
			q++
		}
		i, _ = p.step(lf, s, k, i, close)
	}
	return ""
}

// search tries the steps from k at s[i]; the quoted ones at each closing quote that can end them.
func (p *parser) search(ps *planSearch, k, i int) {
	lf, s := ps.lf, ps.s
	if k == len(lf.steps) {
		if s[i:] == lf.tail {
			ps.add(append([]span(nil), ps.path...))
		}
		return
	}
	st := &lf.steps[k]
	f, nextra := p.f, len(p.extra)
	restore := func() { p.f, p.extra = f, p.extra[:nextra] }
	if !st.quoted {
		if next, why := p.step(lf, s, k, i, -1); why == "" {
			p.search(ps, k+1, next)
		}
		restore()
		return
	}
	open := i + len(st.lit)
	if !strings.HasPrefix(s[i:], st.lit) || open >= len(s) || s[open] != '"' {
		return
	}
	follow := lf.tail
	if k+1 < len(lf.steps) {
		follow = lf.steps[k+1].lit
	}
	for j := open + 1; j < len(s) && !ps.over && len(ps.found) < maxPlanReadings; j++ {
		switch {
		case s[j] == '\\':
			j++ // an escaped byte, a \" included, belongs to the value
			continue
		case s[j] != '"' || !strings.HasPrefix(s[j+1:], follow):
			continue
		}
		if ps.tries++; ps.tries > maxPlanTries {
			ps.over = true
			break
		}
		if next, why := p.step(lf, s, k, i, j); why == "" {
			ps.path = append(ps.path, span{open, j})
			p.search(ps, k+1, next)
			ps.path = ps.path[:len(ps.path)-1]
		}
		restore()
	}
}

// maxPlanReadings bounds the readings a search keeps.
const maxPlanReadings = 16

// add keeps a reading.
func (ps *planSearch) add(r []span) {
	if len(ps.found) < maxPlanReadings {
		ps.found = append(ps.found, r)
	}
}

// best returns the reading to take and whether another is as good. The fewer fields a reading
// needs to hold quotes the better; between readings as good, one whose referrer holds no quote
// is preferred, as the built-in grammar prefers it (a Referer is a URI, which has no quotes).
func (ps *planSearch) best() (r []span, tie bool) {
	ref := -1 // the referrer's index among the quoted fields
	n := 0
	for k := range ps.lf.steps {
		if st := &ps.lf.steps[k]; st.quoted {
			if st.role == roleReferrer {
				ref = n
			}
			n++
		}
	}
	score := func(r []span) int {
		c := 0
		for d, sp := range r {
			if ps.holdsQuote(sp) {
				c += 2
				if d == ref {
					c++ // breaks a tie in favour of a clean referrer
				}
			}
		}
		return c
	}
	bestScore := -1
	for _, c := range ps.found {
		switch sc := score(c); {
		case bestScore < 0 || sc < bestScore:
			r, bestScore, tie = c, sc, false
		case sc == bestScore:
			tie = true
		}
	}
	return r, tie
}

// holdsQuote reports whether the field between the quotes of sp holds an unescaped quote.
func (ps *planSearch) holdsQuote(sp span) bool {
	for j := sp.open + 1; j < sp.close; j++ {
		switch ps.s[j] {
		case '\\':
			j++
		case '"':
			return true
		}
	}
	return false
}

// quotedDirective names the d-th quoted field for a reason.
func (ps *planSearch) quotedDirective(d int) string {
	n := 0
	for k := range ps.lf.steps {
		if ps.lf.steps[k].quoted {
			if n == d {
				return ps.lf.steps[k].directive
			}
			n++
		}
	}
	return "a quoted field"
}

// quotedName is the name attrs.unescaped_quotes_in gives the field of st.
func (st *step) quotedName() string {
	switch st.role {
	case roleRequest:
		return attrRequest
	case roleReferrer:
		return attrReferrer
	case roleUserAgent:
		return "user_agent"
	case roleAttr:
		return st.attr
	}
	return st.directive
}
