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

// version is the module version from the build info, or the VCS revision of a development build.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "devel-" + s.Value[:12]
		}
	}
	return "devel"
}
