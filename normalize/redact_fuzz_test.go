package normalize

import (
	"strings"
	"testing"
)

// plantShapes are the shapes a credential takes in logs, each a function of the secret. The
// fuzz target plants a secret in one of them, between arbitrary text.
var plantShapes = []func(secret string) string{
	func(s string) string { return "password=" + s },
	func(s string) string { return "DB_PASSWORD=" + s },
	func(s string) string { return "MYSQL_ROOT_PASSWORD=" + s },
	func(s string) string { return "PGPASSWORD=" + s },
	func(s string) string { return `"db_password": "` + s + `"` },
	func(s string) string { return "password = " + s },
	func(s string) string { return "password:" + s },
	func(s string) string { return "api_key: " + s },
	func(s string) string { return `{\"password\":\"` + s + `\"}` },
	func(s string) string { return `\"token\": \"` + s + `\"` },
	func(s string) string { return "mysql -p" + s },
	func(s string) string { return "mysql --password=" + s },
	func(s string) string { return "mysqldump -uroot -p" + s + " db" },
	func(s string) string { return "curl -u user:" + s },
	func(s string) string { return "curl --user user:" + s },
	func(s string) string { return "sshpass -p " + s },
	func(s string) string { return "AccountName=acct;AccountKey=" + s + ";EndpointSuffix=core.windows.net" },
	func(s string) string { return "Endpoint=sb://ns/;SharedAccessKeyName=Root;SharedAccessKey=" + s },
	func(s string) string { return "https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=" + s },
	func(s string) string { return "postgres://user:" + s + "@db.internal/app" },
	func(s string) string { return "postgres://user:p@" + s + "@db.internal/app" },
	func(s string) string { return "Authorization: Bearer " + s },
	func(s string) string { return "Proxy-Authorization: Basic " + s },
	func(s string) string { return "authorization: token " + s },
	func(s string) string { return "Authorization: " + s },
	func(s string) string { return "Bearer " + s },
	func(s string) string {
		return "-----BEGIN RSA PRIVATE KEY-----\n" + s + "\n-----END RSA PRIVATE KEY-----"
	},
	func(s string) string {
		return `-----BEGIN OPENSSH PRIVATE KEY-----\n` + s + `\n-----END OPENSSH PRIVATE KEY-----`
	},
	func(s string) string { return "-----BEGIN PRIVATE KEY-----\n" + s },
}

// plantable turns fuzz bytes into a secret every shape can carry: characters from a safe
// alphabet (no quotes, spaces, separators or '%'), at least 8 of them and not ending in '.',
// with a digit and a letter that is not a hex digit, so that it is neither a placeholder nor
// part of a handle's hex, and looks like a token even in prose ("Bearer <secret>").
func plantable(raw []byte) string {
	const alphabet = alnum + "-_.~+"
	b := make([]byte, 0, len(raw)+10)
	for _, c := range raw {
		b = append(b, alphabet[int(c)%len(alphabet)])
	}
	s := string(b)
	if !strings.ContainsAny(s, "0123456789") || !strings.ContainsAny(s, "ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ") {
		s += "Q7"
	}
	for len(s) < 8 || s[len(s)-1] == '.' { // a sentence's full stop is not part of a token
		s += "Z9"
	}
	return s
}

// FuzzRedact: redaction never panics, writes only well-formed handles, is idempotent (a handle is
// never redacted again), and no planted secret survives. The secret sits in one of plantShapes
// after fuzz-chosen text and a statement separator (a line break or "; "), and before more
// fuzz-chosen text. The separator is what makes the property meaningful: in "sshpass -p Bearer
// x" the password is "Bearer" and x is the command, so a prefix must not be able to make the
// shape an argument of something else. The text around may still swallow the secret into a
// bigger value (an unclosed quote, a key block without END), which is fine: the property is
// that the raw secret is absent from the output.
func FuzzRedact(f *testing.F) {
	for i := range plantShapes {
		f.Add("2026-03-01T12:00:00Z app[42]:", uint8(i), []byte("s3cretValue"), " (retrying)")
		f.Add(`{"msg":"`, uint8(i)|0x80, []byte{7, 200, 13}, `"}`)
	}
	for i, s := range []string{"access_token=abc", "Authorization: Bearer glpat-Zx81kQm2PvW9aB3cD4eF", `"password":"x\"y"`,
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4eHh4eHh4In0.sig", "https://a:b@c/", `{"msg":"{\"a\":1}"}`,
		"mysql -uroot -p", "-----BEGIN PRIVATE KEY-----", "Authorization: Digest realm=\"x\"", "Auth:",
		"password=\"", "sshpass -p", "curl -u", "Authorization: Bearer"} {
		f.Add(s, uint8(i*7), []byte("s3cretValue"), " trailing text")
	}
	f.Fuzz(func(t *testing.T, prefix string, shape uint8, raw []byte, suffix string) {
		check(t, prefix+suffix)
		secret := plantable(raw)
		sep := "; "
		if shape&0x80 != 0 {
			sep = "\n"
		}
		in := prefix + sep + plantShapes[int(shape&0x7f)%len(plantShapes)](secret) + suffix
		out := check(t, in)
		if strings.Contains(prefix, secret) || strings.Contains(suffix, secret) {
			return // the text around it carries the same string, credential or not
		}
		if strings.Contains(out, secret) {
			t.Fatalf("planted secret %q survived:\n in: %q\nout: %q", secret, in, out)
		}
	})
}

// check redacts s and asserts what holds for any input; it returns the output.
func check(t *testing.T, s string) string {
	out, hs := Redact(s)
	for _, h := range hs {
		if CheckHandle(h) != nil || !strings.Contains(out, h) {
			t.Fatalf("bad handle %q for %q", h, s)
		}
	}
	twice, more := Redact(out)
	if twice != out || len(more) != 0 {
		t.Fatalf("not idempotent:\n  in: %q\n out: %q\nagain: %q", s, out, twice)
	}
	return out
}

// TestPlantShapes: in every shape the fuzz target plants, the handle is that of exactly the secret.
func TestPlantShapes(t *testing.T) {
	const secret = "s3cretValue"
	for i, shape := range plantShapes {
		in := "before " + shape(secret) + " after"
		out, hs := Redact(in)
		want := secret
		switch x := shape("X"); {
		case strings.Contains(x, "p@X"):
			want = "p@" + secret
		case strings.Contains(x, "BEGIN") && !strings.Contains(x, "END"):
			want = secret + "after" // to the end of the text, without its spaces
		}
		if strings.Contains(out, secret) || len(hs) == 0 || !strings.Contains(strings.Join(hs, " "), TokenHandle(want)) {
			t.Fatalf("shape %d: %q -> %q %q", i, in, out, hs)
		}
	}
}
