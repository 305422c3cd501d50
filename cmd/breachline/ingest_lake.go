package main

import (
	"context"
	"errors"
	"path/filepath"
	"runtime/debug"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/internal/progress"
	"github.com/breachline/breachline/lake"
	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report/export"
)

// lakeMemoryLimit is the soft memory limit of an ingest into a lake (debug.SetMemoryLimit).
const lakeMemoryLimit = 256 << 20

// lakeIngestFlags are ingest's flags for an ingest straight into a lake (--to-lake), without a
// case. cmd_ingest.go registers them and hands the run over when --to-lake is given.
type lakeIngestFlags struct {
	dir     string
	keyFile string
	key     *normalize.HandleKey
}

func (l *lakeIngestFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&l.dir, "to-lake", "", "write the events, rejects and evidence list straight to a new Parquet lake in this folder, without a case (docs/scale.md)")
	fs.StringVar(&l.keyFile, "handle-key", "", "with --to-lake: file holding the handle key for credential handles (as breachline handle-key prints it); without it a new key is written to DIR/"+lake.KeyFileName+", mode 0600")
}

// check validates the lake flags: reparse is ingest's --reparse, which has no meaning without a
// case.
func (l *lakeIngestFlags) check(reparse bool) error {
	if l.dir == "" {
		if l.keyFile != "" {
			return usagef("--handle-key is for --to-lake: a case keeps its own key (breachline init --handle-key)")
		}
		return nil
	}
	if reparse {
		return usagef("--reparse parses again files a case holds; a lake made by --to-lake starts empty")
	}
	if err := export.Check(l.dir, false); err != nil {
		if errors.Is(err, export.ErrExists) {
			return usagef("--to-lake %s exists: a lake is written into a new folder (name another, or remove it)", l.dir)
		}
		return usageError{err}
	}
	if l.keyFile != "" {
		k, err := lake.ReadKey(l.keyFile)
		if err != nil {
			return usagef("--handle-key: %v", err)
		}
		l.key = k
	}
	return nil
}

// run ingests inputs with cfg into the lake l.dir instead of a case, and prints the same summary
// as an ingest into a case.
func (l *lakeIngestFlags) run(ctx context.Context, e *env, cfg ingest.Config, inputs ingest.Inputs) error {
	key, generated := l.key, false
	if key == nil {
		var err error
		if key, err = lake.GenerateKey(); err != nil {
			return err
		}
		generated = true
	}
	e.key = key // the command line in the descriptor is redacted under the lake's key
	actor := e.actor()
	defer tuneGC()()
	// The Parquet writers hold row groups (up to report/parquet's buffer budget) beside the
	// parse: at ingest's soft limit of 128 MiB the collector ran all the time and the ingest
	// took almost twice the CPU. 256 MiB keeps the process near 300 MB whatever the input size.
	debug.SetMemoryLimit(lakeMemoryLimit)
	bar := progress.New(e.stderr, inputs.Bytes, e.quiet)
	cfg.Progress = bar
	res, results, err := lake.Ingest(ctx, l.dir, &lake.IngestRequest{Config: cfg, Inputs: inputs, Key: key,
		WriteKey: generated, Examiner: actor.Examiner, Args: actor.Args, ToolVersion: version()})
	bar.Finish()
	summary := *e
	summary.casePath = l.dir
	printIngestSummary(&summary, results)
	if err != nil {
		return err
	}
	e.note("lake %s written (sha256 of _SHA256SUMS %s)", l.dir, res.SHA256)
	if generated {
		e.note("its handle key is %s (mode 0600, not in _SHA256SUMS): keep it as secret as the logs, and leave it out when sharing the lake",
			filepath.Join(l.dir, lake.KeyFileName))
	}
	if ingest.Partial(results) {
		return errPartial
	}
	return nil
}
