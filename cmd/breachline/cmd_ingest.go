package main

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/spf13/pflag"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/accesslog"
	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/internal/progress"
	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report"
	"github.com/breachline/breachline/timeline"
)

var ingestCommand = &command{
	name:    "ingest",
	summary: "Read evidence files into the case",
	usage:   "[flags] PATH...",
	example: `breachline ingest --case acme.db logs/cloudtrail/ logs/nginx/access.log.gz
breachline ingest --case acme.db --format access-log --assume-tz Europe/Berlin odd-name.txt
breachline ingest --case acme.db --mapping secrets-service.yaml logs/secrets-service/
breachline ingest --case acme.db --reparse --assume-tz Europe/Berlin logs/app.log   # parsed wrongly before
breachline ingest --case acme.db --workers 2 logs/   # leave the other cores free; the case is the same`,
	about: `Each PATH is a file or a directory (read recursively, in sorted order). Files are opened
read-only, hashed, decompressed when gzipped, and their format detected from the first 64 KiB
unless --format names it. --mapping FILE adds a mapping (docs/mapping.md) for a log that has no
parser of its own: its detect rule is tried first, and --format can name it. Every file is
stored in one transaction with its custody entry; a file whose bytes are already in the case is
skipped, unless --reparse asks to parse it again (with other --format, --assume-tz or --mapping
settings): that stores a new version of the evidence, and the earlier version's rows are kept as
superseded (docs/handles.md). Every record becomes an event or a reject with a reason: records =
events + rejects for each file.

Exits 3 when some inputs could not be read, were of unknown format, were passed over (a link to
a directory, a broken link, a named pipe, socket or device) or gave no event because every
record was rejected (the rest were ingested), and 1 without creating or changing the case when
none of them could be read.`,
	new: func() runner { return &ingestCmd{} },
}

type ingestCmd struct {
	format      string
	logFormat   string
	mapping     string
	ingesters   []ingest.Ingester
	assumeTZ    string
	secretPaths []string
	maxRecord   int
	reparse     bool
	workers     int
	inflate     int
	loc         *time.Location
	locFrom     string          // where the zone of --assume-tz Local was read from
	lake        lakeIngestFlags // --to-lake, --handle-key (ingest_lake.go)
}

func (c *ingestCmd) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.format, "format", "", "force this input format instead of detecting it (see `breachline formats`)")
	fs.StringVar(&c.logFormat, "log-format", "", "the access log's own format: an Apache LogFormat string ('%h %l %u %t \\\"%r\\\" %>s %b') or an nginx log_format body; implies --format access-log (docs/formats.md)")
	fs.StringVar(&c.mapping, "mapping", "", "a mapping file for a log without a parser of its own (docs/mapping.md)")
	fs.StringVar(&c.assumeTZ, "assume-tz", "", "time zone for timestamps that carry none: an IANA name such as Europe/Berlin, or UTC (never guessed); Local is resolved to this machine's zone name")
	fs.StringArrayVar(&c.secretPaths, "secret-path", nil, "glob of files that hold secrets, for auditd (repeatable), e.g. '/run/secrets/*'")
	fs.IntVar(&c.maxRecord, "max-record", ingest.DefaultMaxRecord, "largest record in bytes; a longer one is rejected and reading goes on")
	fs.IntVar(&c.inflate, "max-inflate-ratio", ingest.DefaultMaxInflateRatio, fmt.Sprintf("largest decompressed/compressed size ratio of a gzip file beyond the first %d MiB; a gzip bomb is stopped there, its evidence marked incomplete (0: no limit)", ingest.DefaultInflateAllowance>>20))
	fs.BoolVar(&c.reparse, "reparse", false, "parse files already in the case again, as a new version of their evidence")
	fs.IntVar(&c.workers, "workers", 0, "files, and pieces of a large line-oriented log, to read and parse at once (0: one per core); the case is the same whatever the number")
	c.lake.AddFlags(fs)
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
	if c.logFormat != "" {
		if c.format != "" && c.format != accesslog.Name {
			return usagef("--log-format describes an access log: it cannot be used with --format %s", c.format)
		}
		if _, err := accesslog.CompileLogFormat(c.logFormat); err != nil {
			return usagef("--log-format: %v", err)
		}
		c.format = accesslog.Name
	}
	if c.format != "" {
		if _, err := ingest.Lookup(c.ingesters, c.format); err != nil {
			return err
		}
	}
	if c.assumeTZ != "" {
		var err error
		if c.loc, c.locFrom, err = assumeZone(c.assumeTZ); err != nil {
			return err
		}
	}
	if c.workers < 0 {
		return usagef("--workers must be 0 (one per core) or more")
	}
	if c.inflate < 0 {
		return usagef("--max-inflate-ratio must be 0 (no limit) or more")
	}
	if c.maxRecord < 1024 {
		return usagef("--max-record must be at least 1024 bytes")
	}
	return c.lake.check(c.reparse)
}

func (c *ingestCmd) run(ctx context.Context, e *env, paths []string) error {
	cfg := ingest.Config{
		Ingesters: c.ingesters,
		Reparse:   c.reparse,
		Workers:   c.workers,
		// 0 on the command line means no limit; in Config it means the default.
		MaxInflateRatio: c.inflate,
		Options:         ingest.Options{MaxRecord: c.maxRecord, AssumeTZ: c.loc, SecretPaths: c.secretPaths, LogFormat: c.logFormat},
	}
	if c.inflate == 0 {
		cfg.MaxInflateRatio = -1
	}
	if c.format != "" {
		cfg.Force, _ = ingest.Lookup(c.ingesters, c.format)
	}
	if c.locFrom != "" {
		e.note("--assume-tz Local is %s on this machine (from %s)", c.loc, c.locFrom)
	}
	// The inputs are looked at before the case is touched: when none can be read there is
	// nothing to ingest, and no case file is left behind by a mistyped path.
	inputs := ingest.Expand(paths)
	if len(inputs.Files) == 0 {
		for _, r := range inputs.Bad {
			fmt.Fprintf(e.stderr, "error: %s\n", normalize.Printable(r.Err.Error()))
		}
		if len(inputs.Bad) == 0 {
			return fmt.Errorf("no evidence files under %s", strings.Join(paths, ", "))
		}
		return errors.New("nothing ingested: no input could be read")
	}
	if c.lake.dir != "" {
		return c.lake.run(ctx, e, cfg, inputs)
	}
	defer tuneGC()()
	cs, err := openOrCreate(ctx, e)
	if err != nil {
		return err
	}
	defer cs.Close()

	bulk, err := cs.BeginBulk(ctx, inputs.Bytes)
	if err != nil {
		if !sqliteBusy(err) {
			return err
		}
		// A reader has the case open in write-ahead-log mode, which the bulk load's journal
		// switch needs to itself: store the files the ordinary way, and the reader goes on.
		e.note("note: %s is being read by another command: ingesting without the bulk load", normalize.Printable(e.casePath))
		bulk = nil
	}
	bar := progress.New(e.stderr, inputs.Bytes, e.quiet)
	cfg.Progress = bar
	results, runErr := ingest.RunInputs(ctx, cfg, inputs, cs.Sink(ctx, e.actor()))
	bar.Finish()
	// Indexes and the WAL are put right even when the ingest was interrupted.
	if bulk != nil {
		if err := bulk.End(context.WithoutCancel(ctx)); err != nil && runErr == nil {
			runErr = err
		}
	}
	printIngestSummary(e, results)
	if runErr != nil {
		if sqliteBusy(runErr) {
			return fmt.Errorf("%w (%w)", timeline.ErrBusy, runErr)
		}
		return runErr
	}
	if ingest.Partial(results) {
		return errPartial
	}
	return nil
}

// sqliteBusy reports whether err is SQLite's "database is locked": another process held the
// case past the busy timeout.
func sqliteBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

func openOrCreate(ctx context.Context, e *env) (*timeline.Case, error) {
	exists, err := checkCaseFile(ctx, e.casePath)
	if err != nil && exists {
		// Another ingest may be creating the case right now: its file is empty, or its schema
		// half made, until that ingest is done. Judge it once no one is writing it.
		if werr := timeline.WaitForWriter(e.casePath); werr != nil {
			return nil, werr
		}
		exists, err = checkCaseFile(ctx, e.casePath)
	}
	if err != nil {
		return nil, err
	}
	if !exists {
		return createCase(ctx, e, "", nil)
	}
	return e.withKey(timeline.Open(ctx, e.casePath))
}

func printIngestSummary(e *env, results []ingest.Result) {
	t := report.NewTable(e.stdout, "PATH", "FORMAT", "SHA256", "RECORDS", "EVENTS", "REJECTS", "STATUS")
	t.MaxCell = 0
	t.FreeText(6) // the status; the path stays whole, it is what rejects --evidence takes
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
			t.Row(r.Path, "", short, "", "", "", "already in case (as "+r.DuplicateOf+"; --reparse parses it again)")
		case r.Evidence == nil:
			t.Row(r.Path, "", short, "", "", "", "not stored (the ingest stopped)")
		default:
			ev := r.Evidence
			status := "ok"
			if !ev.Complete {
				status = "incomplete"
			}
			if ev.Format == "" {
				status = "empty"
			}
			if r.Failed != "" {
				status = "failed"
				if !ev.Complete {
					status = "failed, incomplete"
				}
			}
			if ev.Version > 1 {
				status += fmt.Sprintf(" (version %d)", ev.Version)
			}
			t.Row(r.Path, ev.Format, short, strconv.FormatInt(ev.Records, 10), strconv.FormatInt(ev.Events, 10),
				strconv.FormatInt(ev.Rejects, 10), status)
			events += ev.Events
			rejects += ev.Rejects
		}
	}
	_ = t.Flush()
	// Paths and messages quote file names, which anyone who could write the evidence chose:
	// escaped, as every other field is on output.
	for _, r := range results {
		path := normalize.Printable(r.Path)
		if r.Err != nil {
			fmt.Fprintf(e.stderr, "error: %s\n", normalize.Printable(r.Err.Error()))
		}
		if r.Failed != "" {
			fmt.Fprintf(e.stderr, "error: %s: %s (its rejects are stored: breachline rejects --evidence %s)\n", path, r.Failed, path)
		}
		if r.Evidence != nil {
			for _, n := range r.Evidence.Notes {
				e.note("note: %s: %s", path, normalize.Printable(n))
			}
		}
	}
	e.note("%d events and %d rejects stored in %s", events, rejects, normalize.Printable(e.casePath))
}

// tuneGC raises the garbage collector's target for an ingest and returns the function that
// restores it. Parsing allocates short-lived values fast while the live heap stays small (a few
// batches per file in flight, a few files at once), so collecting less often saves CPU; the soft
// memory limit of 128 MiB leaves room for SQLite's page cache (64 MiB during a load) and keeps
// the process well under 300 MB whatever the input size.
func tuneGC() (restore func()) {
	percent := debug.SetGCPercent(400)
	limit := debug.SetMemoryLimit(128 << 20)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}
