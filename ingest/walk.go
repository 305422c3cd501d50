package ingest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Inputs are the files an ingest will read.
type Inputs struct {
	Files []string
	// Bad holds the paths that could not be read, or were not read, as Results carrying the
	// error: an examiner must see every path that was passed over, never a silent gap.
	Bad []Result
	// Bytes is the files' total size on disk, for the progress bar and the bulk-load decision.
	Bytes int64
}

// Expand turns the examiner's paths into the files to read: files as given (a link the examiner
// names is followed), directories walked recursively in lexical order, so that the same tree is
// always read in the same order. A path that cannot be read becomes a Result carrying the error,
// and so does everything a walk passes over: a symbolic link to a directory (not followed, so
// that a link cannot pull in a tree outside the one named, or loop), a broken link, and anything
// that is not a regular file (a named pipe would block the ingest forever; a device or socket
// is not evidence at rest).
func Expand(paths []string) Inputs {
	var in Inputs
	add := func(path string, info fs.FileInfo) {
		in.Files = append(in.Files, path)
		in.Bytes += info.Size()
	}
	bad := func(path string, err error) {
		in.Bad = append(in.Bad, Result{Path: path, Err: err})
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			bad(p, statError(p, err))
			continue
		}
		if !info.IsDir() {
			if err := notRegular(p, info.Mode()); err != nil {
				bad(p, err)
				continue
			}
			add(p, info)
			continue
		}
		root := p
		if li, err := os.Lstat(p); err == nil && li.Mode()&fs.ModeSymlink != 0 {
			// A link the examiner names is followed; WalkDir would not, the trailing separator
			// makes it.
			root = p + string(filepath.Separator)
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				bad(path, fmt.Errorf("cannot read %s: %w", path, unwrapPath(err)))
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			switch t := d.Type(); {
			case t.IsDir():
				return nil
			case t&fs.ModeSymlink != 0:
				if err := walkLink(path, add); err != nil {
					bad(path, err)
				}
				return nil
			case t.IsRegular():
				info, err := d.Info()
				if err != nil {
					bad(path, fmt.Errorf("cannot read %s: %w", path, unwrapPath(err)))
					return nil
				}
				add(path, info)
				return nil
			default:
				bad(path, notRegular(path, t))
				return nil
			}
		})
		if err != nil {
			bad(p, err)
		}
	}
	return in
}

// walkLink takes a symbolic link met in a walk: a link to a regular file is read, anything else
// is reported.
func walkLink(path string, add func(string, fs.FileInfo)) error {
	target, _ := os.Readlink(path)
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: skipped: broken symbolic link (to %s)", path, target)
	case err != nil:
		return fmt.Errorf("cannot read %s: %w", path, unwrapPath(err))
	case info.IsDir():
		return fmt.Errorf("%s: skipped: symbolic link to a directory (%s) is not followed (name the target to ingest it)", path, target)
	case !info.Mode().IsRegular():
		return fmt.Errorf("%s: skipped: symbolic link to a %s (%s), not a regular file", path, kind(info.Mode()), target)
	}
	add(path, info)
	return nil
}

// statError describes a path given by the examiner that cannot be looked at; a link whose
// target is missing says so rather than claiming the link itself does not exist.
func statError(p string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		if li, lerr := os.Lstat(p); lerr == nil && li.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(p)
			return fmt.Errorf("%s: skipped: broken symbolic link (to %s)", p, target)
		}
	}
	return fmt.Errorf("cannot read %s: %w", p, unwrapPath(err))
}

// notRegular returns why the file at path, of mode m, is not read, or nil for a regular file. It
// is asked before a file is opened: opening a named pipe blocks until something writes to it.
func notRegular(path string, m fs.FileMode) error {
	if m.IsRegular() {
		return nil
	}
	return fmt.Errorf("%s: skipped: %s, not a regular file", path, kind(m))
}

// kind names the type of a file that is not regular, in the examiner's words.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	case m.IsDir():
		return "directory"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	default:
		return "special file"
	}
}

// unwrapPath drops the *fs.PathError wrapper whose path the message already names.
func unwrapPath(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
