package timeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// migrations are the schema changes, applied in order; PRAGMA user_version counts how many a case
// has. Never edit a released migration: add one.
var migrations = []string{
	// 1: the case, its evidence, events, rejects and custody.
	`
CREATE TABLE case_meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE evidence (
	sha256            TEXT PRIMARY KEY,
	path              TEXT NOT NULL,
	size              INTEGER NOT NULL,
	compression       TEXT NOT NULL,
	decompressed_size INTEGER NOT NULL,
	format            TEXT NOT NULL,
	parser            TEXT NOT NULL,
	first_event       TEXT,
	last_event        TEXT,
	records           INTEGER NOT NULL,
	events            INTEGER NOT NULL,
	rejects           INTEGER NOT NULL,
	complete          INTEGER NOT NULL,
	notes             TEXT NOT NULL,
	ingested_at       TEXT NOT NULL,
	examiner          TEXT NOT NULL,
	CHECK (records = events + rejects)
);
CREATE TABLE events (
	id              TEXT NOT NULL,
	time            TEXT NOT NULL,
	time_raw        TEXT,
	tz_basis        TEXT NOT NULL,
	source          TEXT NOT NULL,
	parser          TEXT NOT NULL,
	category        TEXT NOT NULL,
	action          TEXT,
	outcome         TEXT NOT NULL,
	principal       TEXT,
	principal_type  TEXT,
	src_ip          TEXT,
	user_agent      TEXT,
	credential      TEXT,
	resource        TEXT,
	resource_type   TEXT,
	secret_ref      TEXT,
	request_id      TEXT,
	evidence_sha256 TEXT NOT NULL,
	evidence_path   TEXT NOT NULL,
	offset          INTEGER NOT NULL,
	length          INTEGER NOT NULL,
	line            INTEGER,
	record_index    INTEGER,
	raw_sha256      TEXT NOT NULL,
	attrs           TEXT
);
CREATE TABLE rejects (
	evidence_sha256 TEXT NOT NULL,
	evidence_path   TEXT NOT NULL,
	offset          INTEGER NOT NULL,
	length          INTEGER NOT NULL,
	line            INTEGER,
	reason          TEXT NOT NULL,
	snippet         TEXT NOT NULL
);
CREATE INDEX rejects_evidence ON rejects(evidence_sha256, offset);
CREATE TABLE custody (
	seq       INTEGER PRIMARY KEY,
	time      TEXT NOT NULL,
	examiner  TEXT NOT NULL,
	action    TEXT NOT NULL,
	args      TEXT NOT NULL,
	objects   TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash      TEXT NOT NULL
);
CREATE TRIGGER custody_no_update BEFORE UPDATE ON custody
BEGIN SELECT RAISE(ABORT, 'custody is append-only'); END;
CREATE TRIGGER custody_no_delete BEFORE DELETE ON custody
BEGIN SELECT RAISE(ABORT, 'custody is append-only'); END;
`,
	// 2: the secrets inventory, indicators, and the correlator's results.
	`
CREATE TABLE inventory (
	row             INTEGER PRIMARY KEY,
	secret_ref      TEXT NOT NULL,
	credential      TEXT NOT NULL,
	display         TEXT NOT NULL,
	owner           TEXT,
	kind            TEXT,
	scopes          TEXT,
	data_categories TEXT,
	consumers       TEXT NOT NULL,
	revoked_at      TEXT,
	source_file     TEXT NOT NULL,
	source_line     INTEGER NOT NULL
);
CREATE INDEX inventory_secret ON inventory(secret_ref);
CREATE INDEX inventory_credential ON inventory(credential);
CREATE TABLE inventory_handles (
	credential TEXT NOT NULL,
	handle     TEXT NOT NULL,
	PRIMARY KEY (credential, handle)
) WITHOUT ROWID;
CREATE INDEX inventory_handles_handle ON inventory_handles(handle);
CREATE TABLE iocs (
	type  TEXT NOT NULL CHECK (type IN ('ip', 'cidr', 'principal', 'user_agent')),
	value TEXT NOT NULL,
	note  TEXT
);
CREATE TABLE exposures (
	event_id   TEXT NOT NULL,
	time       TEXT NOT NULL,
	secret_ref TEXT NOT NULL,
	read_ref   TEXT NOT NULL,
	principal  TEXT,
	src_ip     TEXT,
	outcome    TEXT NOT NULL,
	in_window  INTEGER NOT NULL,
	class      TEXT NOT NULL CHECK (class IN ('expected', 'suspicious', 'attempt')),
	proves     INTEGER NOT NULL,
	reasons    TEXT NOT NULL
);
CREATE TABLE credential_uses (
	credential      TEXT NOT NULL,
	handle          TEXT NOT NULL,
	via             TEXT,
	event_id        TEXT NOT NULL,
	time            TEXT NOT NULL,
	source          TEXT NOT NULL,
	action          TEXT,
	outcome         TEXT NOT NULL,
	principal       TEXT,
	src_ip          TEXT,
	user_agent      TEXT,
	novel           INTEGER NOT NULL,
	after_revocation INTEGER NOT NULL,
	reasons         TEXT NOT NULL
);
CREATE TABLE findings (
	id         TEXT PRIMARY KEY,
	rule       TEXT NOT NULL,
	severity   TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
	time       TEXT NOT NULL,
	summary    TEXT NOT NULL,
	credential TEXT,
	secret_ref TEXT,
	owner      TEXT,
	src_ip     TEXT,
	events     TEXT NOT NULL
);
CREATE TABLE credential_summary (
	credential     TEXT PRIMARY KEY,
	display        TEXT NOT NULL,
	owner          TEXT,
	secret_refs    TEXT NOT NULL,
	status         TEXT NOT NULL CHECK (status IN ('misused', 'exposed', 'possibly-exposed', 'not-exposed')),
	first_exposure TEXT,
	first_misuse   TEXT,
	last_misuse    TEXT,
	misuse_count   INTEGER NOT NULL,
	novel_ips      TEXT NOT NULL,
	revoked_at     TEXT,
	derived        TEXT NOT NULL
);
CREATE TABLE coverage (
	source TEXT NOT NULL,
	first  TEXT NOT NULL,
	last   TEXT NOT NULL,
	events INTEGER NOT NULL,
	gaps   TEXT NOT NULL
);
`,
	// 3: indexes the correlator's rules join on.
	`
CREATE INDEX exposures_secret ON exposures(secret_ref, time);
CREATE INDEX exposures_event ON exposures(event_id);
CREATE INDEX credential_uses_credential ON credential_uses(credential, time);
CREATE INDEX credential_uses_handle ON credential_uses(handle, credential);
CREATE INDEX credential_uses_event ON credential_uses(event_id);
`,
	// 4: evidence versions (a file parsed again), the content hash of the rows each version
	// stored, and the rows a newer version superseded. Its data step (migrateKeyed) keys the
	// handles of cases written before it.
	`
CREATE TABLE evidence_v4 (
	id                INTEGER PRIMARY KEY,
	sha256            TEXT NOT NULL,
	version           INTEGER NOT NULL,
	path              TEXT NOT NULL,
	abs_path          TEXT NOT NULL,
	size              INTEGER NOT NULL,
	compression       TEXT NOT NULL,
	decompressed_size INTEGER NOT NULL,
	format            TEXT NOT NULL,
	parser            TEXT NOT NULL,
	settings          TEXT NOT NULL,
	first_event       TEXT,
	last_event        TEXT,
	records           INTEGER NOT NULL,
	events            INTEGER NOT NULL,
	rejects           INTEGER NOT NULL,
	complete          INTEGER NOT NULL,
	notes             TEXT NOT NULL,
	ingested_at       TEXT NOT NULL,
	examiner          TEXT NOT NULL,
	rows_sha256       TEXT NOT NULL,
	superseded_by     INTEGER REFERENCES evidence_v4(id),
	UNIQUE (sha256, version),
	CHECK (records = events + rejects)
);
INSERT INTO evidence_v4(id, sha256, version, path, abs_path, size, compression, decompressed_size, format,
	parser, settings, first_event, last_event, records, events, rejects, complete, notes, ingested_at,
	examiner, rows_sha256)
SELECT rowid, sha256, 1, path, '', size, compression, decompressed_size, format, parser, '{}', first_event,
	last_event, records, events, rejects, complete, notes, ingested_at, examiner, ''
FROM evidence ORDER BY rowid;
DROP TABLE evidence;
ALTER TABLE evidence_v4 RENAME TO evidence;
CREATE TABLE superseded_events AS SELECT 0 AS evidence_id, * FROM events WHERE 0;
CREATE TABLE superseded_rejects AS SELECT 0 AS evidence_id, * FROM rejects WHERE 0;
`,
	// 5: the compact layout of events and rejects, the strings dictionary and the contract
	// views (layout.go); its data step (migrateCompact) copies the rows of earlier cases.
	compactSchema(),
	// 6: a credential summary status for possible misuse (a novel use of a credential that was
	// only possibly exposed). The table holds the correlator's results, which every run rebuilds;
	// the copy keeps the last run's rows as they were.
	`
CREATE TABLE credential_summary_v6 (
	credential     TEXT PRIMARY KEY,
	display        TEXT NOT NULL,
	owner          TEXT,
	secret_refs    TEXT NOT NULL,
	status         TEXT NOT NULL CHECK (status IN ('misused', 'exposed', 'possibly-misused', 'possibly-exposed', 'not-exposed')),
	first_exposure TEXT,
	first_misuse   TEXT,
	last_misuse    TEXT,
	misuse_count   INTEGER NOT NULL,
	novel_ips      TEXT NOT NULL,
	revoked_at     TEXT,
	derived        TEXT NOT NULL
);
INSERT INTO credential_summary_v6 SELECT credential, display, owner, secret_refs, status, first_exposure,
	first_misuse, last_misuse, misuse_count, novel_ips, revoked_at, derived FROM credential_summary;
DROP TABLE credential_summary;
ALTER TABLE credential_summary_v6 RENAME TO credential_summary;
`,
}

// dataSteps are the Go parts of migrations, by the version they bring a case to: rewrites of
// existing rows that SQL alone cannot express. Each runs in its migration's transaction.
var dataSteps = map[int]func(ctx context.Context, c *Case, tx *sql.Tx, fresh bool) (map[string]string, error){
	4: migrateKeyed,
	5: migrateCompact,
}

// rewrites are the migrations that rewrite rows. They run only through Migrate, which the examiner
// asks for and the custody log records; the others only add tables and indexes, and a case is
// brought through them when opened.
var rewrites = map[int]bool{4: true, 5: true, 6: true}

// autoTarget is the version opening a case at version v brings it to: every migration after v up
// to the first rewrite.
func autoTarget(v int) int {
	for v < len(migrations) && !rewrites[v+1] {
		v++
	}
	return v
}

func (c *Case) version(ctx context.Context) (int, error) {
	var v int
	err := c.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	if err == nil && v == 0 {
		var n int
		if err := c.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err == nil && n > 0 {
			return 0, fmt.Errorf("database has tables but no breachline schema version")
		}
	}
	return v, err
}

// SchemaVersion is the schema version this breachline writes.
func SchemaVersion() int { return len(migrations) }

// ErrNeedsMigration is wrapped by the error of opening a case whose schema must be migrated
// with `breachline migrate` first.
var ErrNeedsMigration = errors.New("case needs migration")

// migrate brings a new case to the current schema, and an existing one as far as autoMigrate.
func (c *Case) migrate(ctx context.Context) error {
	v, err := c.version(ctx)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotCase, err)
	}
	if v > len(migrations) {
		return fmt.Errorf("case schema version %d is newer than this breachline (%d): upgrade breachline", v, len(migrations))
	}
	fresh := v == 0
	to := len(migrations)
	if !fresh {
		to = autoTarget(v)
	}
	if _, err := c.apply(ctx, v, to, fresh, nil); err != nil {
		return err
	}
	if to < len(migrations) {
		return c.needsMigration(to)
	}
	return c.EnsureIndexes(ctx)
}

func (c *Case) needsMigration(v int) error {
	return fmt.Errorf("%w: its schema is version %d, this breachline writes %d; run `breachline migrate --case %s` "+
		"(it rewrites the case in one transaction, recorded in the custody log; copy the file first if you want the old one)",
		ErrNeedsMigration, v, len(migrations), c.path)
}

// apply runs migrations from+1 … to, each in its own transaction; record, when set, is called in
// the last one's transaction with what the data steps reported, for the custody entry.
func (c *Case) apply(ctx context.Context, from, to int, fresh bool, record func(tx *sql.Tx, objects map[string]string) error) (map[string]string, error) {
	objects := map[string]string{}
	for i := from; i < to; i++ {
		err := c.withTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
				return fmt.Errorf("schema migration %d: %w", i+1, err)
			}
			if step := dataSteps[i+1]; step != nil {
				got, err := step(ctx, c, tx, fresh)
				if err != nil {
					return fmt.Errorf("schema migration %d: %w", i+1, err)
				}
				for k, v := range got {
					objects[k] = v
				}
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
				return err
			}
			if record != nil && i == to-1 {
				return record(tx, objects)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return objects, nil
}

// Migrate brings an existing case to the current schema, rewriting rows where a migration needs
// to, and records it in the custody log: the versions, and for each evidence file the count and
// content hash of its rows after the migration. It returns the custody entry, or nil when the
// case was already current.
func (c *Case) Migrate(ctx context.Context, actor Actor) (*CustodyEntry, error) {
	v, err := c.version(ctx)
	if err != nil {
		return nil, err
	}
	if v >= len(migrations) {
		return nil, nil
	}
	var entry *CustodyEntry
	_, err = c.apply(ctx, v, len(migrations), false, func(tx *sql.Tx, objects map[string]string) error {
		objects["from_schema"] = fmt.Sprint(v)
		objects["to_schema"] = fmt.Sprint(len(migrations))
		if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO case_meta(key, value) VALUES('schema_version', ?)", fmt.Sprint(len(migrations))); err != nil {
			return err
		}
		var err error
		entry, err = c.appendCustody(ctx, tx, actor, "migrate", objects)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := c.EnsureIndexes(ctx); err != nil {
		return entry, err
	}
	// The step to the compact layout leaves the old pages free in the file: VACUUM gives them
	// back, so the migrated case has the compact size. It copies the content as it is, and
	// changes no row.
	if v >= 5 {
		return entry, nil
	}
	if _, err := c.db.ExecContext(ctx, "VACUUM"); err != nil {
		return entry, fmt.Errorf("compacting the migrated case: %w", err)
	}
	return entry, nil
}
