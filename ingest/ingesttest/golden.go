package ingesttest

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/normalize"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output")

// Updating reports whether the test run was asked to rewrite golden files (-update); the CLI
// script tests share the flag.
func Updating() bool { return *update }

// Golden ingests every input file in dir (all files except *.golden.jsonl and *.md, and except
// directories) with ing forced, checks the invariants every ingest must keep and that events and
// rejects cover the whole input but for the container syntax of layout (see Coverage), and
// compares the result with <name>.golden.jsonl beside the input, where name is the file name
// without its last extension (and without .gz). Run `go test ./ingest/... -update` to rewrite
// them, then read the diff. The goldens' hash is kept with the ingester's version in
// VERSION.golden.jsonl: changed output under an unchanged Version() fails the test.
func Golden(t *testing.T, ing ingest.Ingester, dir string, opts ingest.Options, layout Layout) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	n := 0
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasSuffix(name, ".golden.jsonl") || strings.HasSuffix(name, ".md") {
			continue
		}
		n++
		path := filepath.Join(dir, name)
		t.Run(name, func(t *testing.T) {
			mem := Ingest(t, ing, path, opts)
			Coverage(t, decompressed(t, path), mem.Events, mem.Rejects, layout)
			got := Render(mem)
			golden := filepath.Join(dir, GoldenName(name))
			if *update {
				require.NoError(t, os.WriteFile(golden, got, 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "missing golden file; run go test with -update")
			require.Equal(t, string(want), string(got))
		})
	}
	require.NotZero(t, n, "no golden inputs in %s", dir)
	checkVersion(t, ing, dir)
}

// GoldenName is the golden file name for an input file name.
func GoldenName(input string) string {
	base := strings.TrimSuffix(input, ".gz")
	if ext := filepath.Ext(base); ext != "" {
		base = strings.TrimSuffix(base, ext)
	}
	return base + ".golden.jsonl"
}

// Ingest runs the core on one file with ing forced, checks the invariants (see Check) and
// returns what was stored.
func Ingest(t testing.TB, ing ingest.Ingester, path string, opts ingest.Options) *Memory {
	t.Helper()
	mem := &Memory{}
	res, err := ingest.Run(context.Background(), ingest.Config{Force: ing, Options: opts}, []string{path}, mem)
	require.NoError(t, err)
	require.Len(t, res, 1)
	require.NoError(t, res[0].Err)
	Check(t, mem)
	return mem
}

// Check asserts what must hold for any ingest: records seen = events + rejects for every evidence
// file, every event has a time and a unique id, and every event's raw_sha256 is the hash of the
// bytes at its offset in the decompressed evidence, so `show` will find the original record.
func Check(t testing.TB, mem *Memory) {
	t.Helper()
	streams := map[string][]byte{}
	for _, ev := range mem.Evidence {
		require.Equal(t, ev.Records, ev.Events+ev.Rejects, "%s: records seen must equal events + rejects", ev.Path)
		streams[ev.SHA256] = decompressed(t, ev.Path)
	}
	ids := map[string]bool{}
	for _, e := range mem.Events {
		require.False(t, e.Time.IsZero(), "%s@%d: zero time", e.EvidencePath, e.Offset)
		require.False(t, ids[e.ID], "duplicate event id %s", e.ID)
		ids[e.ID] = true
		s := streams[e.EvidenceSHA256]
		require.LessOrEqual(t, e.Offset+e.Length, int64(len(s)), "%s@%d: record beyond the stream", e.EvidencePath, e.Offset)
		sum := sha256.Sum256(s[e.Offset : e.Offset+e.Length])
		require.Equal(t, hex.EncodeToString(sum[:]), e.RawSHA256, "%s@%d: raw_sha256 is not the hash of the bytes at the offset", e.EvidencePath, e.Offset)
	}
}

func decompressed(t testing.TB, path string) []byte {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		require.NoError(t, err)
		out, _ := io.ReadAll(zr) // a truncated member yields what precedes the break
		return out
	}
	return b
}

// Render writes what an ingest stored as golden text: one line for each evidence file, then its
// events in the contract's JSON form, then its rejects.
func Render(mem *Memory) []byte {
	var b bytes.Buffer
	for _, ev := range mem.Evidence {
		line, _ := json.Marshal(map[string]any{"evidence": map[string]any{
			"path": ev.Path, "sha256": ev.SHA256, "format": ev.Format, "parser": ev.Parser,
			"compression": ev.Compression, "records": ev.Records, "events": ev.Events,
			"rejects": ev.Rejects, "complete": ev.Complete, "notes": ev.Notes,
		}})
		b.Write(line)
		b.WriteByte('\n')
		for i := range mem.Events {
			if mem.Events[i].EvidenceSHA256 == ev.SHA256 {
				b.Write(mem.Events[i].AppendJSON(nil))
				b.WriteByte('\n')
			}
		}
		rejects := append([]normalize.Reject(nil), mem.Rejects...)
		sort.SliceStable(rejects, func(i, j int) bool { return rejects[i].Offset < rejects[j].Offset })
		for _, r := range rejects {
			if r.EvidenceSHA256 != ev.SHA256 {
				continue
			}
			line, _ := json.Marshal(map[string]any{"reject": map[string]any{
				"offset": r.Offset, "length": r.Length, "line": r.Line, "reason": r.Reason, "snippet": r.Snippet,
			}})
			b.Write(line)
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}
