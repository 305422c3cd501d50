package auditd

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestHeader(t *testing.T) {
	line := []byte("node=web1 type=USER_AUTH msg=audit(1772442060.120:1210): pid=2201 uid=0")
	h, why := parseHeader(line)
	require.Empty(t, why)
	require.Equal(t, "web1", string(h.node.in(line)))
	require.Equal(t, "USER_AUTH", string(h.typ.in(line)))
	require.Equal(t, "1772442060.120:1210", string(h.stamp.in(line)))
	require.Equal(t, "pid=2201 uid=0", string(line[h.body:]))
	require.Equal(t, time.Date(2026, 3, 2, 9, 1, 0, 120e6, time.UTC), recordTime(string(h.sec.in(line))))

	// DAEMON_CONFIG has no colon after the stamp.
	line = []byte("type=DAEMON_CONFIG msg=audit(1490239800.477:34) config changed, auid=0")
	h, why = parseHeader(line)
	require.Empty(t, why)
	require.Equal(t, "config changed, auid=0", string(line[h.body:]))

	for _, bad := range []string{"msg=audit(1.2:3): x", "type=X msg=?", "type=X msg=audit(1.2:3", "type=X msg=audit(.2:3):",
		"type=X msg=audit(123456789012.1:3):", "type=X msg=audit(1.2:):", "type=X msg=audit(1.1234567890:3):",
		"type=SYSCALL msg=audit(03/02/2026 09:00:00.123:1241) : arch=x86_64", "----", "time->Mon Mar  2 09:00:00 2026"} {
		_, why := parseHeader([]byte(bad))
		require.NotEmpty(t, why, bad)
	}
}

func TestFields(t *testing.T) {
	var r record
	r.fields = appendFields(nil, `pid=13015 uid=0 auid=4294967295 msg='PAM: session open acct=root : exe="/usr/sbin/crond" (hostname=?, addr=?, terminal=cron res=success)'`, false)
	require.Equal(t, "root", r.text("acct"))
	require.Equal(t, "/usr/sbin/crond", r.text("exe"))
	require.Equal(t, "", r.text("hostname"))
	require.Equal(t, "cron", r.text("terminal"))
	require.Equal(t, "success", r.text("res"))
	require.Equal(t, "4294967295", r.get("auid"))

	r.fields = appendFields(nil, `login pid=5200 uid=0 old auid=4294967295 new auid=0`, false)
	require.Equal(t, "0", r.get("auid"), "the last auid is the new one")

	r.fields = appendFields(nil, `comm="a b" exe=2F7573722F62696E2F707974686F6E322E37 key=65786563013634626974 name=(null) a1=7ffe1a2b3c40 cmd=6964`, false)
	require.Equal(t, "a b", r.text("comm"))
	require.Equal(t, "/usr/bin/python2.7", r.text("exe"))
	require.Equal(t, "exec,64bit", ruleKey(&r))
	require.Equal(t, "", r.text("name"))
	require.Equal(t, "7ffe1a2b3c40", r.text("a1"), "numbers are not hex-encoded strings")
	require.Equal(t, "id", r.text("cmd"))

	// A nested message whose value holds a single quote runs to the last quote.
	r.fields = appendFields(nil, `pid=1 msg='op=x cmd="it's" res=success'`, false)
	require.Equal(t, "it's", r.text("cmd"))
	require.Equal(t, "success", r.text("res"))
}

func TestCommandLine(t *testing.T) {
	e1 := &record{fields: appendFields(nil, `argc=3 a0="bash" a1="-c" a2_len=10 a2[0]=6563686F20`, false)}
	e2 := &record{fields: appendFields(nil, `a2[1]="hello"`, false)}
	cmd, argc, complete, _ := commandLine([]*record{e1, e2}, nil)
	require.Equal(t, "bash -c echo hello", cmd)
	require.Equal(t, "3", argc)
	require.True(t, complete)

	e := &record{fields: appendFields(nil, `argc=3 a0="x" a2="z"`, false)}
	cmd, _, complete, _ = commandLine([]*record{e}, nil)
	require.Equal(t, "x z", cmd)
	require.False(t, complete, "a1 is missing")

	require.Equal(t, "cat /run/secrets/db", processTitle(field{k: "proctitle", v: "636174002F72756E2F736563726574732F646200"}))
	require.Equal(t, "bash", processTitle(field{k: "proctitle", v: "bash", quoted: true}))
}

func TestSockaddr(t *testing.T) {
	require.Equal(t, "198.51.100.20:443", sockaddr("020001BBC63364140000000000000000"))
	require.Equal(t, "198.51.100.20:443", sockaddr("000201BBC63364140000000000000000"), "big-endian family")
	require.Equal(t, "[2001:db8::1]:22", sockaddr("0A0000160000000020010DB8000000000000000000000001"+"00000000"))
	require.Equal(t, "unix:/var/run/nscd/socket", sockaddr("01002F7661722F72756E2F6E7363642F736F636B657400"))
	require.Equal(t, "unix:@abstract", sockaddr("01000061627374726163740000"))
	require.Equal(t, "", sockaddr("10000000000000000000"), "netlink")
	require.Equal(t, "", sockaddr("zz"))
}

func TestSyscallNames(t *testing.T) {
	for _, c := range []struct{ arch, nr, name string }{
		{"c000003e", "59", "execve"}, {"c000003e", "257", "openat"}, {"c000003e", "2", "open"},
		{"c00000b7", "221", "execve"}, {"c00000b7", "56", "openat"}, {"40000003", "11", "execve"},
		{"40000003", "295", "openat"}, {"80000015", "11", "execve"}, {"c000003e", "99999", ""}, {"deadbeef", "1", ""},
	} {
		require.Equal(t, c.name, syscallName(c.arch, c.nr), c)
	}
}

func TestOpenAccess(t *testing.T) {
	at := func(a2 string) *record {
		return &record{fields: appendFields(nil, "a0=ffffff9c a1=7ffd a2="+a2+" a3=0", false)}
	}
	for _, c := range []struct {
		name, a2, want string
	}{
		{"openat", "0", accessRead}, {"openat", "80000", accessRead}, {"openat", "241", accessWrite},
		{"openat", "2", accessReadWrite}, {"openat", "200000", accessPathOnly}, {"openat", "x", accessUnrecorded},
	} {
		got, ok := openAccess(c.name, at(c.a2), nil)
		require.True(t, ok)
		require.Equal(t, c.want, got, c)
	}
	got, _ := openAccess("openat2", at("7ffd"), &record{fields: appendFields(nil, "oflag=0101 mode=0 resolve=0x0", false)})
	require.Equal(t, accessWrite, got, "oflag is octal")
	got, _ = openAccess("openat2", at("7ffd"), nil)
	require.Equal(t, accessUnrecorded, got)
	got, _ = openAccess("creat", at("0"), nil)
	require.Equal(t, accessWrite, got)
	_, ok := openAccess("execve", at("0"), nil)
	require.False(t, ok)

	require.True(t, relativeToCWD("openat", at("0")))
	require.False(t, relativeToCWD("openat", &record{fields: appendFields(nil, "a0=5", false)}))
	require.True(t, relativeToCWD("open", &record{}))
	require.False(t, relativeToCWD("", &record{}))
	n, abs := resolve("../etc/./passwd", "/srv/app", true)
	require.Equal(t, "/srv/etc/passwd", n)
	require.True(t, abs)
	n, abs = resolve("api_key", "/srv/app", false)
	require.Equal(t, "api_key", n)
	require.False(t, abs)
}

func TestSecretPaths(t *testing.T) {
	s := newSecretPaths([]string{"/run/secrets/*", "*.env", "[bad"})
	require.Equal(t, []string{"[bad"}, s.bad)
	require.True(t, s.match("/run/secrets/db", true))
	require.False(t, s.match("/run/secrets/a/b", true))
	require.True(t, s.match("/srv/app/.env", true))
	require.True(t, s.match("config/prod.env", false), "base-name patterns apply to unresolved names")
	require.False(t, s.match("secrets/db", false), "full patterns need a resolved name")
}
