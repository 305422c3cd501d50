package timesketch

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/breachline/breachline/report/export"
)

// MaxValueBytes is the longest text value written whole. OpenSearch cannot index a keyword term
// over 32,766 bytes, and Timesketch indexes text fields with a keyword part, so a longer value
// costs the event; values are cut below that, with room to spare for the marker.
const MaxValueBytes = 32000

// cut shortens s to at most MaxValueBytes at a UTF-8 character boundary and ends it with
// "…[cut N bytes]", N being the bytes dropped, so that a reader knows the value is not whole
// and by how much; the case file and the evidence keep the whole of it.
func cut(s string) string {
	if len(s) <= MaxValueBytes {
		return s
	}
	keep := MaxValueBytes - len(cutMarker(len(s)))
	for keep > 0 && !utf8.RuneStart(s[keep]) {
		keep--
	}
	return s[:keep] + cutMarker(len(s)-keep)
}

func cutMarker(n int) string { return "…[cut " + strconv.Itoa(n) + " bytes]" }

// messageColumns are the positions of the event fields a message is built from (-1 when the
// table lacks one).
type messageColumns struct {
	id, principal, principalType, credential, action, category, secretRef, resource, srcIP, outcome int
}

func newMessageColumns(cols []export.Column) messageColumns {
	t := &export.Table{Columns: cols}
	return messageColumns{
		id: t.Index("id"), principal: t.Index("principal"), principalType: t.Index("principal_type"),
		credential: t.Index("credential"), action: t.Index("action"), category: t.Index("category"),
		secretRef: t.Index("secret_ref"), resource: t.Index("resource"), srcIP: t.Index("src_ip"),
		outcome: t.Index("outcome"),
	}
}

// message is the line's one-line summary, who did what to what from where and how it ended:
// "alice (user) GetSecretValue aws-sm:prod/db from 203.0.113.5 — success". The actor is the
// principal, or the credential when the log names no principal; the deed is the action, or the
// category when the source has no action; the object is the secret, or the resource. Parts the
// event lacks are left out. Line breaks and other control characters are written as \n, \xNN…,
// because Timesketch shows the message as one line.
func (m messageColumns) message(r export.Row) string {
	get := func(i int) string {
		if i < 0 {
			return ""
		}
		s, _ := r[i].(string)
		return s
	}
	either := func(a, b int) string {
		if s := get(a); s != "" {
			return s
		}
		return get(b)
	}
	var b strings.Builder
	word := func(s string) {
		if s == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		writePrintable(&b, s)
	}
	who := either(m.principal, m.credential)
	word(who)
	if pt := get(m.principalType); who != "" && pt != "" {
		b.WriteString(" (")
		writePrintable(&b, pt)
		b.WriteByte(')')
	}
	word(either(m.action, m.category))
	word(either(m.secretRef, m.resource))
	if ip := get(m.srcIP); ip != "" {
		word("from")
		word(ip)
	}
	if o := get(m.outcome); o != "" {
		b.WriteString(" — ")
		writePrintable(&b, o)
	}
	return b.String()
}

// writePrintable writes s with control characters (C0, DEL, C1) and the Unicode line and
// paragraph separators as escapes, the rest as it is.
func writePrintable(b *strings.Builder, s string) {
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&0xF])
		case r >= 0x80 && r < 0xa0, r == 0x2028, r == 0x2029:
			b.WriteString(`\u`)
			b.WriteString(strings.ToUpper(strconv.FormatInt(int64(r)|0x10000, 16)[1:]))
		default:
			b.WriteRune(r)
		}
	}
}
