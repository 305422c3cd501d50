package main

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLocalZoneName: where "Local" is read from, and that nothing is made up when neither TZ
// nor the /etc/localtime link names a zone.
func TestLocalZoneName(t *testing.T) {
	noEnv := func(string) (string, bool) { return "", false }
	env := func(v string) func(string) (string, bool) {
		return func(string) (string, bool) { return v, true }
	}
	link := func(target string) func(string) (string, error) {
		return func(string) (string, error) { return target, nil }
	}
	noLink := func(string) (string, error) { return "", errors.New("not a link") }

	type want struct{ zone, from string }
	for name, c := range map[string]struct {
		env  func(string) (string, bool)
		link func(string) (string, error)
		want want
	}{
		"TZ name":             {env("Europe/Berlin"), noLink, want{"Europe/Berlin", "TZ"}},
		"TZ empty":            {env(""), link("/usr/share/zoneinfo/Asia/Tokyo"), want{"UTC", "TZ (empty)"}},
		"TZ path":             {env("/usr/share/zoneinfo/Europe/Paris"), noLink, want{"Europe/Paris", "TZ=/usr/share/zoneinfo/Europe/Paris"}},
		"TZ path elsewhere":   {env("/tmp/zone"), noLink, want{"", "TZ=/tmp/zone"}},
		"localtime link":      {noEnv, link("/usr/share/zoneinfo/America/New_York"), want{"America/New_York", "/etc/localtime -> /usr/share/zoneinfo/America/New_York"}},
		"relative link":       {noEnv, link("../usr/share/zoneinfo/Etc/UTC"), want{"Etc/UTC", "/etc/localtime -> ../usr/share/zoneinfo/Etc/UTC"}},
		"link to no zoneinfo": {noEnv, link("/opt/zone"), want{"", ""}},
		"nothing":             {noEnv, noLink, want{"", ""}},
	} {
		zone, from := localZoneName(c.env, c.link)
		require.Equal(t, c.want, want{zone, from}, name)
	}
}
