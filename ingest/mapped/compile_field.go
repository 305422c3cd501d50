package mapped

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/breachline/breachline/normalize"
)

// Compiling fields and attributes: sources, transforms, conditions, and the checks that keep
// categories, outcomes and credentials inside the event model.

func (c *compiler) fields(sp *spec) {
	seen := map[string]bool{}
	byID := make([]*fieldSpec, len(eventFields))
	for _, f := range sp.fields {
		if f.broken {
			seen[f.name] = true
			continue
		}
		id := slices.Index(eventFields, f.name)
		if id < 0 {
			c.fail(f.line, f.key, "not an event field (known: %s; put other values in attrs)", strings.Join(eventFields, ", "))
			continue
		}
		seen[f.name] = true
		byID[id] = f
	}
	if f := byID[fTime]; f == nil && !seen["time"] && !c.broken["fields"] {
		c.fail(sp.fieldsLine, "fields.time", "missing: every event needs the time the record gives")
	} else if f != nil {
		c.timeField(f)
	}
	if f := byID[fCategory]; f == nil && !seen["category"] && !c.broken["fields"] {
		c.fail(sp.fieldsLine, "fields.category", "missing: every event needs a category (%s)", categoryList())
	} else if f != nil {
		c.p.category = c.field(f, fCategory)
	}
	for id := fAction; int(id) < len(eventFields); id++ {
		if f := byID[id]; f != nil {
			if fp := c.field(f, id); fp != nil {
				c.p.fields = append(c.p.fields, fp)
			}
		}
	}
}

var reservedAttrs = []string{normalize.AttrRedacted, normalize.AttrCredentialsSeen}

func (c *compiler) attrs(sp *spec) {
	for _, f := range sp.attrs {
		if f.broken {
			continue
		}
		switch {
		case strings.TrimSpace(f.name) == "":
			c.fail(f.line, "attrs", "empty attribute name")
			continue
		case slices.Contains(reservedAttrs, f.name):
			c.fail(f.line, f.key, "is set by the ingest core (it records what was redacted); choose another name")
			continue
		}
		fp := c.field(f, fAttr)
		if fp == nil {
			continue
		}
		fp.typed = !c.p.csv && fp.src.kind == srcSlot && len(fp.transforms) == 0
		c.p.attrs = append(c.p.attrs, fp)
	}
}

// compiled keeps a transform with its spec, for the checks that need the lines of a table.
type compiled struct {
	t    transform
	spec *transformSpec
}

// field compiles one event field or attribute other than time.
func (c *compiler) field(f *fieldSpec, id eventField) *fieldPlan {
	fp := &fieldPlan{name: f.name, id: id}
	ok := c.source(f, &fp.src)
	var chain []compiled
	for _, ts := range f.transforms {
		t, isTime := c.transform(ts, f.key)
		if isTime {
			c.fail(ts.line, f.key, "transform %q converts times; only the time field takes it", ts.name)
			continue
		}
		if t != nil {
			chain = append(chain, compiled{t, ts})
			fp.transforms = append(fp.transforms, t)
		}
	}
	for i, ct := range chain {
		if _, isNum := ct.t.(toNumber); isNum {
			switch {
			case id != fAttr:
				c.fail(ct.spec.line, f.key, "number makes an attribute a JSON number; event fields are text")
			case i != len(chain)-1:
				c.fail(ct.spec.line, f.key, "number must be the last transform: it says how the attribute is stored")
			default:
				fp.number = true
			}
		}
		isHash := makesHandle(ct.t)
		fp.hashes = isHash
		if isHash && i != len(chain)-1 {
			c.fail(ct.spec.line, f.key, "%s must be the last transform: it makes the handle, and nothing may change it after", ct.spec.name)
		}
	}
	if f.def != nil {
		fp.def, fp.hasDef = f.def.v, true
	}
	if f.when != nil {
		if id == fCategory {
			c.fail(f.when.line, f.key, "the category cannot depend on a when condition (when conditions read the category)")
		} else {
			fp.when = c.when(f.when, f.key)
		}
	}
	switch id {
	case fCategory, fOutcome:
		c.closedSet(f, chain, id)
	case fCredential:
		c.credential(f, fp, chain)
	}
	if !ok {
		return nil
	}
	return fp
}

// source compiles from:, value: or template:, exactly one of which must be given.
func (c *compiler) source(f *fieldSpec, src *source) bool {
	n := 0
	for _, s := range []*str{f.from, f.value, f.template} {
		if s != nil {
			n++
		}
	}
	switch {
	case n == 0:
		c.fail(f.line, f.key, "has no source: give from (a path in the record), value (a constant) or template")
		return false
	case n > 1:
		c.fail(f.line, f.key, "give only one of from, value and template")
		return false
	case f.from != nil:
		slot, ok := c.slot(f.from.v, f.from.line, f.key)
		*src = source{kind: srcSlot, slot: slot, path: f.from.v}
		return ok
	case f.value != nil:
		*src = source{kind: srcConst, value: f.value.v}
		return true
	}
	parts, err := parseTemplate(f.template.v)
	if err != nil {
		c.failErr(f.template.line, f.key, err)
		return false
	}
	ok := true
	for i := range parts {
		if parts[i].path != "" {
			var good bool
			parts[i].slot, good = c.slot(parts[i].path, f.template.line, f.key)
			ok = ok && good
		}
	}
	*src = source{kind: srcTemplate, parts: parts}
	return ok
}

// transform compiles one transform; isTime is set for the time conversions.
func (c *compiler) transform(ts *transformSpec, key string) (t transform, isTime bool) {
	switch ts.name {
	case "epoch_s", "epoch_ms", "epoch_us", "epoch_ns", "time":
		return nil, true
	case "regex":
		if ts.arg == nil {
			return nil, false
		}
		re, err := regexp.Compile(ts.arg.v)
		if err != nil {
			c.failErr(ts.arg.line, key, fmt.Errorf("bad regex: %w", err))
			return nil, false
		}
		if re.NumSubexp() < 1 {
			c.fail(ts.arg.line, key, "regex %q has no capture group: the field keeps the first group, (…)", ts.arg.v)
			return nil, false
		}
		return capture{re}, false
	case "map":
		tb := &table{m: make(map[string]string, len(ts.table)), where: c.file + ":" + strconv.Itoa(ts.line)}
		for _, p := range ts.table {
			tb.m[p.k.v] = p.v.v
		}
		if ts.def != nil {
			tb.def, tb.hasDef = ts.def.v, true
		}
		if len(ts.table) == 0 && ts.def == nil {
			c.fail(ts.line, key, "map has no entries")
		}
		return tb, false
	}
	if t, ok := bareTransforms[ts.name]; ok && t != nil {
		return t, false
	}
	c.fail(ts.line, key, "unknown transform %q (known: %s)", ts.name, knownTransforms)
	return nil, false
}

// timeField compiles the time field: text transforms, then at most one conversion, last.
func (c *compiler) timeField(f *fieldSpec) {
	tp := &c.p.time
	if f.value != nil || f.template != nil || f.from == nil {
		c.fail(f.line, f.key, "time must be read from the record with from: a constant or built time would be a guess")
	} else if slot, ok := c.slot(f.from.v, f.from.line, f.key); ok {
		tp.src = source{kind: srcSlot, slot: slot, path: f.from.v}
	}
	if f.def != nil {
		c.fail(f.def.line, f.key, "time has no default: a record without a time is rejected, not given one")
	}
	if f.when != nil {
		c.fail(f.when.line, f.key, "time cannot depend on a when condition: every event needs one")
	}
	convs := 0
	for _, ts := range f.transforms {
		t, isTime := c.transform(ts, f.key)
		if !isTime {
			if t != nil {
				switch t.(type) {
				case trim, capture:
				default:
					c.fail(ts.line, f.key, "only trim and regex may come before the time conversion, so that time_raw stays the text as logged")
					continue
				}
				if convs > 0 {
					c.fail(ts.line, f.key, "transform %q comes after the time conversion; the conversion must be last", ts.name)
					continue
				}
				tp.transforms = append(tp.transforms, t)
			}
			continue
		}
		convs++
		if convs > 1 {
			c.fail(ts.line, f.key, "more than one time conversion; give one (time: takes a list of layouts)")
			continue
		}
		switch ts.name {
		case "epoch_s":
			tp.conv.perSec = 1
		case "epoch_ms":
			tp.conv.perSec = 1e3
		case "epoch_us":
			tp.conv.perSec = 1e6
		case "epoch_ns":
			tp.conv.perSec = 1e9
		case "time":
			if len(ts.layouts) == 0 {
				c.fail(ts.line, f.key, "time needs a layout, e.g. time: \"2006-01-02 15:04:05\"")
			}
			for _, l := range ts.layouts {
				lay, err := compileLayout(l.v)
				if err != nil {
					c.failErr(l.line, f.key, err)
					continue
				}
				tp.conv.layouts = append(tp.conv.layouts, lay)
			}
		}
	}
}

func (c *compiler) when(w *whenSpec, key string) *whenPlan {
	wp := &whenPlan{slot: -1}
	if len(w.category) == 0 && w.from == nil {
		c.fail(w.line, key, "when needs category (a list of categories) or from with in (a list of values)")
	}
	for _, cat := range w.category {
		if !normalize.Category(cat.v).Valid() {
			c.fail(cat.line, key, "when.category: %q is not a category (%s)", cat.v, categoryList())
			continue
		}
		if wp.categories == nil {
			wp.categories = map[normalize.Category]bool{}
		}
		wp.categories[normalize.Category(cat.v)] = true
	}
	switch {
	case w.from != nil && len(w.in) == 0:
		c.fail(w.from.line, key, "when.from needs in: the values that let the field be filled")
	case w.from == nil && len(w.in) > 0:
		c.fail(w.in[0].line, key, "when.in needs from: the path whose value is compared")
	case w.from != nil:
		slot, ok := c.slot(w.from.v, w.from.line, key)
		if ok {
			wp.slot, wp.path = slot, w.from.v
			wp.in = map[string]bool{}
			for _, v := range w.in {
				wp.in[v.v] = true
			}
		}
	}
	return wp
}

// output is a value a field can end with, known at load time, and the line that gives it.
type output struct {
	v    string
	line int
}

// closedSet checks that every value a category or outcome can take from the mapping itself (a
// constant, a table entry, a default) is valid, so that the mistake is reported with its line
// rather than as rejects.
func (c *compiler) closedSet(f *fieldSpec, chain []compiled, id eventField) {
	valid := func(v string) bool { return normalize.Category(v).Valid() }
	what := "a category (" + categoryList() + ")"
	if id == fOutcome {
		valid = func(v string) bool { return normalize.Outcome(v).Valid() }
		what = "an outcome (success, failure, unknown)"
	}
	var outs []output
	if f.value != nil {
		if v, err := applyChain(f.value.v, chain); err != nil {
			c.failErr(f.value.line, f.key, err)
		} else {
			outs = append(outs, output{v, f.value.line})
		}
	}
	if f.def != nil {
		outs = append(outs, output{f.def.v, f.def.line})
	}
	last := -1
	for i, ct := range chain {
		if _, ok := ct.t.(*table); ok {
			last = i
		}
	}
	if last >= 0 {
		ts := chain[last].spec
		rest := chain[last+1:]
		add := func(v string, line int) {
			if out, err := applyChain(v, rest); err == nil {
				outs = append(outs, output{out, line})
			}
		}
		for _, p := range ts.table {
			add(p.v.v, p.v.line)
		}
		if ts.def != nil {
			add(ts.def.v, ts.def.line)
		}
	}
	for _, o := range outs {
		if o.v != "" && !valid(o.v) {
			c.fail(o.line, f.key, "%q is not %s", o.v, what)
		}
	}
}

// credential checks that the credential field can only hold a handle: raw tokens are never
// stored, and a bare identifier is not a handle of any scheme.
func (c *compiler) credential(f *fieldSpec, fp *fieldPlan, chain []compiled) {
	for _, ct := range chain {
		if makesHandle(ct.t) {
			return
		}
	}
	switch fp.src.kind {
	case srcConst:
		if normalize.CheckHandle(fp.src.value) == nil {
			return
		}
	case srcTemplate:
		if p := fp.src.parts[0]; p.path == "" {
			if scheme, _, ok := strings.Cut(p.lit, ":"); ok && knownScheme(scheme) {
				return
			}
		}
	}
	names := make([]string, len(normalize.Schemes))
	for i, s := range normalize.Schemes {
		names[i] = s.Name
	}
	c.fail(f.line, f.key, "a credential must become a handle: add the sha256 transform (a raw token becomes its keyed handle) or query_credential (the credential of a URL's query), "+
		"or build a handle of a known scheme with a template such as \"aws-key-id:{path}\" (schemes: %s); "+
		"an identifier of no known scheme belongs in attrs", strings.Join(names, ", "))
}

func knownScheme(name string) bool {
	for _, s := range normalize.Schemes {
		if s.Name == name {
			return true
		}
	}
	return false
}

func applyChain(v string, chain []compiled) (string, error) {
	for _, ct := range chain {
		var err error
		if v, err = ct.t.apply(v); err != nil {
			return "", err
		}
	}
	return v, nil
}

func categoryList() string {
	names := make([]string, len(normalize.Categories))
	for i, c := range normalize.Categories {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}
