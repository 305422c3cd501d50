package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/internal/progress"
	"github.com/breachline/breachline/report"
	"github.com/breachline/breachline/timeline"
)

var ingestCommand = &command{
	name:    "ingest",
	summary: "Read evidence files into the case",
	usage:   "[flags] PATH...",
	example: `breachline ingest --case acme.db logs/cloudtrail/ logs/nginx/access.log.gz
breachline ingest --case acme.db --format access-log --assume-tz Europe/Berlin odd-name.txt
breachline ingest --case acme.db --mapping secrets-service.yaml logs/secrets-service/`,
	about: `Each PATH is a file or a directory (read recursively, in sorted order). Files are opened
read-only, hashed, decompressed when gzipped, and their format detected from the first 64 KiB
unless --format names it. --mapping FILE adds a mapping (docs/mapping.md) for a log that has no
parser of its own: its detect rule is tried first, and --format can name it. Every file is stored in one transaction with its custody entry; a file
whose bytes are already in the case is skipped. Every record becomes an event or a reject with a
reason: records = events + rejects for each file.

Exits 3 when some inputs could not be read or were of unknown format (the rest were ingested).`,
	new: func() runner { return &ingestCmd{} },
}

type ingestCmd struct {
	format      string
	mapping     string
	ingesters   []ingest.Ingester
	assumeTZ    string
	secretPaths []string
	maxRecord   int
	loc         *time.Location
}

func (c *ingestCmd) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.format, "format", "", "force this input format instead of detecting it (see `breachline formats`)")
	fs.StringVar(&c.mapping, "mapping", "", "a mapping file for a log without a parser of its own (docs/mapping.md)")
	fs.StringVar(&c.assumeTZ, "assume-tz", "", "time zone for timestamps that carry none, e.g. UTC or Europe/Berlin (never guessed)")
	fs.StringArrayVar(&c.secretPaths, "secret-path", nil, "glob of files that hold secrets, for auditd (repeatable), e.g. '/run/secrets/*'")
	fs.IntVar(&c.maxRecord, "max-record", ingest.DefaultMaxRecord, "largest record in bytes; a longer one is rejected and reading goes on")
}

func (c *ingestCmd) check(args []string) error {
	if len(args) == 0 {
		return usagef("name at least one evidence file or directory")
	}
	c.ingesters = all.Ingesters()
	if c.mapping != "" {
		ings, _, err := all.WithMapping(c.mapping)
		if err != nil {
			return err
		}
		c.ingesters = ings
	}
	if c.format != "" {
		if _, err := ingest.Lookup(c.ingesters, c.format); err != nil {
			return err
		}
	}
	if c.assumeTZ != "" {
		loc, err := time.LoadLocation(c.assumeTZ)
		if err != nil {
			return fmt.Errorf("--assume-tz %q: %w", c.assumeTZ, err)
		}
		c.loc = loc
	}
	if c.maxRecord < 1024 {
		return usagef("--max-record must be at least 1024 bytes")
	}
	return nil
}

func (c *ingestCmd) run(ctx context.Context, e *env, paths []string) error {
	cfg := ingest.Config{
		Ingesters: c.ingesters,
		Options:   ingest.Options{MaxRecord: c.maxRecord, AssumeTZ: c.loc, SecretPaths: c.secretPaths},
	}
	if c.format != "" {
		cfg.Force, _ = ingest.Lookup(c.ingesters, c.format)
	}
	defer tuneGC()()
	cs, err := openOrCreate(ctx, e)
	if err != nil {
		return err
	}
	defer cs.Close()

	inputs := ingest.Expand(paths)
	bulk, err := cs.BeginBulk(ctx, inputs.Bytes)
	if err != nil {
		return err
	}
	bar := progress.New(e.stderr, inputs.Bytes, e.quiet)
	cfg.Progress = bar
	results, runErr := ingest.RunInputs(ctx, cfg, inputs, cs.Sink(ctx, e.actor()))
	bar.Finish()
	// Indexes and the WAL are put right even when the ingest was interrupted.
	if err := bulk.End(context.WithoutCancel(ctx)); err != nil && runErr == nil {
		runErr = err
	}
	printIngestSummary(e, results)
	if runErr != nil {
		return runErr
	}
	if ingest.Partial(results) {
		return errPartial
	}
	return nil
}

func openOrCreate(ctx context.Context, e *env) (*timeline.Case, error) {
	if _, err := os.Stat(e.casePath); errors.Is(err, os.ErrNotExist) {
		return createCase(ctx, e, "")
	}
	return timeline.Open(ctx, e.casePath)
}

func printIngestSummary(e *env, results []ingest.Result) {
	t := report.NewTable(e.stdout, "PATH", "FORMAT", "SHA256", "RECORDS", "EVENTS", "REJECTS", "STATUS")
	t.MaxCell = 0
	var events, rejects int64
	for _, r := range results {
		short := r.SHA256
		if len(short) > 12 {
			short = short[:12]
		}
		switch {
		case r.Err != nil:
			t.Row(r.Path, "", short, "", "", "", "not ingested")
		case r.DuplicateOf != "":
			t.Row(r.Path, "", short, "", "", "", "already in case (as "+r.DuplicateOf+")")
		default:
			ev := r.Evidence
			status := "ok"
			if !ev.Complete {
				status = "incomplete"
			}
			if ev.Format == "" {
				status = "empty"
			}
			t.Row(r.Path, ev.Format, short, strconv.FormatInt(ev.Records, 10), strconv.FormatInt(ev.Events, 10),
				strconv.FormatInt(ev.Rejects, 10), status)
			events += ev.Events
			rejects += ev.Rejects
		}
	}
	_ = t.Flush()
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(e.stderr, "error: %v\n", r.Err)
		}
		if r.Evidence != nil {
			for _, n := range r.Evidence.Notes {
				e.note("note: %s: %s", r.Path, n)
			}
		}
	}
	e.note("%d events and %d rejects stored in %s", events, rejects, e.casePath)
}

// tuneGC raises the garbage collector's target for an ingest and returns the function that
// restores it. Parsing allocates short-lived values fast while the live heap stays small (a few
// batches in flight), so collecting less often saves CPU; the soft memory limit keeps the
// process well under 300 MB whatever the input size.
func tuneGC() (restore func()) {
	percent := debug.SetGCPercent(400)
	limit := debug.SetMemoryLimit(192 << 20)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}
