package mapped

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// compile checks a spec and turns it into a plan, returning every fault with its line. The plan
// may be used only when there are none.
func compile(file string, sp *spec) (*plan, []error) {
	c := &compiler{
		decoder: decoder{file: file},
		p:       &plan{file: file},
		slotOf:  map[string]int32{},
		broken:  sp.broken,
	}
	if !sp.broken[""] {
		c.top(sp)
	}
	return c.p, c.errs
}

type compiler struct {
	decoder
	p      *plan
	slotOf map[string]int32
	broken map[string]bool // top-level keys already reported by decode
}

var (
	nameRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	versionRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z.+_-]{0,31}$`)
)

func (c *compiler) top(sp *spec) {
	c.required(sp.name, "name", "the source name of its events (hub-audit)")
	if sp.name != nil && !nameRE.MatchString(sp.name.v) {
		c.fail(sp.name.line, "name", "%q must be lowercase letters, digits, '.', '_' and '-' (at most 64)", sp.name.v)
	}
	c.required(sp.version, "version", "its version (1.0.0), raised whenever its output changes")
	if sp.version != nil && !versionRE.MatchString(sp.version.v) {
		c.fail(sp.version.line, "version", "%q must be one word such as 1.0.0", sp.version.v)
	}
	c.required(sp.description, "description", "one line saying which log it reads")
	c.required(sp.container, "container", "json or csv")
	if sp.container != nil {
		switch sp.container.v {
		case "json":
		case "csv":
			c.p.csv = true
		default:
			c.fail(sp.container.line, "container", "%q is not json or csv", sp.container.v)
		}
	}
	c.containerOptions(sp)
	if !c.p.csv {
		c.p.trie = newTrie()
	}
	c.detect(sp)
	c.fields(sp)
	c.attrs(sp)
	if c.p.trie != nil {
		c.p.trie.finish()
	}
}

func (c *compiler) required(s *str, key, what string) {
	if c.broken[key] {
		return
	}
	if s == nil {
		c.fail(0, "", "missing %s: %s", key, what)
	} else if strings.TrimSpace(s.v) == "" {
		c.fail(s.line, key, "is empty: %s", what)
	}
}

func (c *compiler) containerOptions(sp *spec) {
	for _, w := range sp.wrappers {
		if c.p.csv {
			c.fail(w.line, "wrappers", "wrappers are for JSON containers; this mapping reads CSV")
			break
		}
		if w.v == "" {
			c.fail(w.line, "wrappers", "empty wrapper key")
			continue
		}
		c.p.wrappers = append(c.p.wrappers, w.v)
	}
	opt := &c.p.csvOpt
	opt.comma = ','
	cs := sp.csv
	if cs == nil {
		return
	}
	if !c.p.csv {
		c.fail(cs.line, "csv", "csv options are for CSV containers; this mapping reads JSON")
		return
	}
	opt.lazyQuotes, opt.trimLeadingSpace = cs.lazyQuotes, cs.trimLeadingSpace
	if cs.comma != nil {
		opt.comma = c.delimiter(cs.comma, "comma")
	}
	if cs.comment != nil {
		opt.comment = c.delimiter(cs.comment, "comment")
		if opt.comment == opt.comma {
			c.fail(cs.comment.line, "csv", "comment and comma are both %q", cs.comment.v)
		}
	}
	seen := map[string]int{}
	for _, col := range cs.columns {
		if first, dup := seen[col.v]; dup {
			c.fail(col.line, "csv", "column %q is listed twice (first on line %d)", col.v, first)
		}
		seen[col.v] = col.line
		opt.columns = append(opt.columns, col.v)
	}
	if cs.columnsLine > 0 && len(opt.columns) == 0 {
		c.fail(cs.columnsLine, "csv", "columns is empty")
	}
}

// delimiter checks a comma or comment character the way encoding/csv requires it.
func (c *compiler) delimiter(s *str, what string) rune {
	v := s.v
	if v == `\t` || v == "tab" {
		v = "\t"
	}
	r, n := utf8.DecodeRuneInString(v)
	if n == 0 || n != len(v) || r == 0 || r == utf8.RuneError || r == '"' || r == '\r' || r == '\n' || r == 0xFEFF {
		c.fail(s.line, "csv", "%s must be one character other than a quote or a line break (\\t or tab for a tab), not %q", what, s.v)
		return 0
	}
	return r
}

func (c *compiler) detect(sp *spec) {
	ds := sp.detect
	if c.broken["detect"] {
		return
	}
	if ds == nil {
		c.fail(0, "", "missing detect: how to recognise the log (keys of the first JSON record, CSV header columns, or a regex on the head of the file)")
		return
	}
	if len(ds.keys) == 0 && len(ds.columns) == 0 && ds.regex == nil {
		c.fail(ds.line, "detect", "detect needs keys, columns or regex")
	}
	for _, k := range ds.keys {
		if c.p.csv {
			c.fail(k.line, "detect", "detect.keys are JSON paths; for CSV name header columns in detect.columns")
			break
		}
		if slot, ok := c.slot(k.v, k.line, "detect"); ok {
			c.p.detect.keys = append(c.p.detect.keys, slot)
		}
	}
	for _, col := range ds.columns {
		switch {
		case !c.p.csv:
			c.fail(col.line, "detect", "detect.columns are CSV header columns; for JSON name paths in detect.keys")
		case len(c.p.csvOpt.columns) > 0:
			c.fail(col.line, "detect", "detect.columns needs a header row, but csv.columns says the file has none; use detect.regex")
		default:
			c.p.detect.columns = append(c.p.detect.columns, col.v)
			continue
		}
		break
	}
	if ds.regex != nil {
		re, err := regexp.Compile(ds.regex.v)
		if err != nil {
			c.failErr(ds.regex.line, "detect", fmt.Errorf("bad regex: %w", err))
		}
		c.p.detect.re = re
	}
}

// slot returns the value slot of a source path (JSON) or column (CSV).
func (c *compiler) slot(path string, line int, key string) (int32, bool) {
	if s, ok := c.slotOf[path]; ok {
		return s, true
	}
	var s int32
	if c.p.csv {
		if cols := c.p.csvOpt.columns; len(cols) > 0 && !slices.Contains(cols, path) {
			c.fail(line, key, "column %q is not in csv.columns (%s)", path, strings.Join(cols, ", "))
			return -1, false
		}
		s = c.p.slots
		c.p.slots++
		c.p.columns = append(c.p.columns, path)
	} else {
		steps, err := parsePath(path)
		if err != nil {
			c.failErr(line, key, err)
			return -1, false
		}
		s = c.p.trie.add(steps, &c.p.slots)
	}
	c.slotOf[path] = s
	return s, true
}

// sortByLine orders faults by line, those about the whole file first, keeping the order of
// faults on one line.
func sortByLine(errs []error) {
	line := func(e error) int {
		var me *MappingError
		if errors.As(e, &me) {
			return me.Line
		}
		return 0
	}
	slices.SortStableFunc(errs, func(a, b error) int { return line(a) - line(b) })
}
