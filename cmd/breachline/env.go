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
	// key is the open case's handle key (nil before one is open).
	key  *normalize.HandleKey
	argv []string
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
	// The command line goes into the custody log; a token typed on it must not. Its handles are
	// the case's; before a case is open (never, for a command that records) a throwaway key
	// still keeps the value out.
	key := e.key
	if key == nil {
		key, _ = normalize.GenerateHandleKey()
	}
	args := make([]string, len(e.argv))
	for i, a := range e.argv {
		args[i], _ = key.Redact(a)
	}
	return timeline.Actor{Examiner: name, Args: args, Tool: "breachline " + version()}
}

// note prints a message for the examiner on stderr unless --quiet.
func (e *env) note(format string, a ...any) {
	if !e.quiet {
		fmt.Fprintf(e.stderr, format+"\n", a...)
	}
}

// openCase opens the case for reading.
func (e *env) openCase(ctx context.Context) (*timeline.Case, error) {
	if _, err := checkCaseShape(e.casePath); err != nil {
		return nil, err
	}
	return e.withKey(timeline.OpenReadOnly(ctx, e.casePath))
}

// withKey keeps the opened case's handle key, for what the command prints or records.
func (e *env) withKey(cs *timeline.Case, err error) (*timeline.Case, error) {
	if err != nil {
		return nil, err
	}
	if e.key, err = cs.HandleKey(context.Background()); err != nil {
		cs.Close()
		return nil, err
	}
	return cs, nil
}

// openCaseForWriting opens an existing case to change it, after making sure the file is one: a
// foreign SQLite database must not be switched to WAL or given breachline's tables.
func (e *env) openCaseForWriting(ctx context.Context) (*timeline.Case, error) {
	if _, err := checkCaseFile(ctx, e.casePath); err != nil {
		return nil, err
	}
	return e.withKey(timeline.Open(ctx, e.casePath))
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
