package all_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/ingest/ingesttest"
)

// cloudTrailLine is one valid record, for inputs that damage a valid file.
const cloudTrailLine = `{"eventVersion":"1.09","eventTime":"2026-03-02T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","sourceIPAddress":"203.0.113.7","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"}}`

func gzipped(t testing.TB, members ...[]byte) []byte {
	var b bytes.Buffer
	for _, m := range members {
		zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
		require.NoError(t, err)
		_, err = zw.Write(m)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
	}
	return b.Bytes()
}

func utf16LE(s string) []byte {
	b := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// hostileInputs are damaged or hostile files that no format can be trusted to have seen before.
func hostileInputs(t testing.TB) map[string][]byte {
	random := make([]byte, 256<<10)
	rng := rand.NewChaCha8([32]byte{7})
	_, _ = rng.Read(random)
	lines := strings.Repeat(cloudTrailLine+"\n", 50)
	full := gzipped(t, []byte(lines))
	return map[string][]byte{
		"empty":             {},
		"nul-bytes":         make([]byte, 200<<10),
		"random-binary":     random,
		"json-wrong-shape":  []byte(`{"Records":{"not":"an array"},"x":[1,2,3]}` + "\n[1,2,3]\n\"a string\"\nnull\n"),
		"json-array-scalar": []byte(`[1, "two", null, true, {"eventTime": 3}]`),
		"nested-array":      []byte(strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n"),
		"nested-object":     []byte(strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000) + "\n"),
		"nested-unclosed":   []byte(strings.Repeat(`{"eventTime":[`, 10000)),
		"truncated-gzip":    full[:len(full)-40],
		"gzip-multi-member": gzipped(t, []byte(cloudTrailLine+"\n"), []byte(cloudTrailLine+"\n"), []byte(cloudTrailLine+"\n")),
		"gzip-garbage-tail": append(gzipped(t, []byte(cloudTrailLine+"\n")), "not gzip at all"...),
		"invalid-utf8":      []byte(strings.Replace(cloudTrailLine, "GetCallerIdentity", "Get\xff\xfe\xc0\xafCaller", 1) + "\n\xff\xfe\xfd\n"),
		"utf16-bom":         utf16LE(cloudTrailLine + "\r\n" + cloudTrailLine + "\r\n"),
		"utf8-bom-crlf":     []byte("\xef\xbb\xbf" + cloudTrailLine + "\r\n" + cloudTrailLine + "\r\n"),
		"mixed-endings":     []byte(cloudTrailLine + "\r\n" + cloudTrailLine + "\n" + cloudTrailLine + "\r" + cloudTrailLine + "\n\r\n"),
		"duplicates":        []byte(strings.Repeat(cloudTrailLine+"\n", 3)),
		"control-chars":     []byte(strings.Replace(cloudTrailLine, "GetCallerIdentity", `Get\u001b[2J\u0007\b\rX`, 1) + "\n"),
		"odd-times":         []byte(strings.NewReplacer("2026-03-02T10:00:00Z", "0001-01-01T00:00:00Z").Replace(cloudTrailLine) + "\n" + strings.NewReplacer("2026-03-02T10:00:00Z", "9999-12-31T23:59:59Z").Replace(cloudTrailLine) + "\n" + strings.NewReplacer("2026-03-02T10:00:00Z", "2026-03-02T10:00:00+25:00").Replace(cloudTrailLine) + "\n"),
		"access-log-bad":    []byte("203.0.113.7 - - [02/Mar/2026:10:00:00 +2500] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\"\n203.0.113.7 - - [00/Xyz/0000:99:99:99 +0000] \"\x00\" x y\n"),
	}
}

// checkResult holds one file's Result to the invariants every ingest keeps, whatever the input:
// either the file was not ingested and the error names it, or its records are all accounted for
// (records = events + rejects, every reject with a reason and a position inside the stream).
func checkResult(t *testing.T, path string, res []ingest.Result, mem *ingesttest.Memory) {
	t.Helper()
	require.Len(t, res, 1)
	r := res[0]
	if r.Err != nil {
		require.Contains(t, r.Err.Error(), path, "the error names the file")
		require.Nil(t, r.Evidence)
		return
	}
	ev := r.Evidence
	require.NotNil(t, ev)
	require.Equal(t, ev.Records, ev.Events+ev.Rejects, "records = events + rejects")
	require.Equal(t, int(ev.Events), len(mem.Events))
	require.Equal(t, int(ev.Rejects), len(mem.Rejects))
	size := ev.Size
	if ev.Compression != "" {
		size = ev.DecompressedSize
	}
	for _, rej := range mem.Rejects {
		require.NotEmpty(t, rej.Reason)
		require.LessOrEqual(t, rej.Offset, size, "a reject's position is inside the stream")
	}
	for _, e := range mem.Events {
		require.False(t, e.Time.IsZero())
		require.NoError(t, e.Check())
	}
}

// TestHostileInputThroughEveryIngester feeds every hostile input to every registered ingester
// (forced, as --format does) and to detection, through ingest.Run as the command line does: no
// panic, an error naming the file or every record accounted for.
func TestHostileInputThroughEveryIngester(t *testing.T) {
	dir := t.TempDir()
	ings := all.Ingesters()
	for name, data := range hostileInputs(t) {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, data, 0o644))
		for _, force := range append([]ingest.Ingester{nil}, ings...) {
			label := "detect"
			if force != nil {
				label = force.Name()
			}
			t.Run(name+"/"+label, func(t *testing.T) {
				mem := &ingesttest.Memory{}
				cfg := ingest.Config{Ingesters: ings, Force: force, Workers: 2}
				res, err := ingest.Run(context.Background(), cfg, []string{path}, mem)
				require.NoError(t, err)
				checkResult(t, path, res, mem)
			})
		}
	}
}

// TestDamagedGzip checks what each damaged compressed input gives, beyond the invariants.
func TestDamagedGzip(t *testing.T) {
	dir := t.TempDir()
	in := hostileInputs(t)
	run := func(name string, cfg ingest.Config) (ingest.Result, *ingesttest.Memory) {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, in[name], 0o644))
		cfg.Ingesters = all.Ingesters()
		mem := &ingesttest.Memory{}
		res, err := ingest.Run(context.Background(), cfg, []string{path}, mem)
		require.NoError(t, err)
		checkResult(t, path, res, mem)
		return res[0], mem
	}
	t.Run("multi-member", func(t *testing.T) {
		r, _ := run("gzip-multi-member", ingest.Config{})
		require.Equal(t, int64(3), r.Evidence.Events, "every member is read")
		require.True(t, r.Evidence.Complete)
	})
	t.Run("truncated", func(t *testing.T) {
		r, mem := run("truncated-gzip", ingest.Config{})
		require.False(t, r.Evidence.Complete)
		require.Positive(t, r.Evidence.Events)
		require.Contains(t, mem.Rejects[len(mem.Rejects)-1].Reason, "unexpected end of file (truncated)")
	})
	t.Run("garbage-tail", func(t *testing.T) {
		r, mem := run("gzip-garbage-tail", ingest.Config{})
		require.Equal(t, int64(1), r.Evidence.Events)
		require.False(t, r.Evidence.Complete, "bytes after the last member are not silently dropped")
		require.Contains(t, mem.Rejects[len(mem.Rejects)-1].Reason, "input broke off")
	})
}

// TestGzipBombIsStopped: a small file that inflates past the ratio is stopped at the limit with
// a reject naming it, marked incomplete, and the next file is ingested all the same; memory
// stays bounded.
func TestGzipBombIsStopped(t *testing.T) {
	dir := t.TempDir()
	// 8 MiB of one repeated record deflate about 300 times: over a ratio of 100.
	bomb := gzipped(t, bytes.Repeat([]byte(cloudTrailLine+"\n"), (8<<20)/(len(cloudTrailLine)+1)))
	zeros := gzipped(t, make([]byte, 8<<20)) // about 1000 times
	good := []byte(cloudTrailLine + "\n")
	paths := []string{filepath.Join(dir, "a-bomb.json.gz"), filepath.Join(dir, "b-zeros.gz"), filepath.Join(dir, "c-good.json")}
	require.NoError(t, os.WriteFile(paths[0], bomb, 0o644))
	require.NoError(t, os.WriteFile(paths[1], zeros, 0o644))
	require.NoError(t, os.WriteFile(paths[2], good, 0o644))
	t.Logf("bomb %d bytes, zeros %d bytes", len(bomb), len(zeros))

	mem := &ingesttest.Memory{}
	cfg := ingest.Config{Ingesters: all.Ingesters(), MaxInflateRatio: 100, InflateAllowance: 1 << 20}
	res, err := ingest.Run(context.Background(), cfg, paths, mem)
	require.NoError(t, err)
	require.Len(t, res, 3)
	limit := int64(len(bomb)) * 100
	ev := res[0].Evidence
	require.NotNil(t, ev, "%v", res[0].Err)
	require.False(t, ev.Complete)
	require.Equal(t, ev.Records, ev.Events+ev.Rejects)
	require.LessOrEqual(t, ev.DecompressedSize, limit+1)
	require.Contains(t, strings.Join(ev.Notes, "\n"), "gzip bomb")
	require.Contains(t, strings.Join(ev.Notes, "\n"), "--max-inflate-ratio")
	// The zeros are of no known format: the detector saw zeros, not the bomb.
	require.ErrorIs(t, res[1].Err, ingest.ErrUnknownFormat)
	require.NotNil(t, res[2].Evidence)
	require.Equal(t, int64(1), res[2].Evidence.Events)

	// Forced, the zeros are read up to the limit and no further.
	mem = &ingesttest.Memory{}
	cfg.Force = all.Ingesters()[0]
	res, err = ingest.Run(context.Background(), cfg, paths[1:2], mem)
	require.NoError(t, err)
	require.False(t, res[0].Evidence.Complete)
	require.LessOrEqual(t, res[0].Evidence.DecompressedSize, max(int64(len(zeros))*100, 1<<20)+1)

	// Within the ratio, nothing is stopped: the default allows the 8 MiB.
	mem = &ingesttest.Memory{}
	res, err = ingest.Run(context.Background(), ingest.Config{Ingesters: all.Ingesters()}, paths[:1], mem)
	require.NoError(t, err)
	require.True(t, res[0].Evidence.Complete)
	require.Zero(t, res[0].Evidence.Rejects)
}

// TestHugeLineMemoryIsBounded: a 100 MiB record of one line, gzipped and not, is one reject over
// --max-record, the records after it are read, and the heap stays far below the record's size.
func TestHugeLineMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 100 MiB")
	}
	dir := t.TempDir()
	var b bytes.Buffer
	b.WriteString(cloudTrailLine + "\n{\"eventTime\":\"")
	b.Write(bytes.Repeat([]byte("x"), 100<<20))
	b.WriteString("\"}\n" + cloudTrailLine + "\n")
	plain := filepath.Join(dir, "huge.jsonl")
	require.NoError(t, os.WriteFile(plain, b.Bytes(), 0o644))
	zipped := filepath.Join(dir, "huge.jsonl.gz")
	require.NoError(t, os.WriteFile(zipped, gzipped(t, b.Bytes()), 0o644))
	b = bytes.Buffer{}
	runtime.GC()

	for _, path := range []string{plain, zipped} {
		var peak atomic.Uint64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			var ms runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}()
		mem := &ingesttest.Memory{}
		// 100 MiB of one byte deflate a thousand times: a bomb by the default ratio. This
		// test is about the record limit, so the ratio is lifted.
		cfg := ingest.Config{Ingesters: all.Ingesters(), Workers: 2, MaxInflateRatio: -1}
		res, err := ingest.Run(context.Background(), cfg, []string{path}, mem)
		close(stop)
		wg.Wait()
		require.NoError(t, err)
		checkResult(t, path, res, mem)
		ev := res[0].Evidence
		require.Equal(t, int64(2), ev.Events, filepath.Base(path))
		require.Equal(t, int64(1), ev.Rejects)
		require.Contains(t, mem.Rejects[0].Reason, "limit")
		t.Logf("%s: peak heap in use %d MiB", filepath.Base(path), peak.Load()>>20)
		require.Less(t, peak.Load(), uint64(96<<20), "memory is bounded, not the record's size")
	}
}

// TestVanishedFileIsReported: a file that disappears between the walk and its reading (the
// permission-denied case that still works as root) is named, and the rest is ingested.
func TestVanishedFileIsReported(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	require.NoError(t, os.WriteFile(a, []byte(cloudTrailLine+"\n"), 0o644))
	require.NoError(t, os.WriteFile(b, []byte(cloudTrailLine+"\n"), 0o644))
	in := ingest.Expand([]string{dir})
	require.NoError(t, os.Remove(a))
	mem := &ingesttest.Memory{}
	res, err := ingest.RunInputs(context.Background(), ingest.Config{Ingesters: all.Ingesters()}, in, mem)
	require.NoError(t, err)
	require.Len(t, res, 2)
	require.True(t, errors.Is(res[0].Err, os.ErrNotExist) || strings.Contains(res[0].Err.Error(), "no such file"), "%v", res[0].Err)
	require.Contains(t, res[0].Err.Error(), a)
	require.Equal(t, int64(1), res[1].Evidence.Events)
	require.True(t, ingest.Partial(res))
}

// TestPermissionDenied: an unreadable file is named and the rest is ingested. Root reads any
// file, so the case is skipped there (TestVanishedFileIsReported covers the same path).
func TestPermissionDenied(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: permissions do not stop root from reading")
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	require.NoError(t, os.WriteFile(a, []byte(cloudTrailLine+"\n"), 0o000))
	require.NoError(t, os.WriteFile(b, []byte(cloudTrailLine+"\n"), 0o644))
	mem := &ingesttest.Memory{}
	res, err := ingest.Run(context.Background(), ingest.Config{Ingesters: all.Ingesters()}, []string{dir}, mem)
	require.NoError(t, err)
	require.ErrorContains(t, res[0].Err, "cannot read "+a+": permission denied")
	require.Equal(t, int64(1), res[1].Evidence.Events)
}

// TestWalkPassesOverLoopsAndPipes: in an evidence folder, a symbolic link loop (a link to
// itself, two links to each other, a link to a parent folder) and a named pipe are reported by
// path, never followed or opened, and the regular file beside them is ingested.
func TestWalkPassesOverLoopsAndPipes(t *testing.T) {
	dir := t.TempDir()
	ev := filepath.Join(dir, "evidence")
	require.NoError(t, os.MkdirAll(filepath.Join(ev, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(ev, "sub", "good.jsonl"), []byte(cloudTrailLine+"\n"), 0o644))
	require.NoError(t, os.Symlink("self", filepath.Join(ev, "self")))
	require.NoError(t, os.Symlink("pong", filepath.Join(ev, "ping")))
	require.NoError(t, os.Symlink("ping", filepath.Join(ev, "pong")))
	require.NoError(t, os.Symlink("..", filepath.Join(ev, "sub", "up")))
	fifo := filepath.Join(ev, "pipe")
	if err := mkfifo(fifo); err != nil {
		t.Logf("no FIFO here: %v", err)
		fifo = ""
	}
	done := make(chan struct{})
	var res []ingest.Result
	var err error
	mem := &ingesttest.Memory{}
	go func() {
		defer close(done)
		res, err = ingest.Run(context.Background(), ingest.Config{Ingesters: all.Ingesters()}, []string{ev}, mem)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the walk blocked")
	}
	require.NoError(t, err)
	msgs := map[string]string{}
	for _, r := range res {
		if r.Err != nil {
			msgs[filepath.Base(r.Path)] = r.Err.Error()
		} else {
			require.Equal(t, "good.jsonl", filepath.Base(r.Path))
			require.Equal(t, int64(1), r.Evidence.Events)
		}
	}
	require.Contains(t, msgs["self"], "too many levels of symbolic links")
	require.Contains(t, msgs["ping"], "too many levels of symbolic links")
	require.Contains(t, msgs["pong"], "too many levels of symbolic links")
	require.Contains(t, msgs["up"], "symbolic link to a directory")
	if fifo != "" {
		require.Contains(t, msgs["pipe"], "named pipe (FIFO), not a regular file")
	}
	require.True(t, ingest.Partial(res))
}

// TestUTF16IsNamed: a UTF-16 log is of no known format, and the message says why.
func TestUTF16IsNamed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "windows-export.json")
	require.NoError(t, os.WriteFile(path, hostileInputs(t)["utf16-bom"], 0o644))
	res, err := ingest.Run(context.Background(), ingest.Config{Ingesters: all.Ingesters()}, []string{path}, &ingesttest.Memory{})
	require.NoError(t, err)
	require.ErrorIs(t, res[0].Err, ingest.ErrUnknownFormat)
	require.ErrorContains(t, res[0].Err, path+": unknown format")
	require.ErrorContains(t, res[0].Err, "UTF-16 byte-order mark")
}
