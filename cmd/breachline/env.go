package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/user"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/internal/progress"
	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report"
	"github.com/breachline/breachline/timeline"
)

// globals are the flags every command takes.
type globals struct {
	casePath string
	examiner string
	quiet    bool
}

func (g *globals) AddFlags(fs *pflag.FlagSet) {
	if fs.Lookup("case") != nil {
		return
	}
	fs.StringVar(&g.casePath, "case", "case.db", "case file (SQLite)")
	fs.StringVar(&g.examiner, "examiner", "", "who is acting, for the custody log (default: the OS user)")
	fs.BoolVarP(&g.quiet, "quiet", "q", false, "no progress or notes on stderr")
}

// env is what a command runs with: its output streams and the global settings.
type env struct {
	globals
	stdout, stderr       io.Writer
	stdoutTTY, stderrTTY bool
	argv                 []string
}

func newEnv(g *globals, stdout, stderr io.Writer, argv []string) *env {
	return &env{globals: *g, stdout: stdout, stderr: stderr, argv: argv,
		stdoutTTY: progress.IsTerminal(stdout), stderrTTY: progress.IsTerminal(stderr)}
}

// actor says who acts, for custody entries.
func (e *env) actor() timeline.Actor {
	name := e.examiner
	if name == "" {
		if u, err := user.Current(); err == nil {
			name = u.Username
		} else if v := os.Getenv("USER"); v != "" {
			name = v
		} else {
			name = "unknown"
		}
	}
	// The command line goes into the custody log; a token typed on it must not.
	args := make([]string, len(e.argv))
	for i, a := range e.argv {
		args[i], _ = normalize.Redact(a)
	}
	return timeline.Actor{Examiner: name, Args: args}
}

// note prints a message for the examiner on stderr unless --quiet.
func (e *env) note(format string, a ...any) {
	if !e.quiet {
		fmt.Fprintf(e.stderr, format+"\n", a...)
	}
}

// openCase opens the case for reading.
func (e *env) openCase(ctx context.Context) (*timeline.Case, error) {
	return timeline.OpenReadOnly(ctx, e.casePath)
}

// formatFlag is the --format flag of commands that print data.
type formatFlag struct{ value string }

func (f *formatFlag) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.value, "format", "table", "output format: table, jsonl or csv")
}

func (f *formatFlag) check() error {
	_, err := report.ParseFormat(f.value)
	if err != nil {
		return usageError{err}
	}
	return nil
}

func (f *formatFlag) get() report.Format { v, _ := report.ParseFormat(f.value); return v }
