package lake

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/parquet"
)

// IngestRequest is one ingest of evidence files into a new lake, without a case.
type IngestRequest struct {
	// Config is the ingest's, as for a case; its Options.Key is the sink's Key.
	Config ingest.Config
	Inputs ingest.Inputs
	// Key is the handle key every raw credential value becomes a handle under. A lake has no
	// case to keep it: the examiner gives one (to compare with a case or another lake), or
	// GenerateKey makes one.
	Key *normalize.HandleKey
	// WriteKey writes Key to the lake as KeyFileName, mode 0600, once the lake is in place
	// (outside its manifest, so that the lake can be shared without it).
	WriteKey    bool
	Examiner    string
	Args        []string // the command line, credentials redacted, for the descriptor
	ToolVersion string
	// Parquet writes the tables; its BufferBytes bounds the rows waiting in open partitions.
	Parquet parquet.Format
}

// IngestBufferBytes is the default bound on the event rows an ingest keeps waiting in open
// partition files, lower than an export's: the parse runs beside them.
const IngestBufferBytes = 64 << 20

// Ingest reads req.Inputs as `breachline ingest` does (the same core, in parallel over files)
// and writes what it reads to a new lake at out: the events, partitioned by day and source, the
// rejects and the evidence list (records = events + rejects for every file). The lake appears
// at out only when the whole ingest succeeded; problems with single files go into their Result,
// as for a case. The same inputs in the same order give the same bytes whatever the number of
// workers: the files are stored in input order.
func Ingest(ctx context.Context, out string, req *IngestRequest) (*Result, []ingest.Result, error) {
	if req.Key == nil {
		return nil, nil, errors.New("lake: an ingest needs a handle key")
	}
	if err := export.Check(out, false); err != nil {
		return nil, nil, err
	}
	pf := req.Parquet
	if pf.BufferBytes == 0 {
		pf.BufferBytes = IngestBufferBytes
	}
	var keyTemp string
	if req.WriteKey {
		// The key is on disk before the first handle is made from it: a lake whose key was lost
		// has handles no one can match again.
		var err error
		if keyTemp, err = writeKeyTemp(out, req.Key); err != nil {
			return nil, nil, err
		}
		defer os.Remove(keyTemp) // gone once renamed
	}
	d := &Descriptor{Version: Version, MadeBy: "ingest", ToolVersion: req.ToolVersion, HandleKeyID: req.Key.ID(),
		Examiner: req.Examiner, Args: req.Args, Tables: map[string]TableInfo{}}
	var results []ingest.Result
	write := func(ctx context.Context, root string) error {
		meta := export.Meta{ToolVersion: req.ToolVersion}
		s := newSink(ctx, pf, root, meta, req.Key, req.Examiner)
		var runErr error
		results, runErr = ingest.RunInputs(ctx, req.Config, req.Inputs, s)
		tables, err := s.close()
		if err = errors.Join(runErr, err); err != nil {
			return err
		}
		for name, info := range tables {
			d.Tables[name] = info
		}
		return writeDescriptor(root, d)
	}
	res, err := export.Write(ctx, folder{write: write}, out, false, &export.Request{})
	if err != nil {
		return nil, results, err
	}
	res.Rows = d.Tables[TableEvents].Rows
	if req.WriteKey {
		if err := os.Rename(keyTemp, filepath.Join(out, KeyFileName)); err != nil {
			return nil, results, fmt.Errorf("the lake %s was written, but its handle key could not be put in it: %w", out, err)
		}
	}
	return &Result{Result: *res, Descriptor: d}, results, nil
}

// GenerateKey returns a new random handle key, for an ingest that is given none.
func GenerateKey() (*normalize.HandleKey, error) { return normalize.GenerateHandleKey() }

// ReadKey reads a handle key file: the hex form `breachline handle-key` prints.
func ReadKey(path string) (*normalize.HandleKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := normalize.ParseHandleKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// writeKeyTemp writes key to a file of mode 0600 beside out, synced, and returns its path.
func writeKeyTemp(out string, key *normalize.HandleKey) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".handle-key-*") // mode 0600
	if err != nil {
		return "", err
	}
	_, err = f.WriteString(key.String() + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
