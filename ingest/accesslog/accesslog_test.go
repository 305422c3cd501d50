package accesslog

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin for the --assume-tz golden, whatever the machine has installed

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/normalize"
)

func TestGolden(t *testing.T) {
	ingesttest.Golden(t, New(), "testdata", ingest.Options{}, ingesttest.Lines)
}

// TestGoldenAssumeTZ reads Apache's zoneless %{…}t timestamps in the zone the examiner names,
// refusing the local times a DST change skips or repeats.
func TestGoldenAssumeTZ(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	ingesttest.Golden(t, New(), "testdata/assume-tz", ingest.Options{AssumeTZ: berlin}, ingesttest.Lines)
}

func TestDetect(t *testing.T) {
	files, err := filepath.Glob("testdata/*")
	require.NoError(t, err)
	for _, path := range files {
		name := filepath.Base(path)
		if strings.HasSuffix(name, ".golden.jsonl") || name == "bad.log" || name == "assume-tz" || name == "logformat" || name == "fuzz" {
			continue
		}
		require.True(t, ingesttest.Detects(t, New(), path), name)
	}
	require.True(t, ingesttest.Detects(t, New(), "testdata/assume-tz/zoneless.log"))

	line := `192.0.2.1 - - [02/Mar/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8.5.0"` + "\n"
	for name, head := range map[string]string{
		"cloudtrail": `{"Records":[{"eventVersion":"1.09","eventSource":"s3.amazonaws.com"}]}`,
		"k8s":        `{"kind":"Event","apiVersion":"audit.k8s.io/v1","requestURI":"/api"}` + "\n",
		"json array": `[` + strings.TrimSpace(line) + `]`,
		"json wrap":  `{"message":"192.0.2.1 - - [02/Mar/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 5"}` + "\n",
		"syslog":     "Mar  2 10:00:22 web1 nginx: " + line + "Mar  2 10:00:23 web1 nginx: " + line,
		"error log":  "[Mon Mar 02 10:00:23.123456 2026] [core:error] [pid 4121] [client 192.0.2.24:51234] AH00126: Invalid URI\n",
		"auditd":     "type=SYSCALL msg=audit(1772445600.123:100): arch=c000003e syscall=257 success=yes\n",
		"blank":      "\n\n  \n",
		"prose":      "This is not a log file.\nIt has two lines.\n",
		"one bad":    line + "garbage\ngarbage\ngarbage\n",
	} {
		require.False(t, New().Detect([]byte(head)), name)
	}
	require.True(t, New().Detect([]byte(line)), "a single line")
	require.True(t, New().Detect([]byte(strings.TrimSpace(line))), "a single line without newline, whole file")
	require.True(t, New().Detect([]byte("\n\n"+line+line)), "after blank lines")
	require.True(t, New().Detect([]byte(`" HTTP/1.1" 200 5 "-" "x"`+"\n"+line+line+line)), "cut first line, as in a carved file")
	require.False(t, New().Detect([]byte("garbage\n"+line+"garbage\n"+line)), "half the lines bad")
	require.True(t, New().Detect([]byte(`[2001:db8::1]:443 `+line+`[2001:db8::1]:443 `+line)), "bracketed IPv6 vhost first")

	// A head cut at 64 KiB in the middle of a line: the cut line is not judged.
	var head bytes.Buffer
	for head.Len() < ingest.HeadSize {
		head.WriteString(line)
	}
	require.True(t, New().Detect(head.Bytes()[:ingest.HeadSize]))
	require.False(t, New().Detect(append([]byte(line[:40]+"\n"), make([]byte, ingest.HeadSize)...)))
}

func TestConformanceNginx(t *testing.T) {
	mem := ingesttest.Conformance(t, New(), "nginx", ingest.Options{})
	require.NotEmpty(t, mem.Events)
	require.Empty(t, mem.Rejects)
	for _, e := range mem.Events {
		require.NotEmpty(t, e.Action, "%s@%d", e.EvidencePath, e.Offset)
		require.Equal(t, normalize.TZExplicit, e.TZBasis)
	}
}

// TestConformanceApache: every line of the 10,000-line sample parses except one whose user
// agent was cut off without its closing quote (line 8899), which is refused, not repaired.
func TestConformanceApache(t *testing.T) {
	mem := ingesttest.Conformance(t, New(), "apache", ingest.Options{})
	require.Greater(t, len(mem.Events), 10000)
	for _, r := range mem.Rejects {
		t.Logf("reject %s:%d: %s", r.EvidencePath, r.Line, r.Reason)
		require.Contains(t, r.Reason, "unterminated quoted user agent")
	}
	require.LessOrEqual(t, len(mem.Rejects), 1)
	for _, e := range mem.Events {
		require.NotEmpty(t, e.Action, "%s@%d", e.EvidencePath, e.Offset)
		require.NotEmpty(t, e.SrcIP, "%s@%d", e.EvidencePath, e.Offset)
	}
}

// planted are the credentials written into the fixtures; none may reach the output.
var planted = []string{
	"PLANTEDaccessTok3n0123456789abcdef",
	"PLANTEDapiKey9f8e7d6c5b4a3f2e1d",
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJwbGFudGVkLXRlc3QtdXNlciIsImlhdCI6MTc3MjQ0NjQwMH0.UExBTlRFRHNpZ25hdHVyZUZvclRlc3RzT25seTAx",
	"hf_PLANTEDhuggingFaceTok3nAbCdEfGhIjKlMn",
	"ghp_PLANTEDgithubTok3nAbCdEfGhIjKlMnOpQr",
	"PLANTED%2Bpercent%2Fencoded%3D",
	"PLANTED+percent/encoded=",
	"PLANTEDreferrerTok3n0001",
	"PLANTEDa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8",
	"PLANTEDfirstTok3n111",
	"PLANTEDsecondKey222",
	"PLANTEDpassw0rd",
	"PLANTEDbearerTok3nInExtraField01",
	"PLANTEDgzipApiKey00000000001",
}

func TestPlantedCredentialsNeverStored(t *testing.T) {
	var all []byte
	for _, name := range []string{"tokens.log", "rotated.log.gz"} {
		mem := ingesttest.Ingest(t, New(), filepath.Join("testdata", name), ingest.Options{})
		all = append(all, ingesttest.Render(mem)...)
		for _, e := range mem.Events {
			if e.Credential != "" {
				require.NoError(t, normalize.CheckHandle(e.Credential))
			}
		}
	}
	for _, tok := range planted {
		require.NotContains(t, string(all), tok)
	}
	// Nor any part of one: every planted value carries the marker.
	require.NotContains(t, string(all), "PLANTED")
	for _, h := range []string{
		ingesttest.Key.Token("PLANTEDaccessTok3n0123456789abcdef"),
		ingesttest.Key.Token("PLANTEDapiKey9f8e7d6c5b4a3f2e1d"),
		ingesttest.Key.Token(planted[2]),
		ingesttest.Key.Token("hf_PLANTEDhuggingFaceTok3nAbCdEfGhIjKlMn"),
		ingesttest.Key.Token("PLANTED+percent/encoded="), // the handle of the token the user holds
		ingesttest.Key.Token("PLANTEDfirstTok3n111"),
		ingesttest.Key.Token("PLANTEDgzipApiKey00000000001"),
	} {
		require.Contains(t, string(all), `"credential":"`+h+`"`)
	}

	// The golden files on disk hold no planted credential either.
	goldens, err := filepath.Glob("testdata/*.golden.jsonl")
	require.NoError(t, err)
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		require.NoError(t, err)
		require.NotContains(t, string(b), "PLANTED", g)
	}
}

// TestMaxRecord: a line over the limit is one reject and the lines after it are still read.
func TestMaxRecord(t *testing.T) {
	mem := ingesttest.Ingest(t, New(), "testdata/combined.log", ingest.Options{MaxRecord: 160})
	require.NotEmpty(t, mem.Rejects)
	require.NotEmpty(t, mem.Events)
	for _, r := range mem.Rejects {
		require.Contains(t, r.Reason, "exceeds the 160-byte limit")
	}
	require.Equal(t, 12, len(mem.Events)+len(mem.Rejects))
}

type countEmitter struct{ events, rejects int }

func (c *countEmitter) Event(ingest.Record, *normalize.Event) { c.events++ }
func (c *countEmitter) Reject(ingest.Record, string)          { c.rejects++ }
func (c *countEmitter) Note(string)                           {}

// TestCancel: a cancelled ingest stops at the next line and says why.
func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b, err := os.ReadFile("testdata/combined.log")
	require.NoError(t, err)
	em := &countEmitter{}
	err = New().Ingest(ctx, &ingest.Source{Reader: bytes.NewReader(b)}, em)
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, em.events+em.rejects)
}

// TestCorpusCoverage: events and rejects account for every byte of the shared corpus's files
// but their container syntax.
func TestCorpusCoverage(t *testing.T) {
	ingesttest.CorpusCoverage(t, New(), "nginx", ingest.Options{}, ingesttest.Lines)
	ingesttest.CorpusCoverage(t, New(), "apache", ingest.Options{}, ingesttest.Lines)
}

func FuzzIngest(f *testing.F) {
	ingesttest.Fuzz(f, New(), "testdata")
}
