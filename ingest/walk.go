package ingest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Inputs are the files an ingest will read.
type Inputs struct {
	Files []string
	// Bad holds the paths that could not be read, as Results carrying the error.
	Bad []Result
	// Bytes is the files' total size on disk, for the progress bar and the bulk-load decision.
	Bytes int64
}

// Expand turns the examiner's paths into the files to read: files as given, directories walked
// recursively in lexical order, so that the same tree is always read in the same order. A path
// that cannot be read becomes a Result carrying the error.
func Expand(paths []string) Inputs {
	var in Inputs
	add := func(path string, info fs.FileInfo) {
		in.Files = append(in.Files, path)
		in.Bytes += info.Size()
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			in.Bad = append(in.Bad, Result{Path: p, Err: fmt.Errorf("cannot read %s: %w", p, unwrapPath(err))})
			continue
		}
		if !info.IsDir() {
			add(p, info)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				in.Bad = append(in.Bad, Result{Path: path, Err: fmt.Errorf("cannot read %s: %w", path, unwrapPath(err))})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() || d.Type()&fs.ModeSymlink != 0 {
				// os.Stat follows a link: only links to regular files are read.
				if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() {
					add(path, info)
				}
			}
			return nil
		})
		if err != nil {
			in.Bad = append(in.Bad, Result{Path: p, Err: err})
		}
	}
	return in
}

// unwrapPath drops the *fs.PathError wrapper whose path the message already names.
func unwrapPath(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
