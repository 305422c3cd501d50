package mapped

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"sync"
)

// The built-in mappings are YAML files in builtin/, embedded in the binary so that
// `breachline formats` lists them and detection tries them without any file to install.
//
//go:embed builtin/*.yaml
var builtinFS embed.FS

var loadBuiltins = sync.OnceValues(func() ([]*Ingester, error) {
	names, err := fs.Glob(builtinFS, "builtin/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]*Ingester, 0, len(names))
	seen := map[string]string{}
	for _, name := range names {
		data, err := builtinFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ing, err := Parse(path.Base(name), data)
		if err != nil {
			return nil, err
		}
		ing.origin = "built-in " + path.Base(name)
		if prev, dup := seen[ing.Name()]; dup {
			return nil, fmt.Errorf("built-in mappings %s and %s are both called %q", prev, name, ing.Name())
		}
		seen[ing.Name()] = name
		out = append(out, ing)
	}
	return out, nil
})

// Builtins returns the mappings shipped in builtin/, in file name order, each a complete
// ingest.Ingester. A built-in that does not compile is a bug in breachline, caught by the
// package's tests; Builtins panics rather than ship without it.
func Builtins() []*Ingester {
	ings, err := loadBuiltins()
	if err != nil {
		panic(fmt.Sprintf("mapped: built-in mapping does not load: %v", err))
	}
	return append([]*Ingester(nil), ings...) // the caller's to reorder; the ingesters are shared and immutable
}
