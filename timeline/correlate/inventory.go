// Package correlate answers the questions of a secret-leak investigation over a case: which
// stored secrets were read and by whom, which credentials inside them were exposed, which
// credentials were minted from exposed ones, where exposed credentials were used afterwards,
// whether revocation worked, and what the evidence cannot show. The rules are set-based SQL in
// rules/*.sql, run over the case's indexed tables in one transaction, so that the same logic can
// run on another SQL engine; Go only parses the inputs and reads the results.
package correlate

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/breachline/breachline/normalize"
)

// Secret is one inventory row: a credential stored in a secret. Raw credential values never
// reach it: they are turned into handles and a masked display while the file is read.
type Secret struct {
	SecretRef      string
	Credential     string   // the primary handle
	Handles        []string // every handle the credential can appear under, the primary first
	Display        string   // masked, for people
	Owner          string
	Kind           string
	Scopes         string
	DataCategories string
	Consumers      []string // principals expected to read the secret
	RevokedAt      string   // RFC 3339 UTC, when the inventory knows it
	File           string
	Line           int
}

// InventoryColumns are the inventory file's columns (CSV header names, JSON keys).
var InventoryColumns = []string{"secret_ref", "credential", "owner", "kind", "scopes", "data_categories", "consumers", "revoked_at"}

// ReadInventory reads an inventory file: CSV with a header row, or JSON lines with the same keys
// (chosen by the first non-blank byte). Raw values and sha256 handles become handles under the
// case's key. Errors name the file and line, never a credential value.
func ReadInventory(path string, key *normalize.HandleKey) ([]Secret, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(b)
	rows, err := readRows(path, b)
	if err != nil {
		return nil, "", err
	}
	var out []Secret
	for _, r := range rows {
		s, err := r.secret(key)
		if err != nil {
			return nil, "", fmt.Errorf("%s:%d: %w", path, r.line, err)
		}
		s.File, s.Line = path, r.line
		out = append(out, s)
	}
	return out, hex.EncodeToString(sum[:]), nil
}

type row struct {
	line   int
	fields map[string]string
}

func readRows(path string, b []byte) ([]row, error) {
	trimmed := strings.TrimLeft(strings.TrimPrefix(string(b), "\ufeff"), " \t\r\n")
	if strings.HasPrefix(trimmed, "{") {
		return readJSONLines(path, b)
	}
	return readCSV(path, b)
}

func readJSONLines(path string, b []byte) ([]row, error) {
	var rows []row
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			return nil, fmt.Errorf("%s:%d: not a JSON object: %v", path, n, scrub(err))
		}
		f := map[string]string{}
		for k, v := range m {
			switch x := v.(type) {
			case string:
				f[k] = x
			case []any:
				var parts []string
				for _, p := range x {
					parts = append(parts, fmt.Sprint(p))
				}
				f[k] = strings.Join(parts, ";")
			case nil:
			default:
				f[k] = fmt.Sprint(x)
			}
		}
		rows = append(rows, row{n, f})
	}
	return rows, sc.Err()
}

func readCSV(path string, b []byte) ([]row, error) {
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff")))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: no header row: %w", path, err)
	}
	for i := range header {
		header[i] = strings.TrimSpace(strings.ToLower(header[i]))
	}
	var rows []row
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			// After a parse error the reader holds no record, so FieldPos would panic: the
			// error knows its line.
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, fmt.Errorf("%s:%d: %v", path, line, scrub(err))
		}
		line, _ := r.FieldPos(0)
		f := map[string]string{}
		for i, v := range rec {
			if i < len(header) {
				f[header[i]] = strings.TrimSpace(v)
			}
		}
		rows = append(rows, row{line, f})
	}
}

// scrub keeps a parse error's position and kind but not the text it quotes, which may be a raw
// credential.
func scrub(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("JSON syntax error at byte %d", se.Offset)
	}
	return errors.New("malformed row")
}

func (r row) secret(key *normalize.HandleKey) (Secret, error) {
	for k := range r.fields {
		if !contains(InventoryColumns, k) {
			return Secret{}, fmt.Errorf("unknown column %q (columns: %s)", k, strings.Join(InventoryColumns, ", "))
		}
	}
	s := Secret{
		SecretRef: r.fields["secret_ref"], Owner: r.fields["owner"], Kind: r.fields["kind"],
		Scopes: r.fields["scopes"], DataCategories: r.fields["data_categories"],
	}
	if s.SecretRef == "" {
		return s, errors.New("secret_ref is empty")
	}
	cred := r.fields["credential"]
	switch {
	case cred == "":
		return s, errors.New("credential is empty")
	case strings.HasPrefix(cred, "raw:"):
		raw := strings.TrimPrefix(cred, "raw:")
		if raw == "" {
			return s, errors.New("credential raw: has no value")
		}
		s.Handles = key.RawHandles(raw)
		s.Credential, s.Display = s.Handles[0], normalize.Mask(raw)
	default:
		if err := normalize.CheckHandle(cred); err != nil {
			return s, fmt.Errorf("credential must be a handle (scheme:value) or raw:<value>: %w", err)
		}
		cred = key.Keyed(cred)
		s.Credential, s.Handles, s.Display = cred, []string{cred}, displayHandle(cred)
	}
	for _, c := range strings.Split(r.fields["consumers"], ";") {
		if c = strings.TrimSpace(c); c != "" {
			s.Consumers = append(s.Consumers, c)
		}
	}
	if v := r.fields["revoked_at"]; v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return s, fmt.Errorf("revoked_at %q is not an RFC 3339 time", v)
		}
		s.RevokedAt = normalize.FormatTime(t)
	}
	return s, nil
}

// displayHandle shows an identifier handle whole and a hash handle shortened.
func displayHandle(h string) string {
	scheme, value, _ := normalize.SplitHandle(h)
	switch scheme {
	case normalize.SchemeKeyed, normalize.SchemeGitHubHashedToken, normalize.SchemeVaultHMAC:
		if len(value) > 12 {
			return scheme + ":" + value[:12] + "…"
		}
	}
	return h
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
