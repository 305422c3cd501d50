package bundle

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// writeZip writes the bag in dir as a zip under out: every file under one top folder named top
// (BagIt's serialization), forward-slash relative paths, no directory or link entries, in name
// order, each stamped with the bagging time. It is written under a temporary name and renamed.
func writeZip(dir, out, top string, modified time.Time) (err error) {
	var files []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".partial-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	zw := zip.NewWriter(tmp)
	for _, rel := range files {
		h := &zip.FileHeader{Name: top + "/" + rel, Method: zip.Deflate, Modified: modified}
		h.SetMode(0o644)
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		_, err = io.Copy(fw, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("%s %w", out, ErrExists)
	}
	return os.Rename(tmp.Name(), out)
}

// UnsafeZipError is a zip bag refused before anything was read from it: an entry whose name
// would land outside the folder it is extracted to, or a link.
type UnsafeZipError struct {
	Zip, Entry, Reason string
}

func (e *UnsafeZipError) Error() string {
	return fmt.Sprintf("%s: entry %q is %s; the zip was refused and nothing was extracted", e.Zip, e.Entry, e.Reason)
}

// openZip opens a zip bag after checking every entry's name and type, and returns the bag's
// files as an fs.FS rooted at the bag (inside its one top folder, when it has one).
func openZip(name string) (*zip.ReadCloser, fs.FS, error) {
	zr, err := zip.OpenReader(name)
	if err != nil && err != zip.ErrInsecurePath {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	seen := map[string]bool{}
	tops := map[string]bool{}
	rootBagit := false
	for _, f := range zr.File {
		n := f.Name
		mode := f.Mode()
		if mode&fs.ModeSymlink != 0 {
			zr.Close()
			return nil, nil, &UnsafeZipError{name, n, "a symbolic link"}
		}
		if mode&fs.ModeType&^fs.ModeDir != 0 {
			zr.Close()
			return nil, nil, &UnsafeZipError{name, n, "not a regular file"}
		}
		clean := n
		if mode.IsDir() || strings.HasSuffix(n, "/") {
			clean = strings.TrimSuffix(n, "/")
		}
		if err := cleanRel(clean); err != nil {
			zr.Close()
			return nil, nil, &UnsafeZipError{name, n, err.Error()}
		}
		if seen[clean] {
			zr.Close()
			return nil, nil, &UnsafeZipError{name, n, "a second entry of the same name"}
		}
		seen[clean] = true
		if mode.IsDir() {
			continue
		}
		if clean == BagitTxt {
			rootBagit = true
		}
		if t, _, ok := strings.Cut(clean, "/"); ok {
			tops[t] = true
		}
	}
	if rootBagit {
		return zr, zr, nil
	}
	if len(tops) == 1 {
		for t := range tops {
			if seen[path.Join(t, BagitTxt)] {
				sub, err := fs.Sub(zr, t)
				if err != nil {
					zr.Close()
					return nil, nil, err
				}
				return zr, sub, nil
			}
		}
	}
	zr.Close()
	return nil, nil, fmt.Errorf("%s: no bagit.txt at its root or in one top folder: not a bag", name)
}
