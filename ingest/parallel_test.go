package ingest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/internal/synth"
	"github.com/breachline/breachline/normalize"
)

// testMaxRecord is small so that over-long records are cheap to make.
const testMaxRecord = 2048

// TestWorkersStoreTheSameCase: whatever the number of workers, the chunk size and whether files
// are read once or twice, the case holds exactly the same evidence, events, rejects and notes,
// and the results are the same. The inputs cover every way a file is read: split at line starts
// (plain and gzipped, access log and JSON lines), a split cut inside a record so that the rest
// is read in one piece, a line too long to cut after, a truncated gzip, formats that are never
// split, duplicates, an empty file and an unknown format.
func TestWorkersStoreTheSameCase(t *testing.T) {
	dir := t.TempDir()
	paths := evidenceSet(t, dir)
	want := ingestWith(t, paths, 1)
	require.Greater(t, len(want.mem.Events), 25_000)
	require.NotEmpty(t, want.mem.Rejects)
	byName := map[string]result{}
	for _, r := range want.results {
		byName[filepath.Base(r.Path)] = r
	}
	require.False(t, byName["vault-truncated.log.gz"].Evidence.Complete)
	require.False(t, byName["access-truncated.log.gz"].Evidence.Complete)
	require.Equal(t, paths[0], byName["copy-of-access.log"].DuplicateOf)
	require.Equal(t, paths[0], want.results[len(want.results)-1].DuplicateOf, "the same path twice")
	require.Contains(t, byName["unknown.bin"].Err, "unknown format")
	require.Contains(t, byName["hub-audit.json"].Evidence.Notes[0], "read with mapping")
	chunks, workerCounts := []int{1 << 10, 16 << 10}, []int{2, 4}
	if testing.Short() || race {
		workerCounts = workerCounts[1:]
	}
	if testing.Short() {
		chunks = chunks[1:]
	}
	for _, workers := range workerCounts {
		for _, chunk := range chunks {
			for _, whole := range []int64{32 << 20, 0} {
				restoreChunk, restoreWhole := ingest.SetChunkSize(chunk), ingest.SetMaxWhole(whole)
				got := ingestWith(t, paths, workers)
				restoreChunk()
				restoreWhole()
				how := fmt.Sprintf("workers %d, chunk %d, read once up to %d bytes", workers, chunk, whole)
				require.Equal(t, want.results, got.results, "%s: results", how)
				require.Equal(t, want.mem.Evidence, got.mem.Evidence, "%s: evidence", how)
				requireSameEvents(t, want.mem.Events, got.mem.Events, how)
				require.Equal(t, want.mem.Rejects, got.mem.Rejects, "%s: rejects", how)
			}
		}
	}
}

// requireSameEvents compares events one by one first, so that a difference shows as one event
// rather than as a diff of tens of thousands.
func requireSameEvents(t *testing.T, want, got []normalize.Event, how string) {
	t.Helper()
	for i := range min(len(want), len(got)) {
		if !reflect.DeepEqual(want[i], got[i]) {
			require.Equal(t, want[i], got[i], "%s: event %d", how, i)
		}
	}
	require.Equal(t, len(want), len(got), "%s: events", how)
}

type run struct {
	results []result
	mem     *ingesttest.Memory
}

// result is an ingest.Result with its error as text, to compare.
type result struct {
	Path, DuplicateOf, SHA256, Err, Failed string
	Evidence                               *normalize.Evidence
}

func ingestWith(t *testing.T, paths []string, workers int) run {
	t.Helper()
	mem := &ingesttest.Memory{}
	cfg := ingest.Config{Ingesters: all.Ingesters(), Workers: workers, Options: ingest.Options{MaxRecord: testMaxRecord}}
	res, err := ingest.RunInputs(context.Background(), cfg, ingest.Expand(paths), mem)
	require.NoError(t, err)
	ingesttest.Check(t, mem)
	out := run{mem: mem}
	for _, r := range res {
		e := ""
		if r.Err != nil {
			e = r.Err.Error()
		}
		out.results = append(out.results, result{r.Path, r.DuplicateOf, r.SHA256, e, r.Failed, r.Evidence})
	}
	return out
}

// evidenceSet writes the inputs of the determinism test into dir and returns their paths in
// the order to ingest them.
func evidenceSet(t *testing.T, dir string) []string {
	t.Helper()
	gen := func(f func(io.Writer, int, int64) error, n int, seed int64) []byte {
		var b bytes.Buffer
		require.NoError(t, f(&b, n, seed))
		return b.Bytes()
	}
	put := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, data, 0o644))
		return path
	}
	gz := func(data []byte) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(data)
		zw.Close()
		return b.Bytes()
	}
	r := rand.New(rand.NewPCG(1, 2))

	// An access log with what a real one holds besides requests: junk, an over-long line, a
	// byte-order mark where it does not belong, CRLF, blank lines, a zero-filled gap, and, late,
	// a line too long to cut after (the rest of the file is read in one piece).
	access := spoil(r, gen(synth.AccessLog, 8_000, 1), []string{
		"junk that is no request",
		strings.Repeat("x", testMaxRecord+500),
		"\xef\xbb\xbf10.0.0.1 - - [28/Feb/2026:17:00:00 -0700] \"GET / HTTP/1.1\" 200 5",
		"10.0.0.2 - - [28/Feb/2026:17:00:00 -0700] \"GET /crlf HTTP/1.1\" 200 5\r",
		"",
		"\x00\x00\x00\x00",
	}, 200)
	access = insertAt(access, len(access)*9/10, strings.Repeat("y", 100<<10))

	// Vault JSON lines with junk, over-long and unclosed lines (one of them, sooner or later,
	// just before a cut) and a pretty-printed entry.
	vault := gen(synth.VaultAudit, 4_000, 2)
	first, _, _ := bytes.Cut(vault, []byte{'\n'})
	pretty := bytes.ReplaceAll(first, []byte(`,"`), []byte(",\n  \""))
	vault = spoil(r, vault, []string{
		"not json",
		`{"type":"request","time":"2026-03-01T00:00:00Z","request":{"operation":"read"`,
		`{"type":"request","big":"` + strings.Repeat("z", testMaxRecord) + `"}`,
		string(pretty),
	}, 150)

	// Every entry followed by an unclosed one: wherever a piece is cut, a record runs into the
	// cut, so the first piece's parse breaks off and the file is read on in one piece.
	var broken bytes.Buffer
	for _, l := range bytes.SplitAfter(gen(synth.VaultAudit, 300, 12), []byte{'\n'}) {
		if len(l) > 0 {
			broken.Write(l)
			broken.WriteString(`{"type":"response","time":"2026-03-01T00:00:00Z","request":{"operation":"read"` + "\n")
		}
	}

	vaultGz := gz(gen(synth.VaultAudit, 3_000, 3))
	accessGz := gz(gen(synth.AccessLog, 3_000, 13))
	gcp := spoil(r, gen(synth.GCPAudit, 2_000, 4), []string{
		`{"entries":[` + string(firstLine(gen(synth.GCPAudit, 1, 9))) + `],"nextPageToken":"x"}`,
	}, 500)

	paths := []string{
		put("access.log", access),
		put("access-2.log.gz", gz(gen(synth.AccessLog, 5_000, 5))),
		put("access-truncated.log.gz", accessGz[:len(accessGz)/2]),
		put("vault.log", vault),
		put("vault-truncated.log.gz", vaultGz[:len(vaultGz)*2/3]),
		put("vault-broken.log", broken.Bytes()),
		put("github.jsonl", gen(synth.GitHubAudit, 3_000, 6)),
		put("github.csv", gen(synth.GitHubAuditCSV, 500, 7)),
		put("gcp.json", gcp),
		put("hub-audit.json", gen(synth.HubAudit, 2_000, 8)),
		put("cloudtrail.json", gen(synth.CloudTrail, 1_000, 10)),
		put("k8s-audit.log", gen(synth.K8sAudit, 1_000, 11)),
		put("alb.log", albLog(t)),
		put("empty.log", nil),
		put("unknown.bin", []byte("\x01\x02 nothing anyone logs\n")),
		put("copy-of-access.log", access),
	}
	return append(paths, paths[0]) // the same path twice
}

// spoil inserts one of extra, in turn, after about every nth line of data.
func spoil(r *rand.Rand, data []byte, extra []string, every int) []byte {
	lines := bytes.SplitAfter(data, []byte{'\n'})
	var out bytes.Buffer
	k := 0
	for _, l := range lines {
		out.Write(l)
		if len(l) > 0 && r.IntN(every) == 0 {
			out.WriteString(extra[k%len(extra)])
			out.WriteByte('\n')
			k++
		}
	}
	return out.Bytes()
}

// insertAt inserts line as a line of its own at the first line start at or after offset off.
func insertAt(data []byte, off int, line string) []byte {
	i := off + bytes.IndexByte(data[off:], '\n') + 1
	return append(append(append([]byte(nil), data[:i]...), line+"\n"...), data[i:]...)
}

func firstLine(b []byte) []byte {
	l, _, _ := bytes.Cut(b, []byte{'\n'})
	return l
}

// TestChangedWhileReadIsRefused: on the two-pass path a file whose bytes change between the hash
// and the parse is not stored, whether it is parsed in one piece or split, and the files after
// it are.
func TestChangedWhileReadIsRefused(t *testing.T) {
	defer ingest.SetMaxWhole(0)()
	defer ingest.SetChunkSize(1 << 10)()
	dir := t.TempDir()
	var access, trail bytes.Buffer
	require.NoError(t, synth.AccessLog(&access, 500, 1))
	require.NoError(t, synth.CloudTrail(&trail, 50, 1))
	paths := []string{filepath.Join(dir, "access.log"), filepath.Join(dir, "trail.json"), filepath.Join(dir, "after.log")}
	for _, workers := range []int{1, 4} {
		require.NoError(t, os.WriteFile(paths[0], access.Bytes(), 0o644))
		require.NoError(t, os.WriteFile(paths[1], trail.Bytes(), 0o644))
		require.NoError(t, os.WriteFile(paths[2], access.Bytes()[:1000], 0o644))
		restore := ingest.SetAfterHash(func(path string) {
			if path == paths[2] {
				return
			}
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			b[len(b)/2] ^= 1 // same size, other bytes: only the hash can tell
			require.NoError(t, os.WriteFile(path, b, 0o644))
		})
		mem := &ingesttest.Memory{}
		res, err := ingest.RunInputs(context.Background(), ingest.Config{Ingesters: all.Ingesters(), Workers: workers}, ingest.Expand(paths), mem)
		restore()
		require.NoError(t, err)
		require.Len(t, res, 3)
		for _, r := range res[:2] {
			require.ErrorContains(t, r.Err, "changed while it was being read", "workers %d", workers)
			require.Nil(t, r.Evidence)
		}
		require.NoError(t, res[2].Err)
		require.Len(t, mem.Evidence, 1, "only the unchanged file is stored")
		require.Equal(t, paths[2], mem.Evidence[0].Path)
		for _, e := range mem.Events {
			require.Equal(t, paths[2], e.EvidencePath)
		}
	}
}

// TestRunStopsCleanly: a failing sink or a cancelled context stops every reader and parser (no
// goroutine is left behind) and nothing of the file being stored is committed.
func TestRunStopsCleanly(t *testing.T) {
	defer ingest.SetChunkSize(1 << 10)()
	dir := t.TempDir()
	var paths []string
	for i := range 6 {
		var b bytes.Buffer
		require.NoError(t, synth.AccessLog(&b, 3_000, int64(i)))
		path := filepath.Join(dir, "access-"+string(rune('a'+i))+".log")
		require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
		paths = append(paths, path)
	}
	before := runtime.NumGoroutine()
	boom := errors.New("disk full")
	for _, tc := range []struct {
		name string
		sink func(cancel context.CancelFunc) *failingSink
		want error
	}{
		{"sink error", func(context.CancelFunc) *failingSink { return &failingSink{after: 1, err: boom} }, boom},
		{"cancelled", func(cancel context.CancelFunc) *failingSink { return &failingSink{after: 1, cancel: cancel} }, context.Canceled},
	} {
		for _, workers := range []int{1, 2, 4} {
			ctx, cancel := context.WithCancel(context.Background())
			sink := tc.sink(cancel)
			res, err := ingest.RunInputs(ctx, ingest.Config{Ingesters: all.Ingesters(), Workers: workers}, ingest.Expand(paths), sink)
			cancel()
			require.ErrorIs(t, err, tc.want, "%s, workers %d", tc.name, workers)
			require.Len(t, res, 2, "%s, workers %d: the first file is stored, the second is where it stopped", tc.name, workers)
			require.NotNil(t, res[0].Evidence)
			require.Len(t, sink.Evidence, 1)
		}
	}
	// RunInputs waits for its goroutines before it returns; a moment is allowed for the test's
	// own and the runtime's to settle.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines left behind")
}

// failingSink is a memory sink whose writes fail, or cancel the run, after the first file and a
// few batches of the second.
type failingSink struct {
	ingesttest.Memory
	after  int
	err    error
	cancel context.CancelFunc
	files  atomic.Int32
}

func (s *failingSink) Begin(ev *normalize.Evidence) (ingest.FileWriter, error) {
	fw, err := s.Memory.Begin(ev)
	if s.files.Add(1) == 1 {
		return fw, err
	}
	return &failingFile{FileWriter: fw, s: s}, err
}

type failingFile struct {
	ingest.FileWriter
	s      *failingSink
	writes int
}

func (f *failingFile) Write(ev []normalize.Event, rej []normalize.Reject) error {
	if f.writes++; f.writes > f.s.after {
		if f.s.cancel != nil {
			f.s.cancel()
		} else {
			return f.s.err
		}
	}
	return f.FileWriter.Write(ev, rej)
}

// TestProgressCountsEveryFile: the progress bar is told the bytes read of every file, from the
// goroutines that read them (run with -race), and the events stored, from the writer.
func TestProgressCountsEveryFile(t *testing.T) {
	defer ingest.SetChunkSize(1 << 10)()
	dir := t.TempDir()
	var paths []string
	var size int64
	for i := range 5 {
		var b bytes.Buffer
		require.NoError(t, synth.AccessLog(&b, 1_000+100*i, int64(i)))
		data := b.Bytes()
		if i%2 == 1 {
			var z bytes.Buffer
			zw := gzip.NewWriter(&z)
			zw.Write(data)
			zw.Close()
			data = z.Bytes()
		}
		path := filepath.Join(dir, fmt.Sprintf("access-%d.log", i))
		require.NoError(t, os.WriteFile(path, data, 0o644))
		paths = append(paths, path)
		size += int64(len(data))
	}
	for _, whole := range []int64{32 << 20, 0} {
		restore := ingest.SetMaxWhole(whole)
		p := &countingProgress{}
		mem := &ingesttest.Memory{}
		_, err := ingest.RunInputs(context.Background(), ingest.Config{Ingesters: all.Ingesters(), Workers: 4, Progress: p}, ingest.Expand(paths), mem)
		restore()
		require.NoError(t, err)
		require.Equal(t, size, p.bytes.Load(), "bytes read, read once up to %d", whole)
		require.Equal(t, int64(len(mem.Events)), p.events.Load())
		require.Equal(t, int64(len(paths)), p.files.Load())
	}
}

type countingProgress struct{ files, bytes, events atomic.Int64 }

func (p *countingProgress) StartFile(string, int64) { p.files.Add(1) }
func (p *countingProgress) ReadBytes(n int)         { p.bytes.Add(int64(n)) }
func (p *countingProgress) EventsStored(n int)      { p.events.Add(int64(n)) }

// TestEarlyLookUpIsNotTheLastWord: a reader that finds its file's hash in the case stops, but
// only the writer's look-up decides; when the case no longer holds the bytes by then, the file
// is read again and stored.
func TestEarlyLookUpIsNotTheLastWord(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	require.NoError(t, synth.AccessLog(&b, 2_000, 1))
	path := filepath.Join(dir, "access.log")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))

	want := &ingesttest.Memory{}
	_, err := ingest.RunInputs(context.Background(), ingest.Config{Ingesters: all.Ingesters(), Workers: 1}, ingest.Expand([]string{path}), want)
	require.NoError(t, err)
	for _, workers := range []int{1, 2} {
		sink := &forgetfulSink{}
		res, err := ingest.RunInputs(context.Background(), ingest.Config{Ingesters: all.Ingesters(), Workers: workers}, ingest.Expand([]string{path}), sink)
		require.NoError(t, err)
		require.Empty(t, res[0].DuplicateOf)
		require.Equal(t, want.Evidence, sink.Evidence)
		require.Equal(t, want.Events, sink.Events)
		require.EqualValues(t, 2, sink.asked.Load(), "asked early, then again")
	}
}

// forgetfulSink says the first time it is asked that it holds the bytes, and never again.
type forgetfulSink struct {
	ingesttest.Memory
	asked atomic.Int32
}

func (s *forgetfulSink) Known(sum string) (string, bool, error) {
	if s.asked.Add(1) == 1 {
		return "elsewhere.log", true, nil
	}
	return s.Memory.Known(sum)
}

// albLog is a load balancer log of a few thousand lines, good and bad, from the aws-alb
// fixtures: large enough to be cut into pieces.
func albLog(t *testing.T) []byte {
	good, err := os.ReadFile("awsalb/testdata/normal.log")
	require.NoError(t, err)
	bad, err := os.ReadFile("awsalb/testdata/bad.log")
	require.NoError(t, err)
	var b bytes.Buffer
	for i := 0; i < 300; i++ {
		b.Write(good)
		if i%50 == 0 {
			b.Write(bad)
		}
	}
	return b.Bytes()
}
