package normalize

import (
	"fmt"
	"slices"
	"time"
)

// InZone reads the wall clock wall (its fields taken as they are, whatever its location) in loc.
// A wall clock that a change of offset skips (the spring-forward gap) or repeats (the autumn hour)
// names no single instant: it is an error naming the candidates, not one of them picked silently
// as time.Date and time.ParseInLocation would.
func InZone(wall time.Time, loc *time.Location) (time.Time, error) {
	y, mo, d := wall.Date()
	utc := time.Date(y, mo, d, wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), time.UTC)
	// Offsets in force around the time: a day and a half either side holds any transition.
	offsets := make([]int, 0, 3)
	for _, dd := range []time.Duration{-36 * time.Hour, 0, 36 * time.Hour} {
		_, off := utc.Add(dd).In(loc).Zone()
		if !slices.Contains(offsets, off) {
			offsets = append(offsets, off)
		}
	}
	var found []time.Time
	for _, off := range offsets {
		t := utc.Add(-time.Duration(off) * time.Second).In(loc)
		if _, o := t.Zone(); o != off || !sameWall(t, utc) {
			continue
		}
		if !slices.ContainsFunc(found, t.Equal) {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return time.Time{}, fmt.Errorf("does not exist in %s (the clocks skipped it)", loc)
	}
	return time.Time{}, fmt.Errorf("happened twice in %s (the clocks went back): %s or %s; breachline does not choose",
		loc, FormatTime(found[0]), FormatTime(found[1]))
}

func sameWall(t, wall time.Time) bool {
	y1, m1, d1 := t.Date()
	y2, m2, d2 := wall.Date()
	return y1 == y2 && m1 == m2 && d1 == d2 && t.Hour() == wall.Hour() && t.Minute() == wall.Minute() &&
		t.Second() == wall.Second() && t.Nanosecond() == wall.Nanosecond()
}

// ParseInZone parses value, a timestamp without a zone, with layout, as a wall clock in loc
// (see InZone).
func ParseInZone(layout, value string, loc *time.Location) (time.Time, error) {
	wall, err := time.Parse(layout, value)
	if err != nil {
		return time.Time{}, err
	}
	return InZone(wall, loc)
}

// zonelessLayouts are the RFC 3339 shapes exporters leave behind when they drop the zone.
var zonelessLayouts = []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"}

// ParseRFC3339 reads a timestamp that should be RFC 3339 with a zone and returns it with its
// tz_basis. A time whose zone an exporter dropped is read in assume, the examiner's --assume-tz
// (basis assumed:<zone>), and refused without it: never guessed.
func ParseRFC3339(s string, assume *time.Location) (time.Time, string, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, TZExplicit, nil
	}
	for _, layout := range zonelessLayouts {
		if _, err := time.Parse(layout, s); err != nil {
			continue
		}
		if assume == nil {
			return time.Time{}, "", fmt.Errorf("%q has no time zone; pass --assume-tz to read it", s)
		}
		t, err := ParseInZone(layout, s, assume)
		if err != nil {
			return time.Time{}, "", fmt.Errorf("%q %v", s, err)
		}
		return t, TZAssumed(assume), nil
	}
	return time.Time{}, "", fmt.Errorf("%q is not an RFC 3339 time", s)
}
