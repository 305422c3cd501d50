package awsalb

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/normalize"
)

func TestGolden(t *testing.T) {
	ingesttest.Golden(t, New(), "testdata", ingest.Options{}, ingesttest.Lines)
}

// TestGoldenOverlong: a line over the record limit is one reject and the lines after it are read.
func TestGoldenOverlong(t *testing.T) {
	ingesttest.Golden(t, New(), "testdata/long", ingest.Options{MaxRecord: 2048}, ingesttest.Lines)
}

// others are heads of the formats ALB logs must not be taken for.
var others = map[string]string{
	"cloudtrail": `{"Records":[{"eventVersion":"1.09","eventSource":"s3.amazonaws.com"}]}`,
	"access-log": `192.0.2.1 - - [02/Mar/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8.5.0"` + "\n" +
		`192.0.2.1 - - [02/Mar/2026:10:00:01 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8.5.0"` + "\n",
	"classic elb": `2026-03-02T10:00:00.123456Z my-elb 192.0.2.10:46532 10.0.1.25:8080 0.000 0.012 0.000 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/8.5.0" - -` + "\n",
	"nlb":         `tls 2.0 2026-03-02T10:00:00 net/my-nlb/0123456789abcdef 0123456789abcdef 192.0.2.44:51341 10.0.2.15:443 5 2 98 246 - arn:aws:acm:us-east-1:123456789012:certificate/abcd1234 - ECDHE-RSA-AES128-SHA tlsv12 - my-nlb-0123456789abcdef.elb.us-east-1.amazonaws.com - - - 2026-03-02T09:59:58` + "\n",
	"cloudfront":  "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method\n2026-03-02\t10:00:00\tIAD89-C3\t335\t192.0.2.1\tGET\n",
	"auditd":      "type=SYSCALL msg=audit(1772445600.123:100): arch=c000003e syscall=257 success=yes\n",
	"blank":       "\n\n  \n",
	"prose":       "This is not a log file.\nIt has two lines.\n",
}

func TestDetect(t *testing.T) {
	files, err := filepath.Glob("testdata/*.log*")
	require.NoError(t, err)
	for _, path := range files {
		if strings.HasSuffix(path, ".golden.jsonl") || filepath.Base(path) == "bad.log" {
			continue
		}
		require.True(t, ingesttest.Detects(t, New(), path), path)
	}
	for name, head := range others {
		require.False(t, New().Detect([]byte(head)), name)
	}
	// The other packages' fixtures are not ALB logs.
	for _, pattern := range []string{"../accesslog/testdata/*.log*", "../cloudfront/testdata/*.log*", "../auditd/testdata/*.log*"} {
		files, err := filepath.Glob(pattern)
		require.NoError(t, err)
		for _, path := range files {
			if !strings.HasSuffix(path, ".golden.jsonl") {
				require.False(t, ingesttest.Detects(t, New(), path), path)
			}
		}
	}
	b, err := os.ReadFile("testdata/normal.log")
	require.NoError(t, err)
	line, _, _ := bytes.Cut(b, []byte("\n"))
	require.True(t, New().Detect(line), "a single line, whole file")
	require.True(t, New().Detect(append([]byte("cut line\n"), b...)), "cut first line")

	// A head cut at 64 KiB in the middle of a line: the cut line is not judged.
	var head bytes.Buffer
	for head.Len() < ingest.HeadSize {
		head.Write(b)
	}
	require.True(t, New().Detect(head.Bytes()[:ingest.HeadSize]))
}

// planted are the credentials written into the fixtures; none may reach the output.
var planted = []string{"PLANTEDalbAccessTok3n0123456789"}

func TestPlantedCredentialsNeverStored(t *testing.T) {
	mem := ingesttest.Ingest(t, New(), "testdata/tokens.log", ingest.Options{})
	all := string(ingesttest.Render(mem))
	for _, tok := range planted {
		require.NotContains(t, all, tok)
	}
	require.Len(t, mem.Events, 1)
	require.Equal(t, ingesttest.Key.Token(planted[0]), mem.Events[0].Credential)
}

type countEmitter struct{ events, rejects int }

func (c *countEmitter) Event(ingest.Record, *normalize.Event) { c.events++ }
func (c *countEmitter) Reject(ingest.Record, string)          { c.rejects++ }
func (c *countEmitter) Note(string)                           {}

// TestCancel: a cancelled ingest stops at the next line and says why.
func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b, err := os.ReadFile("testdata/normal.log")
	require.NoError(t, err)
	em := &countEmitter{}
	err = New().Ingest(ctx, &ingest.Source{Reader: bytes.NewReader(b)}, em)
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, em.events+em.rejects)
}

// TestSplitLinesSameResult: parsing each line alone gives what the whole file gives, the
// promise SplitLines makes.
func TestSplitLinesSameResult(t *testing.T) {
	b, err := os.ReadFile("testdata/normal.log")
	require.NoError(t, err)
	whole := &countEmitter{}
	require.NoError(t, New().Ingest(context.Background(), &ingest.Source{Reader: bytes.NewReader(b), Options: ingest.Options{MaxRecord: ingest.DefaultMaxRecord}}, whole))
	pieces := &countEmitter{}
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		require.True(t, New().SplitLines(b)(bytes.TrimSuffix(line, []byte("\n"))))
		require.NoError(t, New().Ingest(context.Background(), &ingest.Source{Reader: bytes.NewReader(line), Options: ingest.Options{MaxRecord: ingest.DefaultMaxRecord}}, pieces))
	}
	require.Equal(t, whole, pieces)
}

func FuzzIngest(f *testing.F) {
	ingesttest.Fuzz(f, New(), "testdata")
}
