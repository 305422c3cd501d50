package xlsx

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/breachline/breachline/report/export"
)

// MaxCellChars is Excel's limit on the text of one cell, in UTF-16 code units. excelize cuts
// longer text silently; we cut it ourselves so that the cell says it was cut and by how much.
const MaxCellChars = 32767

// maxExactInt is the largest whole number written as a number: Excel keeps 15 significant
// digits, so a larger offset or count is written as text rather than shown rounded.
const maxExactInt = 999_999_999_999_999

// cellText makes s safe and honest as the text of one cell. Characters XML 1.0 cannot carry
// (C0 controls other than tab, line feed and carriage return, U+FFFE, U+FFFF) are written as
// \xNN or \uFFFE text, the way the ingest shows odd bytes, where excelize would turn them into
// U+FFFD without a trace. Text beyond MaxCellChars is cut at a character boundary and ends with
// "…[cut N bytes]", N counting the UTF-8 bytes dropped. Nothing else changes: text that looks
// like a formula stays as it is, because the workbook stores every text as an inline string
// (t="inlineStr"), which a spreadsheet shows and never evaluates.
func cellText(s string) string {
	if needsEscape(s) {
		s = escapeControls(s)
	}
	if len(s) <= MaxCellChars { // UTF-16 units never exceed UTF-8 bytes
		return s
	}
	return cutText(s, MaxCellChars)
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return true
		}
		// U+FFFE and U+FFFF are EF BF BE and EF BF BF.
		if c == 0xEF && i+2 < len(s) && s[i+1] == 0xBF && (s[i+2] == 0xBE || s[i+2] == 0xBF) {
			return true
		}
	}
	return false
}

func escapeControls(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch {
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r':
			b.WriteString(`\x`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&0xF])
		case r == 0xFFFE || r == 0xFFFF:
			b.WriteString(`\u`)
			b.WriteString(strings.ToUpper(strconv.FormatInt(int64(r), 16)))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cutText cuts s so that it and the marker fit in limit UTF-16 code units.
func cutText(s string, limit int) string {
	units := 0
	for _, r := range s {
		units += utf16.RuneLen(r)
	}
	if units <= limit {
		return s
	}
	// The marker's own length depends on the number it carries; reserve room for the widest.
	room := limit - utf8.RuneCountInString(cutMarker(len(s)))
	units, end := 0, 0
	for i, r := range s {
		n := utf16.RuneLen(r)
		if units+n > room {
			break
		}
		units += n
		end = i + utf8.RuneLen(r)
	}
	return s[:end] + cutMarker(len(s)-end)
}

func cutMarker(n int) string { return "…[cut " + strconv.Itoa(n) + " bytes]" }

// exactTime is the text form of a time kept beside each date cell: the event model's layout
// (export.Text: UTC, always nine fraction digits), so that the text column sorts in time order
// and shows the nanoseconds a date cell cannot hold.
func exactTime(t time.Time) string { return export.Text(t) }

// excelEpoch is day 0 of Excel's 1900 date system as it counts after 1 March 1900 (Excel keeps
// Lotus' phantom 29 February 1900, so serials of later days are counted from 30 December 1899).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).Unix()

var (
	excelFirst = time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)
	excelLast  = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// excelSerial is t as an Excel date serial (days and fraction of a day) and whether Excel can
// show it: times before March 1900, where Excel's calendar is wrong, and after the year 9999
// are not dates to Excel. Computed from whole seconds and nanoseconds, not from a Duration,
// so no time in range overflows. The serial is rounded to the 15 significant digits Excel
// keeps (for a current date, 1e-10 of a day, under 9 µs): excelize would otherwise truncate
// it, and 10:00:00.000 would become 09:59:59.99999.
func excelSerial(t time.Time) (float64, bool) {
	if t.Before(excelFirst) || !t.Before(excelLast) {
		return 0, false
	}
	secs := t.Unix() - excelEpoch
	days := secs / 86400
	rem := secs - days*86400
	v := float64(days) + (float64(rem)*1e9+float64(t.Nanosecond()))/86400e9
	v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	return v, true
}
