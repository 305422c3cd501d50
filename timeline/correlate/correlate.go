package correlate

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/timeline"
)

// Options are a correlation run's parameters.
type Options struct {
	// WindowStart and WindowEnd bound the incident window; zero means the evidence's own span.
	WindowStart, WindowEnd time.Time
	// Gap is the shortest silence of a source reported as a coverage gap (at least an hour).
	Gap time.Duration
}

// Result says what a run found.
type Result struct {
	Window    [2]string
	Exposures int64
	Uses      int64
	Findings  int64
	// Duplicates counts the events set aside as copies of a record already stored under another
	// evidence file (rule duplicate-records): kept in the case, counted once.
	Duplicates  int64
	Credentials map[string]int64 // by status
	// Rounds counts the runs of the exposure rules (02_exposed.sql to 04_links.sql): more than
	// one when the intruder was found acting as a consumer of a secret.
	Rounds      int
	ResultsHash string
	// Timings says how long each rule statement took, then the steps after them, for the
	// benchmark and the examiner's curiosity.
	Timings []Timing
}

// Timing is how long one rule statement (File is "rules/NAME.sql#N" and its first words) or
// one step after them (StepStore, StepHash) took.
type Timing struct {
	File     string
	Duration time.Duration
}

// The steps of a run after its rule statements, as Timing names them.
const (
	StepStore = "storing the other engine's results in the case"
	StepHash  = "counting and hashing the results"
)

// Run replaces the correlator's results in one transaction, with a custody entry naming the rule
// versions, the sha256 of the rules' SQL, the window and a hash of the results.
func Run(ctx context.Context, c *timeline.Case, actor timeline.Actor, opt Options) (*Result, error) {
	// The rules' working tables are temporary tables, kept in memory.
	if err := bigCache(ctx, c, "MEMORY"); err != nil {
		return nil, err
	}
	return run(ctx, c, actor, opt, nil, nil)
}

// bigCache gives the case's connection a page cache of 256 MiB for a run, and its temporary
// storage. The rules look events up by index all over the case, and another engine's results are
// written into the result tables' indexes: the hot index pages stay in memory instead of being
// read from the file again and again. (The case has one connection, so this applies to the run's
// transaction.)
func bigCache(ctx context.Context, c *timeline.Case, tempStore string) error {
	_, err := c.DB().ExecContext(ctx, "PRAGMA cache_size = -262144; PRAGMA temp_store = "+tempStore)
	return err
}

// RunOn runs the rules on another engine (eng holds the case's tables, loaded from a lake), then
// replaces the case's results with the engine's in one transaction: fill deletes the case's
// result tables and fills them from the engine's. The custody entry is Run's, with extra.
func RunOn(ctx context.Context, c *timeline.Case, actor timeline.Actor, opt Options, eng Engine,
	fill func(ctx context.Context, tx *sql.Tx) error, extra map[string]string) (*Result, error) {
	// The case makes no temporary table here, but sorts another engine's results, millions of
	// rows in a large run, to build their indexes and hash them: in files, beside the engine's
	// memory, not in more memory.
	if err := bigCache(ctx, c, "FILE"); err != nil {
		return nil, err
	}
	return run(ctx, c, actor, opt, eng, func(ctx context.Context, tx *sql.Tx, objects map[string]string) error {
		for k, v := range extra {
			objects[k] = v
		}
		return fill(ctx, tx)
	})
}

// run runs the rules on eng, or in the case's own transaction when eng is nil; store moves an
// engine's results into the case before they are counted and hashed there.
func run(ctx context.Context, c *timeline.Case, actor timeline.Actor, opt Options, eng Engine,
	store func(ctx context.Context, tx *sql.Tx, objects map[string]string) error) (*Result, error) {
	if opt.Gap < time.Hour {
		return nil, fmt.Errorf("the coverage gap threshold must be at least 1h (got %s)", opt.Gap)
	}
	res := &Result{Credentials: map[string]int64{}}
	_, err := c.Change(ctx, actor, "correlate", func(tx *sql.Tx) (map[string]string, error) {
		e := eng
		if e == nil {
			e = sqliteEngine{tx}
		}
		w, err := resolveWindow(ctx, e, opt)
		if err != nil {
			return nil, err
		}
		res.Window = [2]string{w.start, w.end}
		if err := setup(ctx, e, w, opt.Gap); err != nil {
			return nil, err
		}
		if res.Rounds, err = runRules(ctx, e, res); err != nil {
			return nil, err
		}
		if err := e.QueryRow(ctx, "SELECT count(*) FROM temp.duplicates").Scan(&res.Duplicates); err != nil {
			return nil, err
		}
		objects := map[string]string{}
		if store != nil {
			start := time.Now()
			if err := store(ctx, tx, objects); err != nil {
				return nil, err
			}
			res.Timings = append(res.Timings, Timing{StepStore, time.Since(start)})
		}
		start := time.Now()
		if err := res.count(ctx, tx); err != nil {
			return nil, err
		}
		if res.ResultsHash, err = resultsHash(ctx, tx); err != nil {
			return nil, err
		}
		res.Timings = append(res.Timings, Timing{StepHash, time.Since(start)})
		if err := dropTemp(ctx, e); err != nil {
			return nil, err
		}
		for k, v := range map[string]string{
			"window_start": w.start, "window_end": w.end, "gap": opt.Gap.String(),
			"results_sha256": res.ResultsHash,
			"rules_sha256":   RulesSHA256(),
			"exposures":      strconv.FormatInt(res.Exposures, 10),
			"uses":           strconv.FormatInt(res.Uses, 10),
			"findings":       strconv.FormatInt(res.Findings, 10),
			"duplicates":     strconv.FormatInt(res.Duplicates, 10),
			"rounds":         strconv.Itoa(res.Rounds),
		} {
			objects[k] = v
		}
		for _, r := range Rules {
			objects["rule "+r.Name] = r.Version
		}
		return objects, nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// runRules runs the rule files in order, the exposure round (roundFirst to roundLast) again
// while its last statement, the consumer rule, turns reads suspicious. Each round only adds
// suspicious reads, so the rounds end; before one runs again, the temporary tables the last one
// made are dropped. It returns the number of rounds.
func runRules(ctx context.Context, eng Engine, res *Result) (int, error) {
	names := ruleNames()
	rounds := 0
	var before map[string]bool
	for n := 0; n < len(names); n++ {
		name := names[n]
		if name == roundFirst {
			if rounds++; rounds > maxRounds {
				return 0, fmt.Errorf("correlation rules: the consumer rule still changes reads after %d rounds", maxRounds)
			}
			var err error
			if before, err = eng.Scratch(ctx); err != nil {
				return 0, err
			}
		}
		body, _ := ruleFiles.ReadFile(name)
		stmts := statements(string(body))
		var changed int64
		for i, stmt := range stmts {
			start := time.Now()
			n, err := eng.Exec(ctx, stmt)
			if err != nil {
				return 0, fmt.Errorf("correlation rule file %s, statement %d: %w", name, i+1, err)
			}
			label := fmt.Sprintf("%s#%d %s", name, i+1, firstWords(stmt))
			if rounds > 1 && name >= roundFirst && name <= roundLast {
				label = fmt.Sprintf("%s (round %d)", label, rounds)
			}
			res.Timings = append(res.Timings, Timing{label, time.Since(start)})
			if name == roundLast && i == len(stmts)-1 {
				changed = n
			}
		}
		if name != roundLast || changed == 0 {
			continue
		}
		after, err := eng.Scratch(ctx)
		if err != nil {
			return 0, err
		}
		for obj := range after {
			if !before[obj] {
				if _, err := eng.Exec(ctx, "DROP "+obj); err != nil {
					return 0, err
				}
			}
		}
		for n > 0 && names[n] != roundFirst {
			n--
		}
		n--
	}
	return rounds, nil
}

// maxRounds bounds the exposure rounds. Each round that runs again has turned reads suspicious
// through a chain of consumer identities one step longer than the last; real chains are short,
// and the bound keeps a rule that reports changes it did not make from running forever.
const maxRounds = 16

// window is the incident window, as text in normalize.TimeLayout for the results and as
// nanoseconds for the rules' comparisons with events.time_ns.
type window struct {
	start, end     string
	startNS, endNS int64
}

// noEnd is the end of a window without one, later than every event.
const noEnd = "9999-12-31T23:59:59.999999999Z"

// resolveWindow resolves the incident window; without one it is the span of the evidence, and
// the baseline before it is empty.
func resolveWindow(ctx context.Context, eng Engine, opt Options) (window, error) {
	w := window{end: noEnd, startNS: math.MinInt64, endNS: math.MaxInt64}
	if !opt.WindowStart.IsZero() {
		w.start, w.startNS = normalize.FormatTime(opt.WindowStart), unixNano(opt.WindowStart)
	} else {
		var first sql.NullInt64
		if err := eng.QueryRow(ctx, "SELECT min(time_ns) FROM events").Scan(&first); err != nil {
			return w, err
		}
		if first.Valid {
			w.start, w.startNS = normalize.FormatTime(time.Unix(0, first.Int64)), first.Int64
		}
	}
	if !opt.WindowEnd.IsZero() {
		w.end, w.endNS = normalize.FormatTime(opt.WindowEnd), unixNano(opt.WindowEnd)
	}
	if w.start >= w.end {
		return w, fmt.Errorf("the window ends (%s) before it starts (%s)", w.end, w.start)
	}
	return w, nil
}

// unixNano is t in nanoseconds since 1970, clamped to the range events.time_ns can hold, so that
// a window bound beyond it still compares as it does in text.
func unixNano(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

func setup(ctx context.Context, eng Engine, w window, gap time.Duration) error {
	if err := dropTemp(ctx, eng); err != nil {
		return err
	}
	stmts := []string{
		"DELETE FROM exposures", "DELETE FROM credential_uses", "DELETE FROM findings",
		"DELETE FROM credential_summary", "DELETE FROM coverage",
		`CREATE TEMP TABLE params (window_start TEXT NOT NULL, window_end TEXT NOT NULL, window_start_ns INTEGER NOT NULL,
			window_end_ns INTEGER NOT NULL, gap_seconds INTEGER NOT NULL)`,
		"CREATE TEMP TABLE rule_version (name TEXT PRIMARY KEY, rule TEXT NOT NULL)",
	}
	for _, s := range stmts {
		if _, err := eng.Exec(ctx, s); err != nil {
			return err
		}
	}
	if _, err := eng.Exec(ctx, "INSERT INTO params VALUES (?, ?, ?, ?, ?)", w.start, w.end, w.startNS, w.endNS, int64(gap/time.Second)); err != nil {
		return err
	}
	for _, r := range Rules {
		if _, err := eng.Exec(ctx, "INSERT INTO rule_version VALUES (?, ?)", r.Name, r.Name+"@"+r.Version); err != nil {
			return err
		}
	}
	return nil
}

// dropTemp removes the working tables of an earlier run on the same connection.
func dropTemp(ctx context.Context, eng Engine) error {
	objs, err := eng.Scratch(ctx)
	if err != nil {
		return err
	}
	for d := range objs {
		if _, err := eng.Exec(ctx, "DROP "+d); err != nil {
			return err
		}
	}
	return nil
}

func (r *Result) count(ctx context.Context, tx *sql.Tx) error {
	for q, p := range map[string]*int64{
		"SELECT count(*) FROM exposures":       &r.Exposures,
		"SELECT count(*) FROM credential_uses": &r.Uses,
		"SELECT count(*) FROM findings":        &r.Findings,
	} {
		if err := tx.QueryRowContext(ctx, q).Scan(p); err != nil {
			return err
		}
	}
	rows, err := tx.QueryContext(ctx, "SELECT status, count(*) FROM credential_summary GROUP BY status")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return err
		}
		r.Credentials[s] = n
	}
	return rows.Err()
}

// ResultTables are the correlator's result tables, each with a total order of its rows. The
// results are hashed table by table in this order, so the same results always give the same
// hash; another engine's results are stored in it, so that they sit in the case in the same
// order on every run.
var ResultTables = []struct{ Name, Order string }{
	{"exposures", "time, event_id, secret_ref"},
	{"credential_uses", "credential, time, event_id, handle"},
	{"findings", "id"},
	{"credential_summary", "credential"},
	{"coverage", "source"},
}

// resultsHash is the sha256 of every result row, rendered as text in a fixed order: for each
// table a line "table NAME", then a line per row of its values, each Go-quoted (strconv.Quote)
// or NULL, separated by tabs.
func resultsHash(ctx context.Context, tx *sql.Tx) (string, error) {
	h := sha256.New()
	var line []byte
	for _, t := range ResultTables {
		rows, err := tx.QueryContext(ctx, "SELECT * FROM "+t.Name+" ORDER BY "+t.Order)
		if err != nil {
			return "", err
		}
		cols, _ := rows.Columns()
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		fmt.Fprintf(h, "table %s\n", t.Name)
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return "", err
			}
			line = line[:0]
			for i, v := range vals {
				if i > 0 {
					line = append(line, '\t')
				}
				if v.Valid {
					line = appendQuoted(line, v.String)
				} else {
					line = append(line, "NULL"...)
				}
			}
			h.Write(append(line, '\n'))
		}
		if err := rows.Close(); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// appendQuoted appends strconv.Quote(s) to dst. Result values are nearly all printable ASCII,
// which Quote leaves as it is but for escaping " and \; walking them byte by byte here, instead
// of rune by rune in strconv, takes the hash from half of a large run's bookkeeping to little.
func appendQuoted(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return strconv.AppendQuote(dst, s)
		}
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' {
			dst = append(dst, '\\')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}
