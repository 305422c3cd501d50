package auditd

import (
	"encoding/hex"
	"strings"
)

// field is one name=value pair of a record body. quoted says the value was written in quotes:
// audit quotes a string it considers safe and writes any other as hex, so an unquoted value of
// a string field is hex.
type field struct {
	k, v   string
	quoted bool
}

// record is one line of an event, split into its parts.
type record struct {
	typ      string
	body     string  // the text after the header, up to the enriched separator
	fields   []field // the body's pairs, then those of a nested msg='…'
	enriched []field // the pairs after the 0x1d separator (log_format=ENRICHED)
}

// enrichedSep starts the part auditd's ENRICHED log format appends to a record: the names of
// ids and numbers (AUID="alice" SYSCALL=openat), resolved on the logging host when it wrote it.
const enrichedSep = '\x1d'

// appendFields appends the name=value pairs of s to dst. Words without '=' (the "avc: denied
// { read } for" of an AVC, the "user"/"login" prefixes of old records) are skipped. A nested
// msg='…' of a user-space record contributes the pair itself and then its own pairs. Records of
// old userspace (RHEL 5) wrap pairs as "(hostname=?, addr=?, terminal=cron res=success)": the
// parentheses and commas around unquoted values are not part of them.
func appendFields(dst []field, s string, nested bool) []field {
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		ks := i
		for i < len(s) && s[i] != '=' && s[i] != ' ' && s[i] != '\t' {
			i++
		}
		if i >= len(s) || s[i] != '=' {
			continue
		}
		k := strings.TrimLeft(s[ks:i], "(")
		i++
		var f field
		switch {
		case i < len(s) && s[i] == '"':
			e := strings.IndexByte(s[i+1:], '"')
			if e < 0 {
				f, i = field{k: k, v: s[i+1:], quoted: true}, len(s)
			} else {
				f, i = field{k: k, v: s[i+1 : i+1+e], quoted: true}, i+2+e
			}
		case i < len(s) && s[i] == '\'':
			// The nested message runs to the last quote: its values may hold single quotes.
			e := strings.LastIndexByte(s[i+1:], '\'')
			if e < 0 {
				f, i = field{k: k, v: s[i+1:], quoted: true}, len(s)
			} else {
				f, i = field{k: k, v: s[i+1 : i+1+e], quoted: true}, i+2+e
			}
			if k != "" {
				dst = append(dst, f)
			}
			if !nested {
				dst = appendFields(dst, f.v, true)
			}
			continue
		default:
			vs := i
			for i < len(s) && s[i] != ' ' && s[i] != '\t' {
				i++
			}
			v := strings.TrimRight(s[vs:i], ",")
			if strings.HasSuffix(v, ")") && !strings.Contains(v, "(") {
				v = v[:len(v)-1]
			}
			f = field{k: k, v: v}
		}
		if k != "" {
			dst = append(dst, f)
		}
	}
	return dst
}

// lookup returns the last pair named k: in old LOGIN records "old auid=… new auid=…" the last
// one is the value the record reports.
func lookup(fs []field, k string) (field, bool) {
	for i := len(fs) - 1; i >= 0; i-- {
		if fs[i].k == k {
			return fs[i], true
		}
	}
	return field{}, false
}

// get returns the raw value of field k ("" when absent).
func (r *record) get(k string) string {
	f, _ := lookup(r.fields, k)
	return f.v
}

// text returns field k as text: quotes removed, hex decoded for the fields audit encodes, and ""
// for the placeholders audit writes for "no value" ((null), (none), ?).
func (r *record) text(k string) string {
	f, ok := lookup(r.fields, k)
	if !ok {
		return ""
	}
	return f.text()
}

func (f field) text() string {
	if f.quoted {
		return f.v
	}
	switch f.v {
	case "(null)", "(none)", "?":
		return ""
	}
	if encodedField(f.k) {
		if d, ok := unhex(f.v); ok {
			return d
		}
	}
	return f.v
}

// enrichedText returns the enriched value named k (AUID, UID, SYSCALL…), or "".
func (r *record) enrichedText(k string) string {
	f, ok := lookup(r.enriched, k)
	if !ok {
		return ""
	}
	return f.v
}

// encodedField reports whether audit writes field k as hex when its value is not safe to quote
// (the kernel's and libaudit's "untrusted string" fields).
func encodedField(k string) bool {
	switch k {
	case "exe", "comm", "cwd", "name", "proctitle", "key", "acct", "cmd", "path", "ocomm",
		"dir", "watch", "old-chardev", "new-chardev", "root_dir", "vm", "grp", "new_group":
		return true
	}
	return false
}

// unhex decodes audit's hex encoding: an even number of upper-case hex digits.
func unhex(v string) (string, bool) {
	if len(v) == 0 || len(v)%2 != 0 {
		return "", false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if (c < '0' || c > '9') && (c < 'A' || c > 'F') {
			return "", false
		}
	}
	var buf [256]byte
	b := buf[:0]
	if len(v)/2 > len(buf) {
		b = make([]byte, 0, len(v)/2)
	}
	b, err := hex.AppendDecode(b, []byte(v))
	if err != nil {
		return "", false
	}
	return string(b), true
}

// unsetID reports whether an id field holds audit's "unset" value: (uint32)-1, written as
// 4294967295, as -1 by some userspace, or as "unset" by the enriched format.
func unsetID(v string) bool {
	return v == "" || v == "4294967295" || v == "-1" || v == "unset" || v == "?"
}
