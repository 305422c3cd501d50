package export_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
)

// fileFormat writes the rows' count to a file, failing after failAt rows when failAt > 0.
type fileFormat struct{ failAt int }

func (fileFormat) Name() string    { return "test" }
func (fileFormat) Summary() string { return "test" }
func (f fileFormat) Write(ctx context.Context, path string, req *export.Request) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	n := 0
	return req.Table.Rows(ctx, func(export.Row) error {
		n++
		if f.failAt > 0 && n == f.failAt {
			return errors.New("disk full")
		}
		_, err := out.WriteString("row\n")
		return err
	})
}

// dirFormat writes two files in nested folders.
type dirFormat struct{ fileFormat }

func (dirFormat) Dir(*export.Request) bool { return true }
func (d dirFormat) Write(ctx context.Context, path string, req *export.Request) error {
	if err := os.MkdirAll(filepath.Join(path, "day=2026-03-03"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(path, "day=2026-03-03", "part-0.x"), []byte("b"), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(path, "a.x"), []byte("a"), 0o644)
}

func request(n int) *export.Request {
	return &export.Request{Table: exporttest.Events(n), Meta: exporttest.Meta("events")}
}

func TestWriteRenamesIntoPlaceAndCounts(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.out")
	res, err := export.Write(context.Background(), fileFormat{}, out, false, request(5))
	require.NoError(t, err)
	require.Equal(t, int64(5), res.Rows)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, strings.Repeat("row\n", 5), string(b))
	sum := sha256.Sum256(b)
	require.Equal(t, hex.EncodeToString(sum[:]), res.SHA256)
	entries, _ := os.ReadDir(dir)
	require.Len(t, entries, 1, "only the output is left")
}

func TestWriteFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.out")
	_, err := export.Write(context.Background(), fileFormat{failAt: 3}, out, false, request(5))
	require.ErrorContains(t, err, "writing "+out+": disk full")
	entries, _ := os.ReadDir(dir)
	require.Empty(t, entries, "the partial temporary file is removed")

	// With --force an existing output survives a failed export unchanged.
	require.NoError(t, os.WriteFile(out, []byte("old"), 0o644))
	_, err = export.Write(context.Background(), fileFormat{failAt: 3}, out, true, request(5))
	require.Error(t, err)
	b, _ := os.ReadFile(out)
	require.Equal(t, "old", string(b))
}

func TestWriteRefusesExistingAndMissingFolder(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.out")
	require.NoError(t, os.WriteFile(out, []byte("old"), 0o644))
	_, err := export.Write(context.Background(), fileFormat{}, out, false, request(1))
	require.ErrorIs(t, err, export.ErrExists)
	_, err = export.Write(context.Background(), fileFormat{}, filepath.Join(dir, "no", "x.out"), false, request(1))
	require.ErrorContains(t, err, "does not exist")
	_, err = export.Write(context.Background(), fileFormat{}, filepath.Join(out, "x.out"), false, request(1))
	require.ErrorContains(t, err, "is not a folder")
}

func TestWriteDirectoryManifest(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "lake")
	res, err := export.Write(context.Background(), dirFormat{}, out, false, request(1))
	require.NoError(t, err)
	require.True(t, res.Dir)
	// sha256 of "a" and of "b", in path order.
	want := "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb  a.x\n" +
		"3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d  day=2026-03-03/part-0.x\n"
	require.Equal(t, want, res.Manifest)
	b, err := os.ReadFile(filepath.Join(out, export.ManifestName))
	require.NoError(t, err)
	require.Equal(t, want, string(b))

	// --force replaces an export folder, but not a folder holding a symbolic link.
	_, err = export.Write(context.Background(), dirFormat{}, out, true, request(1))
	require.NoError(t, err)
	require.NoError(t, os.Symlink("/", filepath.Join(out, "link")))
	_, err = export.Write(context.Background(), dirFormat{}, out, true, request(1))
	require.ErrorContains(t, err, "not an export folder")
	_, err = os.Lstat(filepath.Join(out, "link"))
	require.NoError(t, err, "the folder is left as it was")
}
