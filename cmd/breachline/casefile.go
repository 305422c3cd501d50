package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/breachline/breachline/timeline"
)

// sqliteMagic starts every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// checkCaseFile reports whether a file exists at path and, if one does, why it cannot be a case:
// a directory, an empty file, a file that is not SQLite, or an SQLite database that is not
// breachline's. It only reads, so a wrong --case leaves the file as it was; commands that write
// call it before timeline.Open, which would otherwise switch a foreign database to WAL.
func checkCaseFile(ctx context.Context, path string) (exists bool, err error) {
	if exists, err := checkCaseShape(path); !exists || err != nil {
		return exists, err
	}
	cs, err := timeline.OpenReadOnly(ctx, path)
	if err != nil {
		// A case of an older schema is still a case: a command that writes migrates it. Only
		// a database without breachline's schema is refused here.
		if errors.Is(err, timeline.ErrNotCase) {
			return true, err
		}
		return true, nil
	}
	return true, cs.Close()
}

// checkCaseShape is checkCaseFile without opening the database: enough for reading commands,
// which learn from timeline.OpenReadOnly whether an SQLite file holds a case.
func checkCaseShape(path string) (exists bool, err error) {
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	switch {
	case info.IsDir():
		return true, fmt.Errorf("%s is a directory, not a case file (--case names the file itself, e.g. %s)", path, filepath.Join(path, "case.db"))
	case !info.Mode().IsRegular():
		return true, fmt.Errorf("%s is not a regular file, so not a breachline case", path)
	case info.Size() == 0:
		// A case whose first pages are still only in its write-ahead log is being created.
		if wal, err := os.Stat(path + "-wal"); err == nil && wal.Size() > 0 {
			return true, nil
		}
		return true, fmt.Errorf("%s is an empty file, not a breachline case (remove it or name another --case)", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return true, err
	}
	head := make([]byte, len(sqliteMagic))
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || string(head) != sqliteMagic {
		return true, fmt.Errorf("%s is not a breachline case: not an SQLite database", path)
	}
	return true, nil
}
