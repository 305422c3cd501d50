package ingest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Expand turns the examiner's paths into the files to read: files as given, directories walked
// recursively in lexical order, so that the same tree is always read in the same order. A path
// that cannot be read becomes a Result carrying the error.
func Expand(paths []string) (files []string, bad []Result) {
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			bad = append(bad, Result{Path: p, Err: fmt.Errorf("cannot read %s: %w", p, unwrapPath(err))})
			continue
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				bad = append(bad, Result{Path: path, Err: fmt.Errorf("cannot read %s: %w", path, unwrapPath(err))})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() || (d.Type()&fs.ModeSymlink != 0 && isRegular(path)) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			bad = append(bad, Result{Path: p, Err: err})
		}
	}
	return files, bad
}

func isRegular(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

// unwrapPath drops the *fs.PathError wrapper whose path the message already names.
func unwrapPath(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
