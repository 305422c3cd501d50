package ingesttest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestVersionVerdict(t *testing.T) {
	rec := versionRecord{Ingester: "x", Version: "1.0.0", Goldens: "aaa"}
	same := rec
	changed := versionRecord{Ingester: "x", Version: "1.0.0", Goldens: "bbb"}
	bumped := versionRecord{Ingester: "x", Version: "1.1.0", Goldens: "bbb"}
	onlyBumped := versionRecord{Ingester: "x", Version: "1.1.0", Goldens: "aaa"}
	bump := "golden output changed: bump x's Version() (now 1.0.0)"
	for _, c := range []struct {
		name     string
		rec      *versionRecord
		now      versionRecord
		updating bool
		write    bool
		problem  string
	}{
		{"unchanged", &rec, same, false, false, ""},
		{"unchanged, -update", &rec, same, true, false, ""},
		{"output changed", &rec, changed, false, false, bump},
		{"output changed, -update", &rec, changed, true, false, bump},
		{"output changed and version bumped, -update", &rec, bumped, true, true, ""},
		{"output changed and version bumped", &rec, bumped, false, false, VersionFile + " is out of date (1.0.0, the ingester is 1.1.0): run go test with -update"},
		{"version bumped alone, -update", &rec, onlyBumped, true, true, ""},
		{"no record", nil, same, false, false, VersionFile + " is missing: run go test with -update"},
		{"no record, -update", nil, same, true, true, ""},
	} {
		write, problem := versionVerdict(c.rec, c.now, c.updating)
		require.Equal(t, c.write, write, c.name)
		require.Equal(t, c.problem, problem, c.name)
	}
}
