package breach

import (
	"fmt"
	"time"
)

// reportInfo is the regime part of the record: stage, deadline and open items.
func reportInfo(r *Record, profile map[string]string, regime, stage string) ReportInfo {
	if regime != "nis2" {
		stage = profile["stage"]
	}
	info := ReportInfo{Regime: regime, Stage: stage, Deadline: deadline(profile, regime, stage, r.Case.AsOf)}
	late := info.Deadline != nil && info.Deadline.Status == "late"
	info.OpenItems = []string{}
	for _, k := range Missing(profile, regime, stage, late) {
		kk, _ := LookupKey(k)
		info.OpenItems = append(info.OpenItems, fmt.Sprintf("%s (breachline case set %s=…)", ToBeCompleted(kk.What), k))
	}
	return info
}

// deadline computes a regime's deadline from the entered time of awareness, and whether the case
// state (its as-of time, the report's generation time) is before it.
func deadline(profile map[string]string, regime, stage, asOf string) *Deadline {
	d := &Deadline{AsOf: asOf, Status: "unknown"}
	switch regime {
	case "gdpr-art33":
		d.Rule, d.Hours = "GDPR Art. 33(1): without undue delay and, where feasible, not later than 72 hours after having become aware of it", 72
	case "gdpr-art34":
		d.Rule, d.Status = "GDPR Art. 34(1): without undue delay (no fixed number of hours)", "no fixed deadline"
		return d
	case "nis2":
		switch stage {
		case "early-warning":
			d.Rule, d.Hours = "NIS2 Art. 23(4)(a): early warning without undue delay and in any event within 24 hours of becoming aware", 24
		case "notification":
			d.Rule, d.Hours = "NIS2 Art. 23(4)(b): incident notification without undue delay and in any event within 72 hours of becoming aware", 72
		default:
			d.Rule, d.Hours = "NIS2 Art. 23(4)(d): final report not later than one month after the incident notification; "+
				"the due time shown is one month after the notification's own latest due time (awareness + 72 hours)", 72
		}
	default:
		return nil
	}
	aware, err := time.Parse(time.RFC3339, profile["awareness_time"])
	if err != nil {
		return d
	}
	due := aware.Add(time.Duration(d.Hours) * time.Hour)
	if regime == "nis2" && stage == "final" {
		due = due.AddDate(0, 1, 0)
	}
	s := ts(due)
	d.Due = &s
	now, err := time.Parse(time.RFC3339Nano, asOf)
	if err != nil {
		return d
	}
	d.Status = "on-time"
	if now.After(due) {
		d.Status = "late"
	}
	return d
}

// DeadlineOf is the deadline of a regime's report at stage as of the case time asOf, from the
// entered profile (nil for an unknown regime).
func DeadlineOf(profile map[string]string, regime, stage, asOf string) *Deadline {
	if regime != "nis2" {
		stage = profile["stage"]
	}
	return deadline(profile, regime, stage, asOf)
}
