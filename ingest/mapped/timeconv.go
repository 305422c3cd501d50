package mapped

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/breachline/breachline/normalize"
)

// timeConv turns the time field's text into an instant and says how its zone was known. It
// never guesses: a time without a zone is read in the examiner's --assume-tz zone or rejected.
type timeConv struct {
	perSec  int64    // epoch_*: units per second; 0 otherwise
	layouts []layout // time: the layouts to try, in order; none means RFC 3339
}

type zoneKind uint8

const (
	zoneNone    zoneKind = iota // the layout has no zone: --assume-tz or reject
	zoneNumeric                 // -0700, Z07:00, …: explicit
	zoneAbbrev                  // MST only: explicit for UTC/GMT, else only a zone of --assume-tz
)

type layout struct {
	text string
	zone zoneKind
}

// layoutNames are the Go layout constants a mapping may name instead of spelling them out.
var layoutNames = map[string]string{
	"RFC3339": time.RFC3339, "RFC3339Nano": time.RFC3339Nano, "RFC1123": time.RFC1123,
	"RFC1123Z": time.RFC1123Z, "RFC822": time.RFC822, "RFC822Z": time.RFC822Z, "RFC850": time.RFC850,
	"ANSIC": time.ANSIC, "UnixDate": time.UnixDate, "RubyDate": time.RubyDate,
	"DateTime": time.DateTime, "DateOnly": time.DateOnly,
}

// compileLayout checks that a layout reads back a full date, and classifies its zone.
func compileLayout(text string) (layout, error) {
	if named, ok := layoutNames[text]; ok {
		text = named
	}
	l := layout{text: text}
	switch {
	case strings.Contains(text, "Z07") || strings.Contains(text, "-07"):
		l.zone = zoneNumeric
	case strings.Contains(text, "MST"):
		l.zone = zoneAbbrev
	}
	ref := time.Date(2009, time.November, 17, 20, 34, 58, 651387237, time.UTC)
	t, err := time.Parse(text, ref.Format(text))
	if err != nil || t.Year() != 2009 || t.Month() != time.November || t.Day() != 17 {
		return l, fmt.Errorf("time layout %q does not hold a full date (year, month and day); layouts are written with Go's reference time 2006-01-02T15:04:05Z07:00", text)
	}
	return l, nil
}

// convert reads s. basis is one of normalize's time-zone bases.
func (c *timeConv) convert(s string, assume *time.Location) (t time.Time, basis string, err error) {
	switch {
	case c.perSec > 0:
		t, err = parseEpoch(s, c.perSec)
		basis = normalize.TZUTCBySpec
	case len(c.layouts) == 0:
		t, err = time.Parse(time.RFC3339Nano, s)
		if err != nil {
			err = fmt.Errorf("time %s is not an RFC 3339 time with a zone (give a time transform for other forms)", quoteValue(s))
		}
		basis = normalize.TZExplicit
	default:
		t, basis, err = c.layout(s, assume)
	}
	if err == nil && (t.Year() < 1 || t.Year() > 9999) {
		err = fmt.Errorf("time %s is outside the years 1 to 9999", quoteValue(s))
	}
	return t, basis, err
}

func (c *timeConv) layout(s string, assume *time.Location) (time.Time, string, error) {
	for _, l := range c.layouts {
		switch l.zone {
		case zoneNumeric:
			if t, err := time.Parse(l.text, s); err == nil {
				return t, normalize.TZExplicit, nil
			}
		case zoneNone:
			wall, err := time.Parse(l.text, s)
			if err != nil {
				continue
			}
			if assume == nil {
				return time.Time{}, "", fmt.Errorf("time %s has no zone (layout %q) and no --assume-tz was given; breachline does not guess a zone", quoteValue(s), l.text)
			}
			t, err := normalize.InZone(wall, assume)
			if err != nil {
				return time.Time{}, "", fmt.Errorf("time %s %v", quoteValue(s), err)
			}
			return t, normalize.TZAssumed(assume), nil
		case zoneAbbrev:
			loc := assume
			if loc == nil {
				loc = time.UTC
			}
			t, err := time.ParseInLocation(l.text, s, loc)
			if err != nil {
				continue
			}
			name, _ := t.Zone()
			switch {
			case name == "UTC" || strings.HasPrefix(name, "GMT"):
				// UTC, GMT and GMT+h carry their offset in the text.
				return t, normalize.TZExplicit, nil
			case assume != nil && t.Location() == assume:
				// The abbreviation is one of the examiner's zone's (CET in Europe/Berlin).
				return t, normalize.TZAssumed(assume), nil
			}
			return time.Time{}, "", fmt.Errorf("time %s names zone %q, whose offset breachline cannot know; pass --assume-tz with the zone it belongs to", quoteValue(s), name)
		}
	}
	names := make([]string, len(c.layouts))
	for i, l := range c.layouts {
		names[i] = strconv.Quote(l.text)
	}
	return time.Time{}, "", fmt.Errorf("time %s matches no layout of the mapping (%s)", quoteValue(s), strings.Join(names, ", "))
}

var errEpoch = errors.New("not a plain decimal number")

// parseEpoch reads a count of units (perSec per second) since 1970-01-01T00:00:00Z, as an integer
// or a decimal with a fraction of a unit ("1700000000.25" seconds). Digits finer than a
// nanosecond are dropped. It works on the digits, never through a float, so no time moves.
func parseEpoch(s string, perSec int64) (time.Time, error) {
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(body, ".")
	if whole == "" || !allDigits(whole) || (hasFrac && (frac == "" || !allDigits(frac))) {
		return time.Time{}, fmt.Errorf("epoch time %s is %v", quoteValue(s), errEpoch)
	}
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("epoch time %s is out of range", quoteValue(s))
	}
	nsPerUnit := int64(time.Second) / perSec
	width := len(strconv.FormatInt(nsPerUnit, 10)) - 1 // digits of a unit's fraction that are ≥ 1 ns
	if len(frac) > width {
		frac = frac[:width]
	}
	var fv int64
	if frac != "" {
		fv, _ = strconv.ParseInt(frac+strings.Repeat("0", width-len(frac)), 10, 64)
	}
	sec, nsec := n/perSec, (n%perSec)*nsPerUnit+fv
	if neg {
		sec, nsec = -sec, -nsec
	}
	return time.Unix(sec, nsec).UTC(), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
