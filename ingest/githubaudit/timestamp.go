package githubaudit

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/breachline/breachline/normalize"
)

// Epoch-millisecond bounds: GitHub's audit log starts after 2001-09-09 (1e12 ms) and a value past
// 1e14 ms (year 5138) is not a time. A value outside them is most likely seconds or microseconds
// written by a re-export, and reading it as milliseconds would put the event decades away, so it
// is rejected rather than guessed.
const (
	minEpochMS = 1e12
	maxEpochMS = 1e14
)

// parseTime reads a timestamp. GitHub writes @timestamp and created_at as epoch milliseconds,
// which are UTC by definition; re-exports (SIEMs, CSV tools) sometimes turn them into RFC 3339
// text, read as written, or into zoneless text, read only in the zone the examiner gives with
// --assume-tz.
func parseTime(s string, loc *time.Location) (time.Time, string, error) {
	if ms, frac, ok := splitNumber(s); ok {
		v, err := strconv.ParseInt(ms, 10, 64)
		if err != nil || v < minEpochMS || v >= maxEpochMS {
			return time.Time{}, "", fmt.Errorf("timestamp %s is not epoch milliseconds", s)
		}
		ns := int64(0)
		if frac != "" {
			frac = (frac + "000000")[:6] // below a nanosecond is beyond the event model
			ns, _ = strconv.ParseInt(frac, 10, 64)
		}
		return time.UnixMilli(v).Add(time.Duration(ns)).UTC(), normalize.TZUTCBySpec, nil
	}
	if strings.ContainsAny(s, "eE") {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && f >= minEpochMS && f < maxEpochMS {
			return time.UnixMilli(int64(f)).UTC(), normalize.TZUTCBySpec, nil
		}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, normalize.TZExplicit, nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
		if _, err := time.Parse(layout, s); err != nil {
			continue
		}
		if loc == nil {
			return time.Time{}, "", fmt.Errorf("timestamp %q has no zone (GitHub writes epoch milliseconds; pass --assume-tz to read a re-export's local times)", s)
		}
		t, err := normalize.ParseInZone(layout, s, loc)
		if err != nil {
			return time.Time{}, "", fmt.Errorf("timestamp %q %v", s, err)
		}
		return t, normalize.TZAssumed(loc), nil
	}
	return time.Time{}, "", fmt.Errorf("timestamp %q is neither epoch milliseconds nor a date-time", s)
}

// splitNumber splits a plain decimal "123" or "123.456" into its integer and fraction digits.
func splitNumber(s string) (whole, frac string, ok bool) {
	whole, frac, _ = strings.Cut(s, ".")
	if whole == "" || !digits(whole) || !digits(frac) {
		return "", "", false
	}
	return whole, frac, true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
