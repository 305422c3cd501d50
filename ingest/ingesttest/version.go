package ingesttest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
)

// VersionFile is the file in each golden directory that records the ingester's version and a
// hash of the golden outputs it produced. Events carry parser name@version so that a case shows
// which parser read them; a parser whose output changes under the same version would make two
// cases that claim the same parser disagree. The record turns "bump the version" from a rule to
// remember into a test that fails.
const VersionFile = "VERSION.golden.jsonl"

// versionRecord is the content of VersionFile.
type versionRecord struct {
	Ingester string `json:"ingester"`
	Version  string `json:"version"`
	Goldens  string `json:"goldens_sha256"`
}

// checkVersion compares the golden outputs in dir with the version record. The goldens on disk
// are hashed, so that a hand edit or a merge counts as much as -update. With -update the record
// is rewritten, unless the outputs changed while the version did not: then the test fails (the
// new goldens are written already) until Version() is bumped and -update run again.
func checkVersion(t *testing.T, ing ingest.Ingester, dir string) {
	t.Helper()
	path := filepath.Join(dir, VersionFile)
	now := versionRecord{Ingester: ing.Name(), Version: ing.Version(), Goldens: goldensHash(t, dir)}
	var rec *versionRecord
	if b, err := os.ReadFile(path); err == nil {
		rec = new(versionRecord)
		require.NoError(t, json.Unmarshal(b, rec), "%s", path)
	} else if !os.IsNotExist(err) {
		require.NoError(t, err)
	}
	write, problem := versionVerdict(rec, now, *update)
	if write {
		line, err := json.Marshal(now)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, append(line, '\n'), 0o644))
	}
	if problem != "" {
		require.Fail(t, problem, "%s", path)
	}
}

// versionVerdict decides, from the recorded and the current version and hash, whether the
// record is to be written and what is wrong, if anything.
func versionVerdict(rec *versionRecord, now versionRecord, updating bool) (write bool, problem string) {
	switch {
	case rec != nil && rec.Goldens != now.Goldens && rec.Version == now.Version:
		return false, fmt.Sprintf("golden output changed: bump %s's Version() (now %s)", now.Ingester, now.Version)
	case updating:
		return rec == nil || *rec != now, ""
	case rec == nil:
		return false, VersionFile + " is missing: run go test with -update"
	case *rec != now:
		return false, VersionFile + " is out of date (" + rec.Version + ", the ingester is " + now.Version + "): run go test with -update"
	}
	return false, ""
}

// goldensHash hashes every golden output in dir, name and content, in name order.
func goldensHash(t *testing.T, dir string) string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.golden.jsonl"))
	require.NoError(t, err)
	slices.Sort(names)
	h := sha256.New()
	for _, name := range names {
		base := filepath.Base(name)
		if base == VersionFile {
			continue
		}
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		fmt.Fprintf(h, "%s %d\n", base, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}
