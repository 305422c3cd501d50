package cloudfront

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

// layout: the W3C directives (#Version, #Fields, #Remark …) are not records; every gap between
// records must be made of them.
var layout = ingesttest.Layout{Syntax: func(_ []byte, _ int64, gap []byte) bool {
	for _, line := range bytes.Split(gap, []byte{'\n'}) {
		if line = bytes.TrimSpace(line); len(line) > 0 && line[0] != '#' {
			return false
		}
	}
	return true
}}

func TestGolden(t *testing.T) {
	ingesttest.Golden(t, New(), "testdata", ingest.Options{}, layout)
}

// TestGoldenOverlong: a line over the record limit is one reject and the lines after it are read.
func TestGoldenOverlong(t *testing.T) {
	ingesttest.Golden(t, New(), "testdata/long", ingest.Options{MaxRecord: 2048}, layout)
}

func TestDetect(t *testing.T) {
	files, err := filepath.Glob("testdata/*.log*")
	require.NoError(t, err)
	for _, path := range files {
		if !strings.HasSuffix(path, ".golden.jsonl") && filepath.Base(path) != "bad.log" {
			require.True(t, ingesttest.Detects(t, New(), path), path)
		}
	}
	for name, head := range map[string]string{
		"iis w3c":    "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2026-03-02 10:00:00\n#Fields: date time s-ip cs-method cs-uri-stem\n",
		"iis fields": "#Version: 1.0\n#Fields: date time s-ip cs-method cs-uri-stem sc-status\n2026-03-02 10:00:00 10.0.0.1 GET / 200\n",
		"no header":  "2026-03-02\t10:00:00\tIAD89-C3\t335\t192.0.2.1\tGET\n",
		"cloudtrail": `{"Records":[{"eventVersion":"1.09","eventSource":"s3.amazonaws.com"}]}`,
		"alb":        `https 2026-03-02T10:00:00.123456Z app/web-prod/50dc6c495c0c9188 192.0.2.10:46532 10.0.1.25:8080 0.000 0.012 0.000 200 200 512 2344 "GET https://www.example.com:443/ HTTP/1.1" "curl/8.5.0" - -` + "\n",
		"comment":    "# x-edge-location\n",
		"blank":      "\n\n",
	} {
		require.False(t, New().Detect([]byte(head)), name)
	}
	for _, pattern := range []string{"../accesslog/testdata/*.log*", "../awsalb/testdata/*.log*", "../auditd/testdata/*.log*"} {
		files, err := filepath.Glob(pattern)
		require.NoError(t, err)
		for _, path := range files {
			if !strings.HasSuffix(path, ".golden.jsonl") {
				require.False(t, ingesttest.Detects(t, New(), path), path)
			}
		}
	}
	// A #Fields line cut by the 64 KiB head is not judged.
	head := append([]byte("#Version: 1.0\n#Fields: date time "), bytes.Repeat([]byte("x "), ingest.HeadSize)...)
	require.False(t, New().Detect(head[:ingest.HeadSize]))
}

// planted are the credentials written into the fixtures; none may reach the output.
var planted = []string{
	"PLANTEDcfAccessTok3n0123456789",
	"PLANTEDcfSessionCookie0123456789",
	"PLANTEDcfJsession9876543210",
}

func TestPlantedCredentialsNeverStored(t *testing.T) {
	mem := ingesttest.Ingest(t, New(), "testdata/tokens.log", ingest.Options{})
	all := string(ingesttest.Render(mem))
	require.NotContains(t, all, "PLANTED")
	require.Len(t, mem.Events, 1)
	e := mem.Events[0]
	require.Equal(t, ingesttest.Key.Token(planted[0]), e.Credential)
	require.Contains(t, string(e.AttrsJSON), `"cs_cookie":["session-id=`+ingesttest.Key.Token(planted[1])+
		`","theme=`+ingesttest.Key.Token("dark")+`","JSESSIONID=`+ingesttest.Key.Token(planted[2])+`","flag"]`)
	goldens, err := filepath.Glob("testdata/*.golden.jsonl")
	require.NoError(t, err)
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		require.NoError(t, err)
		require.NotContains(t, string(b), "PLANTED", g)
	}
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

// TestNotLineSplitter: the #Fields header is state across lines, so files are never cut.
func TestNotLineSplitter(t *testing.T) {
	_, ok := any(New()).(ingest.LineSplitter)
	require.False(t, ok)
}

func FuzzIngest(f *testing.F) {
	ingesttest.Fuzz(f, New(), "testdata")
}
