package main

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// assumeZone reads an --assume-tz value. A zone is recorded in every event it dates
// (tz_basis assumed:<zone>), so it must be one another examiner can look up: "Local" is resolved
// to the IANA name this machine's local time actually uses, or refused when that cannot be told.
// Go itself would silently fall back to UTC when TZ names a zone it cannot load.
func assumeZone(name string) (loc *time.Location, resolvedFrom string, err error) {
	if name != "Local" {
		loc, err := time.LoadLocation(name)
		if err != nil {
			return nil, "", usagef("--assume-tz %q: %v (use an IANA zone name such as Europe/Berlin, or UTC)", name, err)
		}
		return loc, "", nil
	}
	zone, from := localZoneName(os.LookupEnv, localtimeTarget)
	switch {
	case zone == "" && from != "":
		return nil, "", usagef("--assume-tz Local: local time comes from %s, which names no IANA zone; give an IANA zone name such as Europe/Berlin, or UTC", from)
	case zone == "":
		return nil, "", usagef("--assume-tz Local: cannot tell which zone local time is on this machine (TZ is unset and /etc/localtime names none); give an IANA zone name such as Europe/Berlin, or UTC")
	}
	loc, err = time.LoadLocation(zone)
	if err != nil {
		return nil, "", usagef("--assume-tz Local: local time is %q (from %s), which is not a zone breachline can load; give an IANA zone name such as Europe/Berlin, or UTC", zone, from)
	}
	return loc, from, nil
}

// localZoneName returns the IANA name of the zone Go's time.Local is read from, and where the
// name came from: the TZ variable (empty means UTC, a leading ':' is dropped, a path is named by
// its part under zoneinfo/), else the target of the /etc/localtime link. It returns "" when
// neither names a zone: a copied /etc/localtime has no name, and /etc/timezone, which Go does
// not read, could name another zone than the one used.
func localZoneName(lookupEnv func(string) (string, bool), linkTarget func(string) (string, error)) (zone, from string) {
	if tz, ok := lookupEnv("TZ"); ok {
		tz = strings.TrimPrefix(tz, ":")
		switch {
		case tz == "":
			return "UTC", "TZ (empty)"
		case filepath.IsAbs(tz):
			return zoneFromPath(tz), "TZ=" + tz
		}
		return tz, "TZ"
	}
	if target, err := linkTarget("/etc/localtime"); err == nil {
		if z := zoneFromPath(target); z != "" {
			return z, "/etc/localtime -> " + target
		}
	}
	return "", ""
}

// localtimeTarget returns where the link at path points: its own target when that is a
// zoneinfo file, else the end of the chain of links.
func localtimeTarget(path string) (string, error) {
	if t, err := os.Readlink(path); err == nil && zoneFromPath(t) != "" {
		return t, nil
	}
	return filepath.EvalSymlinks(path)
}

// zoneFromPath names a zoneinfo file by its path under a zoneinfo directory.
func zoneFromPath(p string) string {
	p = filepath.ToSlash(filepath.Clean(p))
	if i := strings.LastIndex(p, "/zoneinfo/"); i >= 0 {
		return p[i+len("/zoneinfo/"):]
	}
	return ""
}
