package vaultaudit

import (
	"strings"

	"github.com/breachline/breachline/normalize"
)

// categorize sets the category from the operation and the path and, for secret and credential
// events, the secret reference and the credentials issued or revoked. The rules are listed in
// docs/formats.md (section vault-audit).
func categorize(r *record, ev *normalize.Event) {
	req := r.Request
	op := req.Operation
	ev.Category = normalize.APICall
	if op == "help" || req.Path == "" {
		return // help describes an endpoint; it reads and changes nothing
	}
	t := locate(req)
	switch {
	case isKV(t):
		kvCategory(op, t, ev)
	case t.mount == "sys":
		sysCategory(op, t, r, ev)
	case strings.HasPrefix(t.mount, "auth/"):
		authCategory(op, t, r, ev)
	case t.mountType != "" && t.mountType != "cubbyhole" && (strings.HasPrefix(t.rel, "creds/") || t.mountType == "aws" && strings.HasPrefix(t.rel, "sts/")):
		// Dynamic secrets engines (database, aws, azure, consul, …) mint a new credential on
		// every read of creds/<role>; the lease id is in attrs.lease_id.
		if op == "read" || op == "update" || op == "create" {
			ev.Category = normalize.CredentialIssue
		}
	case t.mountType != "" && t.mountType != "cubbyhole" && (strings.HasPrefix(t.rel, "static-creds/") || strings.HasPrefix(t.rel, "static-cred/")):
		// Static roles return the current password of a managed account: a secret read.
		if op == "read" {
			ev.Category = normalize.SecretRead
			ev.SecretRef = t.ref(t.rel)
		}
	}
}

// isKV reports whether the request went to a key/value secrets engine: a mount whose type is kv
// (v1 or v2) or generic (the old name of kv v1), or, in logs from Vault versions that did not
// record mount_type, the default mount secret/.
func isKV(t target) bool {
	switch t.mountType {
	case "kv", "generic":
		return true
	case "":
		return t.mount == "secret"
	}
	return false
}

// kvV2Parts are the KV v2 endpoints that precede the secret's path.
var kvV2Parts = map[string]bool{
	"data": true, "metadata": true, "delete": true, "undelete": true, "destroy": true, "subkeys": true,
}

// kvCategory handles KV v1 and v2. The secret reference drops the v2 endpoint (data/,
// metadata/, …) so that every form of one secret compares equal; a list names every secret below
// the listed prefix (…/*).
func kvCategory(op string, t target, ev *normalize.Event) {
	sub, path := "", t.rel
	if first, after, _ := strings.Cut(t.rel, "/"); kvV2Parts[first] {
		sub, path = first, after
	}
	ev.SetAttr("kv_endpoint", sub)
	ref := t.ref(path)
	switch op {
	case "list":
		ev.Category = normalize.SecretRead
		ref += "/*"
	case "read":
		switch sub {
		case "", "data":
			ev.Category = normalize.SecretRead
		case "metadata", "subkeys":
			// Versions, timestamps and key names, never values.
			ev.Category = normalize.DataAccess
		}
	case "create", "update", "patch", "delete":
		ev.Category = normalize.SecretWrite
	}
	ev.SecretRef = ref
}

// sysCategory handles the system backend: lease revocation is a credential revocation, other
// writes are administration, reads are API calls.
func sysCategory(op string, t target, r *record, ev *normalize.Event) {
	rel := strings.TrimPrefix(t.rel, "leases/")
	one := rel == "revoke" || strings.HasPrefix(rel, "revoke/")
	prefix := strings.HasPrefix(rel, "revoke-prefix/") || strings.HasPrefix(rel, "revoke-force/")
	switch {
	case (one || prefix) && isWrite(op):
		ev.Category = normalize.CredentialRevoke
		d := r.requestData()
		_, arg, _ := strings.Cut(rel, "/")
		lease := str(d.LeaseID)
		if lease == "" {
			lease = arg
		}
		if one {
			ev.SetAttr("revoked_lease", lease)
		} else {
			ev.SetAttr("revoked_lease_prefix", arg)
		}
	case isWrite(op):
		ev.Category = normalize.Admin
	}
}

// authCategory handles auth mounts: logins, the token store, AppRole secret IDs.
func authCategory(op string, t target, r *record, ev *normalize.Event) {
	rel := t.rel
	switch {
	case t.mount == "auth/token" || t.mountType == "token":
		tokenCategory(op, rel, r, ev)
	case rel == "login" || strings.HasPrefix(rel, "login/") || rel == "oidc/callback":
		ev.Category = normalize.Auth
		if user, ok := strings.CutPrefix(rel, "login/"); ok {
			ev.SetAttr("login_user", user) // userpass, LDAP, Okta, RADIUS name the user in the path
		}
		issued(r, ev)
	case t.mountType == "approle" || t.mount == "auth/approle":
		approleCategory(op, rel, r, ev)
	case rel == "oidc/auth_url":
		// The first leg of an OIDC login: it returns the provider's URL and authenticates no one.
	case isWrite(op):
		ev.Category = normalize.Admin
	}
}

// tokenCategory handles auth/token: create → credential_issue with the new token from
// response.auth; revoke, revoke-orphan, revoke-accessor, revoke-self → credential_revoke with the
// revoked token from request.data (or the caller's own token for revoke-self).
func tokenCategory(op, rel string, r *record, ev *normalize.Event) {
	switch {
	case rel == "create" || rel == "create-orphan" || strings.HasPrefix(rel, "create/"):
		ev.Category = normalize.CredentialIssue
		issued(r, ev)
	case rel == "revoke" || rel == "revoke-orphan" || rel == "revoke-accessor":
		ev.Category = normalize.CredentialRevoke
		d := r.requestData()
		revoked(ev, r.key, str(d.Token), str(d.Accessor))
	case rel == "revoke-self":
		ev.Category = normalize.CredentialRevoke
		ev.SetAttr(normalize.AttrRevokedCredential, ev.Credential)
		if a, ok := ev.Attrs["accessor"].(string); ok {
			ev.SetAttr("revoked_accessor", a)
		}
	case (strings.HasPrefix(rel, "roles") || rel == "tidy") && isWrite(op):
		ev.Category = normalize.Admin
	}
}

// approleCategory handles AppRole secret IDs, the credential half of an AppRole login.
func approleCategory(op, rel string, r *record, ev *normalize.Event) {
	parts := strings.Split(rel, "/")
	if len(parts) < 3 || parts[0] != "role" {
		if isWrite(op) {
			ev.Category = normalize.Admin
		}
		return
	}
	switch tail := strings.Join(parts[2:], "/"); {
	case (tail == "secret-id" || tail == "custom-secret-id") && (op == "update" || op == "create"):
		ev.Category = normalize.CredentialIssue
		ev.SetAttr("approle_role", parts[1])
		if r.Response != nil {
			d := r.responseData()
			if h, _ := tokenHandle(r.key, str(d.SecretID)); h != "" {
				ev.SetAttr(normalize.AttrIssuedCredential, h)
			}
			ev.SetAttr("issued_accessor", accessorValue(str(d.SecretIDAccessor)))
		}
	case (tail == "secret-id/destroy" || tail == "secret-id-accessor/destroy") && isWrite(op):
		ev.Category = normalize.CredentialRevoke
		ev.SetAttr("approle_role", parts[1])
		d := r.requestData()
		if h, _ := tokenHandle(r.key, str(d.SecretID)); h != "" {
			ev.SetAttr(normalize.AttrRevokedCredential, h)
		}
		ev.SetAttr("revoked_accessor", accessorValue(str(d.SecretIDAccessor)))
	case isWrite(op):
		ev.Category = normalize.Admin
	}
}

// issued records the token a login or a token create returned (response.auth).
func issued(r *record, ev *normalize.Event) {
	ra := r.responseAuth()
	if ra == nil {
		return
	}
	if h, _ := tokenHandle(r.key, ra.ClientToken); h != "" {
		ev.SetAttr(normalize.AttrIssuedCredential, h)
	}
	ev.SetAttr("issued_accessor", accessorValue(ra.Accessor))
	ev.SetAttr("issued_display_name", ra.DisplayName)
	ev.SetAttr("issued_entity_id", ra.EntityID)
	if len(ra.TokenPolicies) > 0 {
		ev.SetAttr("issued_policies", ra.TokenPolicies)
	}
}

// revoked records the token a revoke call named: its HMAC, or, when only the accessor is given
// (revoke-accessor), the accessor's HMAC.
func revoked(ev *normalize.Event, key *normalize.HandleKey, token, accessor string) {
	acc := accessorValue(accessor)
	if h, _ := tokenHandle(key, token); h != "" {
		ev.SetAttr(normalize.AttrRevokedCredential, h)
	} else if _, _, ok := normalize.SplitHandle(acc); ok {
		ev.SetAttr(normalize.AttrRevokedCredential, acc)
	}
	ev.SetAttr("revoked_accessor", acc)
}

// isWrite reports whether op changes state.
func isWrite(op string) bool {
	switch op {
	case "create", "update", "patch", "delete":
		return true
	}
	return false
}
