package breach

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Diff lists, in words, what changed from a previous report's facts record to r: entered values,
// the bounds of secrets, credentials and owners, first and last activity, revocations. It reads
// the previous record as JSON, so a record of an earlier report of the case always compares.
func Diff(prevJSON []byte, r *Record) ([]string, error) {
	var prev, cur map[string]any
	if err := json.Unmarshal(prevJSON, &prev); err != nil {
		return nil, fmt.Errorf("previous report's facts: %w", err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &cur); err != nil {
		return nil, err
	}
	var out []string
	pp, _ := prev["profile"].(map[string]any)
	cp, _ := cur["profile"].(map[string]any)
	for _, k := range KeyNames() {
		a, b := entryValue(pp[k]), entryValue(cp[k])
		switch {
		case a == b:
		case a == "":
			out = append(out, fmt.Sprintf("entered: %s", k))
		case b == "":
			out = append(out, fmt.Sprintf("removed: %s", k))
		default:
			out = append(out, fmt.Sprintf("changed: %s", k))
		}
	}
	pf, _ := prev["facts"].(map[string]any)
	cf, _ := cur["facts"].(map[string]any)
	at := func(m map[string]any, path ...string) any {
		var v any = m
		for _, p := range path {
			mm, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = mm[p]
		}
		return v
	}
	for _, x := range [][]string{
		{"first unauthorized activity", "first_unauthorized_activity", "value", "time"},
		{"last unauthorized activity", "last_unauthorized_activity", "value", "time"},
		{"secrets proven read", "secrets_read", "value", "proven_count"},
		{"secrets possibly read (upper bound)", "secrets_read", "value", "upper_bound_count"},
		{"credentials misused", "credentials_misused", "value", "count"},
		{"credentials exposed", "credentials_exposed", "value", "count"},
		{"credentials possibly misused", "credentials_possibly_misused", "value", "count"},
		{"credentials possibly exposed", "credentials_possibly_exposed", "value", "count"},
		{"accounts affected (proven)", "owners_affected", "value", "proven_count"},
		{"accounts possibly affected (upper bound)", "owners_affected", "value", "upper_bound_count"},
		{"credentials revoked (proven bound)", "measures_taken", "value", "revoked_proven"},
		{"credentials revoked (possible bound)", "measures_taken", "value", "revoked_possible"},
	} {
		a, b := fmt.Sprint(at(pf, x[1:]...)), fmt.Sprint(at(cf, x[1:]...))
		if a != b {
			out = append(out, fmt.Sprintf("%s: %s, was %s", x[0], b, a))
		}
	}
	for _, x := range [][2]string{{"misused", "credentials_misused"}, {"exposed", "credentials_exposed"},
		{"possibly misused", "credentials_possibly_misused"}, {"possibly exposed", "credentials_possibly_exposed"}} {
		a, b := credSet(at(pf, x[1], "value", "credentials")), credSet(at(cf, x[1], "value", "credentials"))
		for _, c := range b {
			if !slices.Contains(a, c) {
				out = append(out, fmt.Sprintf("now %s: %s", x[0], c))
			}
		}
		for _, c := range a {
			if !slices.Contains(b, c) {
				out = append(out, fmt.Sprintf("no longer %s: %s", x[0], c))
			}
		}
	}
	if pr, cr := fmt.Sprint(at(prev, "case", "results_sha256")), fmt.Sprint(at(cur, "case", "results_sha256")); pr != cr {
		out = append(out, "the case was correlated again (results "+cr+", were "+pr+")")
	}
	if len(out) == 0 {
		out = []string{"no change in the entered values or the facts"}
	}
	return out, nil
}

func entryValue(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	s, _ := m["value"].(string)
	return s
}

func credSet(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		m, _ := x.(map[string]any)
		out = append(out, fmt.Sprintf("%v of %v (%v)", m["display"], m["owner"], m["credential"]))
	}
	slices.Sort(out)
	return out
}
