package bundle

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// bag is a bag opened for verifying: a folder, or a zip read in place.
type bag struct {
	name  string
	fsys  fs.FS
	dir   string // a folder bag's path; "" for a zip
	zr    *zip.ReadCloser
	files map[string]bool // regular files, slash paths from the bag's root
	odd   []string        // what is neither a folder nor a regular file (a link…)
}

func openBag(name string) (*bag, error) {
	info, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	b := &bag{name: name, files: map[string]bool{}}
	if info.IsDir() {
		b.dir, b.fsys = name, os.DirFS(name)
		err = filepath.WalkDir(name, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(name, p)
			rel = filepath.ToSlash(rel)
			switch {
			case d.IsDir():
			case d.Type().IsRegular():
				b.files[rel] = true
			default:
				b.odd = append(b.odd, fmt.Sprintf("%s: %s, not a regular file", rel, kindOf(d.Type())))
			}
			return nil
		})
		return b, err
	}
	if b.zr, b.fsys, err = openZip(name); err != nil {
		return nil, err
	}
	err = fs.WalkDir(b.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b.files[p] = true
		}
		return err
	})
	return b, err
}

func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

func (b *bag) Close() error {
	if b.zr != nil {
		return b.zr.Close()
	}
	return nil
}

func (b *bag) read(name string) ([]byte, error) { return fs.ReadFile(b.fsys, name) }

// sorted returns the bag's files in name order.
func (b *bag) sorted() []string {
	out := make([]string, 0, len(b.files))
	for f := range b.files {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// local returns a path on disk holding the bag's file name: the file itself in a folder bag,
// else a copy extracted under tmp (only ever after openZip accepted every entry's name).
func (b *bag) local(name, tmp string) (string, error) {
	if b.dir != "" {
		return filepath.Join(b.dir, filepath.FromSlash(name)), nil
	}
	if err := cleanRel(name); err != nil {
		return "", fmt.Errorf("%s: %v", name, err)
	}
	dst := filepath.Join(tmp, "bag", filepath.FromSlash(name))
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", err
	}
	return dst, b.copyTo(name, dst)
}

// copyTo copies the bag's file name to a new file dst.
func (b *bag) copyTo(name, dst string) error {
	in, err := b.fsys.Open(name)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func isPayload(name string) bool { return strings.HasPrefix(name, dataDir+"/") }
