package normalize

import "strings"

const pemBegin = "-----BEGIN "

// pemBlocks replaces every PEM private key block in s, from its BEGIN line to its END line, by
// the handle of its body. The body is taken without its line breaks, real or escaped (\n in a
// JSON string), so a key has one handle however it was logged. A block whose END is missing (a
// truncated record) is redacted to the end of the text. Certificates and public keys are not
// secrets and are left alone.
func (r *redactor) pemBlocks() {
	s := r.s
	for i := 0; ; {
		k := strings.Index(s[i:], pemBegin)
		if k < 0 {
			return
		}
		i += k
		label := i + len(pemBegin)
		n := strings.Index(s[label:min(len(s), label+64)], "-----")
		if n < 0 || !strings.Contains(s[label:label+n], "PRIVATE KEY") {
			i = label
			continue
		}
		body := label + n + len("-----")
		bodyEnd, end := len(s), len(s)
		if k := strings.Index(s[body:], "-----END "); k >= 0 {
			bodyEnd = body + k
			if t := strings.Index(s[bodyEnd+len("-----END "):], "-----"); t >= 0 {
				end = bodyEnd + len("-----END ") + t + len("-----")
				end = skipLineBreak(s, end)
			}
		}
		r.replace(i, end, pemBody(s[body:bodyEnd]))
		i = end
	}
}

// skipLineBreak returns the index past one line break (real or escaped) at s[i], so that a
// JSON "private_key": "…-----END PRIVATE KEY-----\n" becomes exactly the handle.
func skipLineBreak(s string, i int) int {
	switch {
	case strings.HasPrefix(s[i:], "\r\n"):
		return i + 2
	case strings.HasPrefix(s[i:], "\n"):
		return i + 1
	case strings.HasPrefix(s[i:], `\r\n`):
		return i + 4
	case strings.HasPrefix(s[i:], `\n`):
		return i + 2
	}
	return i
}

// pemBody returns the body of a PEM block without spaces and line breaks, real or escaped.
func pemBody(b string) string {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '\\':
			for i+1 < len(b) && b[i+1] == '\\' {
				i++
			}
			if i+1 < len(b) && (b[i+1] == 'n' || b[i+1] == 'r' || b[i+1] == 't') {
				i++
			}
			continue
		}
		out = append(out, c)
	}
	return string(out)
}
