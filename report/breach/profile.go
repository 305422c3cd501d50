// Package breach turns a correlated case into the facts a breach notification rests on, each
// with the findings and events it is derived from, and composes from those facts and the case
// profile (what only a person can say) the reports regulators ask for: GDPR Art. 33 and 34 and
// the NIS2 stages.
package breach

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// ProfileKey is one thing a person enters about the breach: the tool never derives or guesses it.
type ProfileKey struct {
	Name string
	// What says what it is, in the words "TO BE COMPLETED: <what>" uses.
	What string
	// Check validates a value; nil accepts any text.
	Check func(string) error
}

// Stages of a GDPR notification (Art. 33(4): information may be provided in phases).
var Stages = []string{"initial", "update", "final"}

// ProfileKeys are the keys of the case profile, in the order `breachline case show` lists them.
var ProfileKeys = []ProfileKey{
	{Name: "controller_name", What: "the controller's (or NIS2 entity's) name"},
	{Name: "controller_establishment", What: "the controller's main establishment (address, country)"},
	{Name: "sector", What: "the sector (NIS2 Annex I/II, e.g. digital infrastructure)"},
	{Name: "supervisory_authority", What: "the lead supervisory authority (GDPR) or competent authority / CSIRT (NIS2)"},
	{Name: "contact", What: "the DPO or other contact point (name, e-mail, phone)"},
	{Name: "awareness_time", What: "when the controller became aware of the breach (RFC 3339)", Check: checkTime},
	{Name: "awareness_basis", What: "what the awareness rests on (who established it, how)"},
	{Name: "discovery", What: "how the breach was discovered"},
	{Name: "narrative", What: "a description of what happened, in the controller's words"},
	{Name: "records_affected", What: "the approximate number of personal data records concerned"},
	{Name: "data_subjects", What: "the categories and approximate number of data subjects concerned, beyond the credential owners the evidence shows"},
	{Name: "consequences", What: "the likely consequences of the breach"},
	{Name: "consequences_likelihood", What: "the likelihood and severity of those consequences for individuals"},
	{Name: "measures_planned", What: "the measures taken or proposed to address the breach and mitigate its effects"},
	{Name: "advice_to_individuals", What: "what affected individuals should do"},
	{Name: "authorities_informed", What: "other authorities informed (police, CSIRT), with dates and references"},
	{Name: "delay_reasons", What: "the reasons for notifying after the deadline"},
	{Name: "stage", What: "the report stage (initial, update or final)", Check: func(s string) error {
		if !slices.Contains(Stages, s) {
			return fmt.Errorf("use one of %s", strings.Join(Stages, ", "))
		}
		return nil
	}},
	{Name: "previous_reference", What: "the reference of the previous notification (authority's case number)"},
	{Name: "suspected_malicious", What: "whether the incident is suspected to be caused by unlawful or malicious acts (NIS2)"},
	{Name: "cross_border", What: "whether the incident has or could have a cross-border impact, and where (NIS2)"},
	{Name: "severity_assessment", What: "the assessment of the incident's severity and impact (NIS2)"},
	{Name: "root_cause", What: "the type of threat or root cause that likely triggered the incident (NIS2)"},
}

func checkTime(s string) error {
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		return fmt.Errorf("not an RFC 3339 time such as 2026-03-04T07:30:00Z")
	}
	return nil
}

// LookupKey returns the profile key name, or an error naming the known keys.
func LookupKey(name string) (*ProfileKey, error) {
	for i := range ProfileKeys {
		if ProfileKeys[i].Name == name {
			return &ProfileKeys[i], nil
		}
	}
	return nil, fmt.Errorf("unknown profile key %q (known: %s)", name, strings.Join(KeyNames(), ", "))
}

// KeyNames are the profile keys' names in order.
func KeyNames() []string {
	names := make([]string, len(ProfileKeys))
	for i, k := range ProfileKeys {
		names[i] = k.Name
	}
	return names
}

// CheckValue validates a value for key (an empty value removes the key and is always accepted).
func CheckValue(key, value string) error {
	k, err := LookupKey(key)
	if err != nil {
		return err
	}
	if value == "" || k.Check == nil {
		return nil
	}
	if err := k.Check(value); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

// ParseProfileYAML reads a profile file: a YAML mapping of profile keys to text (block scalars
// for the long ones). Unknown keys, non-text values and invalid values are errors naming the line.
func ParseProfileYAML(b []byte) (map[string]string, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return map[string]string{}, nil
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: the profile is a mapping of key: value", m.Line)
	}
	out := map[string]string{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if _, err := LookupKey(k.Value); err != nil {
			return nil, fmt.Errorf("line %d: %w", k.Line, err)
		}
		if _, dup := out[k.Value]; dup {
			return nil, fmt.Errorf("line %d: %s given twice", k.Line, k.Value)
		}
		if v.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: %s: the value must be text", v.Line, k.Value)
		}
		val := strings.TrimSpace(v.Value) // a Node keeps a timestamp's text as written
		if err := CheckValue(k.Value, val); err != nil {
			return nil, fmt.Errorf("line %d: %w", v.Line, err)
		}
		out[k.Value] = val
	}
	return out, nil
}

// Regimes are the report regimes, in the order help lists them.
var Regimes = []string{"gdpr-art33", "gdpr-art34", "nis2"}

// NIS2Stages are the stages of a NIS2 report (Art. 23(4)).
var NIS2Stages = []string{"early-warning", "notification", "final"}

// Required lists the profile keys a regime's report needs at a stage; a missing one is an open
// item. Keys needed only in some situations (delay_reasons when late, previous_reference after
// the initial notification) are added by the report when the situation arises.
func Required(regime, stage string) []string {
	switch regime {
	case "gdpr-art33":
		return []string{"controller_name", "controller_establishment", "supervisory_authority", "contact",
			"awareness_time", "awareness_basis", "discovery", "narrative", "records_affected", "data_subjects", "consequences", "consequences_likelihood",
			"measures_planned", "authorities_informed", "stage"}
	case "gdpr-art34":
		return []string{"controller_name", "contact", "narrative", "consequences", "measures_planned", "advice_to_individuals"}
	case "nis2":
		keys := []string{"controller_name", "sector", "supervisory_authority", "contact", "awareness_time",
			"suspected_malicious", "cross_border"}
		switch stage {
		case "notification":
			keys = append(keys, "narrative", "severity_assessment", "authorities_informed")
		case "final":
			keys = append(keys, "narrative", "severity_assessment", "root_cause", "measures_planned", "authorities_informed")
		}
		return keys
	}
	return nil
}

// Missing returns the keys a regime's report at stage needs that profile lacks, in ProfileKeys
// order, including the conditional ones.
func Missing(profile map[string]string, regime, stage string, late bool) []string {
	need := Required(regime, stage)
	if late && regime != "gdpr-art34" {
		need = append(need, "delay_reasons")
	}
	if regime == "gdpr-art33" && profile["stage"] != "" && profile["stage"] != "initial" {
		need = append(need, "previous_reference")
	}
	var out []string
	for _, k := range KeyNames() {
		if slices.Contains(need, k) && profile[k] == "" {
			out = append(out, k)
		}
	}
	return out
}

// SortedKeys returns m's keys in ProfileKeys order (unknown keys last, sorted).
func SortedKeys(m map[string]string) []string {
	var out, rest []string
	for _, k := range KeyNames() {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	for k := range m {
		if _, err := LookupKey(k); err != nil {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}
