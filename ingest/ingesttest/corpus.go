package ingesttest

import (
	"bufio"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
)

// CorpusDir returns ../shared/corpus/<kind> relative to the module root, skipping the test
// when it is absent: the corpus is third-party data that is not part of the repository.
func CorpusDir(t testing.TB, kind string) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "corpus", kind)
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("shared corpus %s not present; conformance test skipped", corpus)
	}
	return corpus
}

// Conformance ingests every file under ../shared/corpus/<kind> that ing detects and checks the
// invariants of Check on each. It returns the combined result for format-specific assertions.
// Files the ingester does not detect (metadata, other formats) are listed in the test log.
func Conformance(t *testing.T, ing ingest.Ingester, kind string, opts ingest.Options) *Memory {
	t.Helper()
	root := CorpusDir(t, kind)
	all := &Memory{}
	var files []string
	require.NoError(t, filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	}))
	for _, p := range files {
		if !Detects(t, ing, p) {
			t.Logf("not %s, skipped: %s", ing.Name(), p)
			continue
		}
		mem := Ingest(t, ing, p, opts)
		all.Evidence = append(all.Evidence, mem.Evidence...)
		all.Events = append(all.Events, mem.Events...)
		all.Rejects = append(all.Rejects, mem.Rejects...)
	}
	Check(t, all)
	return all
}

// Detects reports whether ing recognises the file at path the way the core would.
func Detects(t testing.TB, ing ingest.Ingester, path string) bool {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	br := bufio.NewReaderSize(f, ingest.HeadSize)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return false
		}
		r = zr
	}
	head := make([]byte, ingest.HeadSize)
	n, _ := io.ReadFull(r, head)
	return n > 0 && ing.Detect(head[:n])
}
