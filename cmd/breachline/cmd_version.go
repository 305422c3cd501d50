package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/timeline"
)

var versionCommand = &command{
	name:    "version",
	summary: "Print the breachline, Go and SQLite versions",
	usage:   "",
	example: "breachline version",
	new:     func() runner { return &versionCmd{} },
}

type versionCmd struct{}

func (c *versionCmd) AddFlags(*pflag.FlagSet) {}

func (c *versionCmd) check(args []string) error {
	if len(args) > 0 {
		return usagef("version takes no arguments")
	}
	return nil
}

func (c *versionCmd) run(_ context.Context, e *env, _ []string) error {
	fmt.Fprintf(e.stdout, "breachline %s\ngo %s\nsqlite %s\n", version(), runtime.Version(), timeline.SQLiteVersion())
	return nil
}

// buildVersion is set by `make build` (-ldflags -X main.buildVersion=…) from git describe.
var buildVersion string

// version says which breachline this is, for custody entries and `breachline version`: the
// version make stamped, else the module version Go derives from the VCS state at build time
// (a tag, or a pseudo-version naming the commit, +dirty for a modified tree), else the VCS
// revision, else "devel" (go test and go run binaries carry none of these).
func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(rev) >= 12 {
		v := "devel-" + rev[:12]
		if dirty {
			v += "+dirty"
		}
		return v
	}
	return "devel"
}
