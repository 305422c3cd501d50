package accesslog

import (
	"fmt"
	"time"

	"github.com/breachline/breachline/normalize"
)

// stamp is the Common Log Format time, [10/Oct/2000:13:55:36 -0700], read field by field: the
// hot path of every line, so no time.Parse and no allocation. Apache can be configured to add a
// fraction ([…:36.123456 -0700] with %{usec_frac}t) or to drop the offset (%{%d/%b/%Y:%H:%M:%S}t);
// both are accepted here, and a missing offset is resolved by the caller.
type stamp struct {
	year, month, day, hour, min, sec, nsec int
	offset                                 int // seconds east of UTC
	hasOffset                              bool
}

// parseStamp reads the text between the brackets; the reason says what is wrong when it fails.
func parseStamp(s string) (st stamp, reason string) {
	// dd/Mon/yyyy:HH:MM:SS is 20 bytes.
	if len(s) < 20 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':' {
		return st, "timestamp " + quote(s) + " is not dd/Mon/yyyy:HH:MM:SS ±hhmm"
	}
	var ok bool
	if st.day, ok = num(s[0:2]); !ok {
		return st, "timestamp " + quote(s) + ": day is not two digits"
	}
	if st.month = monthNumber(s[3:6]); st.month == 0 {
		return st, "timestamp " + quote(s) + ": unknown month " + quote(s[3:6])
	}
	if st.year, ok = num(s[7:11]); !ok {
		return st, "timestamp " + quote(s) + ": year is not four digits"
	}
	h, okh := num(s[12:14])
	m, okm := num(s[15:17])
	sec, oks := num(s[18:20])
	if !okh || !okm || !oks {
		return st, "timestamp " + quote(s) + ": time of day is not HH:MM:SS"
	}
	st.hour, st.min, st.sec = h, m, sec
	if st.day < 1 || st.day > daysIn(st.month, st.year) || h > 23 || m > 59 || sec > 59 {
		return st, "timestamp " + quote(s) + " is not a real date and time"
	}
	i := 20
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i+1 || j-i-1 > 9 {
			return st, "timestamp " + quote(s) + ": fraction of a second is not 1 to 9 digits"
		}
		frac, _ := num(s[i+1 : j])
		for k := j - i - 1; k < 9; k++ {
			frac *= 10
		}
		st.nsec = frac
		i = j
	}
	if i == len(s) {
		return st, ""
	}
	// " +hhmm" is 6 bytes.
	if len(s)-i != 6 || s[i] != ' ' || (s[i+1] != '+' && s[i+1] != '-') {
		return st, "timestamp " + quote(s) + ": offset is not ±hhmm"
	}
	oh, okh := num(s[i+2 : i+4])
	om, okm := num(s[i+4 : i+6])
	if !okh || !okm || oh > 23 || om > 59 {
		return st, "timestamp " + quote(s) + ": offset is not ±hhmm"
	}
	st.offset = oh*3600 + om*60
	if s[i+1] == '-' {
		st.offset = -st.offset
	}
	st.hasOffset = true
	return st, ""
}

// resolve returns the instant st names and how its zone was known. A logged offset is applied
// as it stands. Without one, the examiner's --assume-tz zone is used; a local time the zone
// skips (a DST gap) or passes twice (a DST overlap) has no single instant and is refused rather
// than picked. Without --assume-tz a zoneless time is refused.
func (st stamp) resolve(assume *time.Location) (t time.Time, basis, reason string) {
	wall := time.Date(st.year, time.Month(st.month), st.day, st.hour, st.min, st.sec, st.nsec, time.UTC)
	if st.hasOffset {
		return wall.Add(-time.Duration(st.offset) * time.Second), normalize.TZExplicit, ""
	}
	if assume == nil {
		return time.Time{}, "", "timestamp has no UTC offset; give --assume-tz to read it in a zone"
	}
	t, err := normalize.InZone(wall, assume)
	if err != nil {
		return time.Time{}, "", fmt.Sprintf("local time %s %v", wall.Format("2006-01-02 15:04:05"), err)
	}
	return t, normalize.TZAssumed(assume), ""
}

// num reads a short run of ASCII digits.
func num(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

// monthNumber maps the English abbreviations strftime's %b writes in the C locale, which is what
// Apache and nginx use for the access log whatever the system locale.
func monthNumber(s string) int {
	switch s {
	case "Jan":
		return 1
	case "Feb":
		return 2
	case "Mar":
		return 3
	case "Apr":
		return 4
	case "May":
		return 5
	case "Jun":
		return 6
	case "Jul":
		return 7
	case "Aug":
		return 8
	case "Sep":
		return 9
	case "Oct":
		return 10
	case "Nov":
		return 11
	case "Dec":
		return 12
	}
	return 0
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
