// Package sqlbulk inserts many rows through one prepared go-sqlite3 statement in a single call
// into C. The driver binds each value with its own cgo call, and on an ingest of millions of
// 20-column rows those calls cost more than SQLite's own work: a batch of rows packed into one
// buffer and bound and stepped in C is about three times faster (docs/performance.md).
//
// It reaches the statement's sqlite3_stmt through go-sqlite3's unexported field, and calls the
// SQLite C API that go-sqlite3 compiles in. Handle reports when that is not possible (another
// driver, a changed go-sqlite3), and the caller then binds through the driver as before.
package sqlbulk

/*
#include <stdint.h>
#include <string.h>

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
typedef long long sqlite3_int64;
extern int sqlite3_bind_int64(sqlite3_stmt*, int, sqlite3_int64);
extern int sqlite3_bind_text(sqlite3_stmt*, int, const char*, int, void(*)(void*));
extern int sqlite3_bind_blob(sqlite3_stmt*, int, const void*, int, void(*)(void*));
extern int sqlite3_bind_parameter_count(sqlite3_stmt*);
extern int sqlite3_step(sqlite3_stmt*);
extern int sqlite3_reset(sqlite3_stmt*);
extern int sqlite3_clear_bindings(sqlite3_stmt*);
extern sqlite3 *sqlite3_db_handle(sqlite3_stmt*);
extern sqlite3_int64 sqlite3_last_insert_rowid(sqlite3*);
extern const char *sqlite3_errmsg(sqlite3*);

// bl_insert binds and steps the rows packed in buf (see Batch) through st. It returns SQLite's
// result code (0 when every row was stored), the rows stored in *done and the rowids of the first
// and the last in *first and *last. The bound bytes are not copied: buf outlives each step.
static int bl_insert(sqlite3_stmt *st, const unsigned char *buf, size_t len, int ncols, int *done,
		sqlite3_int64 *first, sqlite3_int64 *last) {
	const unsigned char *p = buf, *end = buf + len;
	int rows = 0, rc = 0;
	*first = 0;
	*last = 0;
	while (p < end) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		for (int c = 1; c <= ncols; c++) {
			unsigned char tag = *p++;
			if (tag == 1) {
				sqlite3_int64 v;
				memcpy(&v, p, 8);
				p += 8;
				rc = sqlite3_bind_int64(st, c, v);
			} else if (tag == 2 || tag == 3) {
				uint32_t n;
				memcpy(&n, p, 4);
				p += 4;
				if (tag == 2) rc = sqlite3_bind_text(st, c, (const char*)p, (int)n, (void(*)(void*))0);
				else rc = sqlite3_bind_blob(st, c, p, (int)n, (void(*)(void*))0);
				p += n;
			}
			if (rc != 0) goto out;
		}
		rc = sqlite3_step(st);
		if (rc != 101) goto out; // SQLITE_DONE
		rc = 0;
		*last = sqlite3_last_insert_rowid(sqlite3_db_handle(st));
		if (rows == 0) *first = *last;
		rows++;
	}
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	*done = rows;
	return rc;
}

static const char *bl_errmsg(sqlite3_stmt *st) { return sqlite3_errmsg(sqlite3_db_handle(st)); }
static int bl_params(sqlite3_stmt *st) { return sqlite3_bind_parameter_count(st); }
*/
import "C"

import (
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"unsafe"

	"github.com/mattn/go-sqlite3"
)

// Stmt is a prepared go-sqlite3 statement as sqlbulk runs it.
type Stmt struct {
	h    *C.sqlite3_stmt
	cols int
}

// Handle returns the statement behind st, a statement that go-sqlite3 prepared, or an error
// saying why it cannot be reached. The statement stays owned by st: close st, not the Stmt.
func Handle(st driver.Stmt) (*Stmt, error) {
	s, ok := st.(*sqlite3.SQLiteStmt)
	if !ok {
		return nil, fmt.Errorf("sqlbulk: %T is not a go-sqlite3 statement", st)
	}
	f := reflect.ValueOf(s).Elem().FieldByName("s")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() {
		return nil, fmt.Errorf("sqlbulk: go-sqlite3's statement has no sqlite3_stmt field this package knows")
	}
	h := (*C.sqlite3_stmt)(unsafe.Pointer(f.Pointer()))
	return &Stmt{h: h, cols: int(C.bl_params(h))}, nil
}

// Batch is rows packed for Exec: per row, per parameter in order, a tag byte (0 NULL, 1 integer,
// 2 text, 3 blob), then an integer's 8 bytes little-endian, or a text's or blob's 4-byte length
// and bytes.
type Batch struct {
	buf  []byte
	rows int
}

// Reset empties the batch, keeping its memory.
func (b *Batch) Reset() { b.buf, b.rows = b.buf[:0], 0 }

// Rows is the number of rows ended with EndRow.
func (b *Batch) Rows() int { return b.rows }

// Null appends a NULL.
func (b *Batch) Null() { b.buf = append(b.buf, 0) }

// Int appends an integer.
func (b *Batch) Int(v int64) {
	b.buf = append(b.buf, 1)
	b.buf = binary.LittleEndian.AppendUint64(b.buf, uint64(v))
}

// Text appends a text value.
func (b *Batch) Text(s string) {
	b.buf = append(b.buf, 2)
	b.buf = binary.LittleEndian.AppendUint32(b.buf, uint32(len(s)))
	b.buf = append(b.buf, s...)
}

// TextBytes appends a text value given as bytes.
func (b *Batch) TextBytes(s []byte) {
	b.buf = append(b.buf, 2)
	b.buf = binary.LittleEndian.AppendUint32(b.buf, uint32(len(s)))
	b.buf = append(b.buf, s...)
}

// Blob appends a blob.
func (b *Batch) Blob(v []byte) {
	b.buf = append(b.buf, 3)
	b.buf = binary.LittleEndian.AppendUint32(b.buf, uint32(len(v)))
	b.buf = append(b.buf, v...)
}

// EndRow ends a row.
func (b *Batch) EndRow() { b.rows++ }

// Exec stores the batch's rows, each with exactly s's parameter count of values. It returns the
// rowids of the first and last row stored; on an error, the rows before the failing one are
// stored (the caller's transaction decides what becomes of them).
func (s *Stmt) Exec(b *Batch) (first, last int64, err error) {
	if b.rows == 0 {
		return 0, 0, nil
	}
	if len(b.buf) > math.MaxInt32*2 {
		return 0, 0, fmt.Errorf("sqlbulk: batch of %d bytes is too large", len(b.buf))
	}
	var done C.int
	var f, l C.sqlite3_int64
	rc := C.bl_insert(s.h, (*C.uchar)(unsafe.Pointer(&b.buf[0])), C.size_t(len(b.buf)), C.int(s.cols), &done, &f, &l)
	if rc != 0 {
		return int64(f), int64(l), fmt.Errorf("row %d of the batch: %s (sqlite result %d)", int(done)+1, C.GoString(C.bl_errmsg(s.h)), int(rc))
	}
	if int(done) != b.rows {
		return int64(f), int64(l), fmt.Errorf("sqlbulk: %d of %d rows stored", int(done), b.rows)
	}
	return int64(f), int64(l), nil
}
