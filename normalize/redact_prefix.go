package normalize

import "strings"

// vendorPrefixes are published token prefixes; a match needs at least min body characters drawn
// from body, starting at a word boundary.
var vendorPrefixes = []struct {
	prefix string
	min    int
	body   string
}{
	{"github_pat_", 40, alnum + "_"},
	{"ghp_", 30, alnum}, {"gho_", 30, alnum}, {"ghu_", 30, alnum}, {"ghs_", 30, alnum}, {"ghr_", 30, alnum},
	{"hf_", 30, alnum},
	{"glpat-", 20, alnum + "_-"},
	{"xoxb-", 10, alnum + "-"}, {"xoxp-", 10, alnum + "-"}, {"xoxa-", 10, alnum + "-"},
	{"xoxr-", 10, alnum + "-"}, {"xoxs-", 10, alnum + "-"},
	{"sk_live_", 16, alnum}, {"rk_live_", 16, alnum}, {"sk_test_", 16, alnum},
	{"sk-", 32, alnum + "_-"},
	{"AIza", 35, alnum + "_-"},
	{"npm_", 36, alnum},
	{"pypi-", 50, alnum + "_-"},
	{"hvs.", 20, alnum + "_-"}, {"hvb.", 20, alnum + "_-"},
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// prefixed handles vendor-prefixed tokens and JWTs starting at i.
func (r *redactor) prefixed(i int) int {
	s := r.s
	if strings.HasPrefix(s[i:], "eyJ") {
		if e := jwtEnd(s, i); e > i {
			r.replace(i, e, s[i:e])
			return e
		}
		return i
	}
	for _, k := range prefixesByFirstByte[s[i]] {
		p := &vendorPrefixes[k]
		if !strings.HasPrefix(s[i:], p.prefix) {
			continue
		}
		e := i + len(p.prefix)
		for e < len(s) && strings.IndexByte(p.body, s[e]) >= 0 {
			e++
		}
		if e-i-len(p.prefix) >= p.min && (e == len(s) || !isWordByte(s[e])) {
			r.replace(i, e, s[i:e])
			return e
		}
	}
	return i
}

// jwtEnd returns the end of a JWT (three base64url parts, the signature possibly empty) at i.
func jwtEnd(s string, i int) int {
	e := i
	for part := 0; part < 3; part++ {
		start := e
		for e < len(s) && (isAlnum(s[e]) || s[e] == '-' || s[e] == '_') {
			e++
		}
		if part < 2 && e-start < 10 {
			return i
		}
		if part < 2 {
			if e >= len(s) || s[e] != '.' {
				return i
			}
			e++
		}
	}
	return e
}

// prefixesByFirstByte indexes vendorPrefixes by their first byte: prefixed runs at the start of
// most words of every field, and most words start with a letter no prefix starts with.
var prefixesByFirstByte = func() (idx [256][]int) {
	for k, p := range vendorPrefixes {
		idx[p.prefix[0]] = append(idx[p.prefix[0]], k)
	}
	return idx
}()

// isTokenStartByte is a cheap filter: the first bytes of every vendor prefix and of "eyJ".
func isTokenStartByte(c byte) bool { return c == 'e' || len(prefixesByFirstByte[c]) > 0 }
