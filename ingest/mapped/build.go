package mapped

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/breachline/breachline/normalize"
)

// values is one record as a plan reads it: the text of each slot, or its typed value for
// attributes. jsonScan and csvRow implement it.
type values interface {
	text(slot int32) (string, kind)
	attr(slot int32) any
}

// build fills ev from the record r. attrs is reused across records (the core copies what it
// keeps). An error is the reason the record becomes a reject.
func (p *plan) build(r values, assume *time.Location, key *normalize.HandleKey, ev *normalize.Event, attrs map[string]any) error {
	*ev = normalize.Event{}
	clear(attrs)
	if err := p.time.fill(r, assume, ev); err != nil {
		return fmt.Errorf("field \"time\": %w", err)
	}
	cat, err := p.category.eval(r, key)
	switch {
	case err != nil:
		return fmt.Errorf("field \"category\": %w", err)
	case cat == "":
		return fmt.Errorf("field \"category\": %s and the field has no default", p.category.src.missing())
	case !normalize.Category(cat).Valid():
		return fmt.Errorf("field \"category\": %s is not a category (%s)", quoteValue(cat), categoryList())
	}
	ev.Category = normalize.Category(cat)
	for _, f := range p.fields {
		if f.when != nil && !f.when.match(ev.Category, r) {
			continue
		}
		v, err := f.eval(r, key)
		if err != nil {
			return fmt.Errorf("field %q: %w", f.name, err)
		}
		if err := setField(ev, f.id, v, attrs); err != nil {
			return fmt.Errorf("field %q: %w", f.name, err)
		}
	}
	for _, a := range p.attrs {
		if a.when != nil && !a.when.match(ev.Category, r) {
			continue
		}
		if a.typed {
			v := r.attr(a.src.slot)
			if s, isStr := v.(string); v == nil || (isStr && s == "") {
				if !a.hasDef {
					continue
				}
				v = a.def
			}
			attrs[a.name] = v
			continue
		}
		v, err := a.eval(r, key)
		if err != nil {
			return fmt.Errorf("attr %q: %w", a.name, err)
		}
		switch {
		case v == "":
		case a.number && isDecimal(v):
			attrs[a.name] = json.Number(v)
		default:
			attrs[a.name] = v
		}
	}
	if len(attrs) > 0 {
		ev.Attrs = attrs
	}
	return nil
}

func setField(ev *normalize.Event, id eventField, v string, attrs map[string]any) error {
	switch id {
	case fAction:
		ev.Action = v
	case fOutcome:
		if v != "" && !normalize.Outcome(v).Valid() {
			return fmt.Errorf("%s is not an outcome (success, failure, unknown)", quoteValue(v))
		}
		ev.Outcome = normalize.Outcome(v)
	case fPrincipal:
		ev.Principal = v
	case fPrincipalType:
		ev.PrincipalType = v
	case fSrcIP:
		ip, host := normalize.SplitAddress(v)
		ev.SrcIP = ip
		if host != "" {
			attrs[normalize.AttrSourceHost] = host
		}
	case fUserAgent:
		ev.UserAgent = v
	case fCredential:
		ev.Credential = v
	case fResource:
		ev.Resource = v
	case fResourceType:
		ev.ResourceType = v
	case fSecretRef:
		ev.SecretRef = v
	case fRequestID:
		ev.RequestID = v
	}
	return nil
}

// fill sets time, time_raw and tz_basis.
func (tp *timePlan) fill(r values, assume *time.Location, ev *normalize.Event) error {
	raw, err := tp.src.read(r)
	if err != nil {
		return err
	}
	if raw == "" {
		return fmt.Errorf("%s; a record without a time cannot be placed on the timeline", tp.src.missing())
	}
	s := raw
	for _, t := range tp.transforms {
		if s, err = t.apply(s); err != nil {
			return err
		}
		if s == "" {
			return fmt.Errorf("the transforms left nothing of %s", quoteValue(raw))
		}
	}
	t, basis, err := tp.conv.convert(s, assume)
	if err != nil {
		return err
	}
	// time_raw is the text the conversion read: the value as logged, or the part of it that
	// trim or regex kept (the only transforms allowed before a conversion).
	ev.Time, ev.TimeRaw, ev.TZBasis = t, s, basis
	return nil
}

// eval returns the field's text: the source's, transformed, or the default when that is empty.
// A value the sha256 or query_credential transform made is turned into the case's keyed handle.
func (fp *fieldPlan) eval(r values, key *normalize.HandleKey) (string, error) {
	s, err := fp.src.read(r)
	if err != nil {
		return "", err
	}
	for _, t := range fp.transforms {
		if s == "" {
			break
		}
		if s, err = t.apply(s); err != nil {
			return "", err
		}
	}
	if s == "" && fp.hasDef {
		s = fp.def
	}
	if fp.hashes {
		s = key.Keyed(s)
	}
	return s, nil
}

// read returns the source's text; "" when the record has no value there.
func (src *source) read(r values) (string, error) {
	switch src.kind {
	case srcConst:
		return src.value, nil
	case srcSlot:
		v, k := r.text(src.slot)
		if err := scalarKind(k, src.path); err != nil {
			return "", err
		}
		return v, nil
	case srcTemplate:
		var b strings.Builder
		for _, p := range src.parts {
			if p.path == "" {
				b.WriteString(p.lit)
				continue
			}
			v, k := r.text(p.slot)
			if err := scalarKind(k, p.path); err != nil {
				return "", err
			}
			if v == "" {
				return "", nil
			}
			b.WriteString(v)
		}
		return b.String(), nil
	}
	return "", nil
}

// missing says that the record had nothing for the source, naming where it looked.
func (src *source) missing() string {
	switch src.kind {
	case srcSlot:
		return "the record has no value at " + strconv.Quote(src.path)
	case srcTemplate:
		return "the record lacks a value the template needs"
	}
	return "the mapping gives no value"
}

func scalarKind(k kind, path string) error {
	switch k {
	case kObject, kArray:
		return fmt.Errorf("%q holds %s, not a single value (name one of its members, or map it to an attr)", path, k)
	case kAmbiguous:
		return fmt.Errorf("column %q appears more than once in the header; breachline does not choose between them", path)
	}
	return nil
}

func (w *whenPlan) match(cat normalize.Category, r values) bool {
	if w.categories != nil && !w.categories[cat] {
		return false
	}
	if w.slot >= 0 {
		v, _ := r.text(w.slot)
		return w.in[v]
	}
	return true
}
