package timeline

import (
	"strconv"
	"strings"
	"time"
)

// The events table stores time_raw, the record's timestamp as written, as a small integer when
// that text is a rendering of the event's time that SQL can redo: most logs write timestamps in a
// handful of layouts, and the text would otherwise cost 20–30 bytes a row. Any other text is
// stored as it is. The code is
//
//	kind*100000 + digits*10000 + (offset minutes + 5000)
//
// where digits is the number of fractional-second digits written and offset is the zone offset
// the text shows (the event's time is UTC). Go (renderTimeRaw) and SQL (timeRawSQL, in the
// events_v view) render a code the same way; a code is stored only after Go rendered the exact
// original text from it, and a test checks the SQL rendering against Go's.
const (
	rawRFC3339Z      = 1 // 2006-01-02T15:04:05[.f]Z
	rawRFC3339Offset = 2 // 2006-01-02T15:04:05[.f]-07:00
	rawSpaceLocal    = 3 // 2006-01-02 15:04:05[.f] (a zone-less timestamp read in an assumed zone)
	rawCLF           = 4 // 02/Jan/2006:15:04:05[.f] -0700 (access logs)
	rawEpochSeconds  = 5 // 1136214245[.f]
	rawEpochMillis   = 6 // 1136214245000
)

// minStoredTime is the earliest time stored as a code: SQL and Go render times before 1970
// alike, but logs do not write them, so the codes are kept to the range logs use.
var minStoredTime = time.Unix(0, 0).UTC()

// encodeTimeRaw returns the code for raw as a rendering of t, or 0 when raw must be stored as
// text. buf is scratch space for the rendering, returned for reuse.
func encodeTimeRaw(buf []byte, t time.Time, raw string) (int64, []byte) {
	if len(raw) < 10 || t.Before(minStoredTime) {
		return 0, buf
	}
	var kind int
	var off int
	digits := 0
	switch {
	case raw[2] == '/':
		kind = rawCLF
		sp := strings.LastIndexByte(raw, ' ')
		if sp < 0 || len(raw)-sp != 6 {
			return 0, buf
		}
		o, ok := parseOffset(raw[sp+1:], false)
		if !ok {
			return 0, buf
		}
		off = o
		if dot := strings.IndexByte(raw, '.'); dot > 0 {
			digits = sp - dot - 1
		}
	case len(raw) >= 19 && (raw[10] == 'T' || raw[10] == ' ') && raw[4] == '-':
		rest := raw[19:]
		if len(rest) > 0 && rest[0] == '.' {
			i := 1
			for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
				i++
			}
			digits = i - 1
			rest = rest[i:]
		}
		switch {
		case raw[10] == ' ' && rest == "":
			// No zone is written: the offset is the wall clock's distance from the UTC time.
			kind = rawSpaceLocal
			wall, err := time.Parse("2006-01-02 15:04:05.999999999", raw)
			if err != nil {
				return 0, buf
			}
			d := wall.Sub(t)
			if d%time.Minute != 0 {
				return 0, buf
			}
			off = int(d / time.Minute)
		case raw[10] == 'T' && rest == "Z":
			kind = rawRFC3339Z
		case raw[10] == 'T' && len(rest) == 6:
			kind = rawRFC3339Offset
			o, ok := parseOffset(rest, true)
			if !ok {
				return 0, buf
			}
			off = o
		default:
			return 0, buf
		}
	case raw[0] >= '1' && raw[0] <= '9':
		if dot := strings.IndexByte(raw, '.'); dot > 0 {
			kind, digits = rawEpochSeconds, len(raw)-dot-1
		} else if len(raw) == 10 {
			kind = rawEpochSeconds
		} else {
			kind = rawEpochMillis
		}
	default:
		return 0, buf
	}
	if digits > 9 || off < -1439 || off > 1439 {
		return 0, buf
	}
	code := int64(kind)*100000 + int64(digits)*10000 + int64(off+5000)
	buf = appendTimeRaw(buf[:0], t, code)
	if string(buf) == raw {
		return code, buf
	}
	return 0, buf
}

// parseOffset reads "+hh:mm" (colon) or "+hhmm" as minutes east of UTC.
func parseOffset(s string, colon bool) (int, bool) {
	if colon {
		if len(s) != 6 || s[3] != ':' {
			return 0, false
		}
		s = s[:3] + s[4:]
	}
	if len(s) != 5 || (s[0] != '+' && s[0] != '-') {
		return 0, false
	}
	h, err1 := strconv.Atoi(s[1:3])
	m, err2 := strconv.Atoi(s[3:5])
	if err1 != nil || err2 != nil || m > 59 {
		return 0, false
	}
	o := h*60 + m
	if s[0] == '-' {
		o = -o
	}
	return o, true
}

var monthAbbr = "JanFebMarAprMayJunJulAugSepOctNovDec"

// renderTimeRaw renders t as code says.
func renderTimeRaw(t time.Time, code int64) string { return string(appendTimeRaw(nil, t, code)) }

// appendTimeRaw appends the rendering of t that code says. It mirrors timeRawSQL step by step.
func appendTimeRaw(dst []byte, t time.Time, code int64) []byte {
	kind, digits, off := code/100000, (code/10000)%10, code%10000-5000
	ns := t.UnixNano()
	local := ns + off*60e9
	frac := ((local % 1e9) + 1e9) % 1e9
	secs := (local - frac) / 1e9
	lt := time.Unix(secs, 0).UTC()
	year, month, day := lt.Date()
	hour, minute, sec := lt.Clock()
	two := func(v int) { dst = append(dst, byte('0'+v/10), byte('0'+v%10)) }
	date := func(sep byte) {
		dst = append(dst, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-')
		two(int(month))
		dst = append(dst, '-')
		two(day)
		dst = append(dst, sep)
	}
	clock := func() {
		two(hour)
		dst = append(dst, ':')
		two(minute)
		dst = append(dst, ':')
		two(sec)
	}
	fraction := func() {
		if digits == 0 {
			return
		}
		dst = append(dst, '.')
		for d, div := int64(0), int64(1e8); d < digits; d, div = d+1, div/10 {
			dst = append(dst, byte('0'+frac/div%10))
		}
	}
	zone := func(colon bool) {
		a := int(max(off, -off))
		if off < 0 {
			dst = append(dst, '-')
		} else {
			dst = append(dst, '+')
		}
		two(a / 60)
		if colon {
			dst = append(dst, ':')
		}
		two(a % 60)
	}
	switch kind {
	case rawRFC3339Z:
		date('T')
		clock()
		fraction()
		dst = append(dst, 'Z')
	case rawRFC3339Offset:
		date('T')
		clock()
		fraction()
		zone(true)
	case rawSpaceLocal:
		date(' ')
		clock()
		fraction()
	case rawCLF:
		two(day)
		dst = append(dst, '/')
		dst = append(dst, monthAbbr[3*int(month)-3:3*int(month)]...)
		dst = append(dst, '/', byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), ':')
		clock()
		fraction()
		dst = append(dst, ' ')
		zone(false)
	case rawEpochSeconds:
		dst = strconv.AppendInt(dst, secs, 10)
		fraction()
	case rawEpochMillis:
		dst = strconv.AppendInt(dst, ns/1e6, 10)
	}
	return dst
}

// timeRawSQL is the SQL rendering of the time_raw column of the events table aliased e: the text
// when text is stored, else renderTimeRaw's result.
func timeRawSQL(e string) string {
	c := e + ".time_raw"
	t := e + ".time_ns"
	kind := "(" + c + " / 100000)"
	digits := "((" + c + " / 10000) % 10)"
	off := "(" + c + " % 10000 - 5000)"
	local := "(" + t + " + " + off + " * 60000000000)"
	frac := "(((" + local + " % 1000000000) + 1000000000) % 1000000000)"
	secs := "((" + local + " - " + frac + ") / 1000000000)"
	fr := "CASE WHEN " + digits + " > 0 THEN '.' || substr(printf('%09d', " + frac + "), 1, " + digits + ") ELSE '' END"
	sign := "CASE WHEN " + off + " < 0 THEN '-' ELSE '+' END"
	hh := "printf('%02d', abs(" + off + ") / 60)"
	mm := "printf('%02d', abs(" + off + ") % 60)"
	st := func(f string) string { return "strftime('" + f + "', " + secs + ", 'unixepoch')" }
	return "CASE WHEN typeof(" + c + ") <> 'integer' THEN " + c + " ELSE CASE " + kind +
		" WHEN 1 THEN " + st("%Y-%m-%dT%H:%M:%S") + " || " + fr + " || 'Z'" +
		" WHEN 2 THEN " + st("%Y-%m-%dT%H:%M:%S") + " || " + fr + " || " + sign + " || " + hh + " || ':' || " + mm +
		" WHEN 3 THEN " + st("%Y-%m-%d %H:%M:%S") + " || " + fr +
		" WHEN 4 THEN " + st("%d") + " || '/' || substr('" + monthAbbr + "', 3 * " + st("%m") + " - 2, 3) || '/' || " +
		st("%Y:%H:%M:%S") + " || " + fr + " || ' ' || " + sign + " || " + hh + " || " + mm +
		" WHEN 5 THEN CAST(" + secs + " AS TEXT) || " + fr +
		" WHEN 6 THEN CAST(" + t + " / 1000000 AS TEXT) END END"
}

// timeSQL renders the time_ns column of the events table aliased e in normalize.TimeLayout.
func timeSQL(e string) string {
	t := e + ".time_ns"
	frac := "(((" + t + " % 1000000000) + 1000000000) % 1000000000)"
	secs := "((" + t + " - " + frac + ") / 1000000000)"
	return "strftime('%Y-%m-%dT%H:%M:%S', " + secs + ", 'unixepoch') || printf('.%09dZ', " + frac + ")"
}
