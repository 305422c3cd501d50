//go:build !unix

package timeline

import "time"

// writerLock is a hold on a case file's writer lock; there is none to take on this system, and
// two writers on one case rely on SQLite's locking alone (see lock_unix.go).
type writerLock struct{}

func lockWriter(path string, create bool, wait time.Duration) (*writerLock, error) {
	return nil, nil
}

func closeLock(*writerLock) {}
