package normalize

import "strings"

// option handles a command-line option at i that carries a password: --password VALUE (any
// long option with a credential name; --password=VALUE is keyValue's), and the short options
// of the tools in passwordOptions, which mean something else in every other command (mkdir -p,
// ssh -p 22), so they count only after that tool's name on the same line. Command lines reach
// the case from auditd EXECVE records (a0="mysql" a1="-pX", which is handled too), shell
// histories and CI logs.
func (r *redactor) option(i int) int {
	s := r.s
	if i+2 >= len(s) || !optionStart(s, i) {
		return i
	}
	n := i + 1
	for n < len(s) && isKeyByte(s[n]) {
		n++
	}
	flag := s[i:n]
	for _, o := range passwordOptions {
		if !strings.HasPrefix(flag, o.flag) || r.toolsBefore(i)&o.tool == 0 {
			continue
		}
		from, to, ok := 0, 0, false
		switch {
		case len(flag) == len(o.flag) && n < len(s) && s[n] == '=' && o.form&equals != 0:
			from, to, ok = argBounds(s, n+1)
		case o.form&attached != 0 && o.flag[1] != '-' && attachedValue(s, i, i+len(o.flag)):
			from, to, ok = argBounds(s, i+len(o.flag))
		case len(flag) == len(o.flag) && o.form&separate != 0:
			from, to, ok = nextArg(s, n)
		}
		if !ok {
			continue
		}
		if o.userSep != 0 { // user:password, the password after the first separator
			k := strings.IndexByte(s[from:to], o.userSep)
			if k < 0 || strings.ContainsAny(s[from:from+k], " \t") {
				return i // just a user name (the tool prompts for the password), or not one at all
			}
			from += k + 1
		}
		r.replace(from, to, s[from:to])
		return to
	}
	if s[i+1] != '-' || n == i+2 || n >= len(s) || s[n] == '=' || strings.HasPrefix(flag, "--no-") ||
		!IsCredentialName(flag) {
		return i
	}
	from, to, ok := nextArg(s, n)
	if !ok || s[from] == '-' && from > 0 && s[from-1] != '"' && s[from-1] != '\'' {
		return i // mysql --password alone prompts; what follows is the next option
	}
	if c := s[from]; c == '<' || c == '|' || c == '>' || c == '&' || c == ';' {
		return i
	}
	r.replace(from, to, s[from:to])
	return to
}

// The forms an option's value can take.
const (
	attached = 1 << iota // -pSECRET
	separate             // -p SECRET
	equals               // --user=u:p
)

// The tools whose short options carry passwords, as bits of redactor.tools.
const (
	toolMySQL = 1 << iota
	toolSSHPass
	toolMongo
	toolCurl
	toolSMB
	toolRedis
	toolLDAP
	toolSQLCmd
)

// passwordOptions are the options whose value is a password (or user:password) in one tool.
var passwordOptions = []struct {
	flag    string
	form    int
	userSep byte // the value is user<sep>password
	tool    int
}{
	// mysql -p SECRET prompts and takes SECRET as the database, so only -pSECRET is a password.
	{"-p", attached, 0, toolMySQL},
	{"-p", attached | separate, 0, toolSSHPass},
	{"-p", separate, 0, toolMongo},
	{"-u", attached | separate, ':', toolCurl},
	{"--user", separate | equals, ':', toolCurl},
	{"-U", attached | separate, ':', toolCurl},
	{"--proxy-user", separate | equals, ':', toolCurl},
	{"-U", attached | separate, '%', toolSMB},
	{"--user", separate | equals, '%', toolSMB},
	{"-a", separate, 0, toolRedis},
	{"-w", attached | separate, 0, toolLDAP},
	{"-P", attached | separate, 0, toolSQLCmd},
}

// toolOf returns the tool bit of a command word (its path left out), or 0.
func toolOf(w string) int {
	switch {
	case strings.HasPrefix(w, "mysql"), strings.HasPrefix(w, "mariadb"):
		return toolMySQL
	case w == "sshpass":
		return toolSSHPass
	case strings.HasPrefix(w, "mongo"):
		return toolMongo
	case w == "curl", w == "curl.exe":
		return toolCurl
	case w == "smbclient", w == "rpcclient":
		return toolSMB
	case w == "redis-cli":
		return toolRedis
	case strings.HasPrefix(w, "ldap"):
		return toolLDAP
	case w == "sqlcmd", w == "bcp":
		return toolSQLCmd
	}
	return 0
}

// optionStart reports whether s[i] begins a command-line word: after a space, a quote (auditd's
// a1="-p…") or at the start.
func optionStart(s string, i int) bool {
	if i == 0 {
		return true
	}
	switch s[i-1] {
	case ' ', '\t', '"', '\'', '\n':
		return true
	}
	return false
}

// attachedValue reports whether a value is attached to the short option at s[i:v] (-pSECRET,
// -p'my pass'), rather than the option ending there: a space, or the quote that closes an
// auditd argument a1="-p".
func attachedValue(s string, i, v int) bool {
	if v >= len(s) {
		return false
	}
	switch c := s[v]; c {
	case ' ', '\t', '\r', '\n':
		return false
	case '"', '\'':
		return i == 0 || s[i-1] != c
	}
	return !isArgEnd(s, v)
}

// nextArg returns the argument after an option that ends at p: "opt value", or in an auditd
// EXECVE record a1="opt" a2="value".
func nextArg(s string, p int) (from, to int, ok bool) {
	if p < len(s) && (s[p] == '"' || s[p] == '\'') {
		p++
	}
	k := p
	for k < len(s) && isSpace(s[k]) {
		k++
	}
	if k == p || k >= len(s) {
		return 0, 0, false
	}
	if s[k] == 'a' {
		d := k + 1
		for d < len(s) && s[d] >= '0' && s[d] <= '9' {
			d++
		}
		if d > k+1 && d < len(s) && s[d] == '=' {
			k = d + 1
		}
	}
	return argBounds(s, k)
}

// argBounds returns the bounds of the argument at p: quoted, or up to the next space.
func argBounds(s string, p int) (from, to int, ok bool) {
	if p >= len(s) {
		return 0, 0, false
	}
	if q := s[p]; q == '"' || q == '\'' {
		e := p + 1
		for e < len(s) && s[e] != q && s[e] != '\n' {
			e++
		}
		if e < len(s) && s[e] == q {
			return p + 1, e, e > p+1
		}
		p++ // not closed on its line: read it as a word, not the rest of the line
	}
	e := p
	for e < len(s) && !isArgEnd(s, e) {
		e++
	}
	return p, e, e > p
}

func isArgEnd(s string, e int) bool {
	switch s[e] {
	case ' ', '\t', '\r', '\n', '"', '\'', ';', '|', '&', '`':
		return true
	}
	return escapeEnd(s, e)
}

// toolsBefore returns the tools named before i in the same command (since the line's start or
// the last ;, | or &). The scan only moves forward, so the words are read once: i is always at
// the start of a word, and later than the last call's.
func (r *redactor) toolsBefore(i int) int {
	s := r.s
	for j := r.toolsAt; j < i; {
		for j < i && isWordSep(s[j]) {
			if s[j] == '\n' || s[j] == ';' || s[j] == '|' || s[j] == '&' {
				r.tools = 0
			}
			j++
		}
		k := j
		for k < i && !isWordSep(s[k]) {
			k++
		}
		w := s[j:k]
		if b := strings.LastIndexAny(w, `/\`); b >= 0 {
			w = w[b+1:]
		}
		r.tools |= toolOf(w)
		j = k
	}
	r.toolsAt = max(r.toolsAt, i)
	return r.tools
}

func isWordSep(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '"', '\'', '=', '(', ')', '`', '$', ';', '|', '&':
		return true
	}
	return false
}
