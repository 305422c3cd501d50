package timeline

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/timeline/internal/sqlbulk"
)

// insertEventSQL is the INSERT of one event of the evidence version id: the id is written into
// the statement, prepared once per file, so that no row binds it.
func insertEventSQL(id int64) string {
	return fmt.Sprintf("INSERT INTO events(evidence_id, %s) VALUES(%d%s)", strings.Join(eventInsertColumns, ", "), id, strings.Repeat(",?", nEventCols))
}

// Sink returns an ingest.Sink that stores each evidence file in its own transaction, with its
// custody entry, so an interrupted ingest leaves no partial file behind.
func (c *Case) Sink(ctx context.Context, actor Actor) ingest.Sink {
	s := &sink{c: c, ctx: ctx, actor: actor, known: map[string]string{}}
	s.key, s.err = c.HandleKey(ctx)
	if s.err == nil {
		s.dict, s.err = loadDict(ctx, c.db)
	}
	if s.err == nil {
		s.err = eachRow(ctx, c.db, "SELECT sha256, path FROM evidence WHERE superseded_by IS NULL", func(r scanner) error {
			var sum, path string
			err := r.Scan(&sum, &path)
			s.known[sum] = path
			return err
		})
	}
	return s
}

// HandleKey implements ingest.Sink.
func (s *sink) HandleKey() *normalize.HandleKey { return s.key }

type sink struct {
	c     *Case
	ctx   context.Context
	actor Actor
	key   *normalize.HandleKey
	dict  *dict
	err   error // loading the key or the dictionary failed: Begin reports it
	// known maps the sha256 of each current evidence file to its path. Known answers from it,
	// never from the database: it is called from the parsing goroutines while a file's
	// transaction may hold the case locked.
	mu    sync.Mutex
	known map[string]string
}

// Known implements ingest.Sink; it is safe for concurrent use.
func (s *sink) Known(sum string) (string, bool, error) {
	if s.err != nil {
		return "", false, s.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	path, ok := s.known[sum]
	return path, ok, nil
}

// Begin takes the case's connection for the file's transaction. Rows are inserted through the
// driver's prepared statements directly (inside sql.Conn.Raw): database/sql's per-argument
// conversions cost a third of the insert time on millions of 26-column rows.
//
// Evidence already in the case is parsed again only when the examiner asked (ingest --reparse):
// the earlier version's rows move to superseded_events and superseded_rejects, in this file's
// transaction, and its evidence row is marked superseded by the new one.
func (s *sink) Begin(ev *normalize.Evidence) (ingest.FileWriter, error) {
	if s.err != nil {
		return nil, s.err
	}
	conn, err := s.c.db.Conn(s.ctx)
	if err != nil {
		return nil, err
	}
	w := &fileWriter{s: s, conn: conn, args: make([]driver.NamedValue, 0, nEventCols),
		rargs: make([]driver.NamedValue, 5), rows: newRowHasher()}
	for i := range w.rargs {
		w.rargs[i].Ordinal = i + 1
	}
	if _, err := conn.ExecContext(s.ctx, "BEGIN IMMEDIATE"); err != nil {
		conn.Close()
		return nil, err
	}
	fail := func(err error) (ingest.FileWriter, error) {
		w.Rollback()
		return nil, err
	}
	if err := w.findPrevious(ev.SHA256); err != nil {
		return fail(err)
	}
	// The evidence row comes first, so the rows can name its id; Commit fills in the counts.
	res, err := conn.ExecContext(s.ctx, `INSERT INTO evidence(sha256, version, path, abs_path, size, compression,
		decompressed_size, format, parser, settings, records, events, rejects, complete, notes, ingested_at, examiner, rows_sha256)
		VALUES(?,?,?,?,?,?,0,?,?,'{}',0,0,0,0,'[]','','','')`,
		ev.SHA256, w.prev.version+1, ev.Path, ev.AbsPath, ev.Size, ev.Compression, ev.Format, ev.Parser)
	if err != nil {
		return fail(err)
	}
	if w.id, err = res.LastInsertId(); err != nil {
		return fail(err)
	}
	if err := w.supersede(); err != nil {
		return fail(err)
	}
	err = conn.Raw(func(dc any) error {
		p, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("sqlite driver cannot prepare statements")
		}
		var err error
		if w.ev, err = p.PrepareContext(s.ctx, insertEventSQL(w.id)); err != nil {
			return err
		}
		if w.rj, err = p.PrepareContext(s.ctx, fmt.Sprintf(
			"INSERT INTO rejects(evidence_id, offset, length, line, reason, snippet) VALUES(%d,?,?,?,?,?)", w.id)); err != nil {
			return err
		}
		w.strs = &dictStmts{d: s.dict, arg: make([]driver.NamedValue, 1), rowsScratch: make([]driver.Value, 1)}
		w.strs.arg[0].Ordinal = 1
		if w.strs.sel, err = p.PrepareContext(s.ctx, "SELECT id FROM strings WHERE value = ?"); err != nil {
			return err
		}
		w.strs.ins, err = p.PrepareContext(s.ctx, "INSERT INTO strings(value) VALUES(?)")
		w.enc = newEncoder(w.strs)
		if !driverInserts {
			w.bulk, _ = sqlbulk.Handle(w.ev) // nil: bind through the driver
		}
		return err
	})
	if err != nil {
		return fail(err)
	}
	return w, nil
}

type fileWriter struct {
	s    *sink
	conn *sql.Conn
	id   int64 // the evidence version's id
	ev   driver.Stmt
	rj   driver.Stmt
	strs *dictStmts
	enc  *encoder
	// bulk runs ev's inserts a batch per call into C; nil when the driver's statement cannot be
	// reached, and rows are then bound through the driver (row).
	bulk  *sqlbulk.Stmt
	batch sqlbulk.Batch
	row   anyRow
	args  []driver.NamedValue
	rargs []driver.NamedValue
	done  bool
	// first and last are the rowids of the file's first and last event: a file's events are one
	// range of rowids, which per-file reads scan instead of an index on evidence_id.
	first, last int64
	// rows hashes what is stored, in storage order, for the custody entry.
	rows *rowHasher
	// prev is the evidence version this one supersedes (id 0: none).
	prev struct {
		id, version int64
		rowsSHA256  string
		first, last int64 // its events' rowids
	}
}

// str binds "" as NULL: the event model's empty values are absent, and partial indexes skip them.
func str(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// driverInserts makes every file bind its rows through the driver, as when sqlbulk cannot reach
// the statement; tests set it to check that both paths store the same rows.
var driverInserts = false

// Write stores a batch. Events go to SQLite a batch per call into C (sqlbulk); without it, rows
// bind only their non-NULL columns (the driver clears the bindings between rows). Neither runs
// with a context: a cancellable one costs the driver a goroutine per statement, so cancellation
// is checked once per batch instead.
func (w *fileWriter) Write(events []normalize.Event, rejects []normalize.Reject) error {
	if err := w.s.ctx.Err(); err != nil {
		return err
	}
	bg := context.Background()
	return w.conn.Raw(func(any) error {
		if w.bulk != nil {
			w.batch.Reset()
			for i := range events {
				if err := w.enc.encode(&events[i], &w.batch); err != nil {
					return err
				}
				w.batch.EndRow()
				w.rows.event(&events[i])
			}
			first, last, err := w.bulk.Exec(&w.batch)
			if err != nil {
				return fmt.Errorf("store events: %w", err)
			}
			w.span(first, last)
		} else {
			ev := w.ev.(driver.StmtExecContext)
			for i := range events {
				e := &events[i]
				w.row = w.row[:0]
				if err := w.enc.encode(e, &w.row); err != nil {
					return err
				}
				a := w.args[:0]
				for c, v := range w.row {
					if v != nil {
						a = append(a, driver.NamedValue{Ordinal: c + 1, Value: v})
					}
				}
				res, err := ev.ExecContext(bg, a)
				if err != nil {
					return fmt.Errorf("store event %s: %w", e.ID, err)
				}
				if rowid, err := res.LastInsertId(); err == nil {
					w.span(rowid, rowid)
				}
				w.rows.event(e)
			}
		}
		rj := w.rj.(driver.StmtExecContext)
		r := w.rargs
		for i := range rejects {
			x := &rejects[i]
			r[0].Value, r[1].Value, r[2].Value, r[3].Value, r[4].Value = x.Offset, x.Length, nil, x.Reason, x.Snippet
			if x.Line > 0 {
				r[2].Value = x.Line
			}
			if _, err := rj.ExecContext(bg, r); err != nil {
				return fmt.Errorf("store reject at offset %d: %w", x.Offset, err)
			}
			w.rows.reject(x)
		}
		return nil
	})
}

// span notes the rowids of stored events.
func (w *fileWriter) span(first, last int64) {
	if first == 0 {
		return
	}
	if w.first == 0 {
		w.first = first
	}
	w.last = last
}

func (w *fileWriter) closeStmts() {
	_ = w.conn.Raw(func(any) error {
		if w.ev != nil {
			w.ev.Close()
		}
		if w.rj != nil {
			w.rj.Close()
		}
		if w.strs != nil {
			if w.strs.sel != nil {
				w.strs.sel.Close()
			}
			if w.strs.ins != nil {
				w.strs.ins.Close()
			}
		}
		return nil
	})
	w.ev, w.rj, w.strs, w.bulk = nil, nil, nil, nil
}

func (w *fileWriter) Commit(ev *normalize.Evidence) (err error) {
	if w.done {
		return fmt.Errorf("evidence %s: already committed or rolled back", ev.Path)
	}
	defer func() {
		if err != nil {
			w.Rollback()
		}
	}()
	w.closeStmts()
	ctx := w.s.ctx
	notes, _ := json.Marshal(nonNil(ev.Notes))
	settings, _ := json.Marshal(nonNilMap(ev.Settings))
	var firstT, lastT any
	if !ev.FirstEvent.IsZero() {
		firstT, lastT = normalize.FormatTime(ev.FirstEvent), normalize.FormatTime(ev.LastEvent)
	}
	ev.Version = w.prev.version + 1
	ev.RowsSHA256 = w.rows.sum()
	var first, lastRow any
	if w.first != 0 {
		first, lastRow = w.first, w.last
	}
	_, err = w.conn.ExecContext(ctx, `UPDATE evidence SET decompressed_size = ?, settings = ?, first_event = ?,
		last_event = ?, records = ?, events = ?, rejects = ?, complete = ?, notes = ?, ingested_at = ?, examiner = ?,
		rows_sha256 = ?, first_event_rowid = ?, last_event_rowid = ? WHERE id = ?`,
		ev.DecompressedSize, string(settings), firstT, lastT, ev.Records, ev.Events, ev.Rejects, ev.Complete, string(notes),
		w.s.c.now().UTC().Format(time.RFC3339Nano), w.s.actor.Examiner, ev.RowsSHA256, first, lastRow, w.id)
	if err != nil {
		return err
	}
	objects := map[string]string{
		"evidence_sha256":  ev.SHA256,
		"evidence_path":    ev.Path,
		"evidence_abspath": ev.AbsPath,
		"evidence_version": strconv.FormatInt(ev.Version, 10),
		"format":           ev.Format,
		"parser":           ev.Parser,
		"settings":         string(settings),
		"records":          strconv.FormatInt(ev.Records, 10),
		"events":           strconv.FormatInt(ev.Events, 10),
		"rejects":          strconv.FormatInt(ev.Rejects, 10),
		"complete":         strconv.FormatBool(ev.Complete),
		"rows_sha256":      ev.RowsSHA256,
	}
	action := "ingest"
	if w.prev.id != 0 {
		if _, err = w.conn.ExecContext(ctx, "UPDATE evidence SET superseded_by = ? WHERE id = ?", w.id, w.prev.id); err != nil {
			return err
		}
		action = "reparse"
		objects["supersedes_version"] = strconv.FormatInt(w.prev.version, 10)
		objects["supersedes_rows_sha256"] = w.prev.rowsSHA256
	}
	if _, err = w.s.c.appendCustody(ctx, w.conn, w.s.actor, action, objects); err != nil {
		return err
	}
	if _, err = w.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return err
	}
	w.done = true
	w.s.dict.commit()
	w.s.mu.Lock()
	w.s.known[ev.SHA256] = ev.Path
	w.s.mu.Unlock()
	return w.conn.Close()
}

// findPrevious looks up the current version of the evidence with this sha256, if there is one:
// this file is then a reparse that supersedes it.
func (w *fileWriter) findPrevious(sum string) error {
	p := &w.prev
	err := w.conn.QueryRowContext(w.s.ctx, `SELECT id, version, rows_sha256, coalesce(first_event_rowid, 0),
		coalesce(last_event_rowid, -1) FROM evidence WHERE sha256 = ? AND superseded_by IS NULL`,
		sum).Scan(&p.id, &p.version, &p.rowsSHA256, &p.first, &p.last)
	if err == sql.ErrNoRows {
		return nil
	}
	return err
}

// supersede moves the rows of the version this one supersedes out of events and rejects.
func (w *fileWriter) supersede() error {
	p := &w.prev
	if p.id == 0 {
		return nil
	}
	// The version's events are its range of rowids; a row of it outside the range was added
	// behind breachline's back, stays, and custody --deep reports it as a row of no evidence.
	for _, st := range []struct {
		sql  string
		args []any
	}{
		{"INSERT INTO superseded_events SELECT * FROM events WHERE rowid BETWEEN ? AND ? AND evidence_id = ? ORDER BY rowid", []any{p.first, p.last, p.id}},
		{"DELETE FROM events WHERE rowid BETWEEN ? AND ? AND evidence_id = ?", []any{p.first, p.last, p.id}},
		{"INSERT INTO superseded_rejects SELECT * FROM rejects WHERE evidence_id = ? ORDER BY rowid", []any{p.id}},
		{"DELETE FROM rejects WHERE evidence_id = ?", []any{p.id}},
	} {
		if _, err := w.conn.ExecContext(w.s.ctx, st.sql, st.args...); err != nil {
			return fmt.Errorf("supersede evidence version %d: %w", p.version, err)
		}
	}
	return nil
}

// Rollback discards the file's rows. The connection is released in every case, so the next
// file, or a query, can have it.
func (w *fileWriter) Rollback() error {
	if w.done {
		return nil
	}
	w.done = true
	w.closeStmts()
	w.s.dict.rollback()
	_, err := w.conn.ExecContext(context.WithoutCancel(w.s.ctx), "ROLLBACK")
	if cerr := w.conn.Close(); err == nil {
		err = cerr
	}
	return err
}
