package accesslog

import (
	"fmt"
	"strings"
	"sync"
)

// A LogFormat is a server's own access-log definition (an Apache LogFormat string or an nginx
// log_format body) compiled into a plan: the literal text the server writes between fields and
// the fields themselves, each with what it means. A line is read by walking the plan once, so
// the format says where each field ends (a user name with a space is no longer ambiguous when
// the format puts " [" after it) and no regular expression is built or run.
type LogFormat struct {
	source string
	steps  []step
	tail   string // the literal text after the last field
}

// String returns the format as given, which the evidence settings record.
func (lf *LogFormat) String() string { return lf.source }

// role is what a field of the plan fills.
type role uint8

const (
	roleAttr role = iota // an attribute of its own (step.attr)
	roleClient
	roleIdent
	roleUser
	roleTime
	roleRequest
	roleStatus
	roleBytes
	roleReferrer
	roleUserAgent
	roleVhost
	roleVhostPort
	roleClientIP // Apache %a when %h is also logged
)

// step is one field of the plan and the literal text the server writes before it.
type step struct {
	lit       string
	role      role
	directive string // as written in the format, for reject reasons
	attr      string // the attribute key, for roleAttr
	integer   bool   // digits or "-"; stored as a number
	quoted    bool   // the format puts it between double quotes
}

// FormatError is an invalid format string: Pos is the 1-based byte position of the directive.
type FormatError struct {
	Pos       int
	Directive string
	Msg       string
}

func (e *FormatError) Error() string {
	if e.Directive == "" {
		return fmt.Sprintf("log format: position %d: %s", e.Pos, e.Msg)
	}
	return fmt.Sprintf("log format: position %d: %s: %s", e.Pos, e.Directive, e.Msg)
}

// CompileLogFormat compiles an Apache LogFormat string (with % directives) or an nginx
// log_format body (with $variables); which one is decided by the directives it holds.
func CompileLogFormat(format string) (*LogFormat, error) {
	dollar, percent := dialectMarks(format)
	var (
		raw []rawField
		err error
	)
	switch {
	case dollar > 0 && percent > 0:
		return nil, &FormatError{Pos: min(dollar, percent), Msg: "mixes Apache % directives and nginx $variables"}
	case dollar > 0:
		raw, err = scanNginx(format)
	case percent > 0:
		raw, err = scanApache(format)
	default:
		return nil, &FormatError{Pos: 1, Msg: "no % directive or $variable: nothing to read"}
	}
	if err != nil {
		return nil, err
	}
	return build(format, raw)
}

// dialectMarks returns the 1-based positions of the first nginx variable and of the first
// Apache directive in format (0: none).
func dialectMarks(format string) (dollar, percent int) {
	for i := 0; i+1 < len(format); i++ {
		c, n := format[i], format[i+1]
		switch {
		case c == '$' && dollar == 0 && (n == '{' || n == '_' || isAlnum(n)):
			dollar = i + 1
		case c == '%' && percent == 0 && (n == '{' || n == '>' || n == '<' || n == '%' || isAlnum(n)):
			percent = i + 1
		}
	}
	return dollar, percent
}

// rawField is a field as the scanners find it, before quotes and separators are worked out.
type rawField struct {
	lit string // literal text before the field
	step
	pos int
}

// build turns the scanned fields into a plan: quotes around a field become the field's own, and
// two fields with no text between them are refused, since nothing would say where one ends.
func build(format string, raw []rawField) (*LogFormat, error) {
	lf := &LogFormat{source: format}
	if len(raw) > 0 && raw[len(raw)-1].directive == "" { // the trailing literal
		lf.tail = raw[len(raw)-1].lit
		raw = raw[:len(raw)-1]
	}
	hasHost := false
	for _, r := range raw {
		hasHost = hasHost || r.directive == "%h"
	}
	seen := map[role]rawField{}
	attrs := map[string]rawField{}
	for k := range raw {
		r := &raw[k]
		if r.role == roleClientIP && !hasHost {
			r.role = roleClient
		} else if r.role == roleClientIP {
			r.role, r.attr = roleAttr, "client_ip"
		}
		if r.role == roleAttr {
			if prev, dup := attrs[r.attr]; dup {
				return nil, &FormatError{Pos: r.pos, Directive: r.directive, Msg: fmt.Sprintf("attrs.%s is already read by %s at position %d", r.attr, prev.directive, prev.pos)}
			}
			attrs[r.attr] = *r
		} else {
			if prev, dup := seen[r.role]; dup {
				return nil, &FormatError{Pos: r.pos, Directive: r.directive, Msg: fmt.Sprintf("its field is already read by %s at position %d", prev.directive, prev.pos)}
			}
			seen[r.role] = *r
		}
	}
	if _, ok := seen[roleTime]; !ok {
		return nil, &FormatError{Pos: 1, Msg: "no time field (%t or $time_local): an event needs its time"}
	}
	for k := range raw {
		s := raw[k].step
		s.lit = raw[k].lit
		next := lf.tail
		if k+1 < len(raw) {
			next = raw[k+1].lit
		}
		if strings.HasSuffix(s.lit, `"`) && strings.HasPrefix(next, `"`) {
			s.quoted = true
			s.lit = s.lit[:len(s.lit)-1]
			if k+1 < len(raw) {
				raw[k+1].lit = next[1:]
			} else {
				lf.tail = next[1:]
			}
			next = next[1:]
		}
		if !s.quoted && next == "" && k+1 < len(raw) {
			return nil, &FormatError{Pos: raw[k+1].pos, Directive: raw[k+1].directive,
				Msg: "follows " + s.directive + " with no text between them: where one field ends cannot be known"}
		}
		lf.steps = append(lf.steps, s)
	}
	return lf, nil
}

// reserved are the attribute keys the event mapping sets itself; a header or variable of the
// same name is stored under http_<name> so it cannot overwrite them.
var reserved = map[string]bool{
	attrVhost: true, attrVhostPort: true, attrIdent: true, attrQuery: true, attrProtocol: true,
	attrStatus: true, attrBytes: true, attrReferrer: true, attrRequest: true,
	attrUnescapedQuotes: true, attrUnescapedQuotesIn: true, attrExtra: true, "source_host": true,
}

func attrStep(directive, attr string, integer bool) step {
	if reserved[attr] {
		attr = "http_" + attr
	}
	return step{role: roleAttr, directive: directive, attr: attr, integer: integer}
}

// snake turns a header name into an attribute key: X-Forwarded-For is x_forwarded_for.
func snake(name string) string {
	b := make([]byte, 0, len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		case isAlnum(c):
			b = append(b, c)
		default:
			if len(b) > 0 && b[len(b)-1] != '_' {
				b = append(b, '_')
			}
		}
	}
	return strings.TrimRight(string(b), "_")
}

// plans caches compiled formats: an ingest compiles its format once, whatever the number of
// files (and pieces of files) it reads with it.
var plans sync.Map // string → *LogFormat

func cachedPlan(format string) (*LogFormat, error) {
	if lf, ok := plans.Load(format); ok {
		return lf.(*LogFormat), nil
	}
	lf, err := CompileLogFormat(format)
	if err != nil {
		return nil, err
	}
	plans.Store(format, lf)
	return lf, nil
}
