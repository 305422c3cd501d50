package auditd

import "strconv"

// arch is one audit architecture: the AUDIT_ARCH_* value the kernel writes in arch= (hex), the
// name auditd's enriched format and ausearch -i print for it, and its syscall table.
type arch struct {
	name  string
	table []string
}

// archs maps arch= values to architectures. Syscall numbers differ per architecture, so a
// number is only translated when the record says which table applies.
var archs = map[string]arch{
	"c000003e": {"x86_64", sysX8664[:]},
	"40000003": {"i386", sysI386[:]},
	"c00000b7": {"aarch64", sysAarch64[:]},
	"40000028": {"arm", sysArm[:]},
	"80000015": {"ppc64", sysPPC64[:]},
	"c0000015": {"ppc64le", sysPPC64[:]},
	"80000016": {"s390x", sysS390x[:]},
	"c00000f3": {"riscv64", sysRiscv64[:]},
}

// syscallName returns the name of syscall number nr (decimal, as logged) on the architecture
// archHex, or "" when the architecture or the number is not in the tables.
func syscallName(archHex, nr string) string {
	a, ok := archs[archHex]
	if !ok {
		return ""
	}
	n, err := strconv.Atoi(nr)
	if err != nil || n < 0 || n >= len(a.table) {
		return ""
	}
	return a.table[n]
}

// archName returns the architecture's name for an arch= value, or "".
func archName(archHex string) string { return archs[archHex].name }

// dirfdArgs lists, for the *at syscalls, the arguments that hold directory descriptors: a
// relative name in such a call is relative to that directory, not to the CWD record, unless the
// argument is AT_FDCWD.
var dirfdArgs = map[string][]int{
	"openat": {0}, "openat2": {0}, "execveat": {0}, "newfstatat": {0}, "fstatat64": {0},
	"unlinkat": {0}, "mkdirat": {0}, "mknodat": {0}, "fchownat": {0}, "fchmodat": {0},
	"fchmodat2": {0}, "faccessat": {0}, "faccessat2": {0}, "readlinkat": {0}, "utimensat": {0},
	"futimesat": {0}, "name_to_handle_at": {0}, "statx": {0}, "open_tree": {0},
	"open_tree_attr": {0}, "renameat": {0, 2}, "renameat2": {0, 2}, "linkat": {0, 2},
	"symlinkat": {1}, "mount_setattr": {0}, "move_mount": {0, 2}, "fspick": {0},
	"setxattrat": {0}, "getxattrat": {0}, "listxattrat": {0},
	"removexattrat": {0}, "file_getattr": {0}, "file_setattr": {0},
}

// isATFDCWD reports whether a syscall argument (hex, as logged) is AT_FDCWD (-100), which the
// kernel prints as a 32- or 64-bit two's complement.
func isATFDCWD(hexArg string) bool {
	return hexArg == "ffffff9c" || hexArg == "ffffffffffffff9c"
}
