package correlate

import (
	"regexp"
	"strings"
)

// The rules are written once, in SQLite's SQL, against the case's tables. Another engine runs
// them through its dialect: the few places where engines spell the same thing differently are
// rewritten here, and only here. Everything else in the rules (ordered aggregates, window
// functions, recursive CTEs, UPDATE … FROM, INSERT OR IGNORE) is SQL that DuckDB reads as it is.

// DuckDB rewrites a rule statement for DuckDB, which holds the rules' tables as ordinary tables of
// a database of its own (timeline/correlate/duckdb). It returns "" for a statement DuckDB does
// without: an index (it joins by hashing).
//
//   - INTEGER is SQLite's 64-bit integer, DuckDB's BIGINT (its INTEGER has 32 bits);
//   - the events' column offset is a keyword in DuckDB, quoted;
//   - temp tables and views are ordinary ones (CREATE TEMP TABLE x → CREATE TABLE x, temp.x → x);
//   - SQLite's LIKE ignores ASCII case, DuckDB's ILIKE does;
//   - max(a, b) and min(a, b) of two values are greatest and least;
//   - json_extract of a string gives its text in SQLite, json_extract_string in DuckDB;
//     json_type names types in capitals; json_each gives a string element's value as JSON, so
//     each json_each becomes a subquery that gives its text; json_insert(a, '$[#]', v) appends;
//   - json_group_array is a list made JSON ('[]' when empty, as in SQLite);
//   - group_concat is string_agg (with ',' when no separator is given);
//   - a CROSS JOIN with an ON clause (SQLite's way to fix the join order) is a JOIN;
//   - an integer divided by an integer is an integer in SQLite (DuckDB: //);
//   - unixepoch and julianday become epoch arithmetic.
//
// time_text and cidr_contains are Go functions the engine registers, and sha256_hex a macro,
// under the names the case's driver gives them.
func DuckDB(stmt string) string {
	code := strings.TrimSpace(stripComments(stmt))
	if strings.HasPrefix(code, "CREATE INDEX") || strings.HasPrefix(code, "CREATE UNIQUE INDEX") {
		return ""
	}
	s := mapCode(code, func(c string) string {
		c = strings.ReplaceAll(c, "CREATE TEMP TABLE", "CREATE TABLE")
		c = strings.ReplaceAll(c, "CREATE TEMP VIEW", "CREATE VIEW")
		c = tempPrefix.ReplaceAllString(c, "$1")
		c = likeOp.ReplaceAllString(c, " ILIKE ")
		c = integer.ReplaceAllString(c, "BIGINT")
		c = offsetColumn.ReplaceAllString(c, `"offset"`)
		return intDivision.ReplaceAllString(c, "// $1")
	})
	s = strings.ReplaceAll(s, "= 'array'", "= 'ARRAY'")
	s = crossJoinsWithOn(s)
	s = rewriteCalls(s, func(name string, args []string) (string, bool) {
		switch strings.ToLower(name) {
		case "max", "min":
			if len(args) == 2 {
				return map[string]string{"max": "greatest", "min": "least"}[strings.ToLower(name)] + "(" + args[0] + ", " + args[1] + ")", true
			}
		case "json_group_array":
			return "coalesce(CAST(to_json(list(" + strings.Join(args, ", ") + ")) AS VARCHAR), '[]')", true
		case "json_extract":
			return "json_extract_string(" + strings.Join(args, ", ") + ")", true
		case "json_insert":
			if len(args) == 3 && strings.TrimSpace(args[1]) == "'$[#]'" {
				return "CAST(to_json(list_append(CAST(json_extract_string(" + args[0] + ", '$[*]') AS VARCHAR[]), " + args[2] + ")) AS VARCHAR)", true
			}
		case "group_concat":
			if len(args) == 1 {
				return "string_agg(" + withSeparator(args[0], "','") + ")", true
			}
			return "string_agg(" + strings.Join(args, ", ") + ")", true
		case "unixepoch":
			if len(args) == 1 {
				return "CAST(epoch(CAST(" + args[0] + " AS TIMESTAMP)) AS BIGINT)", true
			}
		case "julianday":
			if len(args) == 1 {
				return "(epoch_ns(CAST(" + args[0] + " AS TIMESTAMP_NS)) / 86400000000000.0 + 2440587.5)", true
			}
		}
		return "", false
	})
	s = jsonEachText(s)
	return s
}

var (
	tempPrefix   = regexp.MustCompile(`\btemp\.([a-z_]+)`)
	likeOp       = regexp.MustCompile(`(?i) like `)
	intDivision  = regexp.MustCompile(`/ (\d{4,})\b`)
	integer      = regexp.MustCompile(`\bINTEGER\b`)
	offsetColumn = regexp.MustCompile(`\boffset\b`)
)

// mapCode applies f to the parts of s outside string literals.
func mapCode(s string, f func(string) string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '\'')
		if i < 0 {
			b.WriteString(f(s))
			return b.String()
		}
		j := strings.IndexByte(s[i+1:], '\'')
		if j < 0 {
			b.WriteString(f(s[:i]) + s[i:])
			return b.String()
		}
		b.WriteString(f(s[:i]) + s[i:i+j+2])
		s = s[i+j+2:]
	}
}

// stripComments drops the -- comment lines, which hold words the rewrites would otherwise touch.
func stripComments(stmt string) string {
	var b strings.Builder
	for _, l := range strings.Split(stmt, "\n") {
		if t := strings.TrimSpace(l); t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// withSeparator turns the argument of a one-argument group_concat into string_agg's two: the
// separator goes before an ORDER BY the argument carries.
func withSeparator(arg, sep string) string {
	if i := topLevelIndex(arg, " ORDER BY "); i >= 0 {
		return arg[:i] + ", " + sep + arg[i:]
	}
	return arg + ", " + sep
}

// crossJoinsWithOn turns every CROSS JOIN followed by an ON clause (before the next join or
// clause at the same depth) into a JOIN.
func crossJoinsWithOn(s string) string {
	const cj = "CROSS JOIN "
	var b strings.Builder
	for {
		i := strings.Index(s, cj)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		rest := s[i+len(cj):]
		if nextClauseIsOn(rest) {
			b.WriteString("JOIN ")
		} else {
			b.WriteString(cj)
		}
		s = rest
	}
}

// nextClauseIsOn reports whether the first clause keyword at depth 0 in s is ON.
func nextClauseIsOn(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return false
			}
			i += j + 1
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return false
			}
			depth--
		case ';', ',':
			if depth == 0 {
				return false
			}
		default:
			if depth > 0 || (i > 0 && isIdent(s[i-1])) || !isIdent(c) {
				continue
			}
			j := i
			for j < len(s) && isIdent(s[j]) {
				j++
			}
			switch strings.ToUpper(s[i:j]) {
			case "ON":
				return true
			case "JOIN", "CROSS", "LEFT", "WHERE", "GROUP", "ORDER", "UNION", "LIMIT", "WINDOW", "HAVING":
				return false
			}
			i = j - 1
		}
	}
	return false
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// topLevel calls f with each index of s outside parentheses and string literals, until f
// returns false.
func topLevel(s string, f func(i int) bool) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\'':
			if j := strings.IndexByte(s[i+1:], '\''); j >= 0 {
				i += j + 1
			}
		case '(':
			depth++
		case ')':
			depth--
		default:
			if depth == 0 && !f(i) {
				return
			}
		}
	}
}

// topLevelIndex is the index of sub in s outside parentheses and quotes, or -1.
func topLevelIndex(s, sub string) int {
	at := -1
	topLevel(s, func(i int) bool {
		if strings.HasPrefix(s[i:], sub) {
			at = i
		}
		return at < 0
	})
	return at
}

// rewriteCalls calls f on every function call in s, innermost first, with its name and its
// arguments (as text, already rewritten); f returns the replacement, or false to keep the call.
func rewriteCalls(s string, f func(name string, args []string) (string, bool)) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\'' {
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				b.WriteString(s[i:])
				break
			}
			b.WriteString(s[i : i+j+2])
			i += j + 1
			continue
		}
		if !isIdent(c) || (i > 0 && (isIdent(s[i-1]) || s[i-1] == '.')) {
			b.WriteByte(c)
			continue
		}
		j := i
		for j < len(s) && isIdent(s[j]) {
			j++
		}
		if j >= len(s) || s[j] != '(' {
			b.WriteString(s[i:j])
			i = j - 1
			continue
		}
		end := closing(s, j)
		if end < 0 {
			b.WriteString(s[i:])
			break
		}
		inner := rewriteCalls(s[j+1:end], f)
		args := splitArgs(inner)
		if out, ok := f(s[i:j], args); ok {
			b.WriteString(out)
		} else {
			b.WriteString(s[i:j] + "(" + inner + ")")
		}
		i = end
	}
	return b.String()
}

// closing is the index of the parenthesis that closes the one at s[open], or -1.
func closing(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return -1
			}
			i += j + 1
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return -1
}

// splitArgs splits a call's arguments at the commas outside parentheses and quotes.
func splitArgs(s string) []string {
	var args []string
	start := 0
	topLevel(s, func(i int) bool {
		if s[i] == ',' {
			args = append(args, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
		return true
	})
	if t := strings.TrimSpace(s[start:]); t != "" || len(args) > 0 {
		args = append(args, t)
	}
	return args
}

// jsonEachText makes every json_each(…) a subquery that gives each element's key and its value as
// text, as SQLite's json_each does for strings (DuckDB's value is JSON).
func jsonEachText(s string) string {
	const fn = "json_each("
	var b strings.Builder
	for {
		i := strings.Index(s, fn)
		if i < 0 || (i > 0 && isIdent(s[i-1])) {
			b.WriteString(s)
			return b.String()
		}
		end := closing(s, i+len(fn)-1)
		if end < 0 {
			b.WriteString(s)
			return b.String()
		}
		args := splitArgs(s[i+len(fn) : end])
		doc := args[0]
		guarded := "CASE WHEN json_valid(" + doc + ") THEN " + doc + " END"
		call := "json_each(" + strings.Join(append([]string{guarded}, args[1:]...), ", ") + ")"
		b.WriteString(s[:i])
		b.WriteString("(SELECT key, CASE WHEN type = 'VARCHAR' THEN json_extract_string(value, '$') ELSE CAST(value AS VARCHAR) END AS value, type FROM " + call + ")")
		s = s[end+1:]
	}
}
