package synth

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// Auditd writes n Linux audit events in auditd's raw log format (no end-of-event records, as
// auditd writes its own log), with the mix a monitored server shows: program executions
// (SYSCALL, EXECVE, CWD, two PATHs, PROCTITLE), file opens, some of them of /run/secrets and
// *.env files, with relative names, outgoing connections (SOCKADDR), and the single-record PAM
// and sudo events of logins. About one event in ten has its records interleaved with the next
// one's, as concurrent syscalls are logged. Every line is a valid record.
func Auditd(w io.Writer, n int, seed int64) error {
	r := rng(seed)
	bw := bufio.NewWriterSize(w, 1<<20)
	g := &auditGen{r: r, t: Base, serial: 100_000}
	users := []struct {
		uid  int
		name string
	}{{1000, "alice"}, {1001, "deploy"}, {1002, "bob"}, {0, "root"}, {33, "www-data"}}
	programs := []struct{ exe, comm string }{
		{"/usr/bin/cat", "cat"}, {"/usr/bin/ls", "ls"}, {"/usr/bin/python3.12", "python3"},
		{"/usr/bin/curl", "curl"}, {"/usr/bin/bash", "bash"}, {"/usr/bin/grep", "grep"},
		{"/usr/bin/systemctl", "systemctl"}, {"/usr/bin/tar", "tar"},
	}
	files := []string{"/etc/hosts", "/etc/passwd", "/run/secrets/db_password", "/run/secrets/api_token",
		".env", "config/settings.yaml", "/var/log/app/app.log", "/srv/app/prod.env", "/home/alice/.bashrc"}
	dirs := []string{"/home/alice", "/srv/app", "/root", "/tmp", "/run/secrets"}
	pam := []string{"USER_AUTH", "USER_ACCT", "CRED_ACQ", "USER_START", "USER_LOGIN", "USER_END", "CRED_DISP", "USER_CMD"}

	var pending []string // the held-back records of an interleaved event
	for i := 0; i < n; i++ {
		g.t = g.t.Add(time.Duration(1+r.IntN(300)) * time.Millisecond)
		g.serial++
		u := pick(r, users)
		p := pick(r, programs)
		pid := 2000 + r.IntN(30000)
		var recs []string
		switch k := r.IntN(20); {
		case k < 8: // execve
			arg := pick(r, files)
			recs = append(recs,
				g.syscall(59, "yes", 0, "55d0c1c2e8a0", "55d0c1c2e5f0", 2, pid, u.uid, p, "exec"),
				g.rec("EXECVE", fmt.Sprintf(`argc=3 a0="%s" a1="-v" a2=%s`, p.comm, quoteOrHex(arg))),
				g.rec("CWD", fmt.Sprintf(`cwd="%s"`, pick(r, dirs))),
				g.path(0, p.exe, "NORMAL"),
				g.path(1, "/lib64/ld-linux-x86-64.so.2", "NORMAL"),
				g.rec("PROCTITLE", "proctitle="+strings.ToUpper(hex.EncodeToString([]byte(p.comm+"\x00-v\x00"+arg)))))
		case k < 13: // openat, read or write
			flags := pick(r, []string{"0", "0", "80000", "2", "241"})
			f := pick(r, files)
			recs = append(recs,
				g.syscall(257, pick(r, []string{"yes", "yes", "yes", "no"}), 3, "ffffff9c", flags, 1, pid, u.uid, p, "files"),
				g.rec("CWD", fmt.Sprintf(`cwd="%s"`, pick(r, dirs))),
				g.path(0, f, "NORMAL"),
				g.rec("PROCTITLE", "proctitle="+strings.ToUpper(hex.EncodeToString([]byte(p.comm+"\x00"+f)))))
		case k < 15: // connect
			recs = append(recs,
				g.syscall(42, "yes", 0, "3", "7ffe1a2b3c40", 0, pid, u.uid, p, "egress"),
				g.rec("SOCKADDR", fmt.Sprintf("saddr=020001BB%02X%02X%02X%02X0000000000000000", 10, r.IntN(256), r.IntN(256), 1+r.IntN(254))),
				g.rec("PROCTITLE", "proctitle="+strings.ToUpper(hex.EncodeToString([]byte(p.comm)))))
		default: // PAM and sudo
			typ := pick(r, pam)
			msg := fmt.Sprintf(`op=PAM:%s grantors=pam_unix acct="%s" exe="/usr/sbin/sshd" hostname=%s addr=%s terminal=ssh res=%s`,
				strings.ToLower(typ), u.name, ipv4(r, 500), ipv4(r, 500), pick(r, []string{"success", "success", "success", "failed"}))
			if typ == "USER_CMD" {
				msg = fmt.Sprintf(`cwd="/home/%s" cmd=%s exe="/usr/bin/sudo" terminal=pts/0 res=success`,
					u.name, strings.ToUpper(hex.EncodeToString([]byte("systemctl restart app"))))
			}
			recs = append(recs, g.rec(typ, fmt.Sprintf(`pid=%d uid=0 auid=%d ses=%d subj=unconfined msg='%s'`, pid, u.uid, 1+r.IntN(50), msg)))
		}
		// Write this event; the records held back from the previous one come after its first.
		for j, rec := range recs {
			bw.WriteString(rec)
			bw.WriteByte('\n')
			if j == 0 {
				for _, p := range pending {
					bw.WriteString(p)
					bw.WriteByte('\n')
				}
				pending = pending[:0]
			}
		}
		if len(recs) > 2 && r.IntN(10) == 0 && i+1 < n {
			// Interleave: the last records of this event come after the next event's first.
			pending = append(pending, recs[len(recs)-2:]...)
		}
	}
	for _, p := range pending {
		bw.WriteString(p)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// auditGen formats the records of one event; t and serial are the event's stamp.
type auditGen struct {
	r      *rand.Rand
	t      time.Time
	serial int
}

func (g *auditGen) stamp() string {
	return fmt.Sprintf("audit(%d.%03d:%d)", g.t.Unix(), g.t.Nanosecond()/1e6, g.serial)
}

func (g *auditGen) rec(typ, body string) string {
	return "type=" + typ + " msg=" + g.stamp() + ": " + body
}

func (g *auditGen) syscall(nr int, success string, exit int, a0, a2 string, items, pid, uid int, p struct{ exe, comm string }, key string) string {
	if success == "no" {
		exit = -13
	}
	return g.rec("SYSCALL", fmt.Sprintf(`arch=c000003e syscall=%d success=%s exit=%d a0=%s a1=7ffc3b0d4e51 a2=%s a3=0 items=%d ppid=%d pid=%d auid=%d uid=%d gid=%d euid=%d suid=%d fsuid=%d egid=%d sgid=%d fsgid=%d tty=pts0 ses=%d comm="%s" exe="%s" subj=unconfined key="%s"`,
		nr, success, exit, a0, a2, items, pid-1, pid, uid, uid, uid, uid, uid, uid, uid, uid, uid, 1+g.r.IntN(50), p.comm, p.exe, key))
}

func (g *auditGen) path(item int, name, nametype string) string {
	return g.rec("PATH", fmt.Sprintf(`item=%d name=%s inode=%d dev=fd:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=%s cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0`,
		item, quoteOrHex(name), 1000+g.r.IntN(900000), nametype))
}

// quoteOrHex writes a value as audit does: quoted when safe, hex otherwise.
func quoteOrHex(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c <= ' ' || c >= 0x7f {
			return strings.ToUpper(hex.EncodeToString([]byte(s)))
		}
	}
	return `"` + s + `"`
}
