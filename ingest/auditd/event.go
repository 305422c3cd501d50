package auditd

import (
	"strings"

	"github.com/breachline/breachline/normalize"
)

// builder turns an assembled event into a normalized event. Its slices are scratch space reused
// from one event to the next.
type builder struct {
	secrets *secretPaths
	recs    []record
	fields  []field
	spans   [][2]int
	pieces  []argPiece
	types   []string
	attrs   map[string]any // reused: the core copies an event's attrs before Event returns
}

// parts are the records of one event by role.
type parts struct {
	headline, syscall, cwd, proctitle, sockaddr, openat2 *record
	execves, paths                                       []*record
}

// event fills ev from the lines of g, whose span is raw. It returns why the event cannot be one,
// or "".
func (b *builder) event(g *group, raw []byte, ev *normalize.Event) string {
	s := string(raw)
	b.recs, b.fields, b.spans, b.types = b.recs[:0], b.fields[:0], b.spans[:0], b.types[:0]
	var node, stamp, secs string
	for _, m := range g.members {
		rel := m.off - g.first
		h, why := parseHeader(raw[rel : rel+m.n])
		if why != "" {
			return why // cannot happen: every member's header was read when it was grouped
		}
		ln := s[rel : rel+m.n]
		if len(b.recs) == 0 {
			node, stamp, secs = h.node.of(ln), h.stamp.of(ln), h.sec.of(ln)
		}
		body, enriched, _ := strings.Cut(ln[h.body:], string(enrichedSep))
		from := len(b.fields)
		b.fields = appendFields(b.fields, body, false)
		mid := len(b.fields)
		b.fields = appendFields(b.fields, enriched, true)
		b.spans = append(b.spans, [2]int{from, mid})
		b.recs = append(b.recs, record{typ: h.typ.of(ln), body: body})
		b.types = append(b.types, h.typ.of(ln))
	}
	for i := range b.recs {
		sp := b.spans[i]
		end := len(b.fields)
		if i+1 < len(b.spans) {
			end = b.spans[i+1][0]
		}
		b.recs[i].fields, b.recs[i].enriched = b.fields[sp[0]:sp[1]], b.fields[sp[1]:end]
	}
	p := b.sort()

	if b.attrs == nil {
		b.attrs = make(map[string]any, 48)
	}
	clear(b.attrs)
	ev.Attrs = b.attrs
	ev.Time, ev.TimeRaw, ev.TZBasis = recordTime(secs), secs, normalize.TZUTCBySpec
	_, serial, _ := strings.Cut(stamp, ":")
	ev.SetAttr("serial", serial)
	ev.SetAttr("node", node)
	ev.SetAttr("record_types", append([]string(nil), b.types...))
	b.reassembly(g, ev)

	b.fill(&p, node, ev)
	return ""
}

// sort finds each record's role. The headline is the first record that says what happened (a
// USER_LOGIN, an AVC, a CONFIG_CHANGE…), else the SYSCALL, else the first record.
func (b *builder) sort() parts {
	var p parts
	for i := range b.recs {
		r := &b.recs[i]
		switch r.typ {
		case "SYSCALL":
			if p.syscall == nil {
				p.syscall = r
			}
		case "EXECVE":
			p.execves = append(p.execves, r)
		case "CWD":
			if p.cwd == nil {
				p.cwd = r
			}
		case "PATH":
			p.paths = append(p.paths, r)
		case "PROCTITLE":
			if p.proctitle == nil {
				p.proctitle = r
			}
		case "SOCKADDR":
			if p.sockaddr == nil {
				p.sockaddr = r
			}
		case "OPENAT2":
			if p.openat2 == nil {
				p.openat2 = r
			}
		}
		if p.headline == nil && !auxiliary(r.typ) {
			p.headline = r
		}
	}
	if p.headline == nil {
		p.headline = p.syscall
	}
	if p.headline == nil {
		for i := range b.recs {
			if b.recs[i].typ != "EOE" {
				p.headline = &b.recs[i]
				break
			}
		}
	}
	return p
}

// reassembly records how the event's lines were joined: why it was closed, whether EOE was
// missing where the file has them, where its lines are ([offset, length] each) when other lines
// lie between them (the event's record then holds only its first lines), and which earlier
// event it continues.
func (b *builder) reassembly(g *group, ev *normalize.Event) {
	ev.SetAttr("closed_by", g.closedBy)
	if g.incomplete {
		ev.SetAttr("incomplete", true)
	}
	if g.split {
		lines := make([]any, len(g.members))
		pairs := make([]any, 2*len(g.members)) // one allocation for all the pairs
		for i, m := range g.members {
			pairs[2*i], pairs[2*i+1] = m.off, m.n
			lines[i] = pairs[2*i : 2*i+2 : 2*i+2]
		}
		ev.SetAttr("lines", lines)
	}
	if g.continues >= 0 {
		ev.SetAttr("continues", g.continues)
	}
}

// fill sets the event's descriptive fields from its records.
func (b *builder) fill(p *parts, node string, ev *normalize.Event) {
	hl, sc := p.headline, p.syscall
	sysName := b.process(p, ev)
	ids := hl
	if ids == nil || (ids.get("uid") == "" && ids.get("auid") == "" && sc != nil) {
		ids = sc
	}
	b.identity(p, ids, ev)
	files, socket := b.objects(p, sysName, ev)
	peerAddr := ""
	if socket != "" && peerCall(sysName, p.syscall) {
		peerAddr, socket = socket, "" // the peer is who the call heard from, not what it acted on
	}

	switch {
	case hl == nil:
		ev.Category = normalize.Other
	case hl == sc:
		ev.Action, ev.Category = sysName, normalize.Process
		if ev.Action == "" {
			ev.Action = "SYSCALL"
		}
	default:
		ev.Action, ev.Category = hl.typ, typeCategory[hl.typ]
		if ev.Category == "" {
			ev.Category = normalize.Other
		}
		if hl.typ == "EXECVE" {
			ev.Category = normalize.Process
		}
		b.userFields(hl, ev)
	}
	if peerAddr != "" && ev.SrcIP == "" {
		peer(peerAddr, ev) // a headline's own addr= names the peer first
	}
	b.outcome(hl, sc, ev)
	// The object: the first file named, else the socket address, else the program executed.
	switch {
	case len(files) > 0:
		ev.Resource, ev.ResourceType = files[0].name, "file"
	case socket != "":
		ev.Resource, ev.ResourceType = socket, "socket"
	case hl == sc && sc != nil && len(p.execves) > 0:
		ev.Resource, ev.ResourceType = sc.text("exe"), "file"
	}
	b.secret(p, sysName, node, files, ev) // a secret file, when one is opened, is the object
}

// process sets what the SYSCALL record says about the call and what it, or else the headline
// (user-space records carry pid, uid, exe themselves), says about the process. It returns the
// syscall's name, or "" when it is not known.
func (b *builder) process(p *parts, ev *normalize.Event) (sysName string) {
	sc, proc := p.syscall, p.syscall
	if proc == nil {
		proc = p.headline
	}
	if sc != nil {
		archHex := sc.get("arch")
		if sysName = sc.enrichedText("SYSCALL"); sysName == "" {
			sysName = syscallName(archHex, sc.get("syscall"))
		}
		arch := sc.enrichedText("ARCH")
		if arch == "" {
			arch = archName(archHex)
		}
		if arch == "" {
			arch = archHex
		}
		ev.SetAttr("arch", arch)
		if sysName != "" {
			ev.SetAttr("syscall", sysName)
		} else {
			ev.SetAttr("syscall", sc.get("syscall"))
		}
		ev.SetAttr("exit", sc.get("exit"))
		ev.SetAttr("ppid", sc.get("ppid"))
	}
	if proc != nil {
		ev.SetAttr("pid", proc.get("pid"))
		ev.SetAttr("uid", proc.get("uid"))
		if euid := proc.get("euid"); euid != proc.get("uid") {
			ev.SetAttr("euid", euid) // setuid: the effective user differs
		}
		ev.SetAttr("comm", proc.text("comm"))
		ev.SetAttr("exe", proc.text("exe"))
		ev.SetAttr("tty", proc.text("tty"))
		ev.SetAttr("key", ruleKey(proc))
	}
	return sysName
}

// objects sets what the auxiliary records say: the working directory, the command line, the
// process title, the socket address and the files; it returns the files and the socket.
func (b *builder) objects(p *parts, sysName string, ev *normalize.Event) ([]file, string) {
	cwd := ""
	if p.cwd != nil {
		cwd = p.cwd.text("cwd")
		ev.SetAttr("cwd", cwd)
	}
	if len(p.execves) > 0 {
		cmd, argc, complete, pieces := commandLine(p.execves, b.pieces)
		b.pieces = pieces
		ev.SetAttr("cmdline", cmd)
		ev.SetAttr("argc", argc)
		if !complete {
			ev.SetAttr("argv_incomplete", true)
		}
	}
	if p.proctitle != nil {
		if f, ok := lookup(p.proctitle.fields, "proctitle"); ok {
			ev.SetAttr("proctitle", processTitle(f))
		}
	}
	socket := ""
	if p.sockaddr != nil {
		socket = sockaddr(p.sockaddr.get("saddr"))
		ev.SetAttr("socket_addr", socket)
	}
	return b.files(p, sysName, cwd, ev), socket
}

// outcome: the headline's res= when it has one, else the syscall's success=.
func (b *builder) outcome(hl, sc *record, ev *normalize.Event) {
	if hl != nil && hl != sc {
		if o := outcomeOf(hl.text("res")); o != "" {
			ev.Outcome = o
			return
		}
	}
	if sc != nil {
		ev.Outcome = outcomeOf(sc.get("success"))
	}
}

// ruleKey returns the audit rule key(s) of a record: a rule key is the examiner's label for the
// rule that fired, not a credential. Several keys are joined by the kernel with 0x01 (and the
// value hex-encoded); they are shown comma-separated.
func ruleKey(r *record) string {
	return strings.ReplaceAll(r.text("key"), "\x01", ",")
}
