package timesketch

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/breachline/breachline/report/export"
)

// eventTags is what the findings say about one event: the tags Timesketch shows on it and the
// ids of the findings that cite it.
type eventTags struct {
	tags     []string
	findings []string
}

// readTags reads the findings and returns, for each event a finding cites, the tags
// "breachline:<rule>" and "severity:<severity>" of every finding citing it, and those findings'
// ids. Findings are few, so the map stays small however many events the case holds; the events
// themselves stream past it. A request without a findings table gives no tags.
func readTags(ctx context.Context, req *export.Request) (map[string]*eventTags, error) {
	if req.Tables == nil {
		return nil, nil
	}
	t, err := req.Tables("findings")
	if err != nil || t == nil {
		return nil, err
	}
	id, rule, sev, evs := t.Index("id"), t.Index("rule"), t.Index("severity"), t.Index("events")
	if evs < 0 {
		return nil, nil
	}
	out := map[string]*eventTags{}
	err = t.Rows(ctx, func(r export.Row) error {
		var ids []string
		s, _ := r[evs].(string)
		if json.Unmarshal([]byte(s), &ids) != nil {
			return nil // a list that does not parse tags nothing; the finding is in the case
		}
		var tags []string
		if rule >= 0 {
			if v, _ := r[rule].(string); v != "" {
				tags = append(tags, "breachline:"+v)
			}
		}
		if sev >= 0 {
			if v, _ := r[sev].(string); v != "" {
				tags = append(tags, "severity:"+v)
			}
		}
		fid := ""
		if id >= 0 {
			fid, _ = r[id].(string)
		}
		for _, e := range ids {
			et := out[e]
			if et == nil {
				et = &eventTags{}
				out[e] = et
			}
			et.tags = addSorted(et.tags, tags...)
			if fid != "" {
				et.findings = addSorted(et.findings, fid)
			}
		}
		return nil
	})
	return out, err
}

// addSorted adds values to a sorted set, so that an event's tags come out in the same order
// whatever the order of the findings.
func addSorted(set []string, values ...string) []string {
	for _, v := range values {
		i := sort.SearchStrings(set, v)
		if i < len(set) && set[i] == v {
			continue
		}
		set = append(set, "")
		copy(set[i+1:], set[i:])
		set[i] = v
	}
	return set
}
