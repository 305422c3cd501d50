//go:build unix

package timeline

import (
	"errors"
	"os"
	"sync"
	"syscall"
	"time"
)

// writerLock is a hold on a case file's writer lock.
type writerLock struct {
	key fileKey
}

// fileKey names a file whatever the path it was opened by.
type fileKey struct{ dev, ino uint64 }

// held are the writer locks this process holds, with how many open cases share each: flock(2)
// locks belong to an open file, so a second open of the same case in one process (a test's open
// case and a command run in-process) would otherwise wait for itself.
var held = struct {
	sync.Mutex
	m map[fileKey]*heldLock
}{m: map[fileKey]*heldLock{}}

type heldLock struct {
	f *os.File
	n int
}

// lockWriter takes the case's writer lock: an exclusive flock(2) on the case file, which SQLite's
// own POSIX locks do not see, waiting up to wait for another process that holds it. The file is
// created when create is set and it does not exist. The lock lasts until closeLock, which
// Case.Close calls only after closing the database: closing any descriptor of the file while
// SQLite holds its POSIX locks would drop them, so the descriptor stays open until then.
func lockWriter(path string, create bool, wait time.Duration) (*writerLock, error) {
	flag := os.O_RDONLY | syscall.O_NONBLOCK // a named pipe at the path must not block the open
	if create {
		flag |= os.O_CREATE
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return nil, err
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return nil, err
	}
	key := fileKey{uint64(st.Dev), uint64(st.Ino)}
	held.Lock()
	defer held.Unlock()
	if h := held.m[key]; h != nil {
		f.Close() // SQLite has no lock through this descriptor: closing it drops none
		h.n++
		return &writerLock{key}, nil
	}
	deadline := time.Now().Add(wait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			held.m[key] = &heldLock{f: f, n: 1}
			return &writerLock{key}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, err
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, ErrBusy
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// closeLock gives up a hold on the writer lock; the last one releases it.
func closeLock(l *writerLock) {
	if l == nil {
		return
	}
	held.Lock()
	defer held.Unlock()
	h := held.m[l.key]
	if h == nil {
		return
	}
	if h.n--; h.n == 0 {
		h.f.Close()
		delete(held.m, l.key)
	}
}
