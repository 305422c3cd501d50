package auditd

import (
	"bytes"
	"strconv"
	"time"
)

// header is the fixed start of an audit record line,
//
//	[node=NAME ]type=TYPE msg=audit(SECONDS.MILLIS:SERIAL): BODY[\x1dENRICHED]
//
// as byte positions in the line, so that it can be read from the line's bytes while grouping and
// from the event's string when building.
type header struct {
	node  span // empty when the line has no node= prefix
	typ   span
	stamp span // SECONDS.MILLIS:SERIAL
	sec   span // SECONDS.MILLIS
	body  int  // first byte after "):" and the spaces that follow
}

type span struct{ from, to int }

func (s span) of(line string) string { return line[s.from:s.to] }
func (s span) in(line []byte) []byte { return line[s.from:s.to] }

var (
	prefixNode = []byte("node=")
	prefixType = []byte("type=")
	prefixMsg  = []byte("msg=audit(")
)

// parseHeader reads the header of line, or says why line is not an audit record.
func parseHeader(line []byte) (h header, why string) {
	i := 0
	if bytes.HasPrefix(line, prefixNode) {
		i = len(prefixNode)
		j := i + wordEnd(line[i:])
		h.node = span{i, j}
		i = skipSpaces(line, j)
	}
	if !bytes.HasPrefix(line[i:], prefixType) {
		if bytes.HasPrefix(line, []byte("----")) || bytes.HasPrefix(line, []byte("time->")) {
			return h, "ausearch output line (event separator or time heading), not an audit record"
		}
		return h, "not an audit record: the line does not start with type= (or node=… type=)"
	}
	i += len(prefixType)
	j := i + wordEnd(line[i:])
	if j == i {
		return h, "audit record without a record type"
	}
	h.typ = span{i, j}
	i = skipSpaces(line, j)
	if !bytes.HasPrefix(line[i:], prefixMsg) {
		return h, "audit record without its msg=audit(time:serial) header"
	}
	i += len(prefixMsg)
	rp := bytes.IndexByte(line[i:], ')')
	if rp < 0 {
		return h, "audit record header msg=audit( is not closed"
	}
	stamp := line[i : i+rp]
	colon := bytes.IndexByte(stamp, ':')
	if bytes.IndexByte(stamp, '/') >= 0 {
		// ausearch -i writes the time as local date and time, with no zone.
		return h, "interpreted audit record (ausearch -i): its time is local and has no zone; ingest the raw log (ausearch --raw)"
	}
	if colon < 0 || !validTime(stamp[:colon]) || !digits(stamp[colon+1:]) || len(stamp)-colon-1 > 10 {
		return h, "audit record header has no valid audit(seconds.milliseconds:serial)"
	}
	h.stamp = span{i, i + rp}
	h.sec = span{i, i + colon}
	i += rp + 1
	if i < len(line) && line[i] == ':' {
		i++
	}
	h.body = skipSpaces(line, i)
	return h, ""
}

// validTime accepts SECONDS[.FRACTION] with at most 11 digits of seconds and 9 of fraction, so
// that recordTime never overflows.
func validTime(b []byte) bool {
	secs, frac, dot := bytes.Cut(b, []byte{'.'})
	if !digits(secs) || len(secs) > 11 {
		return false
	}
	return !dot || (digits(frac) && len(frac) <= 9)
}

// recordTime converts a validated SECONDS[.FRACTION] to a time. Audit timestamps are seconds since
// the epoch from the kernel's clock: UTC by definition.
func recordTime(s string) time.Time {
	secs, frac, _ := cutByte(s, '.')
	sec, _ := strconv.ParseInt(secs, 10, 64)
	var ns int64
	if frac != "" {
		n, _ := strconv.ParseInt(frac, 10, 64)
		for i := len(frac); i < 9; i++ {
			n *= 10
		}
		ns = n
	}
	return time.Unix(sec, ns).UTC()
}

func digits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// wordEnd returns the length of the leading run of b up to a space or tab.
func wordEnd(b []byte) int {
	for i, c := range b {
		if c == ' ' || c == '\t' {
			return i
		}
	}
	return len(b)
}

func skipSpaces(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return i
}

func cutByte(s string, c byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
