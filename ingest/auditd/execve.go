package auditd

import (
	"slices"
	"strconv"
	"strings"
)

// argPiece is one argument, or one piece of a long argument, of an EXECVE record.
type argPiece struct {
	idx, seq int
	v        string
}

// commandLine joins the arguments of an event's EXECVE records with spaces. The kernel writes
// argc and a0, a1, … over as many EXECVE records as the arguments need; an argument too long for
// one record is split as aN_len=… aN[0]=… aN[1]=…, each piece quoted or hex on its own. complete
// is false when arguments counted by argc are missing (records lost or cut).
func commandLine(execves []*record, scratch []argPiece) (cmd string, argc string, complete bool, _ []argPiece) {
	pieces := scratch[:0]
	seq := 0
	for _, r := range execves {
		for _, f := range r.fields {
			if f.k == "argc" && argc == "" {
				argc = f.v
				continue
			}
			idx, ok := argIndex(f.k)
			if !ok {
				continue
			}
			pieces = append(pieces, argPiece{idx, seq, argValue(f)})
			seq++
		}
	}
	if !slices.IsSortedFunc(pieces, cmpPiece) {
		slices.SortFunc(pieces, cmpPiece)
	}
	var b strings.Builder
	distinct, contiguous := 0, true
	for i, p := range pieces {
		if i == 0 || p.idx != pieces[i-1].idx { // a new argument; otherwise the next piece
			if i > 0 {
				b.WriteByte(' ')
			}
			contiguous = contiguous && p.idx == distinct
			distinct++
		}
		b.WriteString(p.v)
	}
	want, err := strconv.Atoi(argc)
	complete = err == nil && contiguous && distinct == want
	return b.String(), argc, complete, pieces
}

func cmpPiece(a, b argPiece) int {
	if a.idx != b.idx {
		return a.idx - b.idx
	}
	return a.seq - b.seq
}

// argIndex reads "a7" and "a7[3]" as argument 7; "a7_len" is not an argument.
func argIndex(k string) (int, bool) {
	if len(k) < 2 || k[0] != 'a' {
		return 0, false
	}
	k = k[1:]
	if i := strings.IndexByte(k, '['); i >= 0 {
		if !strings.HasSuffix(k, "]") || !allDigits(k[i+1:len(k)-1]) {
			return 0, false
		}
		k = k[:i]
	}
	if !allDigits(k) || len(k) > 9 {
		return 0, false
	}
	n, _ := strconv.Atoi(k)
	return n, true
}

// argValue is an argument as passed: quoted, or hex when it held spaces, quotes or control
// characters.
func argValue(f field) string {
	if f.quoted {
		return f.v
	}
	if d, ok := unhex(f.v); ok {
		return d
	}
	if f.v == "(null)" {
		return ""
	}
	return f.v
}

// processTitle decodes a PROCTITLE record's value: the process's argv as the kernel saw it in
// memory (at most 128 bytes), hex with NUL between the arguments, shown with spaces.
func processTitle(f field) string {
	if f.quoted {
		return f.v
	}
	d, ok := unhex(f.v)
	if !ok {
		return f.v
	}
	return strings.ReplaceAll(strings.TrimRight(d, "\x00"), "\x00", " ")
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
