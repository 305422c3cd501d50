package bundle

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/timeline"
	"github.com/breachline/breachline/timeline/correlate"
)

// Coverage is coverage.json: for each source, what the case holds of it and where it is silent.
type Coverage struct {
	Sources []SourceCoverage `json:"sources"`
	// GapThreshold is the correlator's --gap of the run whose gaps are listed ("" before any run).
	GapThreshold string `json:"gap_threshold"`
}

// SourceCoverage is one source's span, counts, gaps (from the last correlate run, inside its
// window) and the record kinds seen: events by category.
type SourceCoverage struct {
	Source        string           `json:"source"`
	EvidenceFiles int              `json:"evidence_files"`
	First         string           `json:"first,omitempty"`
	Last          string           `json:"last,omitempty"`
	Events        int64            `json:"events"`
	Rejects       int64            `json:"rejects"`
	Categories    map[string]int64 `json:"categories"`
	Gaps          []Gap            `json:"gaps"`
}

// Gap is a silence of a source longer than the threshold.
type Gap struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

func coverage(ctx context.Context, c *timeline.Case, gap string) (*Coverage, error) {
	evidence, err := c.Evidence(ctx)
	if err != nil {
		return nil, err
	}
	by := map[string]*SourceCoverage{}
	var order []string
	get := func(src string) *SourceCoverage {
		s := by[src]
		if s == nil {
			s = &SourceCoverage{Source: src, Categories: map[string]int64{}, Gaps: []Gap{}}
			by[src] = s
			order = append(order, src)
		}
		return s
	}
	for _, ev := range evidence {
		if ev.SupersededBy != 0 {
			continue
		}
		src := ev.Format
		if src == "" {
			src = "(none)"
		}
		s := get(src)
		s.EvidenceFiles++
		s.Events += ev.Events
		s.Rejects += ev.Rejects
		if ev.Events > 0 {
			first, last := normalize.FormatTime(ev.FirstEvent), normalize.FormatTime(ev.LastEvent)
			if s.First == "" || first < s.First {
				s.First = first
			}
			if last > s.Last {
				s.Last = last
			}
		}
	}
	rows, err := c.DB().QueryContext(ctx, `SELECT v.format, s.value, count(*) FROM events e
		JOIN evidence v ON v.id = e.evidence_id JOIN strings s ON s.id = e.category_sid GROUP BY 1, 2`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var src, cat string
		var n int64
		if err := rows.Scan(&src, &cat, &n); err != nil {
			rows.Close()
			return nil, err
		}
		get(src).Categories[cat] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	cov, err := correlate.CoverageBySource(ctx, c.DB())
	if err != nil && err != sql.ErrNoRows {
		return nil, err
	}
	for _, cv := range cov {
		s := get(cv.Source)
		for _, g := range cv.Gaps {
			s.Gaps = append(s.Gaps, Gap{g.Start, g.End})
		}
	}
	out := &Coverage{GapThreshold: gap, Sources: []SourceCoverage{}}
	sortStrings(order)
	for _, src := range order {
		out.Sources = append(out.Sources, *by[src])
	}
	return out, nil
}

func marshalIndent(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	return append(b, '\n'), err
}
