package normalize

// userinfo handles the password of scheme://user:password@host, i at the start of user. People
// paste passwords into connection strings unencoded, '@' included (postgres://app:p@ss@db/x),
// and a host never contains '@', so the userinfo ends at the last '@' before the host part ends.
func (r *redactor) userinfo(i int) int {
	s := r.s
	colon, at := -1, -1
authority:
	for j := i; j < len(s); j++ {
		switch s[j] {
		case ':':
			if colon < 0 {
				colon = j
			}
		case '@':
			at = j
		case '/', '?', '#', ' ', '\t', '\r', '\n', '"', '\'', '\\', '<', '>':
			break authority
		}
	}
	if at < 0 || colon < 0 || colon > at || at == colon+1 {
		return i
	}
	r.replace(colon+1, at, unescapeValue(s[colon+1:at]))
	return at
}
