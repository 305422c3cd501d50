// Package timeline is the case store: one SQLite file per case holding the evidence files, the
// events and rejects read from them, and the hash-chained custody log of every change. It is the
// only package that speaks SQL to the case; everything else goes through its types.
package timeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	"github.com/breachline/breachline/normalize"
)

// Case is an open case file.
type Case struct {
	db   *sql.DB
	path string
	// key is the handle key, loaded on first use; presetKey is the one Create was given for a
	// new case.
	key, presetKey *normalize.HandleKey
	// now is the clock for custody entries and evidence ingest times; tests replace it.
	now func() time.Time
	// lock is the writer lock of a case opened to write (lockWriter); nil when read-only.
	lock *writerLock
}

// ErrBusy is returned by Open and Create when another process has the case open to write and
// does not close it within WriterWait. One process writes a case at a time: a writer caches
// what it stored (the string dictionary, the schema version it checked), and a second writer
// interleaving its transactions would break those caches (a duplicate string) or find a schema
// half created and take it for an old one. Reading commands (OpenReadOnly) take no lock and read
// while a writer works.
var ErrBusy = errors.New("case is busy: another breachline command is writing it; run this one again when that one is done")

// WriterWait is how long opening a case to write waits for another writer to close it, as long
// as SQLite's busy timeout.
const WriterWait = 10 * time.Second

// ErrNoCase is returned by Open when the case file does not exist.
var ErrNoCase = errors.New("no case file")

// ErrNotCase is wrapped by the error of opening a file that is not a breachline case (another
// SQLite database, say).
var ErrNotCase = errors.New("not a breachline case")

// Create makes a new case file at path, or opens it if it already exists, and brings its schema
// up to date.
func Create(ctx context.Context, path string) (*Case, error) { return open(ctx, path, true, nil) }

// CreateWithKey is Create for a new case whose handle key is given, so that its handles compare
// equal with those of another case made with the same key. An existing case with another key
// is refused.
func CreateWithKey(ctx context.Context, path string, key *normalize.HandleKey) (*Case, error) {
	c, err := open(ctx, path, true, key)
	if err != nil {
		return nil, err
	}
	have, err := c.HandleKey(ctx)
	if err != nil || have.String() != key.String() {
		c.Close()
		if err == nil {
			err = fmt.Errorf("%s: the case already exists with another handle key", path)
		}
		return nil, err
	}
	return c, nil
}

// Open opens an existing case file and brings its schema up to date, as far as that needs no
// rewrite of its rows (see Migrate).
func Open(ctx context.Context, path string) (*Case, error) { return open(ctx, path, false, nil) }

// OpenReadOnly opens an existing case file without the right to change it, for commands that only
// read (timeline, evidence, custody, show).
func OpenReadOnly(ctx context.Context, path string) (*Case, error) {
	c, err := openReadOnly(ctx, path)
	if err != nil && interrupted(path, err) {
		if rerr := rollBackInterrupted(ctx, path); rerr != nil {
			return nil, fmt.Errorf("%s: an interrupted write left a journal that could not be rolled back: %w", path, rerr)
		}
		return openReadOnly(ctx, path)
	}
	return c, err
}

// interrupted reports whether err is SQLite refusing to read a case because a process was killed
// in a write transaction while the case was in rollback-journal mode (as bulk loads of
// earlier versions of breachline did): the hot journal must be rolled back first, and a read-only
// connection may not.
func interrupted(path string, err error) bool {
	var se sqlite3.Error
	if !errors.As(err, &se) || se.Code != sqlite3.ErrReadonly {
		return false
	}
	_, jerr := os.Stat(path + "-journal")
	return jerr == nil
}

// rollBackInterrupted rolls back the transaction a killed writer left in the case's journal, as
// the next writer would: the case returns to its last committed state (nothing committed is
// changed). It takes the writer lock, so that it never meets a writer at work.
func rollBackInterrupted(ctx context.Context, path string) error {
	lock, err := lockWriter(path, false, WriterWait)
	if err != nil {
		return err
	}
	defer closeLock(lock)
	db, err := sql.Open(driverName, dsn(path, "rw"))
	if err != nil {
		return err
	}
	var n int
	err = db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n) // the first read rolls back
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

func openReadOnly(ctx context.Context, path string) (*Case, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%s: %w (create one with `breachline init` or `breachline ingest`)", path, ErrNoCase)
	}
	db, err := sql.Open(driverName, dsn(path, "ro"))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	c := &Case{db: db, path: path, now: time.Now}
	v, err := c.version(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w: %w", path, ErrNotCase, err)
	}
	if v < len(migrations) {
		db.Close()
		if autoTarget(v) > v {
			return nil, fmt.Errorf("%s: case schema version %d, this breachline reads %d: open it once with a command that writes", path, v, len(migrations))
		}
		return nil, c.needsMigration(v)
	}
	if v > len(migrations) {
		db.Close()
		return nil, fmt.Errorf("%s: case schema version %d is newer than this breachline (%d): upgrade breachline", path, v, len(migrations))
	}
	return c, nil
}

func open(ctx context.Context, path string, create bool, key *normalize.HandleKey) (*Case, error) {
	if _, err := os.Stat(path); err != nil && !create {
		return nil, fmt.Errorf("%s: %w (create one with `breachline init` or `breachline ingest`)", path, ErrNoCase)
	}
	if create {
		if err := createAtomically(ctx, path, key); err != nil {
			return nil, err
		}
	}
	lock, err := lockWriter(path, false, WriterWait)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	db, err := sql.Open(driverName, dsn(path, "rwc"))
	if err != nil {
		closeLock(lock)
		return nil, err
	}
	// One connection: SQLite has one writer anyway, and pragmas then apply to every statement.
	db.SetMaxOpenConns(1)
	c := &Case{db: db, path: path, now: time.Now, presetKey: key, lock: lock}
	if err := c.migrate(ctx); err != nil {
		db.Close()
		closeLock(lock)
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// createAtomically makes a new case at path, unless a file is already there: the schema is
// built under a temporary name beside it and linked into place only when whole, so that a
// process killed while creating a case never leaves an empty or half-made file under its name
// (which a later command would refuse as not a case). When another process links its case first,
// that one is the case.
func createAtomically(ctx context.Context, path string, key *normalize.HandleKey) error {
	if _, err := os.Lstat(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return nil // there is a file (or something that open will report)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".creating-*")
	if err != nil {
		return fmt.Errorf("%s: cannot create the case: %w", path, err)
	}
	tmp := f.Name()
	f.Close()
	defer func() {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			_ = os.Remove(tmp + suffix)
		}
	}()
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	c, err := open(ctx, tmp, false, key)
	if err != nil {
		return err
	}
	if err := c.Close(); err != nil { // checkpoints: the temporary file holds everything
		return err
	}
	if err := os.Link(tmp, path); err != nil && !errors.Is(err, fs.ErrExist) {
		// A file system without hard links: rename, which replaces, so only onto nothing.
		if _, serr := os.Lstat(path); errors.Is(serr, fs.ErrNotExist) {
			return os.Rename(tmp, path)
		}
	}
	return nil
}

// dsn builds the go-sqlite3 connection string: WAL so that readers never block the ingest, a
// busy timeout so two commands on one case wait for each other instead of failing, and foreign
// keys on.
func dsn(path, mode string) string {
	q := url.Values{}
	q.Set("mode", mode)
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "1")
	if mode != "ro" {
		q.Set("_journal_mode", "WAL")
		q.Set("_synchronous", "NORMAL")
	}
	return "file:" + url.PathEscape(path) + "?" + q.Encode()
}

// Path returns the case file's path.
func (c *Case) Path() string { return c.path }

// SetClock replaces the clock used for custody entries; tests use it for byte-identical cases.
func (c *Case) SetClock(now func() time.Time) { c.now = now }

// Close checkpoints the write-ahead log into the case file and closes it, so that a closed case
// is one self-contained file. Only a writer checkpoints: a truncating checkpoint waits for every
// other reader, and a reading command closing during an ingest waited out its busy timeout.
func (c *Case) Close() error {
	if c.lock != nil {
		_, _ = c.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	}
	err := c.db.Close()
	closeLock(c.lock) // after the database: see lockWriter
	return err
}

// WaitForWriter waits, up to WriterWait, until no process has the case at path open to write,
// and returns ErrBusy if one still has: a command that finds a case half created (an empty file,
// a schema half made) waits for its creator before judging it.
func WaitForWriter(path string) error {
	f, err := lockWriter(path, false, WriterWait)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	closeLock(f)
	return nil
}

// withTx runs fn in a transaction, committing when it returns nil and rolling back otherwise.
func (c *Case) withTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
			return
		}
		err = tx.Commit()
	}()
	return fn(tx)
}

// Init records the case's creation: its metadata and the first custody entry.
func (c *Case) Init(ctx context.Context, actor Actor, name, toolVersion string) error {
	return c.withTx(ctx, func(tx *sql.Tx) error {
		meta := map[string]string{
			"name":           name,
			"created_at":     c.now().UTC().Format(time.RFC3339Nano),
			"created_by":     actor.Examiner,
			"tool_version":   toolVersion,
			"schema_version": fmt.Sprint(len(migrations)),
		}
		for k, v := range meta {
			if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO case_meta(key, value) VALUES(?, ?)", k, v); err != nil {
				return err
			}
		}
		_, err := c.appendCustody(ctx, tx, actor, "init", meta)
		return err
	})
}

// Meta returns the case's metadata.
func (c *Case) Meta(ctx context.Context) (map[string]string, error) {
	rows, err := c.db.QueryContext(ctx, "SELECT key, value FROM case_meta")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		m[k] = v
	}
	return m, rows.Err()
}

// SQLiteVersion returns the version of the SQLite library built in.
func SQLiteVersion() string {
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		return "unknown"
	}
	defer db.Close()
	var v string
	if err := db.QueryRow("SELECT sqlite_version()").Scan(&v); err != nil {
		return "unknown"
	}
	return v
}

// OpenForMigration opens an existing case without migrating it, for Migrate.
func OpenForMigration(ctx context.Context, path string) (*Case, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%s: %w", path, ErrNoCase)
	}
	db, err := sql.Open(driverName, dsn(path, "rw"))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	c := &Case{db: db, path: path, now: time.Now}
	if _, err := c.version(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w: %w", path, ErrNotCase, err)
	}
	return c, nil
}
