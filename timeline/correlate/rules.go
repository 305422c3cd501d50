package correlate

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sort"
	"strings"
)

//go:embed rules/*.sql
var ruleFiles embed.FS

// Rules are the correlator's rules and their versions; a finding names the version that made it.
// Bump a rule's version whenever its SQL changes what it concludes.
var Rules = []struct{ Name, Version, About string }{
	{"suspicious-secret-read", "2", "a read of an inventory secret by an indicator, a first-time reader or a principal absent before the window, or by a consumer identity the intruder used"},
	{"exposed-credential-used-novel", "2", "an exposed credential misused: presented from an address or client not its owner's after a proven exposure, or in a way tied to the intrusion"},
	{"novel-use-possible-exposure", "1", "a possibly exposed credential presented in a new way that nothing ties to the intrusion: possible misuse"},
	{"use-after-revocation", "1", "a credential presented after its revocation"},
	{"exposed-credential-not-revoked", "1", "an exposed credential with no revocation recorded"},
	{"derived-credential", "2", "a credential issued with an exposed credential"},
	{"ip-pivot", "2", "another credential presented from an address that misused an exposed one"},
	{"coverage-gap", "1", "a source silent for longer than the threshold inside the window"},
	{"duplicate-records", "1", "records stored under two evidence files, counted and cited once"},
}

// Statuses are the credential statuses, in precedence order: a credential has the first that
// applies.
var Statuses = []string{"misused", "exposed", "possibly-misused", "possibly-exposed", "not-exposed"}

// The exposure round: these rule files, in order, run again while the last statement of the last
// one (04_links.sql's consumer rule) turns reads suspicious.
const (
	roundFirst = "rules/02_exposed.sql"
	roundLast  = "rules/04_links.sql"
)

// ruleNames are the rule files in the order they run.
func ruleNames() []string {
	names, _ := fs.Glob(ruleFiles, "rules/*.sql")
	sort.Strings(names)
	return names
}

// RulesSHA256 is the sha256 of the rule files' bytes, concatenated in the order they run (the
// same as cat timeline/correlate/rules/*.sql | sha256sum). The custody entry of every run
// records it, so a rule changed without a version bump still shows.
func RulesSHA256() string {
	h := sha256.New()
	for _, name := range ruleNames() {
		body, _ := ruleFiles.ReadFile(name)
		h.Write(body)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// statements splits a rule file into its statements: each ends with a semicolon at the end of a
// line (the rule files hold no triggers, whose bodies would contain more).
func statements(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.SplitAfter(body, "\n") {
		cur.WriteString(line)
		if strings.HasSuffix(strings.TrimSpace(line), ";") && !strings.HasPrefix(strings.TrimSpace(line), "--") {
			if s := strings.TrimSpace(cur.String()); s != "" {
				out = append(out, s)
			}
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" && strings.Trim(s, " \n") != "" && !onlyComments(s) {
		out = append(out, s)
	}
	return out
}

func onlyComments(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "--") {
			return false
		}
	}
	return true
}

// firstWords names a statement in timings: its first words of SQL after any comment lines.
func firstWords(stmt string) string {
	for _, l := range strings.Split(stmt, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "--") {
			if len(l) > 60 {
				l = l[:60]
			}
			return l
		}
	}
	return ""
}
