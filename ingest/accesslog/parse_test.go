package accesslog

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/normalize"
)

func TestParseStamp(t *testing.T) {
	for raw, want := range map[string]string{
		"10/Oct/2000:13:55:36 -0700":           "2000-10-10T20:55:36Z",
		"10/Oct/2000:13:55:36 +0000":           "2000-10-10T13:55:36Z",
		"01/Jan/2026:00:30:00 +0100":           "2025-12-31T23:30:00Z",
		"31/Dec/2025:23:30:00 -0100":           "2026-01-01T00:30:00Z",
		"29/Feb/2000:12:00:00 +0000":           "2000-02-29T12:00:00Z",
		"02/Mar/2026:15:45:00 +0545":           "2026-03-02T10:00:00Z",
		"02/Mar/2026:10:00:00.000001 +0000":    "2026-03-02T10:00:00.000001Z",
		"02/Mar/2026:10:00:00.123456789 +0000": "2026-03-02T10:00:00.123456789Z",
	} {
		st, why := parseStamp(raw)
		require.Empty(t, why, raw)
		got, basis, why := st.resolve(nil)
		require.Empty(t, why, raw)
		require.Equal(t, normalize.TZExplicit, basis)
		require.Equal(t, want, got.UTC().Format(time.RFC3339Nano), raw)
		// The hand-written reader agrees with time.Parse wherever time.Parse can read the text.
		if len(raw) == 26 {
			ref, err := time.Parse("02/Jan/2006:15:04:05 -0700", raw)
			require.NoError(t, err)
			require.True(t, ref.Equal(got), raw)
		}
	}
	for raw, why := range map[string]string{
		"":                                      "is not dd/Mon/yyyy",
		"10/Oct/2000 13:55:36 -0700":            "is not dd/Mon/yyyy",
		"1/Oct/2000:13:55:36 -0700":             "is not dd/Mon/yyyy",
		"10/oct/2000:13:55:36 -0700":            "unknown month",
		"10/Okt/2000:13:55:36 -0700":            "unknown month",
		"29/Feb/2100:12:00:00 +0000":            "not a real date",
		"31/Apr/2026:12:00:00 +0000":            "not a real date",
		"00/Apr/2026:12:00:00 +0000":            "not a real date",
		"10/Oct/2000:24:00:00 -0700":            "not a real date",
		"10/Oct/2000:13:60:00 -0700":            "not a real date",
		"10/Oct/2000:13:55:60 -0700":            "not a real date",
		"10/Oct/2000:13:55:36 0700":             "offset",
		"10/Oct/2000:13:55:36 -07:00":           "offset",
		"10/Oct/2000:13:55:36 -0760":            "offset",
		"10/Oct/2000:13:55:36 -07000":           "offset",
		"10/Oct/2000:13:55:36Z":                 "offset",
		"10/Oct/2000:13:55:36. -0700":           "fraction",
		"10/Oct/2000:13:55:36.1234567890 -0700": "fraction",
		"10/Oct/2k00:13:55:36 -0700":            "year",
		"1O/Oct/2000:13:55:36 -0700":            "day",
		"10/Oct/2000:1x:55:36 -0700":            "time of day",
	} {
		_, got := parseStamp(raw)
		require.Contains(t, got, why, raw)
	}
	st, why := parseStamp("10/Oct/2000:13:55:36")
	require.Empty(t, why)
	_, _, why = st.resolve(nil)
	require.Contains(t, why, "--assume-tz")
}

func TestResolveAssumed(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	st, _ := parseStamp("08/Mar/2026:02:30:00") // spring forward: 02:00 → 03:00
	_, _, why := st.resolve(ny)
	require.Contains(t, why, "does not exist")
	st, _ = parseStamp("01/Nov/2026:01:30:00") // fall back: 01:00-02:00 twice
	_, _, why = st.resolve(ny)
	require.Contains(t, why, "happened twice")
	st, _ = parseStamp("01/Nov/2026:02:30:00")
	got, basis, why := st.resolve(ny)
	require.Empty(t, why)
	require.Equal(t, "assumed:America/New_York", basis)
	require.Equal(t, "2026-11-01T07:30:00Z", got.UTC().Format(time.RFC3339))
	st, _ = parseStamp("15/Jan/2026:12:00:00")
	got, _, _ = st.resolve(time.UTC)
	require.Equal(t, "2026-01-15T12:00:00Z", got.UTC().Format(time.RFC3339))
}

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:             `plain`,
		`a\"b`:              `a"b`,
		`a\\b`:              `a\b`,
		`a\x22b\x5Cc`:       `a"b\c`,
		`\xC3\xA9`:          "é",
		`\xe9`:              "\xe9",
		`tab\there\nnl\rcr`: "tab\there\nnl\rcr",
		`\b\v`:              "\b\v",
		`C:\xampp\q`:        `C:\xampp\q`, // \xam is not hex: kept as logged
		`trailing\`:         `trailing\`,
		`\x4`:               `\x4`,
	} {
		require.Equal(t, want, unescape(in), in)
	}
}

func TestSplitRequest(t *testing.T) {
	for in, want := range map[string]request{
		"GET / HTTP/1.1":              {"GET", "/", "HTTP/1.1"},
		"GET /a b HTTP/1.1":           {"GET", "/a b", "HTTP/1.1"},
		"GET /":                       {"GET", "/", ""},
		"GET /a  HTTP/2.0":            {"GET", "/a", "HTTP/2.0"},
		"OPTIONS * HTTP/1.1":          {"OPTIONS", "*", "HTTP/1.1"},
		"CONNECT host:443 HTTP/1.1":   {"CONNECT", "host:443", "HTTP/1.1"},
		"GET /x HTTP/1.1 junk":        {"GET", "/x HTTP/1.1 junk", ""},
		"GET http://h/p?q=1 HTTP/1.0": {"GET", "http://h/p?q=1", "HTTP/1.0"},
	} {
		got, ok := splitRequest(in)
		require.True(t, ok, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "-", "GET", "GET ", "\x16\x03\x01 x", "SSH-2.0-Go", " / HTTP/1.1", "GE(T / HTTP/1.1"} {
		_, ok := splitRequest(in)
		require.False(t, ok, in)
	}
}

func TestSplitVhost(t *testing.T) {
	type hp struct {
		host string
		port int
	}
	for in, want := range map[string]hp{
		"www.example.com:443": {"www.example.com", 443},
		"www.example.com":     {"www.example.com", -1},
		"192.0.2.1:80":        {"192.0.2.1", 80},
		"192.0.2.1":           {"192.0.2.1", -1},
		"[2001:db8::1]:8443":  {"[2001:db8::1]", 8443},
		"[2001:db8::1]":       {"[2001:db8::1]", -1},
		"2001:db8::1":         {"2001:db8::1", -1},
		"2001:db8::1:443":     {"2001:db8::1:443", -1},
		"host:99999":          {"host:99999", -1},
		"host:":               {"host:", -1},
	} {
		h, p := splitVhost(in)
		require.Equal(t, want, hp{h, p}, in)
	}
}

// TestClientAddress holds the fast path to normalize.SplitAddress's answer.
func TestClientAddress(t *testing.T) {
	for _, a := range []string{"192.0.2.1", "10.0.0.1", "255.255.255.255", "0.0.0.0", "2001:db8::1",
		"2001:DB8:0::1", "::ffff:192.0.2.1", "fe80::1%eth0", "example.com", "unix:", "01.2.3.4", "1.2.3"} {
		ip, host := clientAddress(a)
		wantIP, wantHost := normalize.SplitAddress(a)
		require.Equal(t, wantIP, ip, a)
		require.Equal(t, wantHost, host, a)
	}
}

func TestOutcome(t *testing.T) {
	for status, want := range map[string]normalize.Outcome{
		"100": normalize.Success, "101": normalize.Success, "200": normalize.Success, "204": normalize.Success,
		"301": normalize.Success, "304": normalize.Success, "400": normalize.Failure, "401": normalize.Failure,
		"403": normalize.Failure, "404": normalize.Failure, "444": normalize.Failure, "499": normalize.Failure,
		"500": normalize.Failure, "503": normalize.Failure, "000": normalize.Unknown, "600": normalize.Unknown,
		"-": normalize.Unknown, "0": normalize.Unknown, "20": normalize.Unknown,
	} {
		require.Equal(t, want, outcome(status), status)
	}
}
