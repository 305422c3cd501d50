package parquet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/breachline/breachline/report/arrowout"
	"github.com/breachline/breachline/report/export"
)

// The --partition keys. day is the UTC date of the time column; source is the source column.
const (
	KeyDay    = "day"
	KeySource = "source"
)

// The bounds of a partitioned export. Rows come in the table's order: for events that is time
// order, so days are contiguous but sources interleave, and for findings (severity first) even
// days interleave. A partition is therefore kept open while rows keep coming for it; when
// DefaultMaxOpen are open and a new one is needed, the one written least recently is closed,
// and should it get rows again it continues in a new file, part-1.parquet, part-2.parquet….
// Nothing fails however the rows are ordered, and the file names depend only on the rows.
// The rows waiting in open partitions are bounded by DefaultBufferBytes in all: past it, the
// partition holding most is written out as a (smaller) row group.
const (
	DefaultMaxOpen     = 64
	DefaultBufferBytes = 256 << 20
)

// HiveDefault is the folder value Hive, Spark and DuckDB use for a null partition value.
const HiveDefault = "__HIVE_DEFAULT_PARTITION__"

// partitioned writes one table as a Hive-style directory.
//
// The partition columns are not repeated inside the files, the Hive convention: Spark refuses a
// column that is both in the files and in the path, and DuckDB, Trino and Athena take the value
// from the path. So with source as a key the files hold every column but source; day is never a
// column (the time column stays in the files, and day is its UTC date).
type partitioned struct {
	root      string
	mem       memory.Allocator
	meta      export.Meta
	table     *export.Table
	schema    *arrow.Schema
	pick      []int // the table columns the files hold
	timeCol   int   // -1 unless partitioning by day
	sourceCol int   // -1 unless partitioning by source
	maxOpen   int
	budget    int

	open     map[string]*partition
	parts    map[string]int // files started per partition folder
	clock    int64          // counts rows, to find the partition written least recently
	buffered int
}

// partition is one open partition file.
type partition struct {
	dir  string
	file *file
	last int64
}

func newPartitioned(f Format, mem memory.Allocator, root string, req *export.Request) (*partitioned, error) {
	t := req.Table
	p := &partitioned{root: root, mem: mem, meta: req.Meta, table: t, timeCol: -1, sourceCol: -1,
		maxOpen: f.MaxOpen, budget: f.BufferBytes, open: map[string]*partition{}, parts: map[string]int{}}
	if p.maxOpen <= 0 {
		p.maxOpen = DefaultMaxOpen
	}
	if p.budget <= 0 {
		p.budget = DefaultBufferBytes
	}
	if err := checkKeys(req.Partition); err != nil {
		return nil, err
	}
	for _, key := range req.Partition {
		switch key {
		case KeyDay:
			i := t.Index("time")
			if i < 0 || t.Columns[i].Kind != export.Time {
				return nil, fmt.Errorf("parquet: --partition day needs a time column, and the %s table has none", t.Name)
			}
			p.timeCol = i
		case KeySource:
			i := t.Index("source")
			if i < 0 || t.Columns[i].Kind != export.String {
				return nil, fmt.Errorf("parquet: --partition source needs a source column, and the %s table has none", t.Name)
			}
			p.sourceCol = i
		}
	}
	var cols []export.Column
	for i, c := range t.Columns {
		if i != p.sourceCol {
			p.pick = append(p.pick, i)
			cols = append(cols, c)
		}
	}
	p.schema = arrowout.Schema(cols, req.Meta)
	return p, nil
}

// checkKeys accepts a non-empty list of distinct keys in the order of Format.Partitions.
func checkKeys(keys []string) error {
	known := Format{}.Partitions()
	last := -1
	for _, k := range keys {
		i := slices.Index(known, k)
		if i < 0 {
			return fmt.Errorf("parquet: unknown partition key %q (known: %s)", k, strings.Join(known, ", "))
		}
		if i <= last {
			return fmt.Errorf("parquet: --partition %s: keys must be distinct and in the order %s", strings.Join(keys, ","), strings.Join(known, ","))
		}
		last = i
	}
	return nil
}

func (p *partitioned) write(ctx context.Context) (err error) {
	if err := os.Mkdir(p.root, 0o755); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			for _, part := range p.open {
				part.file.abort()
			}
		}
	}()
	err = p.table.Rows(ctx, func(r export.Row) error {
		dir, err := p.dir(r)
		if err != nil {
			return err
		}
		part, err := p.partition(dir)
		if err != nil {
			return err
		}
		p.clock++
		part.last = p.clock
		before := part.file.batcher.Bytes()
		if err := part.file.batcher.Append(r); err != nil {
			return err
		}
		if part.file.batcher.Full() {
			p.buffered -= before
			return part.file.flush()
		}
		p.buffered += part.file.batcher.Bytes() - before
		if p.buffered > p.budget {
			return p.flushLargest()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	// close in folder order, so that an error names the same file every time
	dirs := make([]string, 0, len(p.open))
	for dir := range p.open {
		dirs = append(dirs, dir)
	}
	slices.Sort(dirs)
	for _, dir := range dirs {
		part := p.open[dir]
		delete(p.open, dir)
		if err := part.file.close(); err != nil {
			return err
		}
	}
	return nil
}

// dir returns the partition folder of a row, relative to the root: day=…/source=….
func (p *partitioned) dir(r export.Row) (string, error) {
	var segs []string
	if p.timeCol >= 0 {
		v := HiveDefault
		switch t := r[p.timeCol].(type) {
		case time.Time:
			v = t.UTC().Format(time.DateOnly)
		case nil:
		default:
			return "", fmt.Errorf("column time: unexpected value of type %T", t)
		}
		segs = append(segs, KeyDay+"="+v)
	}
	if p.sourceCol >= 0 {
		v := HiveDefault
		switch s := r[p.sourceCol].(type) {
		case string:
			if s != "" {
				v = escape(s)
			}
		case nil:
		default:
			return "", fmt.Errorf("column source: unexpected value of type %T", s)
		}
		segs = append(segs, KeySource+"="+v)
	}
	return strings.Join(segs, "/"), nil
}

// partition returns the open file of a partition folder, opening one (and closing the least
// recently written, if DefaultMaxOpen are open) if there is none.
func (p *partitioned) partition(dir string) (*partition, error) {
	if part, ok := p.open[dir]; ok {
		return part, nil
	}
	if len(p.open) >= p.maxOpen {
		var oldest string
		for d, part := range p.open {
			if oldest == "" || part.last < p.open[oldest].last {
				oldest = d
			}
		}
		part := p.open[oldest]
		delete(p.open, oldest)
		p.buffered -= part.file.batcher.Bytes()
		if err := part.file.close(); err != nil {
			return nil, err
		}
	}
	full := filepath.Join(p.root, filepath.FromSlash(dir))
	if err := os.MkdirAll(full, 0o755); err != nil {
		return nil, err
	}
	n := p.parts[dir]
	p.parts[dir] = n + 1
	f, err := createFile(filepath.Join(full, fmt.Sprintf("part-%d.parquet", n)), p.mem, p.schema, p.table.Columns, p.pick, p.meta)
	if err != nil {
		return nil, err
	}
	part := &partition{dir: dir, file: f}
	p.open[dir] = part
	return part, nil
}

// flushLargest writes out the partition holding the most buffered rows, to get back under the
// buffer budget.
func (p *partitioned) flushLargest() error {
	var big *partition
	for _, part := range p.open {
		if big == nil || part.file.batcher.Bytes() > big.file.batcher.Bytes() ||
			(part.file.batcher.Bytes() == big.file.batcher.Bytes() && part.dir < big.dir) {
			big = part
		}
	}
	p.buffered -= big.file.batcher.Bytes()
	return big.file.flush()
}

// escape makes a partition value safe as a folder name the way Hive does (FileUtils.escapePathName):
// each byte that is a control character or one of "#%'*/:=?\{[]^ becomes %XX, which Hive, Spark,
// Trino and DuckDB decode back.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || strings.IndexByte("\"#%'*/:=?\\{[]^", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
