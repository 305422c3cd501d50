package timeline

import (
	"context"
	"database/sql"
	"encoding/json"
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
	return &sink{c: c, ctx: ctx, actor: actor}
}

type sink struct {
	c     *Case
	ctx   context.Context
	actor Actor
}

func (s *sink) Known(sum string) (string, bool, error) {
	var path string
	err := s.c.db.QueryRowContext(s.ctx, "SELECT path FROM evidence WHERE sha256 = ?", sum).Scan(&path)
	if err == sql.ErrNoRows {
		return "", false, nil
	}
	return path, err == nil, err
}

func (s *sink) Begin(*normalize.Evidence) (ingest.FileWriter, error) {
	tx, err := s.c.db.BeginTx(s.ctx, nil)
	if err != nil {
		return nil, err
	}
	ev, err := tx.PrepareContext(s.ctx, insertEvent)
	if err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	rj, err := tx.PrepareContext(s.ctx, insertReject)
	if err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	return &fileWriter{s: s, tx: tx, ev: ev, rj: rj, args: make([]any, len(normalize.Fields))}, nil
}

type fileWriter struct {
	s    *sink
	tx   *sql.Tx
	ev   *sql.Stmt
	rj   *sql.Stmt
	args []any
}

// str binds "" as NULL: the event model's empty values are absent, and partial indexes skip them.
func str(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (w *fileWriter) Write(events []normalize.Event, rejects []normalize.Reject) error {
	a := w.args
	for i := range events {
		e := &events[i]
		a[0], a[1], a[2], a[3] = e.ID, normalize.FormatTime(e.Time), str(e.TimeRaw), e.TZBasis
		a[4], a[5], a[6], a[7], a[8] = e.Source, e.Parser, string(e.Category), str(e.Action), string(e.Outcome)
		a[9], a[10], a[11], a[12] = str(e.Principal), str(e.PrincipalType), str(e.SrcIP), str(e.UserAgent)
		a[13], a[14], a[15], a[16], a[17] = str(e.Credential), str(e.Resource), str(e.ResourceType), str(e.SecretRef), str(e.RequestID)
		a[18], a[19], a[20], a[21] = e.EvidenceSHA256, e.EvidencePath, e.Offset, e.Length
		a[22], a[23] = nil, nil
		if e.Line > 0 {
			a[22] = e.Line
		}
		if e.RecordIndex >= 0 {
			a[23] = e.RecordIndex
		}
		a[24], a[25] = e.RawSHA256, nil
		if len(e.AttrsJSON) > 0 {
			a[25] = string(e.AttrsJSON)
		}
		if _, err := w.ev.ExecContext(w.s.ctx, a...); err != nil {
			return err
		}
	}
	for _, r := range rejects {
		var line any
		if r.Line > 0 {
			line = r.Line
		}
		if _, err := w.rj.ExecContext(w.s.ctx, r.EvidenceSHA256, r.EvidencePath, r.Offset, r.Length, line, r.Reason, r.Snippet); err != nil {
			return err
		}
	}
	return nil
}

func (w *fileWriter) Commit(ev *normalize.Evidence) (err error) {
	defer func() {
		if err != nil {
			_ = w.tx.Rollback()
		}
	}()
	ctx := w.s.ctx
	notes, _ := json.Marshal(nonNil(ev.Notes))
	var first, last any
	if !ev.FirstEvent.IsZero() {
		first, last = normalize.FormatTime(ev.FirstEvent), normalize.FormatTime(ev.LastEvent)
	}
	_, err = w.tx.ExecContext(ctx, `INSERT INTO evidence(sha256, path, size, compression, decompressed_size, format, parser,
		first_event, last_event, records, events, rejects, complete, notes, ingested_at, examiner)
		VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		ev.SHA256, ev.Path, ev.Size, ev.Compression, ev.DecompressedSize, ev.Format, ev.Parser,
		first, last, ev.Records, ev.Events, ev.Rejects, ev.Complete, string(notes),
		w.s.c.now().UTC().Format(time.RFC3339Nano), w.s.actor.Examiner)
	if err != nil {
		return err
	}
	_, err = w.s.c.appendCustody(ctx, w.tx, w.s.actor, "ingest", map[string]string{
		"evidence_sha256": ev.SHA256,
		"evidence_path":   ev.Path,
		"format":          ev.Format,
		"records":         strconv.FormatInt(ev.Records, 10),
		"events":          strconv.FormatInt(ev.Events, 10),
		"rejects":         strconv.FormatInt(ev.Rejects, 10),
		"complete":        strconv.FormatBool(ev.Complete),
	})
	if err != nil {
		return err
	}
	w.ev.Close()
	w.rj.Close()
	return w.tx.Commit()
}

func (w *fileWriter) Rollback() error {
	w.ev.Close()
	w.rj.Close()
	return w.tx.Rollback()
}
