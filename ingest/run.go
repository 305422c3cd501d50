package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/breachline/breachline/normalize"
)

// Sink receives what the core reads. The case store implements it; tests use a memory sink.
//
// Several files are read at once (Config.Workers), but one goroutine, the one that called Run,
// stores them: Begin, and every FileWriter call, come from it alone, one file at a time in input
// order. Known and HandleKey are also called by the goroutines that read files ahead of it,
// several at once, so they must be safe for concurrent use.
type Sink interface {
	// Known returns the path under which evidence with this sha256 is already in the case. A
	// reading goroutine asks it early, to skip parsing a file the case holds; the storing
	// goroutine asks again before Begin, and only that answer decides (the same bytes twice in
	// one run are stored once).
	Known(sha256 string) (path string, ok bool, err error)
	// Begin starts storing one evidence file. Nothing of it may become visible before Commit.
	Begin(ev *normalize.Evidence) (FileWriter, error)
	// HandleKey is the key of the case the sink stores into: the core and the ingesters turn
	// every raw credential value into a handle under it (Options.Key).
	HandleKey() *normalize.HandleKey
}

// FileWriter stores one evidence file's events and rejects, all or nothing. Its methods are
// called from the goroutine that called Run.
type FileWriter interface {
	// Write stores a batch. The slices are reused once Write returns: keep copies, not them.
	Write(events []normalize.Event, rejects []normalize.Reject) error
	// Commit stores ev (now complete with counts and times) and makes the file's rows visible.
	Commit(ev *normalize.Evidence) error
	// Rollback discards everything written since Begin.
	Rollback() error
}

// Progress is told how reading goes; the command line draws it as a bar. ReadBytes is called from
// the goroutines that read files, several at once; StartFile (when a file's storing begins) and
// EventsStored from the goroutine that called Run. An implementation must be safe for that.
type Progress interface {
	StartFile(path string, size int64)
	ReadBytes(n int)
	EventsStored(n int)
}

// Config says how to ingest.
type Config struct {
	// Ingesters are the formats to detect, in order of precedence.
	Ingesters []Ingester
	// Force, when set, is used for every file instead of detection.
	Force Ingester
	// Reparse parses files the case already holds again, as a new version of their evidence,
	// instead of skipping them (a file first parsed with the wrong format or time zone).
	Reparse bool
	// Workers is how many files are read and parsed at once, and how many pieces of one large
	// file of a format that allows it (LineSplitter); 0 means runtime.GOMAXPROCS(0). Whatever
	// the number, the results are the same: one goroutine stores the files in input order and
	// their records in stream order.
	Workers int
	// MaxInflateRatio bounds a gzip file's decompressed stream at this many times the file's
	// size (or InflateAllowance, whichever is larger): a gzip bomb, a few KiB that inflate to
	// gigabytes, is stopped there with one reject at the break and its evidence marked
	// incomplete, and the other files go on. 0 means DefaultMaxInflateRatio; negative, no bound.
	MaxInflateRatio int
	// InflateAllowance is the size any gzip stream may reach whatever its ratio, so that small
	// files of very repetitive records are never stopped; 0 means DefaultInflateAllowance.
	InflateAllowance int64
	Options
	Progress Progress
}

// Result is what became of one input file.
type Result struct {
	Path string
	// Evidence is the stored evidence row; nil when the file was not ingested.
	Evidence *normalize.Evidence
	// DuplicateOf is set when the case already held these bytes (under that path): a no-op.
	DuplicateOf string
	// SHA256 is the file's hash whenever it could be read.
	SHA256 string
	// Err says why the file was not ingested: unreadable, unknown format, changed while read.
	Err error
	// Failed says why a file that was ingested still counts as failed: every record it held was
	// rejected, so it added no event to the case. Its evidence and rejects are stored all the
	// same (a reject is evidence too), but an examiner must not read "ok" for a file the
	// timeline knows nothing of: forcing the wrong --format is the usual cause.
	Failed string
}

// failure returns why an ingested file counts as failed, or "".
func failure(ev *normalize.Evidence) string {
	if ev == nil || ev.Records == 0 || ev.Events > 0 {
		return ""
	}
	if ev.Records == 1 {
		return "no events: its one record was rejected"
	}
	return fmt.Sprintf("no events: all %d records were rejected", ev.Records)
}

// DefaultMaxInflateRatio is the default bound on how far a gzip file may inflate. Logs deflate
// 5 to 30 times, very repetitive ones up to about 100; deflate cannot exceed about 1032, which a
// bomb of zeros reaches.
const DefaultMaxInflateRatio = 250

// DefaultInflateAllowance is the decompressed size any gzip file may reach: 64 MiB.
const DefaultInflateAllowance = 64 << 20

// ErrInflateLimit is wrapped by the read error of a gzip stream stopped at Config.MaxInflateRatio.
var ErrInflateLimit = errors.New("gzip stream inflates past the limit")

// ErrUnknownFormat is wrapped by the error of a file no ingester recognised.
var ErrUnknownFormat = errors.New("unknown format")

// Run ingests every file under paths (directories are walked recursively in sorted order) into
// sink. Problems with single files go into their Result and the rest goes on; the returned error
// is for what stops everything: a failing sink or a cancelled context.
func Run(ctx context.Context, cfg Config, paths []string, sink Sink) ([]Result, error) {
	return RunInputs(ctx, cfg, Expand(paths), sink)
}

// RunInputs is Run over paths already expanded, for callers that looked at them first (the
// command line sizes its progress bar and bulk load from Inputs.Bytes).
//
// Up to Config.Workers files are opened, hashed and parsed at once by goroutines of their own,
// while this goroutine stores them in input order; the readers ahead of it wait on bounded
// channels, so memory stays bounded whatever the input.
func RunInputs(ctx context.Context, cfg Config, in Inputs, sink Sink) ([]Result, error) {
	if cfg.MaxRecord <= 0 {
		cfg.MaxRecord = DefaultMaxRecord
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.MaxInflateRatio == 0 {
		cfg.MaxInflateRatio = DefaultMaxInflateRatio
	}
	if cfg.InflateAllowance <= 0 {
		cfg.InflateAllowance = DefaultInflateAllowance
	}
	results := append([]Result(nil), in.Bad...)
	ctx, cancel := context.WithCancel(ctx)
	r := newRunner(cfg, sink)
	defer r.wait()
	defer cancel() // before the wait: it is what stops the readers ahead
	jobs := r.dispatch(ctx, in.Files)
	for _, path := range in.Files {
		if err := ctx.Err(); err != nil {
			return results, err
		}
		j, ok := <-jobs
		if !ok { // the dispatcher stopped: the context is done
			return results, ctx.Err()
		}
		res, err := r.store(ctx, j)
		j.finish(r)
		res.Failed = failure(res.Evidence)
		results = append(results, res)
		if err != nil {
			return results, fmt.Errorf("%s: %w", path, err)
		}
	}
	return results, nil
}

// regularFile checks, before the file is opened, that path is still a regular file: Expand
// looked, but the caller may have built Inputs itself, and opening a named pipe would block the
// ingest until something writes to it.
func regularFile(path string) *Result {
	info, err := os.Stat(path)
	if err != nil {
		return &Result{Path: path, Err: statError(path, err)}
	}
	if err := notRegular(path, info.Mode()); err != nil {
		return &Result{Path: path, Err: err}
	}
	return nil
}

// Partial reports whether some input was not ingested, or was ingested but failed (the command
// exits 3).
func Partial(results []Result) bool {
	for _, r := range results {
		if r.Err != nil || r.Failed != "" {
			return true
		}
	}
	return false
}

// Lookup returns the ingester called name, or an error listing the known names.
func Lookup(ingesters []Ingester, name string) (Ingester, error) {
	for _, ing := range ingesters {
		if ing.Name() == name {
			return ing, nil
		}
	}
	return nil, fmt.Errorf("unknown format %q (known: %s)", name, formatNames(ingesters))
}

// formatNames lists ingester names, for messages.
func formatNames(ings []Ingester) string {
	names := make([]string, 0, len(ings))
	for _, i := range ings {
		names = append(names, i.Name())
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// settings are the options that shape a parse, as the evidence row records them.
func (cfg *Config) settings() map[string]string {
	s := map[string]string{"max_record": strconv.Itoa(cfg.MaxRecord)}
	if cfg.Force != nil {
		s["format"] = cfg.Force.Name() + "@" + cfg.Force.Version()
	}
	if cfg.AssumeTZ != nil {
		s["assume_tz"] = cfg.AssumeTZ.String()
	}
	if len(cfg.SecretPaths) > 0 {
		s["secret_paths"] = strings.Join(cfg.SecretPaths, ",")
	}
	if cfg.LogFormat != "" {
		s["log_format"] = cfg.LogFormat
	}
	return s
}
