package timeline

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// CustodyEntry is one link of the custody log: who changed the case, when, how, and the hashes
// of what was touched. Each entry's Hash covers its fields and the previous entry's hash, so
// altering, removing or reordering any entry breaks every link after it.
type CustodyEntry struct {
	Seq      int64             `json:"seq"`
	Time     string            `json:"time"`
	Examiner string            `json:"examiner"`
	Action   string            `json:"action"`
	Args     []string          `json:"args"`
	Objects  map[string]string `json:"objects"`
	PrevHash string            `json:"prev_hash"`
	Hash     string            `json:"hash"`
}

// genesis is the prev_hash of the first entry.
var genesis = strings.Repeat("0", 64)

// Actor says who is acting on the case and with which command line, for custody entries.
type Actor struct {
	Examiner string
	Args     []string
	// Tool names the program and version acting; every entry records it in its objects as
	// "tool", so each change says which breachline made it.
	Tool string
}

// entryHash is sha256 over the canonical JSON of the entry without its own hash.
func entryHash(e *CustodyEntry) string {
	objects := e.Objects
	if objects == nil {
		objects = map[string]string{}
	}
	args := e.Args
	if args == nil {
		args = []string{}
	}
	b, _ := json.Marshal([]any{e.Seq, e.Time, e.Examiner, e.Action, args, objects, e.PrevHash})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// querier is what custody entries are written through: a transaction, or a connection inside one.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// appendCustody adds an entry inside tx, so that the change and its record commit together.
func (c *Case) appendCustody(ctx context.Context, tx querier, actor Actor, action string, objects map[string]string) (*CustodyEntry, error) {
	if actor.Tool != "" {
		withTool := make(map[string]string, len(objects)+1)
		for k, v := range objects {
			withTool[k] = v
		}
		withTool["tool"] = actor.Tool
		objects = withTool
	}
	e := &CustodyEntry{Examiner: actor.Examiner, Action: action, Args: actor.Args, Objects: objects, PrevHash: genesis}
	err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM custody ORDER BY seq DESC LIMIT 1").Scan(&e.Seq, &e.PrevHash)
	if err != nil && err != sql.ErrNoRows {
		return nil, err
	}
	if err == sql.ErrNoRows {
		e.PrevHash = genesis
	}
	e.Seq++
	e.Time = c.now().UTC().Format(time.RFC3339Nano)
	e.Hash = entryHash(e)
	args, _ := json.Marshal(nonNil(e.Args))
	objs, _ := json.Marshal(nonNilMap(e.Objects))
	_, err = tx.ExecContext(ctx,
		"INSERT INTO custody(seq, time, examiner, action, args, objects, prev_hash, hash) VALUES(?,?,?,?,?,?,?,?)",
		e.Seq, e.Time, e.Examiner, e.Action, string(args), string(objs), e.PrevHash, e.Hash)
	return e, err
}

// Record appends a custody entry on its own, for changes that have no other rows (init).
func (c *Case) Record(ctx context.Context, actor Actor, action string, objects map[string]string) (*CustodyEntry, error) {
	var e *CustodyEntry
	err := c.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		e, err = c.appendCustody(ctx, tx, actor, action, objects)
		return err
	})
	return e, err
}

// Custody returns the whole custody log in order.
func (c *Case) Custody(ctx context.Context) ([]CustodyEntry, error) {
	rows, err := c.db.QueryContext(ctx, "SELECT seq, time, examiner, action, args, objects, prev_hash, hash FROM custody ORDER BY seq")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CustodyEntry
	for rows.Next() {
		var e CustodyEntry
		var args, objs string
		if err := rows.Scan(&e.Seq, &e.Time, &e.Examiner, &e.Action, &args, &objs, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(args), &e.Args); err != nil {
			return nil, fmt.Errorf("custody entry %d: args: %w", e.Seq, err)
		}
		if err := json.Unmarshal([]byte(objs), &e.Objects); err != nil {
			return nil, fmt.Errorf("custody entry %d: objects: %w", e.Seq, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ChainError names the first broken link of the custody chain.
type ChainError struct {
	Seq    int64
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("custody chain broken at entry %d: %s", e.Seq, e.Reason)
}

// VerifyChain checks every link: sequence numbers count up from 1 without gaps, each entry's
// prev_hash is the hash of the entry before it, and each hash matches the entry's content.
func VerifyChain(entries []CustodyEntry) error {
	prev := genesis
	for i, e := range entries {
		switch {
		case e.Seq != int64(i+1):
			return &ChainError{e.Seq, fmt.Sprintf("expected entry %d here (an entry is missing or out of order)", i+1)}
		case e.PrevHash != prev:
			return &ChainError{e.Seq, "prev_hash does not match the hash of the entry before it"}
		case entryHash(&e) != e.Hash:
			return &ChainError{e.Seq, "hash does not match the entry's content (the entry was altered)"}
		}
		prev = e.Hash
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
