package mapped

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/accesslog"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/normalize"
)

func TestQueryCredential(t *testing.T) {
	for in, raw := range map[string]string{
		"/a?access_token=qcTok3n0123456789abcdef":        "qcTok3n0123456789abcdef",
		"https://h.example/a?x=1&api_key=qcKey9f8e7d6c5": "qcKey9f8e7d6c5",
		"/a?api_key=qc%2Bpercent%2Fenc%3D":               "qc+percent/enc=", // decoded before hashing
		"/a?first_token=qcFirst111&password=qcSecond222": "qcFirst111",      // the first one found
		"/tokens/ghp_qcPathTok3nAbCdEfGhIjKlMnOpQrSt":    "",                // a path is no query
		"/search?q=tokens&page=2":                        "",
		"access_token=qcTok3n0123456789abcdef":           "", // no '?': not a URL with a query
		"":                                               "",
	} {
		got, err := queryCredential{}.apply(in)
		require.NoError(t, err)
		want := ""
		if raw != "" {
			want = normalize.TokenHandle(raw)
		}
		require.Equal(t, want, got, in)
	}
}

// TestQueryCredentialAsAccessLog: a JSON access log and a text access log of the same requests
// give every request the same credential handle.
func TestQueryCredentialAsAccessLog(t *testing.T) {
	for name, target := range map[string]func(line string) string{
		"nginx-json":     func(l string) string { return field(l, `"request":"GET `, ` HTTP/1.1"`) },
		"caddy-access":   func(l string) string { return field(l, `"uri":"`, `"`) },
		"traefik-access": func(l string) string { return field(l, `"RequestPath":"`, `"`) },
		"envoy-access":   func(l string) string { return field(l, `"path":"`, `"`) },
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name, "tokens.jsonl")
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			var text strings.Builder
			for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				text.WriteString(`198.51.100.20 - - [02/Mar/2026:12:00:00 +0000] "GET ` + target(l) + ` HTTP/1.1" 200 10 "-" "curl/8.5.0"` + "\n")
			}
			txt := filepath.Join(t.TempDir(), "access.log")
			require.NoError(t, os.WriteFile(txt, []byte(text.String()), 0o600))

			js := ingesttest.Ingest(t, builtin(t, name), path, ingest.Options{})
			tx := ingesttest.Ingest(t, accesslog.New(), txt, ingest.Options{})
			require.Empty(t, js.Rejects)
			require.Empty(t, tx.Rejects)
			require.Equal(t, len(tx.Events), len(js.Events))
			found := 0
			for i := range js.Events {
				require.Equal(t, tx.Events[i].Credential, js.Events[i].Credential, "line %d", i+1)
				if js.Events[i].Credential != "" {
					found++
				}
			}
			require.NotZero(t, found)
		})
	}
}

// field returns the text of line between start and the next end after it.
func field(line, start, end string) string {
	_, rest, _ := strings.Cut(line, start)
	v, _, _ := strings.Cut(rest, end)
	return v
}
