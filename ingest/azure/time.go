package azure

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/breachline/breachline/normalize"
)

// stamp is one time field a record may carry: where it was and its text as logged.
type stamp struct {
	field string
	raw   text
}

// zoneless layouts: Log Analytics exports and some shippers drop the Z, and PowerShell writes a
// DateTime of unspecified kind without one.
var zoneless = []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"}

// setTime sets ev's time from the first candidate that carries a zone (Azure writes UTC with a Z
// and seven fractional digits; nothing is lost, Go keeps nine). A time without a zone is read
// only in the zone the examiner gave with --assume-tz; without it the record is rejected rather
// than guessed. Candidates come in the kind's order of authority (the sign-in's createdDateTime
// before the export's time, …) and attrs.time_field says which one was used.
func setTime(ev *normalize.Event, loc *time.Location, cands ...stamp) error {
	var bare, bad *stamp
	seen := false
	for i := range cands {
		c := &cands[i]
		if c.raw == "" {
			continue
		}
		seen = true
		s := strings.TrimSpace(string(c.raw))
		if t, basis, ok := explicitTime(s); ok {
			ev.Time, ev.TimeRaw, ev.TZBasis = t, string(c.raw), basis
			ev.SetAttr("time_field", c.field)
			return nil
		}
		if bare == nil && hasLayout(s) {
			bare = c
		} else if bad == nil {
			bad = c
		}
	}
	switch {
	case bare != nil && loc != nil:
		s := strings.TrimSpace(string(bare.raw))
		for _, layout := range zoneless {
			if _, err := time.Parse(layout, s); err != nil {
				continue
			}
			t, err := normalize.ParseInZone(layout, s, loc)
			if err != nil {
				return fmt.Errorf("%s %q %v", bare.field, s, err)
			}
			ev.Time, ev.TimeRaw, ev.TZBasis = t, string(bare.raw), normalize.TZAssumed(loc)
			ev.SetAttr("time_field", bare.field)
			return nil
		}
	case bare != nil:
		return fmt.Errorf("%s %q has no time zone: pass --assume-tz to read it", bare.field, string(bare.raw))
	case bad != nil:
		return fmt.Errorf("%s %q is not a time", bad.field, clip(string(bad.raw)))
	case !seen:
		return fmt.Errorf("record has no time field (%s)", fieldNames(cands))
	}
	return fmt.Errorf("%s %q is not a time", bare.field, clip(string(bare.raw)))
}

// explicitTime parses a time that says its zone: RFC 3339 (with T or a space), or the
// "/Date(ms)/" form Windows PowerShell 5 writes, which counts milliseconds from the epoch in UTC.
func explicitTime(s string) (time.Time, string, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, normalize.TZExplicit, true
		}
	}
	if ms, ok := dotNetDate(s); ok {
		return time.UnixMilli(ms).UTC(), normalize.TZUTCBySpec, true
	}
	return time.Time{}, "", false
}

// dotNetDate reads /Date(1421878466979)/ and /Date(1421878466979+0100)/: the number is UTC
// milliseconds whatever offset follows it (the offset only says where it was displayed).
func dotNetDate(s string) (int64, bool) {
	body, ok := strings.CutPrefix(s, "/Date(")
	if !ok {
		return 0, false
	}
	body, ok = strings.CutSuffix(body, ")/")
	if !ok || body == "" {
		return 0, false
	}
	end := 1
	for end < len(body) && body[end] >= '0' && body[end] <= '9' {
		end++
	}
	if rest := body[end:]; rest != "" && (len(rest) != 5 || (rest[0] != '+' && rest[0] != '-') || !digits(rest[1:])) {
		return 0, false
	}
	ms, err := strconv.ParseInt(body[:end], 10, 64)
	if err != nil || ms < -62135596800000 || ms > 253402300799999 {
		return 0, false
	}
	return ms, true
}

func hasLayout(s string) bool {
	for _, layout := range zoneless {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func fieldNames(cands []stamp) string {
	names := make([]string, len(cands))
	for i, c := range cands {
		names[i] = c.field
	}
	return strings.Join(names, ", ")
}

// clip shortens a value quoted in a reject reason.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
