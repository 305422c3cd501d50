package azure

import (
	"github.com/breachline/breachline/ingest/internal/jsondec"
	"github.com/breachline/breachline/normalize"
)

// claims are the access-token claims Azure copies into activity log and Key Vault records, under
// their short JWT names or their long WS-Federation URIs depending on the service.
type claims struct {
	UPN          flex    `json:"upn"`
	UPNLong      flex    `json:"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"`
	UniqueName   flex    `json:"unique_name"`
	NameLong     flex    `json:"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"`
	AppID        flex    `json:"appid"`
	OID          flex    `json:"oid"`
	OIDLong      flex    `json:"http://schemas.microsoft.com/identity/claims/objectidentifier"`
	IDType       flex    `json:"idtyp"`
	IPAddr       flex    `json:"ipaddr"`
	TenantID     flex    `json:"tid"`
	TenantIDLong flex    `json:"http://schemas.microsoft.com/identity/claims/tenantid"`
	ManagedID    flex    `json:"xms_mirid"`
	Content      *claims `json:"Content"` // Get-AzActivityLog | ConvertTo-Json wraps them in Content
}

// identityObject is a record's "identity" when it is an object: Key Vault's {"claim": …}, the
// activity log's {"claims": …, "authorization": …}, a storage log's {"type", "requester"}.
type identityObject struct {
	Claim     *claims `json:"claim"`
	Claims    *claims `json:"claims"`
	Type      flex    `json:"type"`
	TokenHash flex    `json:"tokenHash"`
	Requester *struct {
		AppID    flex `json:"appId"`
		UPN      flex `json:"upn"`
		ObjectID flex `json:"objectId"`
	} `json:"requester"`
}

// readIdentity decodes identity, which is an object in resource logs and the display name of the
// signed-in identity (a string) in Entra records; name is that string.
func readIdentity(raw jsondec.RawMessage) (obj identityObject, name string) {
	if len(raw) > 0 && raw[0] == '"' {
		var s flex
		if s.UnmarshalJSON(raw) == nil {
			if !nested(raw, &obj) {
				name = string(s)
			}
		}
		return obj, name
	}
	nested(raw, &obj)
	return obj, ""
}

// readClaims decodes a claims object, unwrapping PowerShell's Content.
func readClaims(raw jsondec.RawMessage) *claims {
	var c claims
	if !nested(raw, &c) {
		return nil
	}
	return c.unwrap()
}

func (c *claims) unwrap() *claims {
	if c != nil && c.Content != nil {
		return c.Content
	}
	return c
}

// identify sets principal and principal_type from token claims. A token naming a user (upn,
// unique_name or the long name claim) acts for that user; one naming only an application (appid)
// is an app-only token, the application's own service principal (a managed identity when the
// token carries xms_mirid); one naming only an object id gives the id with no type, since
// the claims do not say what it is. idtyp, when the token has it, settles the type.
func (c *claims) identify(ev *normalize.Event) {
	if c == nil {
		return
	}
	ev.SetAttr("app_id", string(c.AppID))
	ev.SetAttr("principal_id", first(c.OIDLong, c.OID))
	ev.SetAttr("tenant", first(c.TenantIDLong, c.TenantID))
	ev.SetAttr("token_ipaddr", string(c.IPAddr))
	ev.SetAttr("managed_identity", string(c.ManagedID))
	switch user := first(c.UPNLong, c.UPN, c.UniqueName, c.NameLong); {
	case ev.Principal != "":
		// The record's own caller field named the principal; the claims only say what it is,
		// and only when they are plainly about the same identity.
		switch {
		case c.IDType == "user" || (user != "" && user == ev.Principal):
			ev.PrincipalType = "user"
		case c.IDType == "app" || (user == "" && ev.Principal == string(c.AppID)):
			ev.PrincipalType = appType(c)
		}
	case user != "":
		ev.Principal, ev.PrincipalType = user, "user"
	case c.AppID != "":
		ev.Principal, ev.PrincipalType = string(c.AppID), appType(c)
	default:
		ev.Principal = first(c.OIDLong, c.OID)
	}
}

func appType(c *claims) string {
	if c.ManagedID != "" {
		return "managed-identity"
	}
	return "service-principal"
}
