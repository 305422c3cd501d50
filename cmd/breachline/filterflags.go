package main

import (
	"context"
	"net/netip"
	"strings"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/timeline"
)

// filterFlags are the event filters of timeline and export: one definition, so the two commands
// select the same events for the same flags.
type filterFlags struct {
	since, until                         string
	sources, categories                  []string
	principal, ip, credential, secretRef string
	contains                             string
	fs                                   *pflag.FlagSet
}

func (c *filterFlags) AddFlags(fs *pflag.FlagSet) {
	c.fs = fs
	fs.StringVar(&c.since, "since", "", "events at or after this time")
	fs.StringVar(&c.until, "until", "", "events before this time")
	fs.StringSliceVar(&c.sources, "source", nil, "only these sources (aws-cloudtrail, access-log, …)")
	fs.StringSliceVar(&c.categories, "category", nil, "only these categories (secret_read, auth, …)")
	fs.StringVar(&c.principal, "principal", "", "only this principal (exact)")
	fs.StringVar(&c.ip, "ip", "", "only this source IP or CIDR prefix")
	fs.StringVar(&c.credential, "credential", "", "only this credential handle (scheme:value)")
	fs.StringVar(&c.secretRef, "secret", "", "only this secret reference (e.g. aws-sm:prod/db)")
	fs.StringVar(&c.contains, "contains", "", "case-insensitive text in action, principal, resource, user agent, secret, request id or attrs")
}

// filterFlagNames are the flags AddFlags defines, in the order String writes them.
var filterFlagNames = []string{"since", "until", "source", "category", "principal", "ip", "credential", "secret", "contains"}

// filter checks the flags and returns the filter they give, before a case is open.
func (c *filterFlags) filter() (timeline.Filter, error) {
	f := timeline.Filter{Principal: c.principal, IP: c.ip, Credential: c.credential, SecretRef: c.secretRef,
		Contains: c.contains, Sources: c.sources, Categories: c.categories}
	var err error
	if f.Since, err = parseWhen("--since", c.since); err != nil {
		return f, err
	}
	if f.Until, err = parseWhen("--until", c.until); err != nil {
		return f, err
	}
	for _, cat := range c.categories {
		if !normalize.Category(cat).Valid() {
			return f, usagef("--category: unknown category %q (known: %s)", cat, categoryNames())
		}
	}
	if c.ip != "" {
		if strings.Contains(c.ip, "/") {
			if _, err := netip.ParsePrefix(c.ip); err != nil {
				return f, usagef("--ip %q: not a CIDR prefix (e.g. 203.0.113.0/24)", c.ip)
			}
		} else if ip, _ := normalize.SplitAddress(c.ip); ip == "" {
			return f, usagef("--ip %q: not an IP address or CIDR prefix", c.ip)
		}
	}
	if c.credential != "" {
		if err := normalize.CheckHandle(c.credential); err != nil {
			return f, usagef("--credential: %v (handles look like aws-key-id:AKIA… or case-hmac:<64 hex>; a sha256:<64 hex> of the raw value is turned into the case's handle)", err)
		}
	}
	return f, nil
}

// forCase finishes f against the open case: --source must name a source it knows, and a sha256
// of a raw credential value (from a platform's records, say) names the same credential as the
// case's keyed handle of it.
func (c *filterFlags) forCase(ctx context.Context, e *env, cs *timeline.Case, f timeline.Filter) (timeline.Filter, error) {
	if err := checkSources(ctx, cs, f.Sources); err != nil {
		return f, err
	}
	f.Credential = e.key.Keyed(f.Credential)
	return f, nil
}

// set reports whether any filter flag was given.
func (c *filterFlags) set() bool { return c.text(nil) != "" }

// text is the filter as flags, in a fixed order with times normalised to UTC, for the records
// that say which events an output holds ("--since 2026-03-03T00:00:00Z --source aws-cloudtrail").
// A value typed by the examiner may be a secret itself (--contains with a token found
// elsewhere): with the case's key, every value is redacted as the ingest redacts log text, so
// the custody log and the exported files never hold it.
func (c *filterFlags) text(key *normalize.HandleKey) string {
	var parts []string
	for _, name := range filterFlagNames {
		fl := c.fs.Lookup(name)
		if fl == nil || !fl.Changed {
			continue
		}
		v := fl.Value.String()
		switch name {
		case "since", "until":
			if t, err := parseWhen("--"+name, v); err == nil && !t.IsZero() {
				v = t.Format(normalize.TimeLayout)
			}
		case "source", "category":
			v = strings.Trim(v, "[]")
		}
		if key != nil {
			v, _ = key.Redact(v)
		}
		parts = append(parts, "--"+name+" "+quoteFlag(v))
	}
	return strings.Join(parts, " ")
}

// quoteFlag quotes a flag value the way a POSIX shell reads it back, when it needs quoting.
func quoteFlag(v string) string {
	if v != "" && strings.IndexFunc(v, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:/,+@=", r))
	}) < 0 {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}
