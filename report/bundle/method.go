package bundle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"

	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/timeline"
	"github.com/breachline/breachline/timeline/correlate"
)

// Tool is data/method/tool.json: which breachline made the bag, from the binary's build info.
type Tool struct {
	Name         string            `json:"name"`
	Version      string            `json:"version"`
	Module       string            `json:"module"`
	Revision     string            `json:"vcs_revision,omitempty"`
	RevisionTime string            `json:"vcs_time,omitempty"`
	Modified     string            `json:"vcs_modified,omitempty"`
	GoVersion    string            `json:"go_version"`
	Settings     map[string]string `json:"build_settings"`
	Deps         []string          `json:"dependencies"`
	Binary       string            `json:"binary,omitempty"`
	BinarySHA256 string            `json:"binary_sha256,omitempty"`
	SQLite       string            `json:"sqlite_version"`
	CaseSchema   int               `json:"case_schema"`
	RulesSHA256  string            `json:"correlation_rules_sha256"`
	Ingesters    map[string]string `json:"ingesters"`
}

// CurrentTool describes the running binary.
func CurrentTool(version string) *Tool {
	t := &Tool{Name: "breachline", Version: version, GoVersion: runtime.Version(), Settings: map[string]string{},
		Deps: []string{}, SQLite: timeline.SQLiteVersion(), CaseSchema: timeline.SchemaVersion(),
		RulesSHA256: correlate.RulesSHA256(), Ingesters: map[string]string{}}
	if bi, ok := debug.ReadBuildInfo(); ok {
		t.Module = bi.Main.Path
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				t.Revision = s.Value
			case "vcs.time":
				t.RevisionTime = s.Value
			case "vcs.modified":
				t.Modified = s.Value
			}
			t.Settings[s.Key] = s.Value
		}
		for _, d := range bi.Deps {
			if d.Replace != nil {
				d = d.Replace
			}
			t.Deps = append(t.Deps, d.Path+"@"+d.Version+" "+d.Sum)
		}
	}
	for _, ing := range all.Ingesters() {
		t.Ingesters[ing.Name()] = ing.Version()
	}
	if exe, err := os.Executable(); err == nil {
		t.Binary = filepath.Base(exe)
		if f, err := os.Open(exe); err == nil {
			h := sha256.New()
			if _, err := io.Copy(h, f); err == nil {
				t.BinarySHA256 = hex.EncodeToString(h.Sum(nil))
			}
			f.Close()
		}
	}
	return t
}

// Config is data/method/config.json: everything besides the originals and the tool that shaped
// the timeline and the findings, so that they can be rebuilt.
type Config struct {
	CaseID      string           `json:"case_id"`
	CaseName    string           `json:"case_name"`
	HandleKeyID string           `json:"handle_key_id"`
	Originals   bool             `json:"originals_included"`
	Evidence    []EvidenceConfig `json:"evidence"`
	Mappings    []MappingFile    `json:"mappings"`
	TimeZones   TimeZones        `json:"time_zones"`
	Correlation *Correlation     `json:"correlation"`
	Inventory   Inventory        `json:"inventory"`
	Indicators  []Indicator      `json:"indicators"`
}

// EvidenceConfig is one parse of an evidence file: the file, the ingester and settings it was
// read with, and what it gave. Current is false for a version a reparse superseded.
type EvidenceConfig struct {
	Path        string            `json:"path"`
	AbsPath     string            `json:"abs_path"`
	Original    string            `json:"original"` // under data/originals
	Shipped     bool              `json:"shipped"`
	SHA256      string            `json:"sha256"`
	Size        int64             `json:"size"`
	Compression string            `json:"compression,omitempty"`
	Format      string            `json:"format"`
	Parser      string            `json:"parser"`
	Settings    map[string]string `json:"settings"`
	Mapping     string            `json:"mapping,omitempty"` // under data/method/mappings
	Version     int64             `json:"version"`
	Current     bool              `json:"current"`
	Records     int64             `json:"records"`
	Events      int64             `json:"events"`
	Rejects     int64             `json:"rejects"`
	Complete    bool              `json:"complete"`
	IngestedAt  string            `json:"ingested_at"`
	RowsSHA256  string            `json:"rows_sha256"`
}

// MappingFile is a user's mapping file an evidence file was read with, shipped in the bag.
type MappingFile struct {
	Name   string `json:"name"` // format@version
	File   string `json:"file"` // under data/method/mappings
	From   string `json:"from"` // where it was read when bagging
	SHA256 string `json:"sha256"`
}

// TimeZones are the time-zone assumptions: the zone each file was read with (--assume-tz) and
// how many events got their zone which way (tz_basis).
type TimeZones struct {
	Assumed map[string]string `json:"assumed"` // evidence sha256 → zone
	Bases   map[string]int64  `json:"bases"`
}

// Correlation is the last correlate run, as its custody entry records it.
type Correlation struct {
	CustodySeq    int64             `json:"custody_seq"`
	Time          string            `json:"time"`
	WindowStart   string            `json:"window_start"`
	WindowEnd     string            `json:"window_end"`
	Gap           string            `json:"gap"`
	Rules         map[string]string `json:"rules"`
	RulesSHA256   string            `json:"rules_sha256"`
	ResultsSHA256 string            `json:"results_sha256"`
}

// Inventory says which secrets inventory the correlation read. Its rows (handles and masked
// displays, never raw values) are in data/case.db; reproduction copies them from there.
type Inventory struct {
	Rows       int64             `json:"rows"`
	Handles    int64             `json:"handles"`
	CustodySeq int64             `json:"custody_seq,omitempty"`
	Files      map[string]string `json:"files"` // as imported → sha256
}

// Indicator is one indicator of compromise the correlation used.
type Indicator struct {
	Type  string `json:"type"`
	Value string `json:"value"`
	Note  string `json:"note,omitempty"`
}

// lastCorrelation finds the last correlate entry of the custody log, or nil.
func lastCorrelation(entries []timeline.CustodyEntry) *Correlation {
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.Action != "correlate" {
			continue
		}
		c := &Correlation{CustodySeq: e.Seq, Time: e.Time, WindowStart: e.Objects["window_start"],
			WindowEnd: e.Objects["window_end"], Gap: e.Objects["gap"], Rules: map[string]string{},
			RulesSHA256: e.Objects["rules_sha256"], ResultsSHA256: e.Objects["results_sha256"]}
		for k, v := range e.Objects {
			if name, ok := strings.CutPrefix(k, "rule "); ok {
				c.Rules[name] = v
			}
		}
		return c
	}
	return nil
}

func methodConfig(ctx context.Context, c *timeline.Case, entries []timeline.CustodyEntry, caseID, caseName string) (*Config, error) {
	key, err := c.HandleKey(ctx)
	if err != nil {
		return nil, err
	}
	cfg := &Config{CaseID: caseID, CaseName: caseName, HandleKeyID: key.ID(), Evidence: []EvidenceConfig{},
		Mappings: []MappingFile{}, Indicators: []Indicator{},
		TimeZones:   TimeZones{Assumed: map[string]string{}, Bases: map[string]int64{}},
		Correlation: lastCorrelation(entries), Inventory: Inventory{Files: map[string]string{}}}
	evidence, err := c.Evidence(ctx)
	if err != nil {
		return nil, err
	}
	for _, ev := range evidence {
		settings := ev.Settings
		if settings == nil {
			settings = map[string]string{}
		}
		cfg.Evidence = append(cfg.Evidence, EvidenceConfig{Path: ev.Path, AbsPath: ev.AbsPath, SHA256: ev.SHA256,
			Size: ev.Size, Compression: ev.Compression, Format: ev.Format, Parser: ev.Parser, Settings: settings,
			Version: ev.Version, Current: ev.SupersededBy == 0, Records: ev.Records, Events: ev.Events,
			Rejects: ev.Rejects, Complete: ev.Complete, IngestedAt: ev.IngestedAt, RowsSHA256: ev.RowsSHA256})
		if z := settings["assume_tz"]; z != "" && ev.SupersededBy == 0 {
			cfg.TimeZones.Assumed[ev.SHA256] = z
		}
	}
	db := c.DB()
	rows, err := db.QueryContext(ctx, `SELECT coalesce(s.value, ''), count(*) FROM events e LEFT JOIN strings s ON s.id = e.tz_basis_sid GROUP BY 1`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var b string
		var n int64
		if err := rows.Scan(&b, &n); err != nil {
			rows.Close()
			return nil, err
		}
		cfg.TimeZones.Bases[b] = n
	}
	rows.Close()
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM inventory").Scan(&cfg.Inventory.Rows); err != nil {
		return nil, err
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM inventory_handles").Scan(&cfg.Inventory.Handles); err != nil {
		return nil, err
	}
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].Action == "inventory-import" {
			cfg.Inventory.CustodySeq = entries[i].Seq
			for k, v := range entries[i].Objects {
				if f, ok := strings.CutPrefix(k, "file "); ok {
					cfg.Inventory.Files[f] = v
				}
			}
			break
		}
	}
	irows, err := db.QueryContext(ctx, "SELECT type, value, coalesce(note, '') FROM iocs ORDER BY rowid")
	if err != nil {
		return nil, err
	}
	defer irows.Close()
	for irows.Next() {
		var ind Indicator
		if err := irows.Scan(&ind.Type, &ind.Value, &ind.Note); err != nil {
			return nil, err
		}
		cfg.Indicators = append(cfg.Indicators, ind)
	}
	return cfg, irows.Err()
}

// mappingArg finds the --mapping value of the ingest that stored this parse of the evidence, and
// the directory the examiner ran it from (where a relative mapping path was read).
func mappingArg(entries []timeline.CustodyEntry, ev *EvidenceConfig) (arg, dir string) {
	for _, e := range entries {
		if (e.Action != "ingest" && e.Action != "reparse") || e.Objects["evidence_sha256"] != ev.SHA256 ||
			e.Objects["evidence_version"] != strconv.FormatInt(ev.Version, 10) {
			continue
		}
		for i, a := range e.Args {
			if a == "--mapping" && i+1 < len(e.Args) {
				arg = e.Args[i+1]
			} else if v, ok := strings.CutPrefix(a, "--mapping="); ok {
				arg = v
			}
		}
		if !filepath.IsAbs(ev.Path) {
			if d, ok := strings.CutSuffix(ev.AbsPath, filepath.Clean(ev.Path)); ok {
				dir = d
			}
		}
	}
	return arg, dir
}

func builtinFormat(name string) bool {
	for _, ing := range all.Ingesters() {
		if ing.Name() == name {
			return true
		}
	}
	return false
}

func sortStrings(s []string) { sort.Strings(s) }
