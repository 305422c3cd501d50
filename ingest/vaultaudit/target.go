package vaultaudit

import "strings"

// target is where a request went: the namespace, the mount and the path below the mount.
type target struct {
	ns        string // namespace path with its trailing slash ("team-a/"); "" for the root namespace
	mount     string // mount path without its trailing slash ("secret", "auth/userpass", "sys")
	rel       string // path below the mount, without a leading slash
	mountType string // request.mount_type as logged ("kv", "token", "system", …); "" in old logs
}

// locate splits a request path into mount and relative path. request.mount_point (logged by
// Vault since 1.x) is authoritative; without it the mount is inferred the way Vault's default
// layout places it: "auth/<method>/…" (or, for nested auth mounts, everything before the "login"
// segment) and the first segment for everything else.
func locate(req *request) target {
	t := target{mountType: req.MountType}
	if ns := req.Namespace; ns != nil && ns.Path != "" {
		t.ns = ns.Path
		if !strings.HasSuffix(t.ns, "/") {
			t.ns += "/"
		}
	}
	path, mp := req.Path, req.MountPoint
	switch {
	case mp != "" && strings.HasPrefix(path, mp):
		t.mount, t.rel = strings.TrimSuffix(mp, "/"), path[len(mp):]
		return t
	case mp != "" && path+"/" == mp:
		t.mount = path
		return t
	case mp != "":
		t.mountType = "" // the mount logged is not the one the path is under: trust neither
	}
	if rest, ok := strings.CutPrefix(path, "auth/"); ok {
		parts := strings.Split(rest, "/")
		for i := 1; i < len(parts); i++ {
			if parts[i] == "login" {
				t.mount = "auth/" + strings.Join(parts[:i], "/")
				t.rel = strings.Join(parts[i:], "/")
				return t
			}
		}
		method, below, _ := strings.Cut(rest, "/")
		t.mount, t.rel = "auth/"+method, below
		return t
	}
	t.mount, t.rel, _ = strings.Cut(path, "/")
	return t
}

// ref renders a secret reference: vault:<namespace><mount>/<path>.
func (t target) ref(path string) string {
	path = strings.Trim(path, "/")
	if path == "" {
		return "vault:" + t.ns + t.mount
	}
	return "vault:" + t.ns + t.mount + "/" + path
}
