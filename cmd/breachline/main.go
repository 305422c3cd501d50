// Command breachline reconstructs the timeline of a secret-leak breach from logs and turns it into
// evidence. Each subcommand lives in its own file (cmd_<name>.go) with an options struct, its
// flags, a check of them and a run function; the work itself is in the library packages.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/spf13/pflag"
)

// Exit codes, documented in README.md.
const (
	exitOK      = 0
	exitError   = 1
	exitUsage   = 2
	exitPartial = 3
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	usage   string // after "breachline <name> "
	example string
	about   string // longer help, optional
	new     func() runner
}

// runner is what a subcommand's options struct implements.
type runner interface {
	AddFlags(fs *pflag.FlagSet)
	// check validates flags and arguments before anything is opened.
	check(args []string) error
	run(ctx context.Context, e *env, args []string) error
}

// commands is the command table, in the order `breachline help` lists them.
var commands = []*command{
	initCommand, ingestCommand, formatsCommand, evidenceCommand, rejectsCommand, timelineCommand,
	showCommand, inventoryCommand, iocCommand, correlateCommand, findingsCommand, credentialsCommand,
	explainCommand, pivotCommand, exportCommand, lakeCommand, caseCommand, reportCommand, bundleCommand, verifyCommand, keygenCommand, custodyCommand, migrateCommand, handleKeyCommand, versionCommand,
}

// usageError marks a mistake in the command line (exit 2).
type usageError struct{ error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// errPartial marks a run that did part of its work (exit 3); the details were already printed.
var errPartial = errors.New("some inputs were not ingested or gave no event")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// BREACHLINE_CPUPROFILE names a file for a CPU profile of the run, so that performance work
	// measures the built binary as a user runs it (docs/performance.md).
	if path := os.Getenv("BREACHLINE_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil && pprof.StartCPUProfile(f) == nil {
			defer f.Close()
		}
	}
	code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	pprof.StopCPUProfile()
	stop()
	os.Exit(code)
}

// Main runs breachline with args and returns the exit code. Tests call it in-process.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c := lookup(args[1]); c != nil {
				fs, _ := flagSet(c)
				printHelp(stdout, c, fs)
				return exitOK
			}
		}
		printOverview(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	c := lookup(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "breachline: unknown command %q (see `breachline help`)\n", args[0])
		return exitUsage
	}
	fs, r := flagSet(c)
	g := &globals{}
	g.AddFlags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			printHelp(stdout, c, fs)
			return exitOK
		}
		fmt.Fprintf(stderr, "breachline %s: %v\n(see `breachline %s --help`)\n", c.name, err, c.name)
		return exitUsage
	}
	if err := r.check(fs.Args()); err != nil {
		fmt.Fprintf(stderr, "breachline %s: %v\n(see `breachline %s --help`)\n", c.name, err, c.name)
		return exitUsage
	}
	e := newEnv(g, stdout, stderr, append([]string{"breachline"}, args...))
	err := r.run(ctx, e, fs.Args())
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errPartial):
		return exitPartial
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "breachline %s: %v\n", c.name, err)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "breachline %s: %v\n", c.name, err)
		return exitError
	}
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func flagSet(c *command) (*pflag.FlagSet, runner) {
	fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	r := c.new()
	r.AddFlags(fs)
	return fs, r
}

func printOverview(w io.Writer) {
	fmt.Fprintf(w, `breachline reconstructs the timeline of a secret-leak breach from logs and turns it into evidence.

Usage:
  breachline <command> [flags] [arguments]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, `
Every command takes --case PATH (default ./case.db). Run "breachline <command> --help" for its flags
and an example.

Exit codes: 0 ok, 1 error, 2 usage error, 3 partial (some inputs unreadable, of unknown format,
passed over, or with every record rejected; the rest were ingested).
`)
}

func printHelp(w io.Writer, c *command, fs *pflag.FlagSet) {
	g := &globals{}
	g.AddFlags(fs)
	fmt.Fprintf(w, "%s\n\nUsage:\n  breachline %s %s\n", c.summary, c.name, c.usage)
	if c.about != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.about))
	}
	fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsages())
	fmt.Fprintf(w, "\nExample:\n%s\n", indent(strings.TrimSpace(c.example)))
}

func indent(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n")
}
