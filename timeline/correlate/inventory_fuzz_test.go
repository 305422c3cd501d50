package correlate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/breachline/breachline/normalize"
)

// FuzzReadInventory feeds arbitrary inventory files (CSV and JSON lines) to ReadInventory: it
// must not panic, every secret it accepts must name its secret and carry a credential handle
// under the case's key, and no raw credential value may reach a secret's handle or display.
func FuzzReadInventory(f *testing.F) {
	f.Add([]byte("secret_ref,credential,owner,kind,scopes,data_categories,consumers,revoked_at\n" +
		"aws-sm:prod/hub-token,raw:hf_abcdefghijklmnopqrstuvwxyz012345,ml-team,hub-token,read,models,svc-a;svc-b,2026-03-04T10:00:00Z\n"))
	f.Add([]byte("\ufeffsecret_ref,credential\nvault:kv/db,sha256:" + strings.Repeat("ab", 32) + "\n"))
	f.Add([]byte(`{"secret_ref":"vault:kv/x","credential":"raw:ghp_0123456789abcdefghij0123456789abcdef","consumers":["a","b"]}` + "\n"))
	f.Add([]byte(`{"secret_ref":"k","credential":"raw:","revoked_at":"yesterday"}`))
	f.Add([]byte("secret_ref,credential\n\"unterminated,raw:x\n"))
	f.Add([]byte("secret_ref,credential,bogus\na,raw:b,c\n"))
	key, err := normalize.ParseHandleKey(strings.Repeat("0123456789abcdef", 4))
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "inventory")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		secrets, _, err := ReadInventory(path, key)
		if err != nil {
			if !strings.HasPrefix(err.Error(), path) && !os.IsNotExist(err) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, s := range secrets {
			if s.SecretRef == "" || s.Credential == "" || len(s.Handles) == 0 || s.Handles[0] != s.Credential {
				t.Fatalf("incomplete secret %+v", s)
			}
			if err := normalize.CheckHandle(s.Credential); err != nil {
				t.Fatalf("credential %q is not a handle: %v", s.Credential, err)
			}
		}
	})
}
