package azure

import (
	"errors"
	"strings"
	"time"

	"github.com/breachline/breachline/normalize"
)

// keyVault fills ev from a Key Vault AuditEvent: the data-plane log of every request to a vault,
// in diagnostic-settings form (claims under identity.claim, details under properties), Log
// Analytics' AZKVAuditLogs (the same at the top level) or AzureDiagnostics (claims and details
// flattened into identity_claim_*_s, id_s, requestUri_s… columns).
func (r *record) keyVault(ev *normalize.Event, loc *time.Location) error {
	t, p := &r.top, &r.props
	if err := setTime(ev, loc, stamp{"time", t.Time}, stamp{"TimeGenerated", t.TimeGenerated}); err != nil {
		return err
	}
	ev.Action = first(t.OperationName, t.OperationNameValue)
	if ev.Action == "" {
		return errors.New("Key Vault record without operationName")
	}
	ev.RequestID = string(t.CorrelationID)
	ev.Resource = r.resourceID()
	ev.ResourceType = armType(ev.Resource)

	obj, _ := readIdentity(t.Identity)
	c := obj.Claim.unwrap()
	if c == nil && first(t.ClaimUPN, t.ClaimUPNLong, t.ClaimAppID, t.ClaimOID, t.ClaimOIDLong) != "" {
		c = &claims{UPN: flex(t.ClaimUPN), UPNLong: flex(t.ClaimUPNLong), AppID: flex(t.ClaimAppID),
			OID: flex(t.ClaimOID), OIDLong: flex(t.ClaimOIDLong), IPAddr: flex(t.ClaimIPAddr)}
	}
	c.identify(ev)
	r.setTenant(ev)
	setAddress(ev, string(t.CallerIPAddress))
	ev.UserAgent = first(p.ClientInfo, t.ClientInfo, t.ClientInfoS)

	objectURI := first(p.ID, t.ID, t.IDS)
	requestURI := first(p.RequestURI, t.RequestURI, t.RequestURIS)
	status := first(p.HTTPStatusCode, t.HTTPStatusCode, t.HTTPStatusCodeD)
	ev.SetAttr("object_uri", objectURI)
	ev.SetAttr("request_uri", requestURI)
	ev.SetAttr("http_status", status)
	ev.SetAttr("result_signature", string(t.ResultSignature))
	ev.SetAttr("result_type", string(t.ResultType))
	ev.SetAttr("operation_version", string(t.OperationVersion))
	ev.SetAttr("is_access_policy_match", boolAttr(first(p.IsAccessPolicyMatch, t.IsAccessPolicyMatch)))
	ev.SetAttr("is_rbac_authorized", boolAttr(first(p.IsRbacAuthorized, t.IsRbacAuthorized)))

	// The HTTP status is what the vault answered; resultSignature is its name. resultType says
	// whether Key Vault processed the request, and reads "Success" for a 403, so it is used
	// only when neither of the others is there.
	ev.Outcome = httpOutcome(status)
	if ev.Outcome == normalize.Unknown {
		ev.Outcome = signatureOutcome(string(t.ResultSignature))
	}
	if ev.Outcome == normalize.Unknown {
		ev.Outcome = wordOutcome(string(t.ResultType))
	}

	vault, _ := kvFromResourceID(ev.Resource)
	if vault == "" {
		vault = first(text(kvURI(objectURI).vault), text(kvURI(requestURI).vault), text(strings.ToLower(string(t.Resource))))
	}
	ev.SetAttr("vault", vault)
	categorizeKeyVault(ev, vault, objectURI, requestURI)
	return nil
}

// categorizeKeyVault sets the category and, for secret operations that name one secret, the
// secret reference azure-kv:<vault>/<secret>. SecretGet returns a value (secret_read); SecretSet,
// SecretUpdate, SecretRestore and SecretRecover change one (secret_write); listing, deleting and
// backing up (an encrypted blob only a vault can restore) are api_call. Authentication is auth;
// changes to the vault itself (its access policies among them) are admin.
func categorizeKeyVault(ev *normalize.Event, vault, objectURI, requestURI string) {
	op := strings.ToLower(ev.Action)
	ev.Category = normalize.APICall
	switch op {
	case "secretget":
		ev.Category = normalize.SecretRead
	case "secretset", "secretupdate", "secretrestore", "secretrecover":
		ev.Category = normalize.SecretWrite
	case "authentication":
		ev.Category = normalize.Auth
	case "vaultput", "vaultpatch", "vaultdelete", "vaultpurge", "vaultrecover":
		ev.Category = normalize.Admin
	}
	if !strings.HasPrefix(op, "secret") || vault == "" {
		return
	}
	// The object's id is what the vault returned; the request URI is what the caller asked for
	// (all a refused request has).
	u := kvURI(objectURI)
	if !u.secret() {
		u = kvURI(requestURI)
	}
	if u.secret() && u.name != "" {
		ev.SecretRef = kvRef(vault, u.name)
		ev.SetAttr("secret_version", u.version)
	}
}

// kvRef is the secret reference of a Key Vault secret. Vault names are case-insensitive and
// Azure writes them in either case (an upper-case resourceId, a lower-case host), so the vault is
// lower-cased; the secret name is kept as logged.
func kvRef(vault, secret string) string { return "azure-kv:" + strings.ToLower(vault) + "/" + secret }

// kvObject is what a Key Vault URI names: https://<vault>.vault.azure.net/<collection>/<name>/<version>.
type kvObject struct{ vault, collection, name, version string }

func (o kvObject) secret() bool { return o.collection == "secrets" || o.collection == "deletedsecrets" }

// kvURI splits a Key Vault data-plane URI. The vault is the host's first label when the host is
// a vault endpoint (vault.azure.net and the sovereign clouds' vault.* domains, managedhsm.*); a
// version is a 32-digit hex segment, so the "versions", "backup" or "recover" of an action are
// not taken for one.
func kvURI(u string) kvObject {
	rest, ok := strings.CutPrefix(u, "https://")
	if !ok {
		return kvObject{}
	}
	rest, _, _ = strings.Cut(rest, "?")
	host, path, _ := strings.Cut(rest, "/")
	host, _, _ = strings.Cut(host, ":")
	label, domain, _ := strings.Cut(strings.ToLower(host), ".")
	if !strings.HasPrefix(domain, "vault.") && !strings.HasPrefix(domain, "managedhsm.") {
		return kvObject{}
	}
	o := kvObject{vault: label}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	o.collection = strings.ToLower(segs[0])
	if len(segs) > 1 && segs[1] != "restore" {
		o.name = segs[1]
	}
	if len(segs) > 2 && isVersion(segs[2]) {
		o.version = segs[2]
	}
	return o
}

// kvFromResourceID reads the vault (lower case) and, for an ARM secret resource, the secret name
// from a resource id such as /SUBSCRIPTIONS/…/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/CONTOSO[/secrets/name].
func kvFromResourceID(id string) (vault, secret string) {
	const marker = "/providers/microsoft.keyvault/vaults/"
	i := indexFold(id, marker)
	if i < 0 {
		return "", ""
	}
	segs := strings.Split(strings.Trim(id[i+len(marker):], "/"), "/")
	vault = strings.ToLower(segs[0])
	if len(segs) >= 3 && strings.EqualFold(segs[1], "secrets") {
		secret = segs[2]
	}
	return vault, secret
}

func isVersion(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// signatureOutcome maps Key Vault's resultSignature, the name (or number) of the HTTP status.
func signatureOutcome(sig string) normalize.Outcome {
	switch strings.ToLower(strings.TrimSpace(sig)) {
	case "ok", "created", "accepted", "nocontent", "partialcontent":
		return normalize.Success
	case "badrequest", "unauthorized", "forbidden", "notfound", "methodnotallowed", "conflict", "gone",
		"preconditionfailed", "requestentitytoolarge", "toomanyrequests", "internalservererror",
		"serviceunavailable", "gatewaytimeout":
		return normalize.Failure
	}
	return httpOutcome(sig)
}

// boolAttr keeps a logged boolean as a boolean, anything else as text.
func boolAttr(s string) any {
	switch strings.ToLower(s) {
	case "":
		return nil
	case "true":
		return true
	case "false":
		return false
	}
	return s
}
