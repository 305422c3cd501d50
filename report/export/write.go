package export

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Result says what an export wrote.
type Result struct {
	// Path is the final path; Dir says it is a directory.
	Path string
	Dir  bool
	// Rows is how many rows of the chosen table were written.
	Rows int64
	// SHA256 is the file's hash, or for a directory the hash of its manifest (Manifest).
	SHA256 string
	// Manifest lists a directory's files, "sha256  relative/path" a line each in path order,
	// the sha256sum form: `sha256sum -c` in the directory checks it. Empty for a file.
	Manifest string
}

// ManifestName is the file in an exported directory that lists its other files with their
// sha256 (Result.Manifest): `sha256sum -c _SHA256SUMS` in the directory checks them. The leading
// underscore makes Spark, Hive and Trino skip it when they read the folder as a table.
const ManifestName = "_SHA256SUMS"

// ErrExists is wrapped by the error for an output that exists when force is off.
var ErrExists = errors.New("output exists")

// Check refuses an output path before anything is read: one that exists (unless force), or
// whose folder is missing, not a folder or not writable. It leaves nothing behind.
func Check(out string, force bool) error {
	dir := filepath.Dir(out)
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: folder %s does not exist", out, dir)
	case err != nil:
		return fmt.Errorf("%s: %w", out, err)
	case !info.IsDir():
		return fmt.Errorf("%s: %s is not a folder", out, dir)
	}
	if _, err := os.Lstat(out); err == nil && !force {
		return fmt.Errorf("%s: %w (--force replaces it)", out, ErrExists)
	}
	// The temporary output goes beside out: a folder that refuses a file is found now, before
	// the case is read, rather than after.
	probe, err := os.CreateTemp(dir, ".breachline-probe-*")
	if err != nil {
		return fmt.Errorf("%s: cannot write in %s: %w", out, dir, errors.Unwrap(err))
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// Write runs one export: f writes a temporary path beside out, which is renamed to out only
// when f succeeded, so an interrupted or failed export never leaves a file under the final
// name; on failure the temporary output is removed and the error names out. With force an
// existing out is replaced (a directory only if it is one an export wrote: it holds no file
// that is not a regular file or folder).
func Write(ctx context.Context, f Format, out string, force bool, req *Request) (*Result, error) {
	if err := Check(out, force); err != nil {
		return nil, err
	}
	dir := false
	if d, ok := f.(DirFormat); ok {
		dir = d.Dir(req)
	}
	tmp, err := tempPath(out)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", out, err)
	}
	res := &Result{Path: out, Dir: dir}
	counted := *req
	if req.Table != nil {
		t := *req.Table
		rows := t.Rows
		t.Rows = func(ctx context.Context, fn func(Row) error) error {
			res.Rows = 0
			return rows(ctx, func(r Row) error { res.Rows++; return fn(r) })
		}
		counted.Table = &t
	}
	fail := func(err error) (*Result, error) {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("writing %s: %w", out, err)
	}
	if err := f.Write(ctx, tmp, &counted); err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if dir {
		res.Manifest, err = manifest(tmp)
		sum := sha256.Sum256([]byte(res.Manifest))
		res.SHA256 = hex.EncodeToString(sum[:])
		if err == nil {
			err = os.WriteFile(filepath.Join(tmp, ManifestName), []byte(res.Manifest), 0o644)
		}
	} else {
		res.SHA256, err = fileSHA256(tmp)
	}
	if err != nil {
		return fail(err)
	}
	if err := syncPath(tmp); err != nil {
		return fail(err)
	}
	if err := replace(tmp, out); err != nil {
		return fail(err)
	}
	return res, nil
}

// tempPath reserves a name beside out (same folder, so the rename stays on one file system)
// that marks itself as unfinished.
func tempPath(out string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".partial-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	f.Close()
	return name, os.Remove(name)
}

// replace renames tmp to out. An existing out (force was given) is moved aside first and removed
// after, so there is no moment without a complete output under the final name that is not the
// new one; a directory is replaced the same way, since rename cannot overwrite one.
func replace(tmp, out string) error {
	old, err := os.Lstat(out)
	if errors.Is(err, fs.ErrNotExist) {
		return os.Rename(tmp, out)
	}
	if err != nil {
		return err
	}
	if !old.IsDir() {
		return os.Rename(tmp, out)
	}
	if err := checkExportDir(out); err != nil {
		return err
	}
	aside := tmp + ".old"
	if err := os.Rename(out, aside); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Rename(aside, out)
		return err
	}
	return os.RemoveAll(aside)
}

// checkExportDir refuses to replace a folder that holds anything but regular files and folders:
// --force on a mistyped path must not delete someone's tree of links or devices.
func checkExportDir(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !d.Type().IsRegular() {
			return fmt.Errorf("%s is not an export folder (it holds %s), not replacing it", dir, p)
		}
		return nil
	})
}

// manifest lists the files under dir with their sha256, in path order.
func manifest(dir string) (string, error) {
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		sum, err := fileSHA256(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		lines = append(lines, sum+"  "+filepath.ToSlash(rel)+"\n")
		return nil
	})
	slices.SortFunc(lines, func(a, b string) int { return strings.Compare(a[66:], b[66:]) })
	return strings.Join(lines, ""), err
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// syncPath flushes a file, or every file of a directory, to disk before the rename makes it
// final: after a crash the final name never points at data the disk did not get.
func syncPath(path string) error {
	return filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}
