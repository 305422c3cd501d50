package timeline

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/normalize"
)

var insertEvent = "INSERT INTO events(" + strings.Join(normalize.Fields, ",") + ") VALUES(" +
	strings.TrimSuffix(strings.Repeat("?,", len(normalize.Fields)), ",") + ")"

const insertReject = "INSERT INTO rejects(evidence_sha256, evidence_path, offset, length, line, reason, snippet) VALUES(?,?,?,?,?,?,?)"

// Sink returns an ingest.Sink that stores each evidence file in its own transaction, with its
// custody entry, so an interrupted ingest leaves no partial file behind.
func (c *Case) Sink(ctx context.Context, actor Actor) ingest.Sink {
	key, err := c.HandleKey(ctx)
	return &sink{c: c, ctx: ctx, actor: actor, key: key, err: err}
}

// HandleKey implements ingest.Sink.
func (s *sink) HandleKey() *normalize.HandleKey { return s.key }

type sink struct {
	c     *Case
	ctx   context.Context
	actor Actor
	key   *normalize.HandleKey
	err   error // loading the key failed: Begin reports it
}

func (s *sink) Known(sum string) (string, bool, error) {
	var path string
	err := s.c.db.QueryRowContext(s.ctx, "SELECT path FROM evidence WHERE sha256 = ? AND superseded_by IS NULL", sum).Scan(&path)
	if err == sql.ErrNoRows {
		return "", false, nil
	}
	return path, err == nil, err
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
	w := &fileWriter{s: s, conn: conn, args: make([]driver.NamedValue, len(normalize.Fields)),
		rargs: make([]driver.NamedValue, 7), rows: newRowHasher()}
	for i := range w.args {
		w.args[i].Ordinal = i + 1
	}
	for i := range w.rargs {
		w.rargs[i].Ordinal = i + 1
	}
	if _, err := conn.ExecContext(s.ctx, "BEGIN IMMEDIATE"); err != nil {
		conn.Close()
		return nil, err
	}
	if err := w.supersede(ev.SHA256); err != nil {
		w.Rollback()
		return nil, err
	}
	err = conn.Raw(func(dc any) error {
		p, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("sqlite driver cannot prepare statements")
		}
		var err error
		if w.ev, err = p.PrepareContext(s.ctx, insertEvent); err != nil {
			return err
		}
		w.rj, err = p.PrepareContext(s.ctx, insertReject)
		return err
	})
	if err != nil {
		w.Rollback()
		return nil, err
	}
	return w, nil
}

type fileWriter struct {
	s     *sink
	conn  *sql.Conn
	ev    driver.Stmt
	rj    driver.Stmt
	args  []driver.NamedValue
	rargs []driver.NamedValue
	done  bool
	// rows hashes what is stored, in storage order, for the custody entry.
	rows *rowHasher
	// prev is the evidence version this one supersedes (id 0: none).
	prev struct {
		id, version int64
		rowsSHA256  string
	}
}

// str binds "" as NULL: the event model's empty values are absent, and partial indexes skip them.
func str(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (w *fileWriter) Write(events []normalize.Event, rejects []normalize.Reject) error {
	return w.conn.Raw(func(any) error {
		ev := w.ev.(driver.StmtExecContext)
		a := w.args
		for i := range events {
			e := &events[i]
			a[0].Value, a[1].Value, a[2].Value, a[3].Value = e.ID, normalize.FormatTime(e.Time), str(e.TimeRaw), e.TZBasis
			a[4].Value, a[5].Value, a[6].Value, a[7].Value = e.Source, e.Parser, string(e.Category), str(e.Action)
			a[8].Value, a[9].Value, a[10].Value, a[11].Value = string(e.Outcome), str(e.Principal), str(e.PrincipalType), str(e.SrcIP)
			a[12].Value, a[13].Value, a[14].Value, a[15].Value = str(e.UserAgent), str(e.Credential), str(e.Resource), str(e.ResourceType)
			a[16].Value, a[17].Value, a[18].Value, a[19].Value = str(e.SecretRef), str(e.RequestID), e.EvidenceSHA256, e.EvidencePath
			a[20].Value, a[21].Value, a[22].Value, a[23].Value = e.Offset, e.Length, nil, nil
			if e.Line > 0 {
				a[22].Value = e.Line
			}
			if e.RecordIndex >= 0 {
				a[23].Value = e.RecordIndex
			}
			a[24].Value, a[25].Value = e.RawSHA256, nil
			if len(e.AttrsJSON) > 0 {
				a[25].Value = string(e.AttrsJSON) // TEXT, not a BLOB, so json functions and readers see JSON
			}
			if _, err := ev.ExecContext(w.s.ctx, a); err != nil {
				return fmt.Errorf("store event %s: %w", e.ID, err)
			}
			w.rows.event(e)
		}
		rj := w.rj.(driver.StmtExecContext)
		r := w.rargs
		for i := range rejects {
			x := &rejects[i]
			r[0].Value, r[1].Value, r[2].Value, r[3].Value = x.EvidenceSHA256, x.EvidencePath, x.Offset, x.Length
			r[4].Value, r[5].Value, r[6].Value = nil, x.Reason, x.Snippet
			if x.Line > 0 {
				r[4].Value = x.Line
			}
			if _, err := rj.ExecContext(w.s.ctx, r); err != nil {
				return fmt.Errorf("store reject at offset %d: %w", x.Offset, err)
			}
			w.rows.reject(x)
		}
		return nil
	})
}

func (w *fileWriter) closeStmts() {
	_ = w.conn.Raw(func(any) error {
		if w.ev != nil {
			w.ev.Close()
		}
		if w.rj != nil {
			w.rj.Close()
		}
		return nil
	})
	w.ev, w.rj = nil, nil
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
	var first, last any
	if !ev.FirstEvent.IsZero() {
		first, last = normalize.FormatTime(ev.FirstEvent), normalize.FormatTime(ev.LastEvent)
	}
	ev.Version = w.prev.version + 1
	ev.RowsSHA256 = w.rows.sum()
	res, err := w.conn.ExecContext(ctx, `INSERT INTO evidence(sha256, version, path, abs_path, size, compression,
		decompressed_size, format, parser, settings, first_event, last_event, records, events, rejects, complete,
		notes, ingested_at, examiner, rows_sha256)
		VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		ev.SHA256, ev.Version, ev.Path, ev.AbsPath, ev.Size, ev.Compression, ev.DecompressedSize, ev.Format, ev.Parser,
		string(settings), first, last, ev.Records, ev.Events, ev.Rejects, ev.Complete, string(notes),
		w.s.c.now().UTC().Format(time.RFC3339Nano), w.s.actor.Examiner, ev.RowsSHA256)
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
		id, _ := res.LastInsertId()
		if _, err = w.conn.ExecContext(ctx, "UPDATE evidence SET superseded_by = ? WHERE id = ?", id, w.prev.id); err != nil {
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
	return w.conn.Close()
}

// supersede moves the rows of the current version of the evidence with this sha256, if there is
// one, out of events and rejects, for a reparse.
func (w *fileWriter) supersede(sum string) error {
	ctx := w.s.ctx
	p := &w.prev
	err := w.conn.QueryRowContext(ctx, "SELECT id, version, rows_sha256 FROM evidence WHERE sha256 = ? AND superseded_by IS NULL",
		sum).Scan(&p.id, &p.version, &p.rowsSHA256)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return err
	}
	for _, st := range []string{
		"INSERT INTO superseded_events SELECT ?, * FROM events WHERE evidence_sha256 = ? ORDER BY rowid",
		"DELETE FROM events WHERE evidence_sha256 = ?",
		"INSERT INTO superseded_rejects SELECT ?, * FROM rejects WHERE evidence_sha256 = ? ORDER BY rowid",
		"DELETE FROM rejects WHERE evidence_sha256 = ?",
	} {
		args := []any{p.id, sum}
		if strings.HasPrefix(st, "DELETE") {
			args = args[1:]
		}
		if _, err := w.conn.ExecContext(ctx, st, args...); err != nil {
			return fmt.Errorf("supersede evidence %s version %d: %w", sum, p.version, err)
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
	_, err := w.conn.ExecContext(context.WithoutCancel(w.s.ctx), "ROLLBACK")
	if cerr := w.conn.Close(); err == nil {
		err = cerr
	}
	return err
}
