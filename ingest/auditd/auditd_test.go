package auditd

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/normalize"
)

// opts are the options of every golden case: a small line limit so that the long-line case
// stays small, and the secret stores of the brief.
var opts = ingest.Options{MaxRecord: 4096, SecretPaths: []string{"/run/secrets/*", "*.env"}}

func TestGolden(t *testing.T) {
	// An event owns the lines attrs.lines lists, beyond its record's first run of lines.
	ingesttest.Golden(t, New(), "testdata", opts, ingesttest.Layout{Owns: ingesttest.AttrSpans("lines")})
}

func TestDetect(t *testing.T) {
	for _, name := range []string{"basic.log", "interleaved.log", "eoe.log", "enriched.log", "execve-long.log", "garbage.log", "rotated.log.gz"} {
		require.True(t, ingesttest.Detects(t, New(), filepath.Join("testdata", name)), name)
	}
	for _, head := range []string{
		`127.0.0.1 - - [02/Mar/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1`,
		`{"Records":[{"eventVersion":"1.09","eventSource":"s3.amazonaws.com"}]}`,
		`{"type":"SYSCALL","msg":"audit(1700000000.123:456)"}`,
		"Mar  2 09:26:41 web1 kernel: audit: type=1400 audit(1772443601.100:1002): apparmor=\"DENIED\"\n",
		"Mar  2 09:26:41 web1 audisp-syslog: type=USER_END msg=audit(1772443601.100:1002): pid=1\n",
		"type=UNKNOWN[1329] msg=?\n",
		"",
		"type=SYSCALL msg=audit(",
		"----\ntype=SYSCALL msg=audit(03/02/2026 09:00:00.123:1241) : arch=x86_64 syscall=openat\n",
	} {
		require.False(t, New().Detect([]byte(head)), head)
	}
	// A head cut inside the first record still shows its start.
	require.True(t, New().Detect([]byte("type=SYSCALL msg=audit(17")))
	require.True(t, New().Detect([]byte("# notes\n----\ntime->Mon Mar  2 09:00:00 2026\nnode=a type=EOE msg=audit(1.2:3): \n")))
}

func TestConformance(t *testing.T) {
	mem := ingesttest.Conformance(t, New(), "auditd", ingest.Options{SecretPaths: opts.SecretPaths})
	require.NotEmpty(t, mem.Events)
	groups := map[string]int{}
	for _, e := range mem.Events {
		require.NotEmpty(t, e.Action, "%s@%d", e.EvidencePath, e.Offset)
		if strings.HasSuffix(e.EvidencePath, "out_of_order.log") {
			var a struct {
				Serial string   `json:"serial"`
				Types  []string `json:"record_types"`
			}
			require.NoError(t, json.Unmarshal(e.AttrsJSON, &a))
			groups[a.Serial] = len(a.Types)
		}
	}
	if len(groups) > 0 {
		// go-libaudit's reassembler test expects these groups from its out-of-order sample.
		require.Equal(t, map[string]int{"58": 2, "59": 5, "60": 5, "61": 4, "62": 1}, groups)
	}
	for _, r := range mem.Rejects {
		require.NotContains(t, r.Reason, "exceeds", "no corpus line is over the default limit")
	}
}

func TestCategories(t *testing.T) {
	mem := ingesttest.Ingest(t, New(), "testdata/basic.log", opts)
	got := map[string]normalize.Category{}
	for _, e := range mem.Events {
		got[e.Action] = e.Category
	}
	require.Equal(t, normalize.Auth, got["USER_AUTH"])
	require.Equal(t, normalize.Auth, got["USER_LOGIN"])
	require.Equal(t, normalize.Auth, got["LOGIN"])
	require.Equal(t, normalize.Process, got["execve"])
	require.Equal(t, normalize.Process, got["USER_CMD"])
	require.Equal(t, normalize.Admin, got["ADD_USER"])
	require.Equal(t, normalize.SecretRead, got["openat"])
	require.Equal(t, normalize.Process, got["connect"])
}

// TestCorpusCoverage: events and rejects account for every byte of the shared corpus's files
// but their container syntax.
func TestCorpusCoverage(t *testing.T) {
	ingesttest.CorpusCoverage(t, New(), "auditd", ingest.Options{SecretPaths: opts.SecretPaths}, ingesttest.Layout{Owns: ingesttest.AttrSpans("lines")})
}

func FuzzIngest(f *testing.F) {
	ingesttest.Fuzz(f, New(), "testdata")
}
