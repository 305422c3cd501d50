package mapped

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The decode step reads the mapping's YAML (or JSON, which YAML reads too) into a spec: the
// mapping as written, every value with its line, nothing checked beyond its shape. Compiling the
// spec into a plan (compile.go) checks what the values mean.

// maxMappingSize bounds a mapping file: a mapping is a page of text, not data.
const maxMappingSize = 1 << 20

type decoder struct {
	file string
	errs []error
}

func (d *decoder) fail(line int, key, format string, args ...any) {
	d.errs = append(d.errs, &MappingError{File: d.file, Line: line, Key: key, Err: fmt.Errorf(format, args...)})
}

func (d *decoder) failErr(line int, key string, err error) {
	d.errs = append(d.errs, &MappingError{File: d.file, Line: line, Key: key, Err: err})
}

// decode reads data into a spec. A YAML syntax error ends decoding (fatal); faults of shape are
// collected (faults) and decoding goes on, so that one load reports them all.
func decode(file string, data []byte) (sp *spec, faults []error, fatal error) {
	d := &decoder{file: file}
	if len(data) > maxMappingSize {
		return nil, nil, &MappingError{File: file, Err: fmt.Errorf("mapping file of %d bytes is larger than %d bytes", len(data), maxMappingSize)}
	}
	root, line, err := parseYAML(data)
	if err != nil {
		return nil, nil, &MappingError{File: file, Line: line, Err: err}
	}
	if root == nil {
		return nil, nil, &MappingError{File: file, Err: errors.New("empty mapping file")}
	}
	sp = d.top(root)
	return sp, d.errs, nil
}

// parseYAML returns the root node of the single document in data, or nil when there is none; on
// a syntax error, the line it names. The YAML library is third-party code fed untrusted text: a
// panic in it becomes an error.
func parseYAML(data []byte) (root *yaml.Node, line int, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, line, err = nil, 0, fmt.Errorf("YAML parser failed: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, 0, nil
		}
		line, msg := yamlError(err)
		return nil, line, errors.New(msg)
	}
	var more yaml.Node
	if err := dec.Decode(&more); err == nil {
		return nil, more.Line, errors.New("a mapping file holds one YAML document; another starts here")
	} else if !errors.Is(err, io.EOF) {
		line, msg := yamlError(err)
		return nil, line, errors.New(msg)
	}
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return nil, 0, nil
		}
		return doc.Content[0], 0, nil
	}
	return &doc, 0, nil
}

// yamlError splits a YAML error ("yaml: line 3: did not find …") into its line and message.
func yamlError(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	rest, ok := strings.CutPrefix(msg, "line ")
	if !ok {
		return 0, "YAML: " + msg
	}
	n := 0
	i := 0
	for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9' && n < 1<<30; i++ {
		n = n*10 + int(rest[i]-'0')
	}
	if i == 0 || !strings.HasPrefix(rest[i:], ": ") {
		return 0, "YAML: " + msg
	}
	return n, "YAML: " + rest[i+2:]
}

func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

type kv struct {
	key  str
	node *yaml.Node
}

// pairs returns the entries of the mapping n, reporting a node that is not a mapping, keys that
// are not scalars and keys given twice.
func (d *decoder) pairs(n *yaml.Node, key, what string) ([]kv, bool) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		d.fail(nodeLine(n), key, "%s must be a mapping of keys to values", what)
		return nil, false
	}
	out := make([]kv, 0, len(n.Content)/2)
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := resolve(n.Content[i])
		if k == nil || k.Kind != yaml.ScalarNode {
			d.fail(nodeLine(k), key, "%s: a key must be a plain string", what)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.fail(k.Line, key, "key %q given twice (first on line %d)", k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		out = append(out, kv{str{k.Value, k.Line}, n.Content[i+1]})
	}
	return out, true
}

// scalar returns the string value of n.
func (d *decoder) scalar(n *yaml.Node, key, what string) (*str, bool) {
	n = resolve(n)
	switch {
	case n == nil:
		d.fail(0, key, "%s has no value", what)
		return nil, false
	case n.Kind != yaml.ScalarNode:
		d.fail(n.Line, key, "%s must be a single value, not a %s", what, kindName(n.Kind))
		return nil, false
	case n.Tag == "!!null":
		d.fail(n.Line, key, "%s has no value (write \"\" for an empty string)", what)
		return nil, false
	}
	return &str{n.Value, n.Line}, true
}

// list returns the values of a sequence of scalars; a single scalar is a list of one.
func (d *decoder) list(n *yaml.Node, key, what string) []str {
	n = resolve(n)
	if n != nil && n.Kind == yaml.ScalarNode {
		if s, ok := d.scalar(n, key, what); ok {
			return []str{*s}
		}
		return nil
	}
	if n == nil || n.Kind != yaml.SequenceNode {
		d.fail(nodeLine(n), key, "%s must be a list", what)
		return nil
	}
	out := make([]str, 0, len(n.Content))
	for _, c := range n.Content {
		if s, ok := d.scalar(c, key, what+" entry"); ok {
			out = append(out, *s)
		}
	}
	return out
}

func (d *decoder) boolean(n *yaml.Node, key, what string) bool {
	s, ok := d.scalar(n, key, what)
	if !ok {
		return false
	}
	switch s.v {
	case "true":
		return true
	case "false":
		return false
	}
	d.fail(s.line, key, "%s must be true or false, not %q", what, s.v)
	return false
}

func (d *decoder) unknown(k str, key string, known []string) {
	d.fail(k.line, key, "unknown key %q (known: %s)", k.v, strings.Join(known, ", "))
}

func nodeLine(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "value"
}

func (d *decoder) top(root *yaml.Node) *spec {
	sp := &spec{broken: map[string]bool{}}
	entries, ok := d.pairs(root, "", "a mapping file")
	if !ok {
		sp.broken[""] = true
		return sp
	}
	for _, e := range entries {
		before := len(d.errs)
		switch e.key.v {
		case "name":
			sp.name, _ = d.scalar(e.node, "name", "name")
		case "version":
			sp.version, _ = d.scalar(e.node, "version", "version")
		case "description":
			sp.description, _ = d.scalar(e.node, "description", "description")
		case "container":
			sp.container, _ = d.scalar(e.node, "container", "container")
		case "wrappers":
			sp.wrappers = d.list(e.node, "wrappers", "wrappers")
		case "csv":
			sp.csv = d.csv(e.node, e.key.line)
		case "detect":
			sp.detect = d.detect(e.node, e.key.line)
		case "fields":
			sp.fieldsLine = e.key.line
			sp.fields = d.fieldList(e.node, "fields")
		case "attrs":
			sp.attrs = d.fieldList(e.node, "attrs")
		default:
			d.unknown(e.key, "", topKeys)
			continue
		}
		if len(d.errs) > before {
			sp.broken[e.key.v] = true
		}
	}
	return sp
}

func (d *decoder) csv(n *yaml.Node, line int) *csvSpec {
	c := &csvSpec{line: line}
	entries, _ := d.pairs(n, "csv", "this section")
	for _, e := range entries {
		switch e.key.v {
		case "comma":
			c.comma, _ = d.scalar(e.node, "csv", "comma")
		case "comment":
			c.comment, _ = d.scalar(e.node, "csv", "comment")
		case "columns":
			c.columnsLine = e.key.line
			c.columns = d.list(e.node, "csv", "columns")
		case "lazy_quotes":
			c.lazyQuotes = d.boolean(e.node, "csv", "lazy_quotes")
		case "trim_leading_space":
			c.trimLeadingSpace = d.boolean(e.node, "csv", "trim_leading_space")
		default:
			d.unknown(e.key, "csv", csvKeys)
		}
	}
	return c
}

func (d *decoder) detect(n *yaml.Node, line int) *detectSpec {
	ds := &detectSpec{line: line}
	entries, _ := d.pairs(n, "detect", "this section")
	for _, e := range entries {
		switch e.key.v {
		case "keys":
			ds.keys = d.list(e.node, "detect", "keys")
		case "columns":
			ds.columns = d.list(e.node, "detect", "columns")
		case "regex":
			ds.regex, _ = d.scalar(e.node, "detect", "regex")
		default:
			d.unknown(e.key, "detect", detectKeys)
		}
	}
	return ds
}

// fieldList reads fields: or attrs:, keeping the order of the file.
func (d *decoder) fieldList(n *yaml.Node, section string) []*fieldSpec {
	entries, _ := d.pairs(n, section, "this section")
	out := make([]*fieldSpec, 0, len(entries))
	for _, e := range entries {
		before := len(d.errs)
		f := d.field(e.node, section+"."+e.key.v, e.key)
		f.broken = len(d.errs) > before
		out = append(out, f)
	}
	return out
}

// field reads one field: either a single value (shorthand for from:) or a mapping.
func (d *decoder) field(n *yaml.Node, key string, name str) *fieldSpec {
	f := &fieldSpec{key: key, name: name.v, line: name.line}
	n = resolve(n)
	if n != nil && n.Kind == yaml.ScalarNode {
		f.from, _ = d.scalar(n, key, "the source path")
		return f
	}
	entries, ok := d.pairs(n, key, "a field")
	if !ok {
		return f
	}
	for _, e := range entries {
		switch e.key.v {
		case "from":
			f.from, _ = d.scalar(e.node, key, "from")
		case "value":
			f.value, _ = d.scalar(e.node, key, "value")
		case "template":
			f.template, _ = d.scalar(e.node, key, "template")
		case "default":
			f.def, _ = d.scalar(e.node, key, "default")
		case "transforms":
			f.transforms = d.transforms(e.node, key)
		case "when":
			f.when = d.when(e.node, key, e.key.line)
		default:
			d.unknown(e.key, key, fieldKeys)
		}
	}
	return f
}

func (d *decoder) transforms(n *yaml.Node, key string) []*transformSpec {
	n = resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		d.fail(nodeLine(n), key, "transforms must be a list (each entry on a line starting with -)")
		return nil
	}
	out := make([]*transformSpec, 0, len(n.Content))
	for _, c := range n.Content {
		if t := d.transform(c, key); t != nil {
			out = append(out, t)
		}
	}
	return out
}

// transform reads one entry of transforms: a bare name (lowercase) or a mapping whose first key
// names the transform and holds its argument (regex: "…"); map may also carry default.
func (d *decoder) transform(n *yaml.Node, key string) *transformSpec {
	n = resolve(n)
	if n != nil && n.Kind == yaml.ScalarNode {
		s, ok := d.scalar(n, key, "a transform")
		if !ok {
			return nil
		}
		return &transformSpec{name: s.v, line: s.line}
	}
	entries, ok := d.pairs(n, key, "a transform")
	if !ok || len(entries) == 0 {
		if ok {
			d.fail(nodeLine(n), key, "empty transform")
		}
		return nil
	}
	t := &transformSpec{name: entries[0].key.v, line: entries[0].key.line}
	arg := entries[0].node
	switch t.name {
	case "time":
		t.layouts = d.list(arg, key, "time layouts")
	case "regex":
		t.arg, _ = d.scalar(arg, key, "regex")
	case "map":
		table, _ := d.pairs(arg, key, "the map table")
		for _, e := range table {
			if v, ok := d.scalar(e.node, key, fmt.Sprintf("map entry %q", e.key.v)); ok {
				t.table = append(t.table, pair{e.key, *v})
			}
		}
	default:
		if _, bare := bareTransforms[t.name]; bare {
			d.fail(t.line, key, "transform %q takes no argument; write it as \"- %s\"", t.name, t.name)
			return nil
		}
		// An unknown name: compile reports it with the list of known transforms.
	}
	for _, e := range entries[1:] {
		if t.name == "map" && e.key.v == "default" {
			t.def, _ = d.scalar(e.node, key, "the map's default")
			continue
		}
		d.fail(e.key.line, key, "unexpected key %q in transform %q (one transform per list entry; map alone may add default)", e.key.v, t.name)
	}
	return t
}

func (d *decoder) when(n *yaml.Node, key string, line int) *whenSpec {
	w := &whenSpec{line: line}
	entries, _ := d.pairs(n, key, "when")
	for _, e := range entries {
		switch e.key.v {
		case "category":
			w.category = d.list(e.node, key, "when.category")
		case "from":
			w.from, _ = d.scalar(e.node, key, "when.from")
		case "in":
			w.in = d.list(e.node, key, "when.in")
		default:
			d.unknown(e.key, key, whenKeys)
		}
	}
	return w
}
