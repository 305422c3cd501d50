package normalize

import (
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin whatever zoneinfo the machine has
)

// FuzzParseRFC3339 feeds arbitrary timestamps to the time normalizer, with and without an
// assumed zone: it must not panic, an explicit time must be what time.Parse reads, and an assumed
// one must show in that zone the wall clock that was logged.
func FuzzParseRFC3339(f *testing.F) {
	for _, s := range []string{
		"2026-03-02T10:00:00Z", "2026-03-02T10:00:00.123456789+01:00", "2026-03-02 10:00:00",
		"2026-03-29T02:30:00", "2026-10-25 02:30:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
		"2026-03-02T10:00:00+25:00", "2026-03-02T10:00:00-23:59", "2026-02-30T10:00:00Z", "",
		"2026-03-02T24:00:00Z", "2026-03-02T10:00:60Z", "+12026-03-02T10:00:00Z",
	} {
		f.Add(s)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, loc := range []*time.Location{nil, time.UTC, berlin} {
			tm, basis, err := ParseRFC3339(s, loc)
			if err != nil {
				if basis != "" || !tm.IsZero() {
					t.Fatalf("%q: error %v with a time %v or basis %q", s, err, tm, basis)
				}
				continue
			}
			switch basis {
			case TZExplicit:
				want, perr := time.Parse(time.RFC3339Nano, s)
				if perr != nil || !want.Equal(tm) {
					t.Fatalf("%q: explicit time %v, time.Parse says %v, %v", s, tm, want, perr)
				}
			case TZAssumed(loc):
				if loc == nil {
					t.Fatalf("%q: assumed without a zone", s)
				}
				wall, _ := time.Parse(zonelessLayouts[0], s)
				if wall.IsZero() {
					wall, _ = time.Parse(zonelessLayouts[1], s)
				}
				if !sameWall(tm.In(loc), wall) {
					t.Fatalf("%q in %s: %v does not show the logged wall clock", s, loc, tm.In(loc))
				}
			default:
				t.Fatalf("%q: unexpected basis %q", s, basis)
			}
			_ = FormatTime(tm)
		}
	})
}
