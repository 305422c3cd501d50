package auditd

import (
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/breachline/breachline/normalize"
)

// secretPaths matches file names against the examiner's --secret-path globs (path.Match
// syntax). A pattern with a slash is matched against the whole resolved path, so "/run/secrets/*"
// matches /run/secrets/db but not /run/secrets/a/b; a pattern without one, such as "*.env",
// against the last element of the name, wherever the file is.
type secretPaths struct {
	full, base []string
	bad        []string // malformed patterns, ignored and noted
}

func newSecretPaths(globs []string) *secretPaths {
	s := &secretPaths{}
	for _, g := range globs {
		if _, err := path.Match(g, "x"); err != nil {
			s.bad = append(s.bad, g)
			continue
		}
		if strings.Contains(g, "/") {
			s.full = append(s.full, g)
		} else {
			s.base = append(s.base, g)
		}
	}
	return s
}

func (s *secretPaths) empty() bool { return len(s.full)+len(s.base) == 0 }

// match reports whether the file name (absolute when resolved) is a secret store. A relative
// name that could not be resolved only meets the base-name patterns.
func (s *secretPaths) match(name string, absolute bool) bool {
	if absolute {
		for _, p := range s.full {
			if ok, _ := path.Match(p, name); ok {
				return true
			}
		}
	}
	if len(s.base) > 0 {
		b := path.Base(name)
		for _, p := range s.base {
			if ok, _ := path.Match(p, b); ok {
				return true
			}
		}
	}
	return false
}

// Open modes, in attrs.access.
const (
	accessRead       = "read"
	accessWrite      = "write"
	accessReadWrite  = "read-write"
	accessPathOnly   = "path-only"  // O_PATH: a handle for the name, the contents cannot be read
	accessUnrecorded = "unrecorded" // the record does not show the flags
)

const (
	oAccMode = 0x3
	oPath    = 0x200000 // 010000000, the same on every architecture in archs
)

// openAccess says how an open-family syscall opened its file: from the flags argument (a1 of
// open, a2 of openat and open_by_handle_at), from the OPENAT2 record of openat2 (whose flags are
// in a structure the SYSCALL record does not show), write for creat. ok is false for any other
// syscall.
func openAccess(name string, sc, openat2 *record) (access string, ok bool) {
	var flags string
	base := 16
	switch name {
	case "open":
		flags = sc.get("a1")
	case "openat", "open_by_handle_at":
		flags = sc.get("a2")
	case "creat":
		return accessWrite, true
	case "openat2":
		if openat2 == nil {
			return accessUnrecorded, true
		}
		flags, base = openat2.get("oflag"), 8 // printed as 0%llo
	default:
		return "", false
	}
	v, err := strconv.ParseUint(flags, base, 64)
	if err != nil {
		return accessUnrecorded, true
	}
	if v&oPath != 0 {
		return accessPathOnly, true
	}
	switch v & oAccMode {
	case 0:
		return accessRead, true
	case 1:
		return accessWrite, true
	case 2:
		return accessReadWrite, true
	}
	return accessUnrecorded, true
}

// resolve returns a PATH record's name as an absolute, lexically cleaned path: as logged when
// absolute, joined to the CWD record when relative and the syscall resolves names against the
// working directory. Otherwise (a relative name passed with a directory descriptor, or no CWD) it
// returns the name as logged and false. Cleaning is lexical: ".." is not checked against symlinks.
func resolve(name, cwd string, relToCWD bool) (string, bool) {
	switch {
	case name == "":
		return "", false
	case name[0] == '/':
		return path.Clean(name), true
	case relToCWD && strings.HasPrefix(cwd, "/"):
		return path.Join(cwd, name), true
	}
	return name, false
}

// relativeToCWD reports whether relative names of syscall name (with its SYSCALL record) are
// relative to the working directory: true for the path syscalls without a directory descriptor,
// and for the *at syscalls whose descriptors are all AT_FDCWD; false for an unknown syscall.
func relativeToCWD(name string, sc *record) bool {
	if name == "" || sc == nil {
		return false
	}
	args, ok := dirfdArgs[name]
	if !ok {
		return true
	}
	for _, i := range args {
		if !isATFDCWD(sc.get("a" + strconv.Itoa(i))) {
			return false
		}
	}
	return true
}

// file is a name from a PATH record, resolved where it can be (see resolve).
type file struct {
	name string
	abs  bool
	item int
}

// files resolves the names of the event's PATH records in the order of their item= numbers
// (item 0 of an execve is the program), leaving out the parent directories the kernel records
// beside a created or deleted name, and lists them in attrs.paths.
func (b *builder) files(p *parts, sysName, cwd string, ev *normalize.Event) []file {
	if len(p.paths) == 0 {
		return nil
	}
	rel := relativeToCWD(sysName, p.syscall)
	var out []file
	for _, r := range p.paths {
		nt := r.get("nametype")
		if nt == "" {
			nt = r.get("objtype") // before kernel 4.x
		}
		name := r.text("name")
		if nt == "PARENT" || name == "" {
			continue
		}
		n, abs := resolve(name, cwd, rel)
		item, _ := strconv.Atoi(r.get("item"))
		out = append(out, file{n, abs, item})
	}
	slices.SortStableFunc(out, func(a, b file) int { return a.item - b.item })
	if len(out) > 0 {
		names := make([]string, len(out))
		for i, f := range out {
			names[i] = f.name
		}
		ev.SetAttr("paths", names)
	}
	return out
}

// secret makes an open of a file the examiner marked as a secret store (--secret-path) a
// secret_read (read, read-write, or flags not recorded) or a secret_write (write-only, creat),
// whatever else the event holds. An O_PATH open cannot read the contents and stays what it was.
func (b *builder) secret(p *parts, sysName, node string, files []file, ev *normalize.Event) {
	if p.syscall == nil {
		return
	}
	access, ok := openAccess(sysName, p.syscall, p.openat2)
	if !ok {
		return
	}
	ev.SetAttr("access", access)
	if b.secrets == nil || b.secrets.empty() || access == accessPathOnly {
		return
	}
	var refs []string
	first := ""
	for _, f := range files {
		if b.secrets.match(f.name, f.abs) {
			if first == "" {
				first = f.name
			}
			refs = append(refs, secretRef(node, f.name))
		}
	}
	if len(refs) == 0 {
		return
	}
	ev.Category = normalize.SecretRead
	if access == accessWrite {
		ev.Category = normalize.SecretWrite
	}
	ev.Action = sysName
	ev.SecretRef = refs[0]
	if len(refs) > 1 {
		ev.SetAttr(normalize.AttrSecretRefs, refs)
	}
	ev.Resource, ev.ResourceType = first, "file"
}

// secretRef names a secret file: "file:<node>:<path>" when the log names the host (node=), else
// "file:<path>". The path is absolute unless the record gave a relative name that could not be
// resolved (see resolve).
func secretRef(node, name string) string {
	if node != "" {
		return "file:" + node + ":" + name
	}
	return "file:" + name
}
