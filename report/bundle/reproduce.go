package bundle

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/timeline"
	"github.com/breachline/breachline/timeline/correlate"
)

// reproduce is check 4: the case rebuilt in a temporary case from data/originals with the
// recorded configuration and the case's handle key, correlated again, must give events.jsonl and
// findings.jsonl byte for byte.
func reproduce(ctx context.Context, b *bag, opt VerifyOptions) *Check {
	c := &Check{Number: "4", Name: "reproduction", Status: StatusFail}
	if opt.NoReproduce {
		c.Status, c.Detail = StatusSkipped, "--no-reproduce"
		return c
	}
	var cfg Config
	if data, err := b.read(ConfigJSON); err != nil {
		c.Detail = ConfigJSON + ": missing"
		return c
	} else if err := json.Unmarshal(data, &cfg); err != nil {
		c.Detail = fmt.Sprintf("%s: %v", ConfigJSON, err)
		return c
	}
	if !cfg.Originals {
		c.Detail = "the originals are not in the bag (bagged with --no-originals): nothing to rebuild from; pass --no-reproduce to skip this check"
		return c
	}
	var tool Tool
	if data, err := b.read(ToolJSON); err == nil && json.Unmarshal(data, &tool) == nil && tool.Version != opt.ToolVersion {
		c.Warnings = append(c.Warnings, fmt.Sprintf("the bag was made by breachline %s and this is %s: reproduction is only guaranteed with the same version", tool.Version, opt.ToolVersion))
	}
	tmp, err := os.MkdirTemp(opt.TempDir, "breachline-reproduce-")
	if err != nil {
		c.Detail = err.Error()
		return c
	}
	defer os.RemoveAll(tmp)
	r := &rebuild{ctx: ctx, b: b, cfg: &cfg, tmp: tmp, check: c}
	problems, err := r.run()
	if err != nil {
		c.Detail = err.Error()
		return c
	}
	if len(problems) > 0 {
		c.fail(problems)
		return c
	}
	c.Status = StatusOK
	c.Detail = fmt.Sprintf("%d evidence files ingested again, correlated again: events.jsonl (%d events, sha256 %s) and findings.jsonl (sha256 %s) are identical",
		r.files, r.events, r.eventsSHA[:16], r.findingsSHA[:16])
	return c
}

type rebuild struct {
	ctx                    context.Context
	b                      *bag
	cfg                    *Config
	tmp                    string
	check                  *Check
	files                  int
	events                 int64
	eventsSHA, findingsSHA string
}

func (r *rebuild) run() ([]string, error) {
	ctx := r.ctx
	bagCasePath := filepath.Join(r.tmp, "bag-case.db")
	if err := r.b.copyTo(CaseDB, bagCasePath); err != nil {
		return nil, fmt.Errorf("%s: %v", CaseDB, err)
	}
	bagCase, err := timeline.OpenReadOnly(ctx, bagCasePath)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", CaseDB, err)
	}
	defer bagCase.Close()
	key, err := bagCase.HandleKey(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", CaseDB, err)
	}
	repro, err := timeline.CreateWithKey(ctx, filepath.Join(r.tmp, "repro.db"), key)
	if err != nil {
		return nil, err
	}
	defer repro.Close()
	actor := timeline.Actor{Examiner: "breachline verify", Args: []string{"verify", r.b.name}}
	var problems []string
	for _, ev := range r.cfg.Evidence {
		if !ev.Current {
			continue
		}
		p, err := r.ingest(repro, actor, ev)
		if err != nil {
			return nil, err
		}
		problems = append(problems, p...)
		r.files++
	}
	for _, table := range []string{"inventory", "inventory_handles", "iocs"} {
		if err := copyRows(ctx, bagCase.DB(), repro, actor, table); err != nil {
			return nil, fmt.Errorf("copying %s from %s: %w", table, CaseDB, err)
		}
	}
	if cr := r.cfg.Correlation; cr != nil {
		o := correlate.Options{}
		if o.Gap, err = time.ParseDuration(cr.Gap); err != nil {
			return nil, fmt.Errorf("%s: correlation gap %q: %v", ConfigJSON, cr.Gap, err)
		}
		if cr.WindowStart != "" {
			if o.WindowStart, err = time.Parse(time.RFC3339Nano, cr.WindowStart); err != nil {
				return nil, fmt.Errorf("%s: window_start: %v", ConfigJSON, err)
			}
		}
		if cr.WindowEnd != "" {
			if o.WindowEnd, err = time.Parse(time.RFC3339Nano, cr.WindowEnd); err != nil {
				return nil, fmt.Errorf("%s: window_end: %v", ConfigJSON, err)
			}
		}
		if cr.RulesSHA256 != correlate.RulesSHA256() {
			r.check.Warnings = append(r.check.Warnings, "the correlation rules of this breachline differ from those the case was correlated with (rules_sha256)")
		}
		if _, err := correlate.Run(ctx, repro, actor, o); err != nil {
			return nil, fmt.Errorf("correlating again: %w", err)
		}
	}
	var ev bytes.Buffer
	if r.events, err = WriteEvents(ctx, repro, &ev); err != nil {
		return nil, err
	}
	findingsPath := filepath.Join(r.tmp, "findings.jsonl")
	if err := writeTable(ctx, repro, "findings", findingsPath); err != nil {
		return nil, err
	}
	fd, err := os.ReadFile(findingsPath)
	if err != nil {
		return nil, err
	}
	r.eventsSHA, r.findingsSHA = sha256Hex(ev.Bytes()), sha256Hex(fd)
	for _, f := range []struct {
		name string
		got  []byte
	}{{EventsJSONL, ev.Bytes()}, {FindingsJSONL, fd}} {
		want, err := r.b.read(f.name)
		if err != nil {
			problems = append(problems, f.name+": missing")
			continue
		}
		if p := firstDifference(f.name, want, f.got); p != "" {
			problems = append(problems, p)
		}
	}
	return problems, nil
}

// ingest parses one original again with the ingester and settings the case recorded, storing
// it under the path the case recorded (the events' evidence_path), whatever its name in the bag.
func (r *rebuild) ingest(repro *timeline.Case, actor timeline.Actor, ev EvidenceConfig) ([]string, error) {
	name := path.Join(originalsDir, ev.Original)
	if !r.b.files[name] {
		return []string{fmt.Sprintf("%s: missing (evidence %s, sha256 %s)", name, ev.Path, ev.SHA256)}, nil
	}
	local, err := r.b.local(name, r.tmp)
	if err != nil {
		return nil, err
	}
	ings := all.Ingesters()
	if ev.Mapping != "" {
		m, err := r.b.local(path.Join(mappingsDir, ev.Mapping), r.tmp)
		if err != nil {
			return nil, err
		}
		if ings, _, err = all.WithMapping(m); err != nil {
			return []string{fmt.Sprintf("%s: %v", path.Join(mappingsDir, ev.Mapping), err)}, nil
		}
	}
	cfg := ingest.Config{Ingesters: ings, Options: ingest.Options{MaxRecord: ingest.DefaultMaxRecord}}
	if ev.Format != "" {
		ing, err := ingest.Lookup(ings, ev.Format)
		if err != nil {
			return []string{fmt.Sprintf("%s: recorded format %s: %v", name, ev.Format, err)}, nil
		}
		if have := ing.Name() + "@" + ing.Version(); have != ev.Parser {
			r.check.Warnings = append(r.check.Warnings, fmt.Sprintf("%s was parsed by %s; this breachline has %s: its events will differ", ev.Path, ev.Parser, have))
		}
		cfg.Force = ing
	}
	s := ev.Settings
	if v := s["max_record"]; v != "" {
		if cfg.MaxRecord, err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("%s: max_record %q: %v", ConfigJSON, v, err)
		}
	}
	if z := s["assume_tz"]; z != "" {
		if cfg.AssumeTZ, err = time.LoadLocation(z); err != nil {
			return nil, fmt.Errorf("%s: assume_tz %q: %v", ConfigJSON, z, err)
		}
	}
	if v := s["secret_paths"]; v != "" {
		cfg.SecretPaths = strings.Split(v, ",")
	}
	cfg.LogFormat = s["log_format"]
	sink := &pathSink{Sink: repro.Sink(r.ctx, actor), path: ev.Path, abs: ev.AbsPath}
	res, err := ingest.Run(r.ctx, cfg, []string{local}, sink)
	if err != nil {
		return nil, fmt.Errorf("ingesting %s again: %w", name, err)
	}
	var problems []string
	for _, x := range res {
		switch {
		case x.Err != nil:
			problems = append(problems, fmt.Sprintf("%s: not ingested again: %v", name, x.Err))
		case x.DuplicateOf != "":
			problems = append(problems, fmt.Sprintf("%s: the same bytes as %s", name, x.DuplicateOf))
		case x.Evidence != nil && x.Evidence.RowsSHA256 != ev.RowsSHA256:
			problems = append(problems, fmt.Sprintf("%s: its rows (rows_sha256) expected %s (%s), found %s", name, ev.RowsSHA256, ConfigJSON, x.Evidence.RowsSHA256))
		}
	}
	return problems, nil
}

// copyRows copies a correlation input table from the bag's case into the rebuilt one, in one
// change with its custody entry.
func copyRows(ctx context.Context, from *sql.DB, to *timeline.Case, actor timeline.Actor, table string) error {
	rows, err := from.QueryContext(ctx, "SELECT * FROM "+table)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	var all [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		all = append(all, vals)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	q := fmt.Sprintf("INSERT INTO %s(%s) VALUES (%s)", table, strings.Join(cols, ", "),
		strings.TrimSuffix(strings.Repeat("?,", len(cols)), ","))
	_, err = to.Change(ctx, actor, "reproduce-"+table, func(tx *sql.Tx) (map[string]string, error) {
		for _, v := range all {
			if _, err := tx.ExecContext(ctx, q, v...); err != nil {
				return nil, err
			}
		}
		return map[string]string{"rows": strconv.Itoa(len(all)), "from": CaseDB}, nil
	})
	return err
}

// firstDifference names the first line where found differs from expected, or "".
func firstDifference(name string, expected, found []byte) string {
	if bytes.Equal(expected, found) {
		return ""
	}
	es, fs := bufio.NewScanner(bytes.NewReader(expected)), bufio.NewScanner(bytes.NewReader(found))
	es.Buffer(make([]byte, 1<<20), 256<<20)
	fs.Buffer(make([]byte, 1<<20), 256<<20)
	for n := 1; ; n++ {
		e, f := es.Scan(), fs.Scan()
		switch {
		case !e && !f:
			return fmt.Sprintf("%s: sha256 expected %s, found %s (the rebuilt file differs in its line ends)", name, sha256Hex(expected), sha256Hex(found))
		case !e:
			return fmt.Sprintf("%s line %d: expected the end of the file, found %s", name, n, clip(fs.Text()))
		case !f:
			return fmt.Sprintf("%s line %d: expected %s, found the end of the rebuilt file", name, n, clip(es.Text()))
		case es.Text() != fs.Text():
			return fmt.Sprintf("%s line %d: expected %s, found %s", name, n, clip(es.Text()), clip(fs.Text()))
		}
	}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
