package ingest

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/breachline/breachline/normalize"
)

// wholeBudget bounds the bytes of evidence files held in memory at once, all workers together: a
// file small enough to get a share of it (and at most maxWhole) is read once, and its hash and
// parse both come from that buffer. 64 MiB keeps the process well under 300 MB beside the
// pieces, batches and the store's cache, and gives each of two workers 32 MiB, more than nearly
// every cloud log delivery file (CloudTrail's are KiBs to a few MiB). A larger file is read
// twice, hash then parse, which costs little next to parsing it.
const (
	wholeBudget = 64 << 20
	minWhole    = 1 << 20
)

// maxWhole is the most a file may be to be read once. A variable so that tests can take the
// two-pass path with small files.
var maxWhole int64 = 32 << 20

// Depths of the channels batches wait in. A file parsed in one piece runs a few batches ahead of
// the writer; while the writer is on an earlier file it may run further, as far as the runner's
// ahead tokens allow (aheadBatches per worker, 16 MiB a worker as batches are sized, at most
// maxAhead in all), so that the parse of the next file does not stop after a few thousand events
// while the writer stores this one. A piece of a split file has room for a whole piece's output (a 1 MiB piece of
// 128-byte lines is eight batches), so that its parse never waits for the writer to reach it.
const (
	wholeDepth   = 3
	pieceDepth   = 8
	aheadBatches = 16
	maxAhead     = 64
)

// runner is one RunInputs: its settings, the bounds on what is in flight, and the goroutines.
type runner struct {
	cfg      Config
	sink     Sink
	maxWhole int64
	chunk    int // the size of a split file's pieces
	// slots holds a token for every file being read: at most Workers at once.
	slots chan struct{}
	// pieceTokens bounds the pieces of split files read ahead of the file being stored (whose
	// own pieces need none, so the writer always gets what it waits for).
	pieceTokens chan struct{}
	// ahead bounds the batches files parsed in one piece hold beyond their room while the
	// writer is on an earlier file.
	ahead chan struct{}

	jobs chan *fileJob
	wg   sync.WaitGroup // the dispatcher
}

func newRunner(cfg Config, sink Sink) *runner {
	w := cfg.Workers
	return &runner{
		cfg: cfg, sink: sink,
		maxWhole:    min(maxWhole, max(minWhole, wholeBudget/int64(w))),
		chunk:       pieceSize(w),
		slots:       make(chan struct{}, w),
		pieceTokens: make(chan struct{}, w),
		ahead:       make(chan struct{}, min(aheadBatches*w, maxAhead)),
		// With the one the dispatcher holds, Workers files wait for the writer at most.
		jobs: make(chan *fileJob, w-1),
	}
}

// dispatch starts a reader for each file in order as slots free up, and hands the files' jobs to
// the writer in the same order.
func (r *runner) dispatch(ctx context.Context, files []string) <-chan *fileJob {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer close(r.jobs)
		for _, path := range files {
			select {
			case r.slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			j := r.newJob(ctx, path)
			j.wg.Add(1)
			go func() {
				defer j.wg.Done()
				defer func() { <-r.slots }()
				r.produce(j, true)
			}()
			select {
			case r.jobs <- j:
			case <-ctx.Done():
				j.finish(r)
				return
			}
		}
	}()
	return r.jobs
}

// wait stops what the writer left behind when it returned early (the context is cancelled by
// then) and waits for every goroutine of the run.
func (r *runner) wait() {
	r.wg.Wait()
	for j := range r.jobs {
		j.finish(r)
	}
}

// fileJob is one file on its way from its reader to the writer.
type fileJob struct {
	path   string
	ctx    context.Context
	cancel context.CancelFunc
	// split is cancelled when a split file is read on in one piece: the parses of its later
	// pieces are of no use then.
	split     context.Context
	stopSplit context.CancelFunc

	head   chan fileHead // what the reader found, once
	end    chan fileEnd  // once the stream was read to its end, when something was parsed
	pieces chan *piece   // a split file's pieces in stream order; closed when the reader ends
	room   chan struct{} // a token per piece of this file in flight
	stored chan struct{} // closed when the writer begins storing the file
	// Runner tokens its pieces and batches hold, returned when the file is given up.
	heldPieces, heldBatches atomic.Int64
	wg                      sync.WaitGroup
}

// fileHead is what a reader tells the writer before the records.
type fileHead struct {
	// res has the Path, the SHA256 when the file could be read, and Err when it is not to be
	// stored.
	res Result
	// stopped is set when the reader found the hash in the case and stopped there.
	stopped bool
	ev      *normalize.Evidence
	info    *fileInfo
	opts    Options
	whole   *parse // the parse of a file read in one piece
	split   bool   // the parses come as pieces on fileJob.pieces
	empty   bool   // no ingester ran: the stream is empty
}

// fileEnd is what a reader tells the writer once it has read the whole file.
type fileEnd struct {
	decompressed int64
	// err says why nothing may be stored: the file could not be read to its end, or its bytes
	// are not the ones hashed.
	err error
}

func (r *runner) newJob(ctx context.Context, path string) *fileJob {
	j := &fileJob{
		path: path,
		head: make(chan fileHead, 1), end: make(chan fileEnd, 1),
		pieces: make(chan *piece, r.cfg.Workers+1), room: make(chan struct{}, r.cfg.Workers+1),
		stored: make(chan struct{}),
	}
	j.ctx, j.cancel = context.WithCancel(ctx)
	j.split, j.stopSplit = context.WithCancel(j.ctx)
	return j
}

// rerun reads j again on a goroutine of its own, without stopping at a hash the case holds.
func (r *runner) rerun(j *fileJob) {
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		r.produce(j, false)
	}()
}

// acquirePiece makes room for one more piece of j, and takes a runner token for it while the
// writer has not reached j. It reports false when j is cancelled.
func (j *fileJob) acquirePiece(r *runner) (token, ok bool) {
	select {
	case j.room <- struct{}{}:
	case <-j.ctx.Done():
		return false, false
	}
	select {
	case <-j.stored:
		return false, true
	default:
	}
	select {
	case r.pieceTokens <- struct{}{}:
		j.heldPieces.Add(1)
		return true, true
	case <-j.stored:
		return false, true
	case <-j.ctx.Done():
		<-j.room
		return false, false
	}
}

// releasePiece frees what p holds, once its bytes and records are no longer needed.
func (j *fileJob) releasePiece(r *runner, p *piece) {
	<-j.room
	if p.token {
		p.token = false
		<-r.pieceTokens
		j.heldPieces.Add(-1)
	}
}

// finish cancels whatever of j still runs, waits for it, and returns the runner tokens its
// pieces and batches still hold (those of a file given up, a duplicate say, are never
// consumed).
func (j *fileJob) finish(r *runner) {
	j.cancel()
	j.wg.Wait()
	for ; j.heldPieces.Load() > 0; j.heldPieces.Add(-1) {
		<-r.pieceTokens
	}
	for ; j.heldBatches.Load() > 0; j.heldBatches.Add(-1) {
		<-r.ahead
	}
}
