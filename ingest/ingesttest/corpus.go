package ingesttest

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
)

// CorpusEnv names the variable that gives the shared corpus's directory when it is not at
// ../shared/corpus beside the module root (.ci/run sets it to the one it uses).
const CorpusEnv = "BREACHLINE_CORPUS"

// CorpusDir returns the shared corpus's <kind> directory: $BREACHLINE_CORPUS/<kind>, or else
// ../shared/corpus/<kind> beside the module root. The corpus is third-party data that is not part
// of the repository, so a developer without it gets the test skipped; under CI (CI=true) a
// missing corpus fails the test instead, so that the conformance tests cannot pass by not running.
func CorpusDir(t testing.TB, kind string) string {
	t.Helper()
	root, err := CorpusRoot()
	if err == nil {
		dir := filepath.Join(root, kind)
		if _, err = os.Stat(dir); err == nil {
			return dir
		}
	}
	if InCI() {
		t.Fatalf("shared corpus missing under CI: %v (put shared/corpus beside the checkout or set %s)", err, CorpusEnv)
	}
	t.Skipf("shared corpus not present (%v); conformance test skipped", err)
	return ""
}

// CorpusRoot returns the shared corpus's directory, from $BREACHLINE_CORPUS or else as
// ../shared/corpus beside the module root. The module root is found from the working directory
// (go test runs each package in its own directory) by the go.mod that declares this module, so a
// go.mod in some testdata directory is not taken for it. When the checkout is reached through a
// symbolic link, the corpus may sit beside the link or beside the real directory: the first that
// exists is taken.
func CorpusRoot() (string, error) {
	if dir := os.Getenv(CorpusEnv); dir != "" {
		return filepath.Abs(dir)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	dirs := []string{wd}
	if real, err := filepath.EvalSymlinks(wd); err == nil && real != wd {
		dirs = append(dirs, real)
	}
	var candidates []string
	for _, d := range dirs {
		if root, ok := moduleRoot(d); ok {
			candidates = append(candidates, filepath.Join(filepath.Dir(root), "shared", "corpus"))
		}
	}
	if len(candidates) == 0 {
		return "", fmt.Errorf("no go.mod of %s above %s", modulePath, wd)
	}
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c, nil
		}
	}
	return candidates[0], fmt.Errorf("%s does not exist", candidates[0])
}

// moduleRoot returns the directory at or above dir whose go.mod declares this module.
func moduleRoot(dir string) (string, bool) {
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && declaresModule(b, modulePath) {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// modulePath is the module whose root the corpus sits beside.
const modulePath = "github.com/breachline/breachline"

func declaresModule(gomod []byte, path string) bool {
	for _, line := range strings.Split(string(gomod), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" && strings.Trim(f[1], `"`) == path {
			return true
		}
	}
	return false
}

// InCI reports whether the tests run under continuous integration (CI=true, as CI services set
// it), where a test that needs data must fail without it rather than skip.
func InCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
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
