package normalize

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"GET /api?access_token=abc123&x=1":       "GET /api?access_token=" + TokenHandle("abc123") + "&x=1",
		"token=a%2Fb":                            "token=" + TokenHandle("a/b"),
		`{"password": "hunter2"}`:                `{"password": "` + TokenHandle("hunter2") + `"}`,
		"Authorization: Bearer abcdefghijkl":     "Authorization: Bearer " + TokenHandle("abcdefghijkl"),
		"https://u:s3cr3t@example.com/":          "https://u:" + TokenHandle("s3cr3t") + "@example.com/",
		"use hf_" + strings.Repeat("a", 34):      "use " + TokenHandle("hf_"+strings.Repeat("a", 34)),
		"arn:aws:secretsmanager:r:1:secret:prod": "arn:aws:secretsmanager:r:1:secret:prod",
		"key AKIAIOSFODNN7EXAMPLE":               "key AKIAIOSFODNN7EXAMPLE",
		"password=****":                          "password=****",
		"secret=HIDDEN_DUE_TO_SECURITY_REASONS":  "secret=HIDDEN_DUE_TO_SECURITY_REASONS",
	} {
		got, _ := Redact(in)
		require.Equal(t, want, got, in)
	}
}

// FuzzRedact: redaction never panics, is idempotent (a handle is never redacted again), and
// leaves no recognised credential behind.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{"access_token=abc", "Authorization: Bearer glpat-Zx81kQm2PvW9aB3cD4eF", `"password":"x\"y"`,
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4eHh4eHh4In0.sig", "https://a:b@c/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once, hs := Redact(s)
		twice, more := Redact(once)
		if twice != once || len(more) != 0 {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, once, twice)
		}
		for _, h := range hs {
			if CheckHandle(h) != nil {
				t.Fatalf("bad handle %q", h)
			}
		}
	})
}
